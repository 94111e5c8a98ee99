#pragma once
// Vectorised transcendental functions over dense float32/float64 arrays, through SLEEF
// (1-ulp "u10" variants, the ones PyTorch's own vectorised kernels call). Included only
// by kernel TUs; the vector width follows the ISA this copy is compiled for.
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#pragma GCC diagnostic ignored "-Wignored-attributes"
#include <sleef.h>

namespace ember::cpu::vec {

#if defined(__AVX512F__)
using vfloat = __m512;
using vdouble = __m512d;
constexpr int kFloatLanes = 16, kDoubleLanes = 8;
inline vfloat loadf(const float* p) { return _mm512_loadu_ps(p); }
inline void storef(float* p, vfloat v) { _mm512_storeu_ps(p, v); }
inline vdouble loadd(const double* p) { return _mm512_loadu_pd(p); }
inline void stored(double* p, vdouble v) { _mm512_storeu_pd(p, v); }
#define EMBER_SLEEF_F(name) Sleef_##name##f16_u10avx512f
#define EMBER_SLEEF_D(name) Sleef_##name##d8_u10avx512f
#elif defined(__AVX2__)
using vfloat = __m256;
using vdouble = __m256d;
constexpr int kFloatLanes = 8, kDoubleLanes = 4;
inline vfloat loadf(const float* p) { return _mm256_loadu_ps(p); }
inline void storef(float* p, vfloat v) { _mm256_storeu_ps(p, v); }
inline vdouble loadd(const double* p) { return _mm256_loadu_pd(p); }
inline void stored(double* p, vdouble v) { _mm256_storeu_pd(p, v); }
#define EMBER_SLEEF_F(name) Sleef_##name##f8_u10avx2
#define EMBER_SLEEF_D(name) Sleef_##name##d4_u10avx2
#else
using vfloat = __m128;
using vdouble = __m128d;
constexpr int kFloatLanes = 4, kDoubleLanes = 2;
inline vfloat loadf(const float* p) { return _mm_loadu_ps(p); }
inline void storef(float* p, vfloat v) { _mm_storeu_ps(p, v); }
inline vdouble loadd(const double* p) { return _mm_loadu_pd(p); }
inline void stored(double* p, vdouble v) { _mm_storeu_pd(p, v); }
#define EMBER_SLEEF_F(name) Sleef_##name##f4_u10sse2
#define EMBER_SLEEF_D(name) Sleef_##name##d2_u10sse2
#endif

// Applies a SLEEF function to n elements; the tail goes through a padded buffer so every
// call is a full vector.
template <class T, int Lanes, class Load, class Store, class Fn>
inline void apply(const T* in, T* out, int64_t n, Load load, Store store, Fn fn) {
  int64_t i = 0;
  for (; i + Lanes <= n; i += Lanes) store(out + i, fn(load(in + i)));
  if (i < n) {
    T buf[Lanes] = {};
    std::memcpy(buf, in + i, (n - i) * sizeof(T));
    store(buf, fn(load(buf)));
    std::memcpy(out + i, buf, (n - i) * sizeof(T));
  }
}

#define EMBER_VEC_FN(ourname, sleefname)                                                      \
  inline void ourname(const float* in, float* out, int64_t n) {                               \
    apply<float, kFloatLanes>(in, out, n, loadf, storef,                                      \
                              [](vfloat v) { return EMBER_SLEEF_F(sleefname)(v); });          \
  }                                                                                           \
  inline void ourname(const double* in, double* out, int64_t n) {                             \
    apply<double, kDoubleLanes>(in, out, n, loadd, stored,                                    \
                                [](vdouble v) { return EMBER_SLEEF_D(sleefname)(v); });       \
  }
EMBER_VEC_FN(exp, exp)
EMBER_VEC_FN(expm1, expm1)
EMBER_VEC_FN(log, log)
EMBER_VEC_FN(log1p, log1p)
EMBER_VEC_FN(log2, log2)
EMBER_VEC_FN(log10, log10)
EMBER_VEC_FN(sin, sin)
EMBER_VEC_FN(cos, cos)
EMBER_VEC_FN(tan, tan)
EMBER_VEC_FN(tanh, tanh)
EMBER_VEC_FN(erf, erf)
#undef EMBER_VEC_FN

}  // namespace ember::cpu::vec
