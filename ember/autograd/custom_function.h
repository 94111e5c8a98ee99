#pragma once
// Custom differentiable functions, as LibTorch's torch::autograd::Function:
//
//   struct Cube : ember::autograd::Function<Cube> {
//     static Tensor forward(AutogradContext* ctx, Tensor x) {
//       ctx->save_for_backward({x});
//       return x * x * x;
//     }
//     static variable_list backward(AutogradContext* ctx, variable_list grads) {
//       Tensor x = ctx->get_saved_variables()[0];
//       return {grads[0] * 3 * x * x};
//     }
//   };
//   Tensor y = Cube::apply(x);
//
// forward runs with grad mode off; backward is written with ember ops, so a custom
// function is differentiable again when its backward is (create_graph=true).
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include "ember/autograd/record.h"
#include "ember/core/ivalue.h"
#include "ember/autograd/saved_variable.h"

namespace ember::autograd {

// A value kept in ctx->saved_data: ember's IValue (core/ivalue.h), as LibTorch's c10::IValue.
using IValue = ::ember::IValue;
// LibTorch's name for the gradient lists of forward/backward.
using tensor_list = variable_list;

struct AutogradContext {
  AutogradContext() = default;
  AutogradContext(const AutogradContext&) = delete;
  AutogradContext& operator=(const AutogradContext&) = delete;

  // Tensors backward needs (inputs or outputs); checked for in-place changes on use.
  void save_for_backward(variable_list to_save) { to_save_ = std::move(to_save); }
  variable_list get_saved_variables() const;
  // Inputs modified in place by forward (their history is moved to this function).
  void mark_dirty(const variable_list& inputs);
  // Outputs that get no gradient (their requires_grad is false).
  void mark_non_differentiable(const variable_list& outputs);
  void set_materialize_grads(bool value) { materialize_grads_ = value; }
  bool needs_input_grad(size_t i) const { return i < needs_input_grad_.size() && needs_input_grad_[i]; }

  std::map<std::string, IValue> saved_data;

  // ---- used by Function<T>::apply and its node --------------------------------------
  variable_list to_save_;
  std::vector<SavedVariable> saved_;
  std::unordered_set<TensorImpl*> dirty_;
  std::unordered_set<TensorImpl*> non_differentiable_;
  std::vector<bool> needs_input_grad_;
  bool materialize_grads_ = true;
  bool released_ = false;
  std::weak_ptr<Node> node_;
};

// The graph node of a custom function call.
struct CustomFunctionNode : Node {
  using BackwardFn = variable_list (*)(AutogradContext*, variable_list);
  CustomFunctionNode(std::string name, BackwardFn backward) : name_(std::move(name)), backward_(backward) {}
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& grads) override;
  void release_variables() override;

  std::string name_;
  BackwardFn backward_;
  AutogradContext ctx;
  std::vector<int> tensor_arg_positions;  // which forward args were tensors
  size_t num_args = 0;
  std::vector<DimVector> output_shapes;
  std::vector<ScalarType> output_dtypes;
};

namespace detail {
inline void collect_tensors(std::vector<Tensor>& out, std::vector<int>& pos, int& i) {}
template <class T, class... Rest>
void collect_tensors(std::vector<Tensor>& out, std::vector<int>& pos, int& i, const T& first, const Rest&... rest) {
  if constexpr (std::is_same_v<std::decay_t<T>, Tensor>) {
    out.push_back(first);
    pos.push_back(i);
  }
  ++i;
  collect_tensors(out, pos, i, rest...);
}
inline variable_list to_list(const Tensor& t) { return {t}; }
inline variable_list to_list(const variable_list& v) { return v; }

// Wires up the node after forward ran: edges, outputs' history, dirty inputs, saved tensors.
void finish_custom_function(const std::shared_ptr<CustomFunctionNode>& node, const variable_list& inputs,
                            variable_list& outputs, bool is_differentiable);
}  // namespace detail

template <class T>
struct Function {
  template <class... Args>
  static auto apply(Args&&... args) {
    std::vector<Tensor> inputs;
    std::vector<int> positions;
    int i = 0;
    detail::collect_tensors(inputs, positions, i, args...);
    bool record = should_record(TensorList(inputs));
    auto node = std::make_shared<CustomFunctionNode>(typeid(T).name(), &T::backward);
    node->name_ = T::name_for_printing();
    node->tensor_arg_positions = positions;
    node->num_args = sizeof...(Args);
    for (const Tensor& t : inputs) node->ctx.needs_input_grad_.push_back(record && t.requires_grad());
    using Out = decltype(T::forward(&node->ctx, std::forward<Args>(args)...));
    Out out;
    {
      AutoGradMode no_grad(false);
      out = T::forward(&node->ctx, std::forward<Args>(args)...);
    }
    variable_list outputs = detail::to_list(out);
    detail::finish_custom_function(node, inputs, outputs, record);
    if constexpr (std::is_same_v<Out, Tensor>) return outputs[0];
    else return outputs;
  }
  // The node's name in grad_fn printing; override with a static member of the same name.
  static std::string name_for_printing() { return "CppNode"; }
};

}  // namespace ember::autograd
