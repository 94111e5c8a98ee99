#pragma once
// Per-tensor autograd state. Created lazily: a tensor that never requires grad has none.
// (The engine, Node graph and derivative table arrive with the autograd issue.)
#include <memory>

#include "ember/core/tensor.h"

namespace ember::autograd {

struct Node;

struct AutogradMeta : AutogradMetaBase {
  bool requires_grad = false;
  bool retains_grad = false;
  Tensor grad;
  std::shared_ptr<Node> grad_fn;
};

// The tensor's meta, or null.
inline AutogradMeta* get_autograd_meta(const Tensor& t) {
  return static_cast<AutogradMeta*>(t.unsafeGetTensorImpl()->autograd_meta());
}
// The tensor's meta, created if absent.
AutogradMeta* materialize_autograd_meta(const Tensor& t);

}  // namespace ember::autograd
