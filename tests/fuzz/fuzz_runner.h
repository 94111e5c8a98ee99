#pragma once
// Running one op, and its vector-Jacobian product, in one library (a template over the
// library policy L, Note [One catalogue, two libraries]).
#include <exception>
#include <string>
#include <vector>

#include "fuzz_ops.h"

namespace fuzz {

template <class L>
struct Forward {
  Tensors<L> outs;
  bool threw = false;
  std::string error;
};

template <class L>
Forward<L> run_forward(const OpDef<L>& op, const Tensors<L>& args, const Params& p) {
  Forward<L> f;
  try {
    f.outs = op.apply(args, p);
  } catch (const std::exception& e) {
    f.threw = true;
    f.error = L::message(e);
  }
  return f;
}

template <class L>
struct Backward {
  Tensors<L> grads;  // one per input; undefined where the library returned none
  bool threw = false;
  std::string error;
};

// d(outs)/d(ins) against upstream gradients `gouts` (autograd::grad with allow_unused).
template <class L>
Backward<L> run_backward(const Tensors<L>& outs, const Tensors<L>& ins, const Tensors<L>& gouts) {
  Backward<L> b;
  try {
    b.grads = L::grad(outs, ins, gouts);
  } catch (const std::exception& e) {
    b.threw = true;
    b.error = L::message(e);
  }
  return b;
}

// Materialises a TensorSpec in library L (bytes encoded once, viewed with the spec's strides).
template <class L>
typename L::Tensor from_spec(const TensorSpec& s) {
  std::vector<unsigned char> bytes(s.storage.size() * element_size(s.dtype));
  for (size_t i = 0; i < s.storage.size(); ++i) encode(s.dtype, s.storage[i], bytes.data() + i * element_size(s.dtype));
  return L::from_raw(bytes.data(), s.dtype, s.sizes, s.strides, s.requires_grad);
}

}  // namespace fuzz
