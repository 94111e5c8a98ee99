#pragma once
// The autograd graph: Nodes (one per differentiable op call) linked by Edges to the
// nodes that produced their inputs. See Note [Autograd graph ownership].
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::autograd {

using variable_list = std::vector<Tensor>;
struct Node;

// Note [Autograd graph ownership]
// A tensor owns its grad_fn (shared_ptr); a Node owns the nodes of its inputs through its
// next_edges, so the graph lives exactly as long as some output tensor (or a running
// backward) refers to it. Nodes never own the tensors they produced: an output saved
// for backward is stored without its grad_fn (SavedVariable), so no cycle forms. A leaf's
// AccumulateGrad is shared by every node that uses the leaf and is remembered by the leaf
// only weakly.
struct Edge {
  std::shared_ptr<Node> function;
  uint32_t input_nr = 0;
  bool is_valid() const { return function != nullptr; }
};

// Shape and dtype of one forward output of a node: backward grads flowing into that
// output are checked against it, and broadcast gradients are summed back to it here, in
// the engine, once (DESIGN.md).
struct InputMetadata {
  DimVector shape;
  ScalarType dtype = kFloat32;
};

struct Node : std::enable_shared_from_this<Node> {
  Node();
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // PyTorch's node names: "AddBackward0", "AccumulateGrad", ...
  virtual std::string name() const = 0;
  // Gradients w.r.t. this node's forward outputs in, gradients w.r.t. its forward
  // inputs (in next_edges order) out. Undefined tensors mean zero.
  virtual variable_list apply(variable_list&& grads) = 0;
  // Frees saved tensors after a backward without retain_graph.
  virtual void release_variables() {}

  const std::vector<Edge>& next_edges() const { return next_edges_; }
  std::vector<Edge>& mutable_next_edges() { return next_edges_; }
  const Edge& next_edge(size_t i) const { return next_edges_[i]; }
  size_t num_outputs() const { return next_edges_.size(); }
  size_t num_inputs() const { return input_metadata_.size(); }
  uint32_t add_input_metadata(const Tensor& t);
  const InputMetadata& input_metadata(size_t i) const { return input_metadata_[i]; }
  uint64_t sequence_nr() const { return sequence_nr_; }

  // Hooks run on this node's incoming gradients before apply (tensor hooks use these).
  using PreHook = std::function<variable_list(const variable_list&)>;
  void add_pre_hook(PreHook h) { pre_hooks_.push_back(std::move(h)); }
  const std::vector<PreHook>& pre_hooks() const { return pre_hooks_; }
  // Name of the forward op, recorded under anomaly mode for error messages.
  std::string anomaly_trace;

 protected:
  std::vector<Edge> next_edges_;
  std::vector<InputMetadata> input_metadata_;
  std::vector<PreHook> pre_hooks_;
  uint64_t sequence_nr_;
};

// Accumulates incoming gradients into a leaf's .grad.
struct AccumulateGrad : Node {
  explicit AccumulateGrad(Tensor variable);
  std::string name() const override { return "AccumulateGrad"; }
  variable_list apply(variable_list&& grads) override;
  Tensor variable;
};

// Raised when a node's saved tensors were already freed by an earlier backward.
[[noreturn]] void throw_released_error();

}  // namespace ember::autograd
