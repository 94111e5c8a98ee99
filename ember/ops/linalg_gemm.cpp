// BLAS drivers for the linear-algebra ops: layout selection, bfloat16 widening (GEMV, DOT;
// bfloat16 GEMMs go to the kernel, Note [bfloat16 GEMM] in cpu/onednn_matmul.cpp) and batch
// threading (ops/linalg_impl.h). The argument checks live in ops/linalg.cpp.
#include <algorithm>
#include <utility>

#include "ember/core/parallel.h"
#include "ember/kernels/blas.h"
#include "ember/ops/factory.h"
#include <type_traits>

#include "ember/ops/linalg_impl.h"

namespace ember::linalg_detail {

namespace {

// One matrix (or a batch of them) as element strides: element (i, j) of batch b is at
// data + b * bs + i * rs + j * cs, counted in elements.
struct MatGeom {
  char* data;
  int64_t batch, bs, rows, cols, rs, cs;
  MatGeom transposed() const { return {data, batch, bs, cols, rows, cs, rs}; }
};

MatGeom geom_of(const Tensor& t, bool transpose) {
  const int64_t d = t.dim();
  MatGeom g{static_cast<char*>(t.data_ptr()), d == 3 ? t.size(0) : 1, d == 3 ? t.stride(0) : 0,
            t.size(d - 2), t.size(d - 1), t.stride(d - 2), t.stride(d - 1)};
  return transpose ? g.transposed() : g;
}

// Note [BLAS operand layout]
// cblas (row-major convention) reads an operand either as stored row-major (element
// (i, j) at p[i*ld + j], ld >= cols) or, with the transpose flag, as a row-major matrix of
// the transposed shape (element (i, j) at p[j*ld + i], ld >= rows). A contiguous tensor is
// the first, its .t() view the second, so transposed operands never need a copy. A stride
// along a size-1 dimension is never used, so it does not constrain the choice. Anything
// else (row-sliced with a step, expanded with stride 0, ...) is copied to contiguous.
bool blas_layout(const MatGeom& g, bool& trans, int64_t& ld) {
  const int64_t max_rows = std::max<int64_t>(1, g.rows), max_cols = std::max<int64_t>(1, g.cols);
  if ((g.cs == 1 || g.cols == 1) && (g.rows == 1 || g.rs >= max_cols)) {
    trans = false;
    ld = g.rows == 1 ? max_cols : g.rs;
  } else if ((g.rs == 1 || g.rows == 1) && (g.cols == 1 || g.cs >= max_rows)) {
    trans = true;
    ld = g.cols == 1 ? max_rows : g.cs;
  } else {
    return false;
  }
  return ld <= kernels::kMaxBlasDim;
}

// The geometry BLAS reads for t (transposed when `transpose`), copying t into `keep` when
// its own strides do not fit.
MatGeom blas_operand(const Tensor& t, bool transpose, Tensor& keep, bool& trans, int64_t& ld) {
  MatGeom g = geom_of(t, transpose);
  if (blas_layout(g, trans, ld)) return g;
  keep = t.contiguous();
  if (keep.is_same(t)) keep = t.clone();  // contiguous yet unreadable: only overflowing ld gets here
  g = geom_of(keep, transpose);
  EMBER_CHECK(blas_layout(g, trans, ld), "matrix too large for the BLAS interface");
  return g;
}

// Below this many multiply-adds per matrix, a batch runs one whole GEMM per thread (each
// GEMM inside a parallel region stays on its thread) instead of splitting each small GEMM
// over threads.
constexpr double kSmallGemm = 128.0 * 128.0 * 128.0;

template <class T>
void run_gemms(Device device, const MatGeom& c, const MatGeom& a, bool ta, int64_t lda, const MatGeom& b, bool tb,
               int64_t ldb, int64_t ldc, int64_t k, const Scalar& beta, const Scalar& alpha) {
  constexpr ScalarType dt = CppTypeToScalarType<T>::value;
  // The kernels take bfloat16's scalars as floats (kernels/blas.h).
  using S = std::conditional_t<std::is_same_v<T, BFloat16>, float, T>;
  const S tal = alpha.to<S>(), tbe = beta.to<S>();
  const kernels::GemmKernel gemm = kernels::gemm_stub(device);
  const kernels::GemvKernel gemv = kernels::gemv_stub(device);
  auto one = [&](int64_t i) {
    const T* ap = reinterpret_cast<const T*>(a.data) + i * a.bs;
    const T* bp = reinterpret_cast<const T*>(b.data) + i * b.bs;
    T* cp = reinterpret_cast<T*>(c.data) + i * c.bs;
    if constexpr (std::is_floating_point_v<T>) {
      // A single row or column (batch-1 inference, matrix @ vector) is a GEMV: BLAS's GEMM
      // would pack both operands for one dot product per output.
      if (c.rows == 1 && c.cols > 1) {
        // c[0, :] = op(b)^T @ op(a)[0, :]
        return gemv(dt, !tb, c.cols, k, &tal, bp, ldb, ap, ta ? lda : 1, &tbe, cp, 1);
      }
      if (c.cols == 1 && c.rows > 1) {
        // c[:, 0] = op(a) @ op(b)[:, 0]
        return gemv(dt, ta, c.rows, k, &tal, ap, lda, bp, tb ? 1 : ldb, &tbe, cp, ldc);
      }
    }
    gemm(dt, ta, tb, c.rows, c.cols, k, &tal, ap, lda, bp, ldb, &tbe, cp, ldc);
  };
  const double work = static_cast<double>(c.rows) * c.cols * std::max<int64_t>(k, 1);
  if (c.batch > 1 && work < kSmallGemm) {
    const int64_t grain = std::max<int64_t>(1, static_cast<int64_t>(kSmallGemm / 4 / work));
    parallel_for(0, c.batch, grain, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) one(i);
    });
  } else {
    for (int64_t i = 0; i < c.batch; ++i) one(i);
  }
}

// c = beta * c when the product is empty (k == 0).
void scale_only(const Tensor& c_in, const Scalar& beta) {
  Tensor c = c_in;
  if (is_zero_in(beta, c.dtype())) {
    c.zero_();
  } else if (is_floating_point(c.dtype())) {
    if (beta.to<double>() != 1.0) c.mul_(Scalar(beta.to<double>()));
  } else if (beta.to<int64_t>() != 1) {
    c.mul_(Scalar(beta.to<int64_t>()));
  }
}

Tensor widen(const Tensor& t) { return t.to(kFloat32); }


}  // namespace

void check_out_dtype(const Tensor& out, ScalarType dt) {
  EMBER_CHECK(out.dtype() == dt, "Expected out tensor to have dtype ", cpp_type_name(dt), ", but got ",
              cpp_type_name(out.dtype()), " instead");
}

bool is_zero_in(const Scalar& s, ScalarType dt) {
  if (is_floating_point(dt)) return s.to<double>() == 0.0;
  return s.to<int64_t>() == 0;
}

void gemm(const Tensor& c_in, const Tensor& a_in, const Tensor& b_in, const Scalar& beta, const Scalar& alpha) {
  if (c_in.numel() == 0) return;
  const int64_t k = a_in.size(-1);
  if (k == 0) return scale_only(c_in, beta);
  const ScalarType dt = c_in.dtype();
  // The kernels read alpha and beta as elements (PyTorch's checked conversion).
  check_convertible(alpha, dt);
  check_convertible(beta, dt);
  // The output must be readable by BLAS too; otherwise compute into a contiguous temporary.
  Tensor c = c_in, c_tmp;
  bool ct = false;
  int64_t ldc = 0;
  MatGeom gc = geom_of(c, false);
  if (!blas_layout(gc, ct, ldc)) {
    c_tmp = is_zero_in(beta, dt) ? empty(c.sizes(), c.options()) : c.contiguous();
    if (c_tmp.is_same(c)) c_tmp = c.clone();
    gc = geom_of(c_tmp, false);
    EMBER_CHECK(blas_layout(gc, ct, ldc), "matrix too large for the BLAS interface");
  }
  // A column-major output (e.g. an out= that is a transposed view): compute
  // c^T = b^T @ a^T, for which c^T is row-major, instead of copying.
  const Tensor* a = &a_in;
  const Tensor* b = &b_in;
  if (ct) {
    std::swap(a, b);
    gc = gc.transposed();
  }
  Tensor a_keep, b_keep;
  bool ta = false, tb = false;
  int64_t lda = 0, ldb = 0;
  MatGeom ga = blas_operand(*a, ct, a_keep, ta, lda);
  MatGeom gb = blas_operand(*b, ct, b_keep, tb, ldb);
  switch (dt) {
    case kFloat32: run_gemms<float>(c.device(), gc, ga, ta, lda, gb, tb, ldb, ldc, k, beta, alpha); break;
    case kFloat64: run_gemms<double>(c.device(), gc, ga, ta, lda, gb, tb, ldb, ldc, k, beta, alpha); break;
    case kBFloat16: run_gemms<BFloat16>(c.device(), gc, ga, ta, lda, gb, tb, ldb, ldc, k, beta, alpha); break;
    case kUInt8: run_gemms<uint8_t>(c.device(), gc, ga, ta, lda, gb, tb, ldb, ldc, k, beta, alpha); break;
    case kInt8: run_gemms<int8_t>(c.device(), gc, ga, ta, lda, gb, tb, ldb, ldc, k, beta, alpha); break;
    case kInt16: run_gemms<int16_t>(c.device(), gc, ga, ta, lda, gb, tb, ldb, ldc, k, beta, alpha); break;
    case kInt32: run_gemms<int32_t>(c.device(), gc, ga, ta, lda, gb, tb, ldb, ldc, k, beta, alpha); break;
    case kInt64: run_gemms<int64_t>(c.device(), gc, ga, ta, lda, gb, tb, ldb, ldc, k, beta, alpha); break;
    default: EMBER_THROW(Error, "gemm: unsupported dtype ", dt);
  }
  if (c_tmp.defined()) c.copy_(c_tmp);
}

namespace {

// A vector BLAS can step through: positive stride (a size-1 vector's stride is unused).
Tensor blas_vector(const Tensor& v, int64_t& inc) {
  if (v.numel() <= 1) {
    inc = 1;
    return v;
  }
  if (v.stride(0) > 0 && v.stride(0) <= kernels::kMaxBlasDim) {
    inc = v.stride(0);
    return v;
  }
  inc = 1;
  Tensor c = v.contiguous();
  return c.is_same(v) ? v.clone() : c;
}

template <class T>
void run_gemv(const Tensor& y, const Tensor& a, const Tensor& x, const Scalar& beta, const Scalar& alpha) {
  Tensor a_keep;
  bool ta = false;
  int64_t lda = 0, incx = 0, incy = 0;
  MatGeom ga = blas_operand(a, false, a_keep, ta, lda);
  Tensor xv = blas_vector(x, incx);
  Tensor yv = blas_vector(y, incy);
  const T tal = alpha.to<T>(), tbe = beta.to<T>();
  kernels::gemv_stub(y.device())(CppTypeToScalarType<T>::value, ta, ga.rows, ga.cols, &tal, ga.data, lda, xv.data_ptr<T>(),
                                 incx, &tbe, yv.data_ptr<T>(), incy);
  if (!yv.is_same(y)) Tensor(y).copy_(yv);
}

template <class T>
T run_dot(const Tensor& a, const Tensor& b) {
  int64_t inca = 0, incb = 0;
  Tensor av = blas_vector(a, inca), bv = blas_vector(b, incb);
  T result{};
  kernels::dot_stub(a.device())(CppTypeToScalarType<T>::value, a.numel(), av.data_ptr<T>(), inca, bv.data_ptr<T>(), incb,
                                &result);
  return result;
}

}  // namespace

void gemv(const Tensor& y, const Tensor& a, const Tensor& x, const Scalar& beta, const Scalar& alpha) {
  if (y.numel() == 0) return;
  if (x.numel() == 0) return scale_only(y, beta);
  const ScalarType dt = y.dtype();
  if (dt == kBFloat16) {
    Tensor y32 = is_zero_in(beta, dt) ? empty(y.sizes(), y.options().dtype(kFloat32)) : widen(y);
    gemv(y32, widen(a), widen(x), beta, alpha);
    Tensor(y).copy_(y32);
    return;
  }
  // If y's own stride is unusable (y is written), compute into a contiguous temporary.
  if (y.numel() > 1 && y.stride(0) <= 0) {
    Tensor tmp = is_zero_in(beta, dt) ? empty(y.sizes(), y.options()) : y.clone();
    gemv(tmp, a, x, beta, alpha);
    Tensor(y).copy_(tmp);
    return;
  }
  switch (dt) {
    case kFloat32: return run_gemv<float>(y, a, x, beta, alpha);
    case kFloat64: return run_gemv<double>(y, a, x, beta, alpha);
    case kUInt8: return run_gemv<uint8_t>(y, a, x, beta, alpha);
    case kInt8: return run_gemv<int8_t>(y, a, x, beta, alpha);
    case kInt16: return run_gemv<int16_t>(y, a, x, beta, alpha);
    case kInt32: return run_gemv<int32_t>(y, a, x, beta, alpha);
    case kInt64: return run_gemv<int64_t>(y, a, x, beta, alpha);
    default: EMBER_THROW(Error, "gemv: unsupported dtype ", dt);
  }
}

Tensor dot(const Tensor& a, const Tensor& b) {
  const ScalarType dt = a.dtype();
  switch (dt) {
    case kFloat32: return scalar_tensor(run_dot<float>(a, b), a.options());
    case kFloat64: return scalar_tensor(run_dot<double>(a, b), a.options());
    case kBFloat16: return scalar_tensor(run_dot<float>(widen(a), widen(b)), a.options());
    case kUInt8: return scalar_tensor(run_dot<uint8_t>(a, b), a.options());
    case kInt8: return scalar_tensor(run_dot<int8_t>(a, b), a.options());
    case kInt16: return scalar_tensor(run_dot<int16_t>(a, b), a.options());
    case kInt32: return scalar_tensor(run_dot<int32_t>(a, b), a.options());
    case kInt64: return scalar_tensor(run_dot<int64_t>(a, b), a.options());
    default: EMBER_THROW(Error, "dot: unsupported dtype ", dt);
  }
}

}  // namespace ember::linalg_detail
