// Front ends of the linear-algebra ops: argument checks with PyTorch 1.13's messages,
// output allocation and out= handling, and matmul's case analysis. The BLAS work is in
// ops/linalg_gemm.cpp.
#include "ember/ops/linalg.h"
#include "ember/ops/autocast.h"

#include "ember/autograd/derivatives.h"

#include <initializer_list>

#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/linalg_impl.h"
#include "ember/ops/type_promotion.h"

namespace ember {

namespace {

using linalg_detail::check_out_dtype;
using linalg_detail::is_zero_in;

void check_defined(const char* op, std::initializer_list<const Tensor*> ts) {
  for (const Tensor* t : ts) EMBER_CHECK(t->defined(), op, ": expected a defined tensor");
}

// The CPU kernels of PyTorch 1.13 exist for every dtype except bool and float16.
void check_kernel_dtype(ScalarType dt, const char* kernel) {
  EMBER_CHECK(dt != kBool && dt != kFloat16, "\"", kernel, "\" not implemented for '", dt, "'");
}

void check_same_dtype(const Tensor& expected, const Tensor& found) {
  EMBER_CHECK(expected.dtype() == found.dtype(), "expected scalar type ", expected.dtype(), " but found ",
              found.dtype());
}

bool shares_memory(const Tensor& a, const Tensor& b) {
  return a.numel() > 0 && b.numel() > 0 && a.storage().get() == b.storage().get();
}

// Runs `compute(dst)` so that `out` ends up with the result. BLAS must not read memory it
// is writing, so when out shares storage with an input the result goes through a
// temporary. `beta_input`, if defined, is the tensor the beta term reads: it is copied
// into the destination first (unless out already is exactly that view).
template <class F>
void write_out(Tensor& out, std::initializer_list<const Tensor*> inputs, const Tensor& beta_input, F&& compute) {
  bool alias = false;
  for (const Tensor* t : inputs) alias = alias || shares_memory(out, *t);
  const bool out_is_beta_input = beta_input.defined() && out.data_ptr() == beta_input.data_ptr() &&
                                 out.sizes() == beta_input.sizes() && out.strides() == beta_input.strides();
  if (beta_input.defined() && !out_is_beta_input) alias = alias || shares_memory(out, beta_input);
  if (alias) {
    Tensor tmp = empty(out.sizes(), out.options());
    if (beta_input.defined()) tmp.copy_(beta_input);
    compute(tmp);
    out.copy_(tmp);
  } else {
    if (beta_input.defined() && !out_is_beta_input) out.copy_(beta_input);
    compute(out);
  }
  mark_written(out);
}

// Note [Products without a kernel call]
// When the result is empty or the inner dimension is 0, PyTorch 1.13 returns an empty or
// zero result before its kernels check dtypes: mm keeps self's dtype, bmm batch2's, mv the
// vector's, and mismatched or kernel-less dtypes (bool, float16) pass. ember follows it.
bool no_kernel_call(int64_t rows, int64_t inner, int64_t cols) { return rows == 0 || cols == 0 || inner == 0; }

void check_mm(const Tensor& self, const Tensor& mat2) {
  check_defined("mm", {&self, &mat2});
  EMBER_CHECK(self.dim() == 2, "self must be a matrix");
  EMBER_CHECK(mat2.dim() == 2, "mat2 must be a matrix");
  EMBER_CHECK(self.size(1) == mat2.size(0), "mat1 and mat2 shapes cannot be multiplied (", self.size(0), "x",
              self.size(1), " and ", mat2.size(0), "x", mat2.size(1), ")");
  if (no_kernel_call(self.size(0), self.size(1), mat2.size(1))) return;
  // PyTorch reports a dtype without a kernel before a dtype mismatch.
  check_kernel_dtype(self.dtype(), "addmm_impl_cpu_");
  check_same_dtype(self, mat2);
}

void check_addmm(const Tensor& self, const Tensor& mat1, const Tensor& mat2) {
  check_defined("addmm", {&self, &mat1, &mat2});
  EMBER_CHECK(mat1.dim() == 2, "mat1 must be a matrix, got ", mat1.dim(), "-D tensor");
  EMBER_CHECK(mat2.dim() == 2, "mat2 must be a matrix, got ", mat2.dim(), "-D tensor");
  EMBER_CHECK(self.dtype() == mat2.dtype(), "self and mat2 must have the same dtype");
  EMBER_CHECK(mat1.dtype() == mat2.dtype(), "mat1 and mat2 must have the same dtype");
  EMBER_CHECK(mat1.size(1) == mat2.size(0), "mat1 and mat2 shapes cannot be multiplied (", mat1.size(0), "x",
              mat1.size(1), " and ", mat2.size(0), "x", mat2.size(1), ")");
  if (no_kernel_call(mat1.size(0), mat1.size(1), mat2.size(1))) return;  // Note [Products without a kernel call]
  check_kernel_dtype(mat1.dtype(), "addmm_impl_cpu_");
}

void check_bmm(const Tensor& b1, const Tensor& b2, const char* kernel) {
  check_defined(kernel, {&b1, &b2});
  EMBER_CHECK(b1.dim() == 3, "batch1 must be a 3D tensor");
  EMBER_CHECK(b2.dim() == 3, "batch2 must be a 3D tensor");
  EMBER_CHECK(b2.size(0) == b1.size(0) && b2.size(1) == b1.size(2),
              "Expected size for first two dimensions of batch2 tensor to be: [", b1.size(0), ", ", b1.size(2),
              "] but got: [", b2.size(0), ", ", b2.size(1), "].");
  if (b1.size(0) == 0 || no_kernel_call(b1.size(1), b1.size(2), b2.size(2))) return;
  check_kernel_dtype(b1.dtype(), kernel);
  check_same_dtype(b1, b2);
}

// mv and addmv; `self_dim`/`self_size` describe the vector the result is added to (for mv,
// the result itself: 1-D of mat.size(0)).
// `is_mv`: mv itself, which skips the dtype checks without a kernel call (addmv does not).
void check_mv(int64_t self_dim, int64_t self_size, const Tensor& mat, const Tensor& vec, bool is_mv = false) {
  check_defined("mv", {&mat, &vec});
  EMBER_CHECK(mat.dim() == 2 && vec.dim() == 1 && self_dim <= 1, "vector + matrix @ vector expected, got ",
              self_dim, ", ", mat.dim(), ", ", vec.dim());
  EMBER_CHECK(mat.size(1) == vec.size(0) && (self_size == mat.size(0) || self_size == 1), "size mismatch, got ",
              self_size, ", ", mat.size(0), "x", mat.size(1), ",", vec.size(0));
  if (is_mv && no_kernel_call(mat.size(0), mat.size(1), 1)) return;
  check_kernel_dtype(mat.dtype(), "addmv_impl_cpu");
  check_same_dtype(mat, vec);
}

void check_dot(const Tensor& a, const Tensor& b) {
  check_defined("dot", {&a, &b});
  EMBER_CHECK(a.dim() == 1 && b.dim() == 1, "1D tensors expected, but got ", a.dim(), "D and ", b.dim(),
              "D tensors");
  EMBER_CHECK(a.dtype() == b.dtype(), "dot : expected both vectors to have same dtype, but found ", a.dtype(),
              " and ", b.dtype());
  EMBER_CHECK(a.numel() == b.numel(), "inconsistent tensor size, expected tensor [", a.numel(), "] and src [",
              b.numel(), "] to have the same number of elements, but got ", a.numel(), " and ", b.numel(),
              " elements respectively");
  check_kernel_dtype(a.dtype(), "dot");
}

}  // namespace

// ---- mm / addmm -------------------------------------------------------------------------

Tensor mm(const Tensor& self, const Tensor& mat2) {
  EMBER_AUTOCAST(mm, self, mat2);
  Tensor result = autograd::untracked([&]() -> Tensor {
    check_mm(self, mat2);
    if (no_kernel_call(self.size(0), self.size(1), mat2.size(1))) return zeros({self.size(0), mat2.size(1)}, self.options());
    Tensor out = empty({self.size(0), mat2.size(1)}, self.options());
    linalg_detail::gemm(out, self, mat2, 0, 1);
    return out;
  });
  autograd::record(autograd::MmBackward0, {&self, &mat2}, result, autograd::mm_layout(self, mat2), {self, mat2});
  return result;
}

Tensor& mm_out(Tensor& out, const Tensor& self, const Tensor& mat2) {
  check_mm(self, mat2);
  check_out_dtype(out, self.dtype());
  resize_output(out, {self.size(0), mat2.size(1)});
  write_out(out, {&self, &mat2}, Tensor(), [&](const Tensor& dst) { linalg_detail::gemm(dst, self, mat2, 0, 1); });
  return out;
}

Tensor addmm(const Tensor& self, const Tensor& mat1, const Tensor& mat2, const Scalar& beta, const Scalar& alpha) {
  EMBER_AUTOCAST(addmm, self, mat1, mat2, beta, alpha);
  Tensor result = autograd::untracked([&]() -> Tensor {
    check_addmm(self, mat1, mat2);
    Tensor bias = self.expand({mat1.size(0), mat2.size(1)});
    Tensor out = empty({mat1.size(0), mat2.size(1)}, mat1.options());
    const bool use_bias = !is_zero_in(beta, out.dtype());  // beta == 0: self is not read
    // With an empty inner dimension PyTorch computes self * beta in place (zeros when beta
    // is 0), so a beta of a higher kind than the result (a floating beta for integers, an
    // integer one for bool) cannot be written back; otherwise beta is truncated.
    // (beta is compared as a number here: 0.5 is not 0 even for an integer result.)
    if (mat1.size(1) == 0 && out.numel() > 0 && beta.to<double>() != 0)
      check_can_cast_to_output(result_type(out, beta), out.dtype());
    if (use_bias) out.copy_(bias);
    linalg_detail::gemm(out, mat1, mat2, use_bias ? beta : Scalar(0), alpha);
    return out;
  });
  autograd::record(autograd::AddmmBackward0, {&self, &mat1, &mat2}, result,
                   {beta, alpha, autograd::mm_layout(mat1, mat2)}, {mat1, mat2});
  return result;
}

Tensor& addmm_out(Tensor& out, const Tensor& self, const Tensor& mat1, const Tensor& mat2, const Scalar& beta,
                  const Scalar& alpha) {
  check_addmm(self, mat1, mat2);
  Tensor bias = self.expand({mat1.size(0), mat2.size(1)});
  check_out_dtype(out, mat1.dtype());
  const bool use_bias = !is_zero_in(beta, mat1.dtype());
  // bias keeps self's storage alive even if resizing re-points out at fresh memory.
  resize_output(out, {mat1.size(0), mat2.size(1)});
  write_out(out, {&mat1, &mat2}, use_bias ? bias : Tensor(), [&](const Tensor& dst) {
    linalg_detail::gemm(dst, mat1, mat2, use_bias ? beta : Scalar(0), alpha);
  });
  return out;
}

Tensor& addmm_(Tensor& self, const Tensor& mat1, const Tensor& mat2, const Scalar& beta, const Scalar& alpha) {
  check_addmm(self, mat1, mat2);
  const DimVector want{mat1.size(0), mat2.size(1)};
  EMBER_CHECK(self.sizes() == IntArrayRef(want), "Bad in-place call: input tensor size ", self.sizes(),
              " and output tensor size ", IntArrayRef(want), " should match");
  return addmm_out(self, self, mat1, mat2, beta, alpha);
}

// ---- bmm / baddbmm ----------------------------------------------------------------------

Tensor bmm(const Tensor& self, const Tensor& mat2) {
  EMBER_AUTOCAST(bmm, self, mat2);
  Tensor result = autograd::untracked([&]() -> Tensor {
    check_bmm(self, mat2, "bmm");
    if (self.size(0) == 0 || no_kernel_call(self.size(1), self.size(2), mat2.size(2)))
      return zeros({self.size(0), self.size(1), mat2.size(2)}, mat2.options());
    Tensor out = empty({self.size(0), self.size(1), mat2.size(2)}, self.options());
    linalg_detail::gemm(out, self, mat2, 0, 1);
    return out;
  });
  autograd::record(autograd::BmmBackward0, {&self, &mat2}, result, {}, {self, mat2});
  return result;
}

Tensor& bmm_out(Tensor& out, const Tensor& self, const Tensor& mat2) {
  check_bmm(self, mat2, "bmm");
  check_out_dtype(out, self.dtype());
  resize_output(out, {self.size(0), self.size(1), mat2.size(2)});
  write_out(out, {&self, &mat2}, Tensor(), [&](const Tensor& dst) { linalg_detail::gemm(dst, self, mat2, 0, 1); });
  return out;
}

Tensor baddbmm(const Tensor& self, const Tensor& batch1, const Tensor& batch2, const Scalar& beta,
               const Scalar& alpha) {
  EMBER_AUTOCAST(baddbmm, self, batch1, batch2, beta, alpha);
  Tensor result = autograd::untracked([&]() -> Tensor {
    check_defined("baddbmm", {&self});
    // PyTorch expands self before checking the batches, so a bad batch1 shows as an expand error.
    Tensor bias = self.expand({batch1.size(0), batch1.size(1), batch2.size(2)});
    check_bmm(batch1, batch2, "baddbmm");
    Tensor out = empty(bias.sizes(), batch1.options());
    const bool use_bias = !is_zero_in(beta, out.dtype());
    if (use_bias) out.copy_(bias);  // casts self to the batches' dtype, as PyTorch does
    linalg_detail::gemm(out, batch1, batch2, use_bias ? beta : Scalar(0), alpha);
    return out;
  });
  autograd::record(autograd::BaddbmmBackward0, {&self, &batch1, &batch2}, result, {beta, alpha}, {batch1, batch2});
  return result;
}

// ---- mv / addmv -------------------------------------------------------------------------

Tensor mv(const Tensor& self, const Tensor& vec) {
  Tensor result = autograd::untracked([&]() -> Tensor {
    check_mv(1, self.defined() && self.dim() >= 1 ? self.size(0) : 1, self, vec, /*is_mv=*/true);
    if (no_kernel_call(self.size(0), self.size(1), 1)) return zeros({self.size(0)}, vec.options());
    Tensor out = empty({self.size(0)}, self.options());
    linalg_detail::gemv(out, self, vec, 0, 1);
    return out;
  });
  autograd::record(autograd::MvBackward0, {&self, &vec}, result, {}, {self, vec});
  return result;
}

Tensor& mv_out(Tensor& out, const Tensor& self, const Tensor& vec) {
  check_mv(1, self.defined() && self.dim() >= 1 ? self.size(0) : 1, self, vec);
  check_out_dtype(out, self.dtype());
  resize_output(out, {self.size(0)});
  write_out(out, {&self, &vec}, Tensor(), [&](const Tensor& dst) { linalg_detail::gemv(dst, self, vec, 0, 1); });
  return out;
}

Tensor addmv(const Tensor& self, const Tensor& mat, const Tensor& vec, const Scalar& beta, const Scalar& alpha) {
  Tensor result = autograd::untracked([&]() -> Tensor {
    check_defined("addmv", {&self});
    check_mv(self.dim(), self.dim() == 0 ? 1 : self.size(0), mat, vec);
    Tensor out = empty({mat.size(0)}, mat.options());
    const bool use_bias = !is_zero_in(beta, out.dtype());
    if (use_bias) out.copy_(self.expand({mat.size(0)}));
    linalg_detail::gemv(out, mat, vec, use_bias ? beta : Scalar(0), alpha);
    return out;
  });
  autograd::record(autograd::AddmvBackward0, {&self, &mat, &vec}, result, {beta, alpha}, {mat, vec});
  return result;
}

// ---- dot / outer ------------------------------------------------------------------------

Tensor dot(const Tensor& self, const Tensor& other) {
  Tensor result = autograd::untracked([&]() -> Tensor {
    check_dot(self, other);
    return linalg_detail::dot(self, other);
  });
  autograd::record(autograd::DotBackward0, {&self, &other}, result, {}, {self, other});
  return result;
}

Tensor vdot(const Tensor& self, const Tensor& other) {
  Tensor result = autograd::untracked([&]() -> Tensor {
    check_dot(self, other);
    return linalg_detail::dot(self, other);
  });
  autograd::record(autograd::VdotBackward0, {&self, &other}, result, {}, {self, other});
  return result;
}

Tensor outer(const Tensor& self, const Tensor& vec2) {
  check_defined("outer", {&self, &vec2});
  EMBER_CHECK(self.dim() == 1, "outer: Expected 1-D argument self, but got ", self.dim(), "-D");
  EMBER_CHECK(vec2.dim() == 1, "outer: Expected 1-D argument vec2, but got ", vec2.dim(), "-D");
  // A broadcast product: dtype promotion (int * float -> float, bool * bool -> bool) as in PyTorch.
  return mul(self.reshape({self.size(0), 1}), vec2);
}

// ---- Tensor methods ---------------------------------------------------------------------

Tensor Tensor::mm(const Tensor& o) const { return ::ember::mm(*this, o); }
Tensor Tensor::bmm(const Tensor& o) const { return ::ember::bmm(*this, o); }
Tensor Tensor::matmul(const Tensor& o) const { return ::ember::matmul(*this, o); }
Tensor Tensor::dot(const Tensor& o) const { return ::ember::dot(*this, o); }
Tensor Tensor::outer(const Tensor& o) const { return ::ember::outer(*this, o); }
Tensor Tensor::addmm(const Tensor& m1, const Tensor& m2, const Scalar& beta, const Scalar& alpha) const {
  return ::ember::addmm(*this, m1, m2, beta, alpha);
}

}  // namespace ember
