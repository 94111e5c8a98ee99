#pragma once
// OpNode: the Node every built-in differentiable op records. It carries the op's saved
// tensors; TypedOpNode<State> adds the op's parameters as a typed struct and a pointer to
// the op's formula in the derivative table (derivatives_*.cpp). See Note [Typed node state].
#include <string>
#include <utility>
#include <vector>

#include "ember/autograd/node.h"
#include "ember/autograd/saved_variable.h"

namespace ember::autograd {

// Note [Typed node state]
// Each formula's parameters live in a small named struct (SumState, ConvState, ...;
// derivatives*.h), held by value in TypedOpNode<State>, and the formula receives that
// struct with its type: a formula can only read the fields its op filled, under their
// names and types (a double stays a double, a dim list a DimVector), with no casts. One
// template, one node type per state, so recording is still one make_shared; the formula is
// still one indirect call after the node's one virtual apply. An op without parameters
// uses NoState, which takes no space ([[no_unique_address]]).
struct OpNode : Node {
  explicit OpNode(const char* name) : name_(name) {}
  std::string name() const override { return name_; }
  void release_variables() override;

  // Unpacks saved tensor i (checks versions; throws after release).
  Tensor saved(size_t i);
  // Whether the gradient for forward input i is wanted (its edge is valid).
  bool needs_grad(size_t i) const { return i < next_edges_.size() && next_edges_[i].is_valid(); }

  const char* name_;
  std::vector<SavedVariable> saved_;
  bool released_ = false;
};

// The state of an op whose formula needs no parameters.
struct NoState {};

// A formula: gradients w.r.t. the forward outputs in, gradients w.r.t. the forward
// inputs out (one per next edge; undefined = zero or not needed). `node` gives the saved
// tensors and needs_grad; `state` the op's parameters.
template <class State>
using Formula = variable_list (*)(OpNode& node, const State& state, const variable_list& grads);

template <class State>
struct TypedOpNode final : OpNode {
  TypedOpNode(const char* name, Formula<State> formula, State&& s)
      : OpNode(name), formula_(formula), state(std::move(s)) {}
  variable_list apply(variable_list&& grads) override {
    if (released_) throw_released_error();
    return formula_(*this, state, grads);
  }

  Formula<State> formula_;
  [[no_unique_address]] State state;
};

}  // namespace ember::autograd
