#pragma once
// L-BFGS with an optional strong-Wolfe line search: torch.optim.LBFGS / torch::optim::LBFGS.
// One parameter group only; step() needs a closure that recomputes the loss and its
// gradients (zero_grad, forward, backward) and returns the loss.
#include <deque>
#include <optional>
#include <string>

#include "ember/optim/optimizer.h"

namespace ember::optim {

struct LBFGSOptions : public OptimizerCloneableOptions<LBFGSOptions> {
  LBFGSOptions(double lr = 1) : lr_(lr) {}
  EMBER_ARG(double, lr);
  EMBER_ARG(int64_t, max_iter) = 20;
  EMBER_ARG(std::optional<int64_t>, max_eval) = std::nullopt;  // max_iter * 5 / 4 when unset
  EMBER_ARG(double, tolerance_grad) = 1e-7;
  EMBER_ARG(double, tolerance_change) = 1e-9;
  EMBER_ARG(int64_t, history_size) = 100;
  EMBER_ARG(std::optional<std::string>, line_search_fn) = std::nullopt;  // "strong_wolfe" or none

 public:
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }

 protected:
  void to_dict(Dict& d) const override;
  bool set_field(const std::string& key, const IValue& value) override;
};

// Kept on the first parameter, as in PyTorch. Scalars PyTorch holds in 0-dim tensors
// (t, H_diag, ro, al) are doubles here.
struct LBFGSParamState : public OptimizerCloneableParamState<LBFGSParamState> {
  EMBER_ARG(int64_t, func_evals) = 0;
  EMBER_ARG(int64_t, n_iter) = 0;
  EMBER_ARG(double, t) = 0;
  EMBER_ARG(double, prev_loss) = 0;
  EMBER_ARG(Tensor, d);
  EMBER_ARG(double, H_diag) = 1;
  EMBER_ARG(Tensor, prev_flat_grad);
  EMBER_ARG(std::deque<Tensor>, old_dirs);
  EMBER_ARG(std::deque<Tensor>, old_stps);
  EMBER_ARG(std::deque<double>, ro);
  EMBER_ARG(std::optional<std::vector<double>>, al) = std::nullopt;
  EMBER_ARG(bool, started) = false;  // d, t, ... hold values (PyTorch: the keys exist)

 public:
  void to_dict(Dict& d) const override;
  void from_dict(const Dict& d) override;
};

class LBFGS : public Optimizer {
 public:
  LBFGS(std::vector<OptimizerParamGroup> param_groups, LBFGSOptions defaults = {});
  LBFGS(std::vector<Tensor> params, LBFGSOptions defaults = {})
      : LBFGS(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, std::move(defaults)) {}
  Tensor step(LossClosure closure) override;

 protected:
  std::unique_ptr<OptimizerParamState> make_param_state() const override {
    return std::make_unique<LBFGSParamState>();
  }

 private:
  int64_t numel() const;
  Tensor gather_flat_grad() const;
  void add_grad(double step_size, const Tensor& update);
  std::vector<Tensor> clone_params() const;
  void set_params(const std::vector<Tensor>& values);
  // Loss and flat gradient at params + t * d; the parameters are restored to x after.
  std::pair<double, Tensor> directional_evaluate(const LossClosure& closure, const std::vector<Tensor>& x, double t,
                                                 const Tensor& d);
};

}  // namespace ember::optim
