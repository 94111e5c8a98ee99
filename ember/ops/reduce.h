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

#include "ember/core/reduction_list.h"
#include "ember/core/tensor.h"

namespace ember {

// ---- the reduction table's functions (Note [Reduction table], core/reduction_list.h) -----
// One overload set per signature class; `_out` forms where the row says OUT.
#define EMBER_RED_DECL_DIMS_KEEPDIM_DTYPE(name)                                                    \
  Tensor name(const Tensor& x, std::optional<ScalarType> dtype = std::nullopt);                    \
  Tensor name(const Tensor& x, IntArrayRef dims, bool keepdim = false,                             \
              std::optional<ScalarType> dtype = std::nullopt);
#define EMBER_RED_OUTDECL_DIMS_KEEPDIM_DTYPE(name)                                                 \
  Tensor& name##_out(Tensor& out, const Tensor& x, IntArrayRef dims, bool keepdim = false,         \
                     std::optional<ScalarType> dtype = std::nullopt);
#define EMBER_RED_DECL_DIM_KEEPDIM_DTYPE(name)                                                     \
  Tensor name(const Tensor& x, std::optional<ScalarType> dtype = std::nullopt);                    \
  Tensor name(const Tensor& x, int64_t dim, bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt);
#define EMBER_RED_OUTDECL_DIM_KEEPDIM_DTYPE(name)                                                  \
  Tensor& name##_out(Tensor& out, const Tensor& x, int64_t dim, bool keepdim = false,              \
                     std::optional<ScalarType> dtype = std::nullopt);
#define EMBER_RED_DECL_DIMS_KEEPDIM(name) Tensor name(const Tensor& x, IntArrayRef dims = {}, bool keepdim = false);
#define EMBER_RED_OUTDECL_DIMS_KEEPDIM(name) \
  Tensor& name##_out(Tensor& out, const Tensor& x, IntArrayRef dims = {}, bool keepdim = false);
#define EMBER_RED_DECL_DIMS_REQUIRED(name) Tensor name(const Tensor& x, IntArrayRef dims, bool keepdim = false);
#define EMBER_RED_OUTDECL_DIMS_REQUIRED(name) \
  Tensor& name##_out(Tensor& out, const Tensor& x, IntArrayRef dims, bool keepdim = false);
#define EMBER_RED_DECL_VALUES_INDICES(name) \
  Tensor name(const Tensor& x);             \
  std::tuple<Tensor, Tensor> name(const Tensor& x, int64_t dim, bool keepdim = false);
#define EMBER_RED_OUTDECL_VALUES_INDICES(name)                                                            \
  std::tuple<Tensor&, Tensor&> name##_out(Tensor& values, Tensor& indices, const Tensor& x, int64_t dim, \
                                          bool keepdim = false);
#define EMBER_RED_DECL_OPTDIM_KEEPDIM(name) \
  Tensor name(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
#define EMBER_RED_DECL_CORRECTION(name)                                                                  \
  Tensor name(const Tensor& x, OptionalIntArrayRef dims = std::nullopt, int64_t correction = 1, \
              bool keepdim = false);
#define EMBER_RED_DECL_NORM(name)                           \
  Tensor name(const Tensor& x, const Scalar& p = 2); \
  Tensor name(const Tensor& x, const Scalar& p, IntArrayRef dims, bool keepdim = false);
#define EMBER_RED_DECL_LOGICAL(name) \
  Tensor name(const Tensor& x);      \
  Tensor name(const Tensor& x, int64_t dim, bool keepdim = false);
#define EMBER_RED_DECL_COUNT(name) Tensor name(const Tensor& x, IntArrayRef dims = {});
#define EMBER_RED_DECL_SCAN(name) \
  Tensor name(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
#define EMBER_RED_OUTDECL_SCAN(name) \
  Tensor& name##_out(Tensor& out, const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
#define EMBER_RED_OUT_OUT(sig, name) EMBER_RED_OUTDECL_##sig(name)
#define EMBER_RED_OUT_NO_OUT(sig, name)
#define EMBER_X(name, sig, rule, out, ...) EMBER_RED_DECL_##sig(name) EMBER_RED_OUT_##out(sig, name)
EMBER_REDUCTION_OPS(EMBER_X)
#undef EMBER_X

// Semantics not visible in the signatures:
// - max()/min() of all elements: NaN propagates; an empty input is an error. Along a dim:
//   (values, indices), the index of the first extreme element (or first NaN).
// - argmax/argmin without a dim: the index into the flattened input.
// - var/std divide by max(N - correction, 0) (correction 1: the unbiased estimate).
// - norm: p = 0 counts non-zeros, +-inf take max/min |x|; logsumexp takes the max out first.
// - count_nonzero: int64, over all dims when `dims` is empty.

// norm's string form: p = "fro" (the 2-norm over dims); "nuc" is not implemented.
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
