// Tensor's autograd accessors (requires_grad, grad, is_leaf, detach, data).
#include <atomic>

#include "ember/autograd/autograd_meta.h"
#include "ember/autograd/node.h"

namespace ember {

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
  if (!m) return Tensor();
  if (m->retained_grad) return *m->retained_grad;
  return m->grad;
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
  if (is_leaf()) return;  // leaves keep their grad anyway
  auto* meta = autograd::materialize_autograd_meta(*this);
  if (meta->retains_grad) return;
  meta->retains_grad = true;
  // The gradient flowing into this tensor's slot of its grad_fn lands in a box the tensor
  // owns; the node's hook holds the box weakly (the node must not own the tensor:
  // Note [Autograd graph ownership]).
  meta->retained_grad = std::make_shared<Tensor>();
  std::weak_ptr<Tensor> box = meta->retained_grad;
  uint32_t slot = meta->output_nr;
  meta->grad_fn->add_pre_hook([box, slot](const autograd::variable_list& grads) {
    auto target = box.lock();
    if (target && slot < grads.size() && grads[slot].defined()) {
      if (!target->defined()) *target = grads[slot].detach().clone();
      else *target = *target + grads[slot].detach();
    }
    return grads;
  });
}

unsigned Tensor::register_hook(std::function<Tensor(const Tensor&)> hook) const {
  EMBER_CHECK(requires_grad(), "cannot register a hook on a tensor that doesn't require gradient");
  auto* meta = autograd::materialize_autograd_meta(*this);
  if (is_leaf()) {
    meta->hooks.push_back(std::move(hook));
    return static_cast<unsigned>(meta->hooks.size() - 1);
  }
  uint32_t slot = meta->output_nr;
  meta->grad_fn->add_pre_hook([hook = std::move(hook), slot](const autograd::variable_list& grads) {
    autograd::variable_list out = grads;
    if (slot < out.size() && out[slot].defined()) {
      Tensor r = hook(out[slot]);
      if (r.defined()) out[slot] = r;
    }
    return out;
  });
  return static_cast<unsigned>(meta->grad_fn->pre_hooks().size() - 1);
}
bool Tensor::retains_grad() const {
  auto* m = get_autograd_meta(*this);
  return m && m->retains_grad;
}

}  // namespace ember

namespace ember::autograd {

uint64_t register_post_accumulate_grad_hook(const Tensor& leaf, std::function<void(const Tensor&)> hook) {
  EMBER_CHECK(leaf.requires_grad(), "cannot register a hook on a tensor that doesn't require gradient");
  EMBER_CHECK(leaf.is_leaf(), "post accumulate grad hooks cannot be registered on non-leaf tensors");
  static std::atomic<uint64_t> next_handle{1};
  uint64_t handle = next_handle.fetch_add(1, std::memory_order_relaxed);
  materialize_autograd_meta(leaf)->post_accumulate_grad_hooks.emplace_back(handle, std::move(hook));
  return handle;
}

void remove_post_accumulate_grad_hook(const Tensor& leaf, uint64_t handle) {
  AutogradMeta* meta = get_autograd_meta(leaf);
  if (!meta) return;
  auto& hooks = meta->post_accumulate_grad_hooks;
  std::erase_if(hooks, [&](const auto& h) { return h.first == handle; });
}

}  // namespace ember::autograd
