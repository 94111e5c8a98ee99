// Fused optimiser updates (Note [Fused optimiser steps] in kernels/optim.h). Compiled
// once per ISA. Every loop is written as the PyTorch op sequence it replaces, one element
// at a time; the comments name the op each line stands for.
//
// Each update is a *_range function over [b, e) whose arrays are __restrict parameters and
// whose constants arrive by value. GCC honours restrict on parameters (also once inlined),
// not on locals or lambda captures: without it the Adam/AMSGrad loop (five arrays, three
// written) needs more runtime alias checks than GCC will emit and ran scalar, 20-30x
// slower than its memory traffic allows. Loop-invariant choices are template parameters or
// selects; every array element is loaded unconditionally (a load under `if` also blocks
// vectorisation).
#include "ember/cpu/kernels/kernel_prelude.h"

#include <cmath>

#include "ember/core/error.h"
#include "ember/core/parallel.h"
#include "ember/kernels/optim.h"

namespace ember::cpu::EMBER_CPU_NS {
namespace {

// ---- SGD --------------------------------------------------------------------------------
template <class T>
struct SgdC {
  T wd, mom, one_minus_damp, neg_lr;
  bool init, nesterov;
};

template <class T, bool kMax, bool kWd, bool kMomentum>
void sgd_range(int64_t b, int64_t e, T* __restrict p, const T* __restrict g, T* __restrict buf, const SgdC<T> c) {
  for (int64_t i = b; i < e; ++i) {
    const T pv = p[i];
    T d = kMax ? -g[i] : g[i];
    if (kWd) d = d + c.wd * pv;  // d_p = d_p.add(param, alpha=weight_decay)
    if (kMomentum) {
      T m = c.init ? d : buf[i] * c.mom + c.one_minus_damp * d;  // buf.mul_(momentum).add_(d_p, alpha=1-dampening)
      buf[i] = m;
      d = c.nesterov ? d + c.mom * m : m;  // d_p.add(buf, alpha=momentum) or buf
    }
    p[i] = pv + c.neg_lr * d;  // param.add_(d_p, alpha=-lr)
  }
}

template <class T, bool kMax, bool kWd, bool kMomentum>
void sgd_typed(int64_t n, T* p, const T* g, T* buf, const SgdStepArgs& a) {
  const SgdC<T> c{T(a.weight_decay), T(a.momentum), T(1 - a.dampening), T(-a.lr), a.init_buffer, a.nesterov};
  parallel_for(0, n, kGrainSize,
               [&](int64_t b, int64_t e) { sgd_range<T, kMax, kWd, kMomentum>(b, e, p, g, buf, c); });
}

template <class T>
void sgd_dispatch(int64_t n, T* p, const T* g, T* buf, const SgdStepArgs& a) {
  const bool wd = a.weight_decay != 0, mom = buf != nullptr;
#define EMBER_SGD(M, W, B) \
  if (a.maximize == M && wd == W && mom == B) return sgd_typed<T, M, W, B>(n, p, g, buf, a);
  EMBER_SGD(false, false, false) EMBER_SGD(false, false, true) EMBER_SGD(false, true, false)
  EMBER_SGD(false, true, true) EMBER_SGD(true, false, false) EMBER_SGD(true, false, true)
  EMBER_SGD(true, true, false) EMBER_SGD(true, true, true)
#undef EMBER_SGD
}

void sgd_kernel(ScalarType dt, int64_t n, void* p, const void* g, void* buf, const SgdStepArgs& a) {
  if (dt == kFloat32)
    return sgd_dispatch<float>(n, static_cast<float*>(p), static_cast<const float*>(g), static_cast<float*>(buf), a);
  if (dt == kFloat64)
    return sgd_dispatch<double>(n, static_cast<double*>(p), static_cast<const double*>(g),
                                static_cast<double*>(buf), a);
  EMBER_THROW(Error, "sgd kernel: unsupported dtype ", dt);
}

// ---- Adam / AdamW ------------------------------------------------------------------------
template <class T>
struct AdamC {
  T b1, one_minus_b1, b2, one_minus_b2, wd, decay, eps, bc2, neg_step, sign;
  bool coupled_wd;
};

template <class T, bool kAmsgrad, bool kDecoupled>
void adam_range(int64_t b, int64_t e, T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v,
                T* __restrict vmax, const AdamC<T> c) {
  for (int64_t i = b; i < e; ++i) {
    T pv = p[i];
    if (kDecoupled) pv = pv * c.decay;  // param.mul_(1 - lr * weight_decay)
    T gv = c.sign * g[i];               // -grad when maximizing (exact)
    if (!kDecoupled && c.coupled_wd) gv = gv + c.wd * pv;  // grad.add(param, alpha=weight_decay)
    const T mv = m[i] * c.b1 + c.one_minus_b1 * gv;        // exp_avg.mul_(beta1).add_(grad, alpha=1-beta1)
    T vv = v[i] * c.b2 + c.one_minus_b2 * gv * gv;         // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1-beta2)
    m[i] = mv;
    v[i] = vv;
    if (kAmsgrad) {
      // torch.maximum, NaN propagating, as two selects.
      T x = vmax[i];
      x = vv > x ? vv : x;  // a NaN x stays
      x = vv != vv ? vv : x;
      vmax[i] = x;
      vv = x;
    }
    const T denom = std::sqrt(vv) / c.bc2 + c.eps;  // (sqrt() / bias_correction2_sqrt).add_(eps)
    p[i] = pv + c.neg_step * mv / denom;            // param.addcdiv_(exp_avg, denom, value=-step_size)
  }
}

template <class T, bool kAmsgrad, bool kDecoupled>
void adam_typed(int64_t n, T* p, const T* g, T* m, T* v, T* vmax, const AdamStepArgs& a) {
  const AdamC<T> c{T(a.beta1),        T(1 - a.beta1), T(a.beta2),
                   T(1 - a.beta2),    T(a.weight_decay), T(1 - a.lr * a.weight_decay),
                   T(a.eps),          T(a.bias_correction2_sqrt), T(-a.step_size),
                   a.maximize ? T(-1) : T(1), a.weight_decay != 0};
  parallel_for(0, n, kGrainSize,
               [&](int64_t b, int64_t e) { adam_range<T, kAmsgrad, kDecoupled>(b, e, p, g, m, v, vmax, c); });
}

template <class T>
void adam_dispatch(int64_t n, T* p, const T* g, T* m, T* v, T* vmax, const AdamStepArgs& a) {
  if (a.amsgrad) {
    if (a.decoupled) return adam_typed<T, true, true>(n, p, g, m, v, vmax, a);
    return adam_typed<T, true, false>(n, p, g, m, v, vmax, a);
  }
  if (a.decoupled) return adam_typed<T, false, true>(n, p, g, m, v, vmax, a);
  return adam_typed<T, false, false>(n, p, g, m, v, vmax, a);
}

void adam_kernel(ScalarType dt, int64_t n, void* p, const void* g, void* m, void* v, void* vmax,
                 const AdamStepArgs& a) {
  if (dt == kFloat32)
    return adam_dispatch<float>(n, static_cast<float*>(p), static_cast<const float*>(g), static_cast<float*>(m),
                                static_cast<float*>(v), static_cast<float*>(vmax), a);
  if (dt == kFloat64)
    return adam_dispatch<double>(n, static_cast<double*>(p), static_cast<const double*>(g),
                                 static_cast<double*>(m), static_cast<double*>(v), static_cast<double*>(vmax), a);
  EMBER_THROW(Error, "adam kernel: unsupported dtype ", dt);
}

// ---- RMSprop -------------------------------------------------------------------------------
template <class T>
struct RmspropC {
  T alpha, one_minus_alpha, eps, wd, mom, neg_lr, sign;
  bool has_wd;
};

template <class T, bool kCentered, bool kMomentum>
void rmsprop_range(int64_t b, int64_t e, T* __restrict p, const T* __restrict g, T* __restrict sq,
                   T* __restrict ga, T* __restrict buf, const RmspropC<T> c) {
  for (int64_t i = b; i < e; ++i) {
    const T pv = p[i];
    T gv = c.sign * g[i];
    if (c.has_wd) gv = gv + c.wd * pv;                    // grad.add(param, alpha=weight_decay)
    const T s = sq[i] * c.alpha + c.one_minus_alpha * gv * gv;  // square_avg.mul_(alpha).addcmul_(grad, grad, 1-alpha)
    sq[i] = s;
    T avg;
    if (kCentered) {
      const T gav = ga[i] * c.alpha + c.one_minus_alpha * gv;  // grad_avg.mul_(alpha).add_(grad, alpha=1-alpha)
      ga[i] = gav;
      avg = std::sqrt(s + T(-1) * gav * gav);  // square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
    } else {
      avg = std::sqrt(s);
    }
    avg = avg + c.eps;
    if (kMomentum) {
      const T bv = buf[i] * c.mom + T(1) * gv / avg;  // buf.mul_(momentum).addcdiv_(grad, avg)
      buf[i] = bv;
      p[i] = pv + c.neg_lr * bv;  // param.add_(buf, alpha=-lr)
    } else {
      p[i] = pv + c.neg_lr * gv / avg;  // param.addcdiv_(grad, avg, value=-lr)
    }
  }
}

template <class T, bool kCentered, bool kMomentum>
void rmsprop_typed(int64_t n, T* p, const T* g, T* sq, T* ga, T* buf, const RmspropStepArgs& a) {
  const RmspropC<T> c{T(a.alpha),    T(1 - a.alpha), T(a.eps), T(a.weight_decay), T(a.momentum),
                      T(-a.lr),      a.maximize ? T(-1) : T(1), a.weight_decay != 0};
  parallel_for(0, n, kGrainSize,
               [&](int64_t b, int64_t e) { rmsprop_range<T, kCentered, kMomentum>(b, e, p, g, sq, ga, buf, c); });
}

template <class T>
void rmsprop_dispatch(int64_t n, T* p, const T* g, T* sq, T* ga, T* buf, const RmspropStepArgs& a) {
  const bool c = ga != nullptr, m = buf != nullptr;
  if (c && m) return rmsprop_typed<T, true, true>(n, p, g, sq, ga, buf, a);
  if (c) return rmsprop_typed<T, true, false>(n, p, g, sq, ga, buf, a);
  if (m) return rmsprop_typed<T, false, true>(n, p, g, sq, ga, buf, a);
  return rmsprop_typed<T, false, false>(n, p, g, sq, ga, buf, a);
}

void rmsprop_kernel(ScalarType dt, int64_t n, void* p, const void* g, void* sq, void* ga, void* buf,
                    const RmspropStepArgs& a) {
  if (dt == kFloat32)
    return rmsprop_dispatch<float>(n, static_cast<float*>(p), static_cast<const float*>(g), static_cast<float*>(sq),
                                   static_cast<float*>(ga), static_cast<float*>(buf), a);
  if (dt == kFloat64)
    return rmsprop_dispatch<double>(n, static_cast<double*>(p), static_cast<const double*>(g),
                                    static_cast<double*>(sq), static_cast<double*>(ga), static_cast<double*>(buf), a);
  EMBER_THROW(Error, "rmsprop kernel: unsupported dtype ", dt);
}

// ---- Adagrad -------------------------------------------------------------------------------
template <class T>
struct AdagradC {
  T eps, wd, neg_clr, sign;
  bool has_wd;
};

template <class T>
void adagrad_range(int64_t b, int64_t e, T* __restrict p, const T* __restrict g, T* __restrict sum,
                   const AdagradC<T> c) {
  for (int64_t i = b; i < e; ++i) {
    const T pv = p[i];
    T gv = c.sign * g[i];
    if (c.has_wd) gv = gv + c.wd * pv;  // grad.add(param, alpha=weight_decay)
    const T s = sum[i] + T(1) * gv * gv;  // state_sum.addcmul_(grad, grad, value=1)
    sum[i] = s;
    const T std_ = std::sqrt(s) + c.eps;  // state_sum.sqrt().add_(eps)
    p[i] = pv + c.neg_clr * gv / std_;    // param.addcdiv_(grad, std, value=-clr)
  }
}

template <class T>
void adagrad_typed(int64_t n, T* p, const T* g, T* sum, const AdagradStepArgs& a) {
  const AdagradC<T> c{T(a.eps), T(a.weight_decay), T(-a.clr), a.maximize ? T(-1) : T(1), a.weight_decay != 0};
  parallel_for(0, n, kGrainSize, [&](int64_t b, int64_t e) { adagrad_range<T>(b, e, p, g, sum, c); });
}

void adagrad_kernel(ScalarType dt, int64_t n, void* p, const void* g, void* sum, const AdagradStepArgs& a) {
  if (dt == kFloat32)
    return adagrad_typed<float>(n, static_cast<float*>(p), static_cast<const float*>(g), static_cast<float*>(sum), a);
  if (dt == kFloat64)
    return adagrad_typed<double>(n, static_cast<double*>(p), static_cast<const double*>(g),
                                 static_cast<double*>(sum), a);
  EMBER_THROW(Error, "adagrad kernel: unsupported dtype ", dt);
}

// ---- Adadelta ------------------------------------------------------------------------------
template <class T>
struct AdadeltaC {
  T rho, one_minus_rho, eps, wd, neg_lr, sign;
  bool has_wd;
};

template <class T>
void adadelta_range(int64_t b, int64_t e, T* __restrict p, const T* __restrict g, T* __restrict sq,
                    T* __restrict acc, const AdadeltaC<T> c) {
  for (int64_t i = b; i < e; ++i) {
    const T pv = p[i];
    T gv = c.sign * g[i];
    if (c.has_wd) gv = gv + c.wd * pv;                        // grad.add(param, alpha=weight_decay)
    const T s = sq[i] * c.rho + c.one_minus_rho * gv * gv;    // square_avg.mul_(rho).addcmul_(grad, grad, 1-rho)
    sq[i] = s;
    const T std_ = std::sqrt(s + c.eps);                      // square_avg.add(eps).sqrt_()
    const T delta = std::sqrt(acc[i] + c.eps) / std_ * gv;    // acc_delta.add(eps).sqrt_().div_(std).mul_(grad)
    acc[i] = acc[i] * c.rho + c.one_minus_rho * delta * delta;  // acc_delta.mul_(rho).addcmul_(delta, delta, 1-rho)
    p[i] = pv + c.neg_lr * delta;                               // param.add_(delta, alpha=-lr)
  }
}

template <class T>
void adadelta_typed(int64_t n, T* p, const T* g, T* sq, T* acc, const AdadeltaStepArgs& a) {
  const AdadeltaC<T> c{T(a.rho), T(1 - a.rho), T(a.eps), T(a.weight_decay), T(-a.lr), a.maximize ? T(-1) : T(1),
                       a.weight_decay != 0};
  parallel_for(0, n, kGrainSize, [&](int64_t b, int64_t e) { adadelta_range<T>(b, e, p, g, sq, acc, c); });
}

void adadelta_kernel(ScalarType dt, int64_t n, void* p, const void* g, void* sq, void* acc,
                     const AdadeltaStepArgs& a) {
  if (dt == kFloat32)
    return adadelta_typed<float>(n, static_cast<float*>(p), static_cast<const float*>(g), static_cast<float*>(sq),
                                 static_cast<float*>(acc), a);
  if (dt == kFloat64)
    return adadelta_typed<double>(n, static_cast<double*>(p), static_cast<const double*>(g),
                                  static_cast<double*>(sq), static_cast<double*>(acc), a);
  EMBER_THROW(Error, "adadelta kernel: unsupported dtype ", dt);
}

}  // namespace

void register_optim() {
  EMBER_REGISTER_KERNEL(sgd_step_stub, sgd_kernel);
  EMBER_REGISTER_KERNEL(adam_step_stub, adam_kernel);
  EMBER_REGISTER_KERNEL(rmsprop_step_stub, rmsprop_kernel);
  EMBER_REGISTER_KERNEL(adagrad_step_stub, adagrad_kernel);
  EMBER_REGISTER_KERNEL(adadelta_step_stub, adadelta_kernel);
}

}  // namespace ember::cpu::EMBER_CPU_NS
