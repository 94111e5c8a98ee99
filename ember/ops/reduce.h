#pragma once
// Reductions, scans, softmax and sorting: free functions mirroring LibTorch
// (torch::sum(x, dims, keepdim, dtype), ...), their out= forms where PyTorch has them.
// The Tensor methods forward here.
//
// Dims: an empty list means "all dims"; negative dims wrap; a repeated dim is an error.
// Dtypes (PyTorch's rules): sum/prod/cumsum/cumprod of integers or bool give int64 unless
// `dtype` says otherwise (the input is cast to `dtype` first); mean/var/std/norm/softmax
// need floating input; max/min/amax/amin/sort keep the input dtype; indices are int64;
// all/any give bool (uint8 for uint8 input).
#include <optional>
#include <type_traits>
#include <string>
#include <tuple>

#include "ember/core/tensor.h"

namespace ember {

// ---- sums and products -----------------------------------------------------------------
Tensor sum(const Tensor& x, std::optional<ScalarType> dtype = std::nullopt);
Tensor sum(const Tensor& x, IntArrayRef dims, bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt);
Tensor& sum_out(Tensor& out, const Tensor& x, IntArrayRef dims, bool keepdim = false,
                std::optional<ScalarType> dtype = std::nullopt);
Tensor mean(const Tensor& x, std::optional<ScalarType> dtype = std::nullopt);
Tensor mean(const Tensor& x, IntArrayRef dims, bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt);
Tensor& mean_out(Tensor& out, const Tensor& x, IntArrayRef dims, bool keepdim = false,
                 std::optional<ScalarType> dtype = std::nullopt);
Tensor prod(const Tensor& x, std::optional<ScalarType> dtype = std::nullopt);
Tensor prod(const Tensor& x, int64_t dim, bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt);
Tensor& prod_out(Tensor& out, const Tensor& x, int64_t dim, bool keepdim = false,
                 std::optional<ScalarType> dtype = std::nullopt);
// Number of non-zero elements (int64), over all dims when `dims` is empty.
Tensor count_nonzero(const Tensor& x, IntArrayRef dims = {});

// ---- extremes ------------------------------------------------------------------------------
// max()/min() of all elements (NaN propagates; an empty input is an error).
Tensor max(const Tensor& x);
Tensor min(const Tensor& x);
// (values, indices) along one dim; the index is the first extreme element (or first NaN).
std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim = false);
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim = false);
std::tuple<Tensor&, Tensor&> max_out(Tensor& values, Tensor& indices, const Tensor& x, int64_t dim,
                                     bool keepdim = false);
std::tuple<Tensor&, Tensor&> min_out(Tensor& values, Tensor& indices, const Tensor& x, int64_t dim,
                                     bool keepdim = false);
Tensor amax(const Tensor& x, IntArrayRef dims = {}, bool keepdim = false);
Tensor amin(const Tensor& x, IntArrayRef dims = {}, bool keepdim = false);
Tensor& amax_out(Tensor& out, const Tensor& x, IntArrayRef dims = {}, bool keepdim = false);
Tensor& amin_out(Tensor& out, const Tensor& x, IntArrayRef dims = {}, bool keepdim = false);
// Without a dim: the index into the flattened input.
Tensor argmax(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
Tensor argmin(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);

// ---- statistics and norms ------------------------------------------------------------------
// Divides by max(N - correction, 0) (correction 1: the unbiased estimate).
Tensor var(const Tensor& x, OptionalIntArrayRef dims = std::nullopt, int64_t correction = 1,
           bool keepdim = false);
Tensor std(const Tensor& x, OptionalIntArrayRef dims = std::nullopt, int64_t correction = 1,
           bool keepdim = false);
// Vector p-norm over dims (all when empty): p = 0 counts non-zeros, +-inf take max/min |x|.
Tensor norm(const Tensor& x, const Scalar& p = 2);
Tensor norm(const Tensor& x, const Scalar& p, IntArrayRef dims, bool keepdim = false);
// p = "fro" (the 2-norm over dims); "nuc" is not implemented.
Tensor norm(const Tensor& x, const std::string& p, IntArrayRef dims = {}, bool keepdim = false);
// A string literal would otherwise convert equally well to std::string and (via bool) to Scalar.
inline Tensor norm(const Tensor& x, const char* p, IntArrayRef dims = {}, bool keepdim = false) {
  return norm(x, std::string(p), dims, keepdim);
}
// norm(x, 0): keeps a literal 0 (a null pointer constant) off the const char* overload.
template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
Tensor norm(const Tensor& x, T p) {
  return norm(x, Scalar(p));
}
template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
Tensor norm(const Tensor& x, T p, IntArrayRef dims, bool keepdim = false) {
  return norm(x, Scalar(p), dims, keepdim);
}
// log(sum(exp(x))) computed stably (the max is taken out first); integers become floats.
Tensor logsumexp(const Tensor& x, IntArrayRef dims, bool keepdim = false);
Tensor& logsumexp_out(Tensor& out, const Tensor& x, IntArrayRef dims, bool keepdim = false);

// ---- logical -----------------------------------------------------------------------------------
Tensor all(const Tensor& x);
Tensor all(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor any(const Tensor& x);
Tensor any(const Tensor& x, int64_t dim, bool keepdim = false);

// ---- scans -----------------------------------------------------------------------------------
Tensor cumsum(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
Tensor& cumsum_out(Tensor& out, const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
Tensor cumprod(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
Tensor& cumprod_out(Tensor& out, const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);

// ---- softmax -----------------------------------------------------------------------------------
// The input is cast to `dtype` first when given. Stable for large magnitudes.
Tensor softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);

// ---- sorting -----------------------------------------------------------------------------------
// (values, indices). NaN sorts as the largest value. The sort is always stable, so
// `stable` only documents intent (ties keep their input order, descending too).
std::tuple<Tensor, Tensor> sort(const Tensor& x, int64_t dim = -1, bool descending = false);
std::tuple<Tensor, Tensor> sort(const Tensor& x, std::optional<bool> stable, int64_t dim, bool descending = false);
Tensor argsort(const Tensor& x, int64_t dim = -1, bool descending = false);
Tensor argsort(const Tensor& x, bool stable, int64_t dim, bool descending = false);
// The k largest (or smallest) along dim, sorted best first.
std::tuple<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim = -1, bool largest = true,
                                bool sorted = true);

}  // namespace ember
