// Tensor's autograd accessors (requires_grad, grad, is_leaf, detach, data).
#include "ember/autograd/autograd_meta.h"

namespace ember {
namespace autograd {
AutogradMeta* materialize_autograd_meta(const Tensor& t) {
  TensorImpl* impl = t.unsafeGetTensorImpl();
  if (!impl->autograd_meta()) impl->set_autograd_meta(std::make_unique<AutogradMeta>());
  return static_cast<AutogradMeta*>(impl->autograd_meta());
}
}  // namespace autograd

using autograd::get_autograd_meta;

bool Tensor::requires_grad() const {
  auto* m = get_autograd_meta(*this);
  return m && (m->requires_grad || m->grad_fn);
}

Tensor& Tensor::requires_grad_(bool r) {
  EMBER_CHECK(!r || is_floating_point(),
              "only Tensors of floating point and complex dtype can require gradients");
  auto* m = get_autograd_meta(*this);
  if (!r && !m) return *this;
  EMBER_CHECK(!(m && m->grad_fn && !r),
              "you can only change requires_grad flags of leaf variables. If you want to use a computed variable "
              "in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
  autograd::materialize_autograd_meta(*this)->requires_grad = r;
  return *this;
}

bool Tensor::is_leaf() const {
  auto* m = get_autograd_meta(*this);
  return !m || !m->grad_fn;
}

Tensor Tensor::grad() const {
  auto* m = get_autograd_meta(*this);
  return m ? m->grad : Tensor();
}

Tensor& Tensor::mutable_grad() const { return autograd::materialize_autograd_meta(*this)->grad; }

const std::shared_ptr<autograd::Node>& Tensor::grad_fn() const {
  static const std::shared_ptr<autograd::Node> none;
  auto* m = get_autograd_meta(*this);
  return m ? m->grad_fn : none;
}

Tensor Tensor::detach() const {
  return Tensor(make_intrusive<TensorImpl>(storage(), dtype(), sizes(), strides(), storage_offset()));
}

Tensor& Tensor::detach_() {
  auto* m = get_autograd_meta(*this);
  if (m) {
    m->grad_fn.reset();
    m->requires_grad = false;
  }
  return *this;
}

Tensor Tensor::data() const { return detach(); }

void Tensor::set_data(const Tensor& new_data) const {
  impl_->set_storage(new_data.storage(), new_data.dtype());
  impl_->set_geometry(new_data.sizes(), new_data.strides(), new_data.storage_offset());
}

void Tensor::retain_grad() const {
  EMBER_CHECK(requires_grad(), "can't retain_grad on Tensor that has requires_grad=False");
  if (!is_leaf()) autograd::materialize_autograd_meta(*this)->retains_grad = true;
}
bool Tensor::retains_grad() const {
  auto* m = get_autograd_meta(*this);
  return m && m->retains_grad;
}

}  // namespace ember
