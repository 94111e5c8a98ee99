#include "ember/autograd/custom_function.h"

#include "ember/autograd/autograd_meta.h"
#include "ember/ops/factory.h"

namespace ember::autograd {

variable_list AutogradContext::get_saved_variables() const {
  if (released_) throw_released_error();
  auto node = node_.lock();
  variable_list out;
  for (const auto& s : saved_) out.push_back(s.unpack(node));
  return out;
}

void AutogradContext::mark_dirty(const variable_list& inputs) {
  for (const Tensor& t : inputs) dirty_.insert(t.unsafeGetTensorImpl());
}

void AutogradContext::mark_non_differentiable(const variable_list& outputs) {
  for (const Tensor& t : outputs) non_differentiable_.insert(t.unsafeGetTensorImpl());
}

variable_list CustomFunctionNode::apply(variable_list&& grads) {
  if (ctx.materialize_grads_) {
    for (size_t i = 0; i < grads.size(); ++i)
      if (!grads[i].defined()) grads[i] = zeros(output_shapes[i], TensorOptions(output_dtypes[i]));
  }
  variable_list result = backward_(&ctx, std::move(grads));
  size_t ntensors = tensor_arg_positions.size();
  // LibTorch lets backward return gradients for trailing forward parameters the caller left
  // at their defaults (forward(ctx, x, w, bias = Tensor()) called as apply(x, w)), as long
  // as they are undefined; they are dropped, as there.
  if (result.size() > num_args) {
    bool trailing_undefined = true;
    for (size_t i = num_args; i < result.size(); ++i) trailing_undefined &= !result[i].defined();
    if (trailing_undefined) result.resize(num_args);
  }
  // backward may return one gradient per forward argument or per tensor argument.
  if (result.size() == num_args && num_args != ntensors) {
    variable_list picked;
    for (int p : tensor_arg_positions) picked.push_back(result[p]);
    result = std::move(picked);
  }
  EMBER_CHECK(result.size() == ntensors, "function ", name(), " returned an incorrect number of gradients (expected ",
              ntensors, ", got ", result.size(), ")");
  for (size_t i = 0; i < result.size(); ++i)
    if (!ctx.needs_input_grad(i)) result[i] = Tensor();
  return result;
}

void CustomFunctionNode::release_variables() {
  for (auto& s : ctx.saved_) s.reset();
  ctx.released_ = true;
}

namespace detail {
void finish_custom_function(const std::shared_ptr<CustomFunctionNode>& node, const variable_list& inputs,
                            variable_list& outputs, bool is_differentiable) {
  for (const Tensor& o : outputs) {
    node->output_shapes.push_back(DimVector(o.sizes().begin(), o.sizes().end()));
    node->output_dtypes.push_back(o.dtype());
  }
  if (!is_differentiable) {
    node->ctx.to_save_.clear();
    return;
  }
  for (const Tensor& in : inputs) node->mutable_next_edges().push_back(gradient_edge(in));
  for (size_t i = 0; i < outputs.size(); ++i) {
    Tensor& o = outputs[i];
    TensorImpl* impl = o.unsafeGetTensorImpl();
    bool is_input = false;
    for (const Tensor& in : inputs) is_input = is_input || in.unsafeGetTensorImpl() == impl;
    if (is_input && !node->ctx.dirty_.count(impl)) o = o.detach();  // returning an input unchanged: a view
    if (is_input && node->ctx.dirty_.count(impl)) check_inplace(o);
    node->add_input_metadata(o);
    if (node->ctx.non_differentiable_.count(impl) || !o.is_floating_point()) continue;
    AutogradMeta* meta = materialize_autograd_meta(o);
    meta->grad_fn = node;
    meta->output_nr = static_cast<uint32_t>(i);
  }
  node->ctx.node_ = node;
  for (const Tensor& t : node->ctx.to_save_) {
    bool is_output = false;
    for (const Tensor& o : outputs) is_output = is_output || o.unsafeGetTensorImpl() == t.unsafeGetTensorImpl();
    node->ctx.saved_.emplace_back(t, is_output);
  }
  node->ctx.to_save_.clear();
}
}  // namespace detail

}  // namespace ember::autograd
