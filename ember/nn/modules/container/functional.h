#pragma once
// Functional: wraps a Tensor(Tensor) callable as a module (LibTorch's torch::nn::Functional),
// e.g. Sequential(Linear(4, 4), Functional(ember::relu)). Extra arguments are bound after
// the input: Functional(ember::leaky_relu, 0.2). It holds no state and is not serialized.
#include <functional>
#include <utility>

#include "ember/nn/holder.h"

namespace ember::nn {

class FunctionalImpl : public Module {
 public:
  using Function = std::function<Tensor(Tensor)>;
  explicit FunctionalImpl(Function function) : function_(std::move(function)) {}
  template <class F, class A, class... As>
  FunctionalImpl(F&& f, A&& arg, As&&... args)
      : function_([f = std::forward<F>(f), bound = std::make_tuple(std::forward<A>(arg), std::forward<As>(args)...)](
                      Tensor input) { return std::apply([&](const auto&... b) { return f(input, b...); }, bound); }) {}

  Tensor forward(Tensor input) { return function_(std::move(input)); }
  Tensor operator()(Tensor input) { return forward(std::move(input)); }
  bool is_serializable() const override { return false; }
  std::shared_ptr<Module> clone(const std::optional<Device>& = std::nullopt) const override {
    return std::make_shared<FunctionalImpl>(function_);
  }

 private:
  Function function_;
};
EMBER_MODULE(Functional);

}  // namespace ember::nn
