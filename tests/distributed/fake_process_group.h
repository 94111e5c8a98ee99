#pragma once
// A ProcessGroup in one process whose peers are mirrors of this rank: every other rank holds
// exactly this rank's tensors. So all_reduce(SUM) multiplies by the world size, AVG changes
// nothing, broadcast and barrier do nothing, and all-gathers repeat the input. Every op
// completes at once and is recorded, so DDP's reducer can be tested deterministically
// (bucket order, launch times, no_sync) without MPI.
#include <functional>
#include <string>
#include <vector>

#include "ember/distributed/process_group.h"
#include "ember/ember.h"

namespace ember::testing {

class MirrorProcessGroup : public distributed::ProcessGroup {
 public:
  explicit MirrorProcessGroup(int size, int rank = 0)
      : ProcessGroup(rank, size, std::chrono::milliseconds(60000)) {}
  std::string backend_name() const override { return "mirror"; }

  // Called on every all_reduce before it runs (the test inspects the model's state then).
  std::function<void(const Tensor&)> on_all_reduce;
  std::vector<int64_t> all_reduce_numels;  // in call order
  int broadcasts = 0;

  distributed::WorkPtr all_reduce(Tensor& t, distributed::ReduceOp op) override {
    if (on_all_reduce) on_all_reduce(t);
    all_reduce_numels.push_back(t.numel());
    NoGradGuard g;
    if (op == distributed::ReduceOp::SUM) t.mul_(size());
    return done("all_reduce");
  }
  distributed::WorkPtr broadcast(Tensor&, int) override {
    ++broadcasts;
    return done("broadcast");
  }
  distributed::WorkPtr reduce(Tensor& t, int, distributed::ReduceOp op) override { return all_reduce(t, op); }
  distributed::WorkPtr all_gather(std::vector<Tensor>& outputs, const Tensor& input) override {
    NoGradGuard g;
    for (Tensor& o : outputs) o.copy_(input);
    return done("all_gather");
  }
  distributed::WorkPtr all_gather_into_tensor(Tensor& output, const Tensor& input) override {
    NoGradGuard g;
    output.view({size(), -1}).copy_(input.reshape({1, -1}).expand({size(), input.numel()}));
    return done("all_gather_into_tensor");
  }
  distributed::WorkPtr reduce_scatter(Tensor& output, const std::vector<Tensor>& inputs,
                                      distributed::ReduceOp) override {
    NoGradGuard g;
    output.copy_(inputs[rank()] * size());
    return done("reduce_scatter");
  }
  distributed::WorkPtr reduce_scatter_tensor(Tensor& output, const Tensor& input, distributed::ReduceOp) override {
    NoGradGuard g;
    output.copy_(input.view({size(), -1})[rank()].view(output.sizes()) * size());
    return done("reduce_scatter_tensor");
  }
  distributed::WorkPtr gather(const Tensor& input, std::vector<Tensor>& outputs, int) override {
    return all_gather(outputs, input);
  }
  distributed::WorkPtr scatter(Tensor& output, const std::vector<Tensor>& inputs, int) override {
    NoGradGuard g;
    if (!inputs.empty()) output.copy_(inputs[rank()]);
    return done("scatter");
  }
  distributed::WorkPtr barrier() override { return done("barrier"); }
  distributed::WorkPtr send(const Tensor&, int, int) override { return done("send"); }
  distributed::WorkPtr recv(Tensor&, int, int) override { return done("recv"); }
  std::shared_ptr<distributed::ProcessGroup> new_subgroup(const std::vector<int>& ranks,
                                                          std::chrono::milliseconds) override {
    return std::make_shared<MirrorProcessGroup>(static_cast<int>(ranks.size()));
  }

 private:
  static distributed::WorkPtr done(const std::string& what) {
    auto w = std::make_shared<distributed::Work>(what);
    w->complete();
    return w;
  }
};

}  // namespace ember::testing
