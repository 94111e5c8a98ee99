#pragma once
// OpNode: the Node every built-in differentiable op records. It carries the op's saved
// tensors and parameters, and a pointer to its formula in the derivative table
// (derivatives.cpp). One node type keeps the table the single place where derivatives
// live.
#include <optional>
#include <string>
#include <vector>

#include "ember/autograd/node.h"
#include "ember/autograd/saved_variable.h"

namespace ember::autograd {

struct OpNode;
// A formula: gradients w.r.t. the forward outputs in, gradients w.r.t. the forward
// inputs out (one per next edge; undefined = zero or not needed).
using Formula = variable_list (*)(OpNode& node, const variable_list& grads);

struct OpNode : Node {
  OpNode(const char* name, Formula formula) : name_(name), formula_(formula) {}
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& grads) override;
  void release_variables() override;

  // Unpacks saved tensor i (checks versions; throws after release).
  Tensor saved(size_t i);
  // Whether the gradient for forward input i is wanted (its edge is valid).
  bool needs_grad(size_t i) const { return i < next_edges_.size() && next_edges_[i].is_valid(); }

  const char* name_;
  Formula formula_;
  std::vector<SavedVariable> saved_;
  bool released_ = false;
  // Op parameters the formula needs (which ones depends on the op).
  int code = 0;                 // UnaryOp/BinaryOp or other selector
  Scalar s0, s1;                // alpha, clamp bounds, ...
  bool has_s0 = false, has_s1 = false;
  int64_t i0 = 0, i1 = 0, i2 = 0, i3 = 0;
  DimVector shape0, shape1, shape2;
  std::vector<DimVector> shapes;  // per-input sizes (cat, stack, ...)
  ScalarType dtype0 = kFloat32;
  std::string str0;
};

}  // namespace ember::autograd
