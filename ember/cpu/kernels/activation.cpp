// Parametrised pointwise activations and their derivatives (kernels/activation.h).
// Compiled once per ISA. Dense chunks go through blocks that stay in L1: the
// transcendental part of a block is one SLEEF call (vec_math.h), the rest plain loops
// the compiler vectorises. Strided chunks take the scalar definitions.
#include "ember/cpu/kernels/kernel_prelude.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "ember/kernels/activation.h"
#include "ember/cpu/vec_math.h"

namespace ember::cpu::EMBER_CPU_NS {
namespace {

constexpr int64_t kBlock = 512;

// ---- scalar definitions (the strided path, and the reference for the dense one) ---------
template <class T>
T forward_scalar(ActOp op, const ActParams& p, T x) {
  switch (op) {
    case ActOp::leaky_relu: return x > T(0) ? x : x * T(p.a);
    case ActOp::threshold: return x <= T(p.a) ? T(p.b) : x;
    case ActOp::elu: return x > T(0) ? x * T(p.b) : std::expm1(x * T(p.c)) * T(p.a * p.b);
    case ActOp::hardtanh: {  // clamp: min first, then max (so min > max gives max)
      const T r = x < T(p.a) ? T(p.a) : x;
      return r > T(p.b) ? T(p.b) : r;
    }
    case ActOp::hardsigmoid: return std::min(std::max(x + T(3), T(0)), T(6)) / T(6);
    case ActOp::hardswish: return x * std::min(std::max(x + T(3), T(0)), T(6)) / T(6);
    case ActOp::softplus: {
      T z = x * T(p.a);
      return z > T(p.b) ? x : std::log1p(std::exp(z)) / T(p.a);
    }
    case ActOp::silu: return x / (T(1) + std::exp(-x));
    case ActOp::mish: return x * std::tanh(std::log1p(std::exp(x)));
    case ActOp::log_sigmoid: return std::min(x, T(0)) - std::log1p(std::exp(-std::abs(x)));
  }
  return x;
}

template <class T>
T backward_scalar(ActOp op, const ActParams& p, T g, T x) {
  switch (op) {
    case ActOp::leaky_relu: return x > T(0) ? g : g * T(p.a);
    case ActOp::threshold: return x <= T(p.a) ? T(0) : g;  // a NaN x passes g, as in PyTorch
    case ActOp::elu: return x > T(0) ? g * T(p.b) : g * T(p.a * p.b * p.c) * std::exp(x * T(p.c));
    // A NaN x gets no gradient (PyTorch's vectorised kernel; its scalar tail passes g).
    case ActOp::hardtanh: return (x > T(p.a) && x < T(p.b)) ? g : T(0);
    // PyTorch multiplies by the float constant 1.0f / 6.0f, in float64 too.
    case ActOp::hardsigmoid: return (x > T(-3) && x < T(3)) ? g * T(1.0f / 6.0f) : T(0);
    // PyTorch's vectorised kernel: g from x = 3 on, and a NaN x gives a NaN gradient (its
    // scalar tail gives 1.5 g at 3 and g at NaN; docs/pytorch-differences.md).
    case ActOp::hardswish: return x < T(-3) ? T(0) : (x >= T(3) ? g : g * (x / T(3) + T(0.5)));
    case ActOp::softplus: {
      T z = x * T(p.a);
      if (z > T(p.b)) return g;
      T e = std::exp(z);
      return g * e / (e + T(1));
    }
    case ActOp::silu: {
      T s = T(1) / (T(1) + std::exp(-x));
      return g * s * (T(1) + x * (T(1) - s));
    }
    case ActOp::mish: {
      T s = T(1) / (T(1) + std::exp(-x));
      T t = std::tanh(std::log1p(std::exp(x)));
      return g * (t + x * s * (T(1) - t * t));
    }
    case ActOp::log_sigmoid: {
      // d/dx log(sigmoid(x)) = sigmoid(-x) = e / (1 + e) with e = exp(-x); for x < 0 the
      // form 1 / (1 + exp(x)) cannot overflow.
      T e = std::exp(-std::abs(x));
      return x >= T(0) ? g * e / (T(1) + e) : g / (T(1) + e);
    }
  }
  return g;
}

// ---- dense blocks --------------------------------------------------------------------
// Forward of m <= kBlock contiguous elements; tmp has room for kBlock.
template <class T>
void forward_block(ActOp op, const ActParams& p, const T* __restrict x, T* __restrict out, int64_t m, T* tmp) {
  switch (op) {
    case ActOp::elu: {
      const T c = T(p.c), neg = T(p.a * p.b), pos = T(p.b);
      for (int64_t i = 0; i < m; ++i) tmp[i] = x[i] * c;
      vec::expm1(tmp, tmp, m);
      for (int64_t i = 0; i < m; ++i) out[i] = x[i] > T(0) ? x[i] * pos : tmp[i] * neg;
      return;
    }
    case ActOp::softplus: {
      const T beta = T(p.a), thr = T(p.b);
      for (int64_t i = 0; i < m; ++i) tmp[i] = x[i] * beta;
      vec::exp(tmp, tmp, m);
      vec::log1p(tmp, tmp, m);
      for (int64_t i = 0; i < m; ++i) out[i] = x[i] * beta > thr ? x[i] : tmp[i] / beta;
      return;
    }
    case ActOp::silu: {
      for (int64_t i = 0; i < m; ++i) tmp[i] = -x[i];
      vec::exp(tmp, tmp, m);
      for (int64_t i = 0; i < m; ++i) out[i] = x[i] / (T(1) + tmp[i]);
      return;
    }
    case ActOp::mish: {
      vec::exp(x, tmp, m);
      vec::log1p(tmp, tmp, m);
      vec::tanh(tmp, tmp, m);
      for (int64_t i = 0; i < m; ++i) out[i] = x[i] * tmp[i];
      return;
    }
    case ActOp::log_sigmoid: {
      for (int64_t i = 0; i < m; ++i) tmp[i] = -std::abs(x[i]);
      vec::exp(tmp, tmp, m);
      vec::log1p(tmp, tmp, m);
      for (int64_t i = 0; i < m; ++i) out[i] = std::min(x[i], T(0)) - tmp[i];
      return;
    }
    case ActOp::leaky_relu: {
      const T s = T(p.a);
      for (int64_t i = 0; i < m; ++i) out[i] = x[i] > T(0) ? x[i] : x[i] * s;
      return;
    }
    case ActOp::threshold: {
      const T th = T(p.a), v = T(p.b);
      for (int64_t i = 0; i < m; ++i) out[i] = x[i] <= th ? v : x[i];
      return;
    }
    case ActOp::hardtanh: {
      const T lo = T(p.a), hi = T(p.b);
      for (int64_t i = 0; i < m; ++i) {
        const T r = x[i] < lo ? lo : x[i];
        out[i] = r > hi ? hi : r;
      }
      return;
    }
    case ActOp::hardsigmoid:
      for (int64_t i = 0; i < m; ++i) out[i] = std::min(std::max(x[i] + T(3), T(0)), T(6)) / T(6);
      return;
    case ActOp::hardswish:
      for (int64_t i = 0; i < m; ++i) out[i] = x[i] * std::min(std::max(x[i] + T(3), T(0)), T(6)) / T(6);
      return;
  }
}

template <class T>
void backward_block(ActOp op, const ActParams& p, const T* __restrict g, const T* __restrict x, T* __restrict out,
                    int64_t m, T* tmp, T* tmp2) {
  switch (op) {
    case ActOp::elu: {
      const T c = T(p.c), neg = T(p.a * p.b * p.c), pos = T(p.b);
      for (int64_t i = 0; i < m; ++i) tmp[i] = x[i] * c;
      vec::exp(tmp, tmp, m);
      for (int64_t i = 0; i < m; ++i) out[i] = x[i] > T(0) ? g[i] * pos : g[i] * neg * tmp[i];
      return;
    }
    case ActOp::softplus: {
      const T beta = T(p.a), thr = T(p.b);
      for (int64_t i = 0; i < m; ++i) tmp[i] = x[i] * beta;
      vec::exp(tmp, tmp, m);
      for (int64_t i = 0; i < m; ++i) out[i] = x[i] * beta > thr ? g[i] : g[i] * tmp[i] / (tmp[i] + T(1));
      return;
    }
    case ActOp::silu: {
      for (int64_t i = 0; i < m; ++i) tmp[i] = -x[i];
      vec::exp(tmp, tmp, m);
      for (int64_t i = 0; i < m; ++i) {
        T s = T(1) / (T(1) + tmp[i]);
        out[i] = g[i] * s * (T(1) + x[i] * (T(1) - s));
      }
      return;
    }
    case ActOp::mish: {
      vec::exp(x, tmp, m);
      vec::log1p(tmp, tmp2, m);
      vec::tanh(tmp2, tmp2, m);
      for (int64_t i = 0; i < m; ++i) {
        T s = tmp[i] / (T(1) + tmp[i]);  // sigmoid(x) = e^x / (1 + e^x)
        if (!(tmp[i] < std::numeric_limits<T>::infinity())) s = T(1);
        out[i] = g[i] * (tmp2[i] + x[i] * s * (T(1) - tmp2[i] * tmp2[i]));
      }
      return;
    }
    case ActOp::log_sigmoid: {
      for (int64_t i = 0; i < m; ++i) tmp[i] = -std::abs(x[i]);
      vec::exp(tmp, tmp, m);
      for (int64_t i = 0; i < m; ++i)
        out[i] = x[i] >= T(0) ? g[i] * tmp[i] / (T(1) + tmp[i]) : g[i] / (T(1) + tmp[i]);
      return;
    }
    case ActOp::leaky_relu: {
      const T s = T(p.a);
      for (int64_t i = 0; i < m; ++i) out[i] = x[i] > T(0) ? g[i] : g[i] * s;
      return;
    }
    case ActOp::threshold: {
      const T th = T(p.a);
      for (int64_t i = 0; i < m; ++i) out[i] = x[i] <= th ? T(0) : g[i];
      return;
    }
    case ActOp::hardtanh: {
      const T lo = T(p.a), hi = T(p.b);
      for (int64_t i = 0; i < m; ++i) out[i] = (x[i] > lo && x[i] < hi) ? g[i] : T(0);
      return;
    }
    case ActOp::hardsigmoid:
      for (int64_t i = 0; i < m; ++i) out[i] = (x[i] > T(-3) && x[i] < T(3)) ? g[i] * T(1.0f / 6.0f) : T(0);
      return;
    case ActOp::hardswish:
      for (int64_t i = 0; i < m; ++i)
        out[i] = x[i] < T(-3) ? T(0) : (x[i] >= T(3) ? g[i] : g[i] * (x[i] / T(3) + T(0.5)));
      return;
  }
}

template <class T>
void forward_typed(ActOp op, const ActParams& p, const TensorIterator& iter) {
  iter.for_each([&](char** data, const int64_t* strides, int64_t n) {
    if (strides[0] == sizeof(T) && strides[1] == sizeof(T)) {
      T* out = reinterpret_cast<T*>(data[0]);
      const T* x = reinterpret_cast<const T*>(data[1]);
      T tmp[kBlock];
      for (int64_t b = 0; b < n; b += kBlock) forward_block<T>(op, p, x + b, out + b, std::min(kBlock, n - b), tmp);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(data[0] + i * strides[0]) =
            forward_scalar<T>(op, p, *reinterpret_cast<const T*>(data[1] + i * strides[1]));
    }
  });
}

template <class T>
void backward_typed(ActOp op, const ActParams& p, const TensorIterator& iter) {
  iter.for_each([&](char** data, const int64_t* strides, int64_t n) {
    if (strides[0] == sizeof(T) && strides[1] == sizeof(T) && strides[2] == sizeof(T)) {
      T* out = reinterpret_cast<T*>(data[0]);
      const T* g = reinterpret_cast<const T*>(data[1]);
      const T* x = reinterpret_cast<const T*>(data[2]);
      T tmp[kBlock], tmp2[kBlock];
      for (int64_t b = 0; b < n; b += kBlock)
        backward_block<T>(op, p, g + b, x + b, out + b, std::min(kBlock, n - b), tmp, tmp2);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(data[0] + i * strides[0]) =
            backward_scalar<T>(op, p, *reinterpret_cast<const T*>(data[1] + i * strides[1]),
                               *reinterpret_cast<const T*>(data[2] + i * strides[2]));
    }
  });
}

// Note [bfloat16 threshold backward]
// relu's backward under autocast (threshold_backward(g, y, 0) on bfloat16 g and y) selects
// between g and 0 without arithmetic, so it runs on the 16-bit patterns: y widened to float
// (exact) is compared with the threshold (already a bfloat16 value, in_input_dtype), and the
// output is g's bits or +0. That is the float32 kernel's result rounded once, bit for bit
// (rounding a bfloat16 value is the identity), without the three full-size casts the
// widening path makes. A NaN y passes g, as in PyTorch.
void threshold_backward_bf16(const ActParams& p, const TensorIterator& iter) {
  const float th = static_cast<float>(p.a);
  auto y_of = [](uint16_t bits) {
    const uint32_t wide = static_cast<uint32_t>(bits) << 16;
    float v;
    std::memcpy(&v, &wide, sizeof(v));
    return v;
  };
  iter.for_each([&](char** data, const int64_t* strides, int64_t n) {
    if (strides[0] == 2 && strides[1] == 2 && strides[2] == 2) {
      uint16_t* __restrict out = reinterpret_cast<uint16_t*>(data[0]);
      const uint16_t* __restrict g = reinterpret_cast<const uint16_t*>(data[1]);
      const uint16_t* __restrict y = reinterpret_cast<const uint16_t*>(data[2]);
      for (int64_t i = 0; i < n; ++i) out[i] = y_of(y[i]) <= th ? uint16_t{0} : g[i];
    } else {
      for (int64_t i = 0; i < n; ++i) {
        const uint16_t yv = *reinterpret_cast<const uint16_t*>(data[2] + i * strides[2]);
        const uint16_t gv = *reinterpret_cast<const uint16_t*>(data[1] + i * strides[1]);
        *reinterpret_cast<uint16_t*>(data[0] + i * strides[0]) = y_of(yv) <= th ? uint16_t{0} : gv;
      }
    }
  });
}

void act_forward_kernel(ActOp op, const ActParams& p, const TensorIterator& iter) {
  switch (iter.dtype(0)) {
    case kFloat32: return forward_typed<float>(op, p, iter);
    case kFloat64: return forward_typed<double>(op, p, iter);
    default: EMBER_THROW(Error, "activation kernel: unsupported dtype ", iter.dtype(0));
  }
}

void act_backward_kernel(ActOp op, const ActParams& p, const TensorIterator& iter) {
  switch (iter.dtype(0)) {
    case kFloat32: return backward_typed<float>(op, p, iter);
    case kFloat64: return backward_typed<double>(op, p, iter);
    case kBFloat16:
      if (op == ActOp::threshold) return threshold_backward_bf16(p, iter);
      [[fallthrough]];
    default: EMBER_THROW(Error, "activation backward kernel: unsupported dtype ", iter.dtype(0));
  }
}

}  // namespace

void register_activation() {
  EMBER_REGISTER_KERNEL(act_forward_stub, act_forward_kernel);
  EMBER_REGISTER_KERNEL(act_backward_stub, act_backward_kernel);
}

}  // namespace ember::cpu::EMBER_CPU_NS
