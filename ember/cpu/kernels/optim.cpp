// Fused optimiser updates (Note [Fused optimiser steps] in cpu/optim_kernels.h). Compiled
// once per ISA. Every loop is written as the PyTorch op sequence it replaces, one element
// at a time; the comments name the op each line stands for.
#include "ember/cpu/kernels/kernel_prelude.h"

#include <cmath>

#include "ember/core/error.h"
#include "ember/core/parallel.h"
#include "ember/cpu/optim_kernels.h"

namespace ember::cpu::EMBER_CPU_NS {
namespace {

// Runs body(begin, end) over [0, n) on the thread pool; loop-invariant flags are template
// parameters of the bodies so each variant's loop vectorises without branches.
template <class F>
void for_range(int64_t n, const F& body) {
  parallel_for(0, n, kGrainSize, body);
}

template <class T, bool kMax, bool kWd, bool kMomentum>
void sgd_typed(int64_t n, T* __restrict p, const T* __restrict g, T* __restrict buf, const SgdStepArgs& a) {
  const T wd = T(a.weight_decay), mom = T(a.momentum), one_minus_damp = T(1 - a.dampening), neg_lr = T(-a.lr);
  const bool init = a.init_buffer, nesterov = a.nesterov;
  for_range(n, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      T d = kMax ? -g[i] : g[i];
      if (kWd) d = d + wd * p[i];  // d_p = d_p.add(param, alpha=weight_decay)
      if (kMomentum) {
        T m = init ? d : buf[i] * mom + one_minus_damp * d;  // buf.mul_(momentum).add_(d_p, alpha=1-dampening)
        buf[i] = m;
        d = nesterov ? d + mom * m : m;  // d_p.add(buf, alpha=momentum) or buf
      }
      p[i] = p[i] + neg_lr * d;  // param.add_(d_p, alpha=-lr)
    }
  });
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

template <class T, bool kAmsgrad, bool kDecoupled>
void adam_typed(int64_t n, T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v,
                T* __restrict vmax, const AdamStepArgs& a) {
  const T b1 = T(a.beta1), one_minus_b1 = T(1 - a.beta1), b2 = T(a.beta2), one_minus_b2 = T(1 - a.beta2);
  const T wd = T(a.weight_decay), decay = T(1 - a.lr * a.weight_decay), eps = T(a.eps);
  const T bc2 = T(a.bias_correction2_sqrt), neg_step = T(-a.step_size), sign = a.maximize ? T(-1) : T(1);
  const bool coupled_wd = !kDecoupled && a.weight_decay != 0;
  for_range(n, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      T pv = p[i];
      if (kDecoupled) pv = pv * decay;  // param.mul_(1 - lr * weight_decay)
      T gv = sign * g[i];               // -grad when maximizing (exact)
      if (coupled_wd) gv = gv + wd * pv;  // grad.add(param, alpha=weight_decay)
      T mv = m[i] * b1 + one_minus_b1 * gv;          // exp_avg.mul_(beta1).add_(grad, alpha=1-beta1)
      T vv = v[i] * b2 + one_minus_b2 * gv * gv;     // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1-beta2)
      m[i] = mv;
      v[i] = vv;
      if (kAmsgrad) {
        T x = vmax[i];
        x = (x != x || x > vv) ? x : vv;  // torch.maximum (NaN propagates)
        x = (vv != vv) ? vv : x;
        vmax[i] = x;
        vv = x;
      }
      T denom = std::sqrt(vv) / bc2 + eps;  // (sqrt() / bias_correction2_sqrt).add_(eps)
      p[i] = pv + neg_step * mv / denom;    // param.addcdiv_(exp_avg, denom, value=-step_size)
    }
  });
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

template <class T, bool kCentered, bool kMomentum>
void rmsprop_typed(int64_t n, T* __restrict p, const T* __restrict g, T* __restrict sq, T* __restrict ga,
                   T* __restrict buf, const RmspropStepArgs& a) {
  const T alpha = T(a.alpha), one_minus_alpha = T(1 - a.alpha), eps = T(a.eps), wd = T(a.weight_decay);
  const T mom = T(a.momentum), neg_lr = T(-a.lr), sign = a.maximize ? T(-1) : T(1);
  const bool has_wd = a.weight_decay != 0;
  for_range(n, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      T gv = sign * g[i];
      if (has_wd) gv = gv + wd * p[i];                  // grad.add(param, alpha=weight_decay)
      T s = sq[i] * alpha + one_minus_alpha * gv * gv;  // square_avg.mul_(alpha).addcmul_(grad, grad, 1-alpha)
      sq[i] = s;
      T avg;
      if (kCentered) {
        T gav = ga[i] * alpha + one_minus_alpha * gv;  // grad_avg.mul_(alpha).add_(grad, alpha=1-alpha)
        ga[i] = gav;
        avg = std::sqrt(s + T(-1) * gav * gav);  // square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
      } else {
        avg = std::sqrt(s);
      }
      avg = avg + eps;
      if (kMomentum) {
        T bv = buf[i] * mom + T(1) * gv / avg;  // buf.mul_(momentum).addcdiv_(grad, avg)
        buf[i] = bv;
        p[i] = p[i] + neg_lr * bv;  // param.add_(buf, alpha=-lr)
      } else {
        p[i] = p[i] + neg_lr * gv / avg;  // param.addcdiv_(grad, avg, value=-lr)
      }
    }
  });
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

template <class T>
void adagrad_typed(int64_t n, T* __restrict p, const T* __restrict g, T* __restrict sum, const AdagradStepArgs& a) {
  const T eps = T(a.eps), wd = T(a.weight_decay), neg_clr = T(-a.clr), sign = a.maximize ? T(-1) : T(1);
  const bool has_wd = a.weight_decay != 0;
  for_range(n, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      T gv = sign * g[i];
      if (has_wd) gv = gv + wd * p[i];  // grad.add(param, alpha=weight_decay)
      T s = sum[i] + T(1) * gv * gv;    // state_sum.addcmul_(grad, grad, value=1)
      sum[i] = s;
      T std_ = std::sqrt(s) + eps;        // state_sum.sqrt().add_(eps)
      p[i] = p[i] + neg_clr * gv / std_;  // param.addcdiv_(grad, std, value=-clr)
    }
  });
}

void adagrad_kernel(ScalarType dt, int64_t n, void* p, const void* g, void* sum, const AdagradStepArgs& a) {
  if (dt == kFloat32)
    return adagrad_typed<float>(n, static_cast<float*>(p), static_cast<const float*>(g), static_cast<float*>(sum), a);
  if (dt == kFloat64)
    return adagrad_typed<double>(n, static_cast<double*>(p), static_cast<const double*>(g),
                                 static_cast<double*>(sum), a);
  EMBER_THROW(Error, "adagrad kernel: unsupported dtype ", dt);
}

template <class T>
void adadelta_typed(int64_t n, T* __restrict p, const T* __restrict g, T* __restrict sq, T* __restrict acc,
                    const AdadeltaStepArgs& a) {
  const T rho = T(a.rho), one_minus_rho = T(1 - a.rho), eps = T(a.eps), wd = T(a.weight_decay);
  const T neg_lr = T(-a.lr), sign = a.maximize ? T(-1) : T(1);
  const bool has_wd = a.weight_decay != 0;
  for_range(n, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      T gv = sign * g[i];
      if (has_wd) gv = gv + wd * p[i];                // grad.add(param, alpha=weight_decay)
      T s = sq[i] * rho + one_minus_rho * gv * gv;    // square_avg.mul_(rho).addcmul_(grad, grad, 1-rho)
      sq[i] = s;
      T std_ = std::sqrt(s + eps);                    // square_avg.add(eps).sqrt_()
      T delta = std::sqrt(acc[i] + eps) / std_ * gv;  // acc_delta.add(eps).sqrt_().div_(std).mul_(grad)
      acc[i] = acc[i] * rho + one_minus_rho * delta * delta;  // acc_delta.mul_(rho).addcmul_(delta, delta, 1-rho)
      p[i] = p[i] + neg_lr * delta;                           // param.add_(delta, alpha=-lr)
    }
  });
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
