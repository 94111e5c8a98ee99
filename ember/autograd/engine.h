#pragma once
// The backward engine: runs the graph from some roots back to the leaves.
#include <functional>
#include <optional>
#include <vector>

#include "ember/autograd/node.h"

namespace ember::autograd {

// Tensor.backward / torch.autograd.backward: accumulates into leaves' .grad (or only into
// `inputs` when given).
void backward(const variable_list& tensors, const variable_list& grad_tensors = {},
              std::optional<bool> retain_graph = std::nullopt, bool create_graph = false,
              const variable_list& inputs = {});

// torch.autograd.grad: returns d(outputs)/d(inputs) without touching any .grad.
variable_list grad(const variable_list& outputs, const variable_list& inputs,
                   const variable_list& grad_outputs = {}, std::optional<bool> retain_graph = std::nullopt,
                   bool create_graph = false, bool allow_unused = false);

// Note [Final callbacks]
// torch's Engine::queue_callback: `callback` runs once, on the backward thread, after every
// node of the *current* backward pass has run (and before backward() returns), in the order
// queued; a callback may queue more. Only valid while a backward pass runs (from a hook or a
// node), else it throws torch's error. A pass that throws drops its callbacks.
// DistributedDataParallel's reducer queues one to wait for its last buckets.
void queue_callback(std::function<void()> callback);

// Sums a broadcast gradient back to `shape` (the inverse of expand).
Tensor sum_to(const Tensor& grad, IntArrayRef shape);

}  // namespace ember::autograd
