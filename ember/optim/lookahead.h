#pragma once
// Lookahead (Zhang et al. 2019, "Lookahead Optimizer: k steps forward, 1 step back")
// wrapping any optimizer: the inner optimizer updates the fast weights; every k steps the
// slow weights move a fraction alpha towards them and the fast weights restart from the
// slow ones:  slow += alpha * (fast - slow);  fast = slow.
// The slow weights start as the parameters' values at construction (phi_0 = theta_0).
//
//   auto lookahead = ember::optim::Lookahead(std::make_shared<ember::optim::Adam>(params),
//                                            ember::optim::LookaheadOptions().k(5).alpha(0.5));
//
// param_groups() are the inner optimizer's, so schedulers act on it. k and alpha live in
// each group as 'lookahead_k' and 'lookahead_alpha' (per-group values may differ), with the
// group's step counter 'lookahead_step'; state_dict() is the inner optimizer's with each
// parameter's 'slow_buffer' added to its state entry.
#include <memory>

#include "ember/optim/optimizer.h"

namespace ember::optim {

struct LookaheadOptions {
  EMBER_ARG(int64_t, k) = 5;
  EMBER_ARG(double, alpha) = 0.5;
};

class Lookahead : public Optimizer {
 public:
  Lookahead(std::shared_ptr<Optimizer> optimizer, LookaheadOptions options = {});
  Tensor step(LossClosure closure = nullptr) override;

  Optimizer& optimizer() { return *inner_; }
  const Optimizer& optimizer() const { return *inner_; }
  std::vector<OptimizerParamGroup>& param_groups() noexcept override { return inner_->param_groups(); }
  const std::vector<OptimizerParamGroup>& param_groups() const noexcept override { return inner_->param_groups(); }
  void add_param_group(const OptimizerParamGroup& param_group) override;
  // The slow weights of a parameter (undefined for one added after construction until its
  // first synchronisation).
  Tensor slow_weights(const Tensor& param) const;

  IValue state_dict() const override;
  void load_state_dict(const IValue& state_dict) override;

 protected:
  std::unique_ptr<OptimizerParamState> make_param_state() const override { return nullptr; }

 private:
  void init_group(OptimizerParamGroup& group);
  std::shared_ptr<Optimizer> inner_;
  LookaheadOptions options_;
  std::unordered_map<void*, Tensor> slow_;
};

}  // namespace ember::optim
