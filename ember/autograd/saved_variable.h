#pragma once
// SavedVariable: a tensor a backward formula needs, with the version it had when saved.
#include "ember/autograd/autograd_meta.h"
#include "ember/autograd/node.h"

namespace ember::autograd {

// Note [Saved output without grad_fn]
// When a node saves one of its own outputs (exp saves its result), holding the tensor
// would make the node own a tensor that owns the node. So an output is saved as its
// data alone plus a weak reference to the node, and unpack() re-attaches the node as
// grad_fn (needed when the formula itself is differentiated, create_graph=true).
class SavedVariable {
 public:
  SavedVariable() = default;
  SavedVariable(const Tensor& t, bool is_output);
  // Returns the saved tensor, checking it was not modified in place since.
  // `saved_for` names the node in PyTorch's error message.
  Tensor unpack(const std::shared_ptr<Node>& saved_for = nullptr) const;
  void reset() { data_.reset(); was_released_ = true; }
  bool defined() const { return data_.defined(); }

 private:
  Tensor data_;
  bool is_output_ = false;
  bool was_released_ = false;
  bool requires_grad_ = false;
  bool is_leaf_ = false;
  uint32_t saved_version_ = 0;
  uint32_t output_nr_ = 0;
  std::weak_ptr<Node> weak_grad_fn_;
  std::shared_ptr<Node> grad_fn_;  // inputs only
  Tensor leaf_;                    // an input leaf that requires grad, kept whole
};

}  // namespace ember::autograd
