#include "ember/autograd/node.h"

#include <atomic>

#include "ember/autograd/autograd_meta.h"
#include "ember/autograd/grad_mode.h"
#include "ember/ops/elementwise.h"

namespace ember::autograd {

namespace {
std::atomic<uint64_t> g_next_sequence_nr{0};
}

Node::Node() : sequence_nr_(g_next_sequence_nr.fetch_add(1, std::memory_order_relaxed)) {}

uint32_t Node::add_input_metadata(const Tensor& t) {
  input_metadata_.push_back({DimVector(t.sizes().begin(), t.sizes().end()), t.dtype()});
  return static_cast<uint32_t>(input_metadata_.size() - 1);
}

void throw_released_error() {
  throw Error(
      "Trying to backward through the graph a second time (or directly access saved tensors after they have "
      "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
      "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if "
      "you need to access saved tensors after calling backward.");
}

AccumulateGrad::AccumulateGrad(Tensor v) : variable(std::move(v)) {
  add_input_metadata(variable);
}

variable_list AccumulateGrad::apply(variable_list&& grads) {
  Tensor g = std::move(grads[0]);
  if (!g.defined()) return {};
  AutogradMeta* meta = materialize_autograd_meta(variable);
  for (auto& hook : meta->hooks) {
    Tensor r = hook(g);
    if (r.defined()) g = r;
  }
  Tensor& grad = meta->grad;
  if (!grad.defined()) {
    // Steal the buffer when nobody else can see it; otherwise copy, so .grad never
    // aliases a tensor the user holds.
    if (GradMode::is_enabled()) grad = g;
    else grad = (g.use_count() == 1 && g.is_contiguous() && !g.requires_grad()) ? g.detach() : g.detach().clone();
  } else if (GradMode::is_enabled()) {
    grad = grad + g;  // create_graph: keep the accumulation differentiable
  } else {
    grad.add_(g.detach());
  }
  // Note [Post-accumulate-grad hooks]. Index loop: a hook may register another.
  for (size_t i = 0; i < meta->post_accumulate_grad_hooks.size(); ++i) {
    auto hook = meta->post_accumulate_grad_hooks[i].second;
    hook(variable);
  }
  return {};
}

}  // namespace ember::autograd
