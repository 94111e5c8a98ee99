#pragma once
// The narrow interface through which op front ends (ops/) record autograd history. See
// Note [Recording autograd history].
#include <initializer_list>
#include <memory>

#include "ember/autograd/grad_mode.h"
#include "ember/autograd/op_node.h"

namespace ember::autograd {

// Note [Recording autograd history]
// Every differentiable op front end, after computing its result with no autograd work,
// asks should_record(inputs): grad mode on and some input requires grad. Only then does it
// make an OpNode (make_node: next edges from the inputs), save what the formula needs,
// and attach the node to its outputs (set_history). So tensors that need no grad pay one
// branch per input. In-place ops go through record_inplace (Note [In-place on views]).

// Note [Empty results keep their history]
// An op whose result is empty skips its kernel but still records: the result must report
// requires_grad and backward must reach the inputs (with empty gradients), as in PyTorch.
// So front ends never `return` before their record_* call just because numel() == 0.

inline bool should_record(std::initializer_list<const Tensor*> inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor* t : inputs)
    if (t->defined() && t->unsafeGetTensorImpl()->autograd_meta() && t->requires_grad()) return true;
  return false;
}
bool should_record(TensorList inputs);

// A node whose next edges are the gradient edges of `inputs`.
std::shared_ptr<OpNode> make_node(const char* name, Formula formula, std::initializer_list<const Tensor*> inputs);
std::shared_ptr<OpNode> make_node(const char* name, Formula formula, TensorList inputs);
// Makes `output` (a fresh tensor) output `output_nr` of `node`.
void set_history(const Tensor& output, const std::shared_ptr<Node>& node, uint32_t output_nr = 0);

// Note [In-place on views]
// An in-place op on a tensor that requires grad (or whose new value does) is recorded as
// its out-of-place twin: `result` holds the new value and `node` its history. This copies
// the value into `self` and makes `node` self's history. When `self` is a view, its base's
// history is rewritten instead with a CopySlices node (the gradient of the base is the
// incoming gradient with the view's region replaced by what `node` gives), and the view
// becomes an as_strided view of the new base history. Leaves that require grad, and views
// of them, refuse in-place ops.
void check_inplace(const Tensor& self);
void commit_inplace(Tensor& self, const Tensor& result);

// Runs an op's implementation with recording off: a front end that records its own node
// (record_<op>) must not also leave the nodes of the ops it is built from.
template <class F>
auto untracked(F&& f) {
  AutoGradMode off(false);
  return f();
}

}  // namespace ember::autograd
