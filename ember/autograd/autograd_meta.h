#pragma once
// Per-tensor autograd state. Created lazily: a tensor that never requires grad has none,
// so plain tensor math pays nothing for autograd.
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::autograd {

struct Node;
struct Edge;

struct AutogradMeta : AutogradMetaBase {
  bool requires_grad = false;  // set on leaves by requires_grad_()
  bool retains_grad = false;   // non-leaf keeps its .grad (retain_grad())
  Tensor grad;
  std::shared_ptr<Tensor> retained_grad;  // non-leaves after retain_grad()
  std::shared_ptr<Node> grad_fn;        // null for leaves
  uint32_t output_nr = 0;               // which output of grad_fn this tensor is
  std::weak_ptr<Node> grad_accumulator; // leaves: their AccumulateGrad, if one exists
  // Tensor hooks (register_hook): each may return a replacement gradient.
  std::vector<std::function<Tensor(const Tensor&)>> hooks;
  // Leaves: run after AccumulateGrad has updated .grad (Note [Post-accumulate-grad hooks]).
  std::vector<std::pair<uint64_t, std::function<void(const Tensor&)>>> post_accumulate_grad_hooks;
  // Views of tensors in the graph: the base whose history an in-place op on the view
  // must rewrite (Note [In-place on views]).
  Tensor view_base;
  bool is_view = false;
};

// The tensor's meta, or null.
inline AutogradMeta* get_autograd_meta(const Tensor& t) {
  return t.defined() ? static_cast<AutogradMeta*>(t.unsafeGetTensorImpl()->autograd_meta()) : nullptr;
}
// The tensor's meta, created if absent.
AutogradMeta* materialize_autograd_meta(const Tensor& t);

// The edge a gradient for `t` flows along: its grad_fn, or its leaf accumulator, or none.
Edge gradient_edge(const Tensor& t);
// A leaf's AccumulateGrad, created on first use.
std::shared_ptr<Node> grad_accumulator(const Tensor& t);

// Note [Post-accumulate-grad hooks]
// torch 2.1's Tensor.register_post_accumulate_grad_hook: `hook(leaf)` runs on the backward
// thread right after the leaf's AccumulateGrad has written this backward's gradient into
// leaf.grad(), once per backward that reaches the leaf (the engine sums every path into the
// leaf before AccumulateGrad runs). The hook lives on the tensor (not on its AccumulateGrad,
// which the leaf holds only weakly: Note [Autograd graph ownership]), so it survives
// graphs being freed. DistributedDataParallel's reducer marks a gradient ready here and
// starts a bucket's all-reduce while backward goes on. The returned handle removes the hook.
uint64_t register_post_accumulate_grad_hook(const Tensor& leaf, std::function<void(const Tensor&)> hook);
void remove_post_accumulate_grad_hook(const Tensor& leaf, uint64_t handle);

}  // namespace ember::autograd
