#pragma once
// The op table, reduction and scan families. See Note [Reduction table].
#include <cstdint>

// Note [Reduction table]
// EMBER_REDUCTION_OPS(X): X(name, signature, dtype rule, out form, node, dim node, all args, dim args)
// one row per public reduction or scan ember::name. From the rows come the declarations in
// ops/reduce.h, the Tensor methods (core/tensor.h, defined in ops/reduce.cpp), the Python
// bindings (python/src/bind_reductions.cpp), and the table-driven tests: a float64 gradcheck
// and gradgradcheck of every differentiable row (tests/cpp/test_op_table.cpp) and a forward
// (float32, float64, int64, bool inputs; contiguous, transposed and stepped layouts; NaN and
// infinities), gradient and grad_fn comparison with LibTorch (tests/diff/test_op_table_diff.cpp),
// counted in the coverage report.
//
// - signature: the C++ overload set, which also fixes the Python signature:
//     DIMS_KEEPDIM_DTYPE  name(x, dtype?) and name(x, IntArrayRef dims, keepdim=false, dtype?)
//                         Python: name(input, dim=None, keepdim=False, *, dtype=None)
//     DIM_KEEPDIM_DTYPE   name(x, dtype?) and name(x, int64 dim, keepdim=false, dtype?)
//                         Python: name(input, dim=None, keepdim=False, *, dtype=None)
//     DIMS_KEEPDIM        name(x, IntArrayRef dims = {}, keepdim=false) (empty: all dims)
//                         Python: name(input, dim=(), keepdim=False)
//     DIMS_REQUIRED       name(x, IntArrayRef dims, keepdim=false)
//                         Python: name(input, dim, keepdim=False)
//     VALUES_INDICES      name(x) and name(x, int64 dim, keepdim=false) -> (values, indices)
//                         Python: name(input) / name(input, dim, keepdim=False) -> a named tuple;
//                         name(input, other) is the binary maximum/minimum, as in torch
//     OPTDIM_KEEPDIM      name(x, optional<int64> dim = nullopt, keepdim=false)
//                         Python: name(input, dim=None, keepdim=False)
//     CORRECTION          name(x, OptionalIntArrayRef dims = nullopt, int64 correction=1, keepdim=false)
//                         Python: name(input, dim=None, unbiased=True, keepdim=False, *, correction=None)
//     NORM                name(x, Scalar p = 2) and name(x, Scalar p, IntArrayRef dims, keepdim=false)
//                         (and the "fro"/"nuc" string form, hand-written in ops/reduce.h)
//                         Python: name(input, p='fro', dim=None, keepdim=False, dtype=None)
//     LOGICAL             name(x) and name(x, int64 dim, keepdim=false)
//                         Python: name(input, dim=None, keepdim=False)
//     COUNT               name(x, IntArrayRef dims = {})    Python: name(input, dim=None)
//     SCAN                name(x, int64 dim, dtype?)        Python: name(input, dim, *, dtype=None)
// - dtype rule (documented for users and the tests; the front ends implement them):
//     SUM_DTYPE    integers and bool accumulate in int64 unless dtype is given
//     FLOAT_ONLY   floating input (or a floating dtype=) required
//     KEEP         the input's dtype
//     PROMOTE_FLOAT integers become the default float dtype
//     INDEX        int64 result
//     BOOL_RESULT  bool result (uint8 for uint8 input)
// - out form: OUT (name_out(out, ...) exists) or NO_OUT.
// - node, dim node: PyTorch's grad_fn name for the all-dims form and for the dim form (the
//   Derivative rows of autograd/derivatives.h with these names are what the front ends
//   record; the tests check each against LibTorch's), or none when not differentiable.
// - all args, dim args: the arguments after x that the generated tests pass to the two forms
//   (the same text calls ember::name and torch::name).
// Sort, argsort and topk stay hand-written beside the table: their results are permutations
// (values plus indices from one sort), so they share no signature class with the rows, and
// softmax/log_softmax are in the activation family's header (ops/reduce.h) for the same
// reason. Adding a reduction is one row here, its front end in ops/reduce.cpp (or a
// composite of the kernel reductions), its derivative row, and a sample in the test specs.
#define EMBER_REDUCTION_OPS(X)                                                                                     \
  X(sum, DIMS_KEEPDIM_DTYPE, SUM_DTYPE, OUT, SumBackward0, SumBackward1, (), (std::vector<int64_t>{1}, true))     \
  X(mean, DIMS_KEEPDIM_DTYPE, FLOAT_ONLY, OUT, MeanBackward0, MeanBackward1, (), (std::vector<int64_t>{0}, false)) \
  X(prod, DIM_KEEPDIM_DTYPE, SUM_DTYPE, OUT, ProdBackward0, ProdBackward1, (), (1, true))                         \
  X(amax, DIMS_KEEPDIM, KEEP, OUT, AmaxBackward0, AmaxBackward0, (), (std::vector<int64_t>{-1}, true))            \
  X(amin, DIMS_KEEPDIM, KEEP, OUT, AminBackward0, AminBackward0, (), (std::vector<int64_t>{0}, false))            \
  X(max, VALUES_INDICES, KEEP, OUT, MaxBackward1, MaxBackward0, (), (1, false))                                   \
  X(min, VALUES_INDICES, KEEP, OUT, MinBackward1, MinBackward0, (), (0, true))                                    \
  X(argmax, OPTDIM_KEEPDIM, INDEX, NO_OUT, none, none, (), (1, true))                                             \
  X(argmin, OPTDIM_KEEPDIM, INDEX, NO_OUT, none, none, (), (0, false))                                            \
  X(var, CORRECTION, FLOAT_ONLY, NO_OUT, VarBackward0, VarBackward0, (), (std::vector<int64_t>{1}, 0, true))      \
  X(std, CORRECTION, FLOAT_ONLY, NO_OUT, StdBackward0, StdBackward0, (), (std::vector<int64_t>{0}, 1, false))     \
  X(norm, NORM, FLOAT_ONLY, NO_OUT, NormBackward0, NormBackward1, (), (3, std::vector<int64_t>{1}, true))          \
  X(logsumexp, DIMS_REQUIRED, PROMOTE_FLOAT, OUT, LogsumexpBackward0, LogsumexpBackward0,                         \
    (std::vector<int64_t>{0, 1}), (std::vector<int64_t>{1}, true))                                                \
  X(all, LOGICAL, BOOL_RESULT, NO_OUT, none, none, (), (1, true))                                                 \
  X(any, LOGICAL, BOOL_RESULT, NO_OUT, none, none, (), (0, false))                                                \
  X(count_nonzero, COUNT, INDEX, NO_OUT, none, none, (), (std::vector<int64_t>{1}))                               \
  X(cumsum, SCAN, SUM_DTYPE, OUT, CumsumBackward0, CumsumBackward0, (0), (1))                                     \
  X(cumprod, SCAN, SUM_DTYPE, OUT, CumprodBackward0, CumprodBackward0, (1), (0))

// The Tensor methods of each signature class (declared in core/tensor.h, defined in
// ops/reduce.cpp as forwards to the free functions), so the rows make the methods too.
#define EMBER_RED_METHOD_DIMS_KEEPDIM_DTYPE(name, Q, DEF)                                              \
  Tensor Q name(std::optional<ScalarType> dtype DEF(= std::nullopt)) const                            \
      EMBER_RED_BODY(DEF, name, (*this, dtype))                                                     \
  Tensor Q name(IntArrayRef dims, bool keepdim DEF(= false), std::optional<ScalarType> dtype DEF(= std::nullopt)) const \
      EMBER_RED_BODY(DEF, name, (*this, dims, keepdim, dtype))
#define EMBER_RED_METHOD_DIM_KEEPDIM_DTYPE(name, Q, DEF)                                               \
  Tensor Q name(std::optional<ScalarType> dtype DEF(= std::nullopt)) const                            \
      EMBER_RED_BODY(DEF, name, (*this, dtype))                                                     \
  Tensor Q name(int64_t d, bool keepdim DEF(= false), std::optional<ScalarType> dtype DEF(= std::nullopt)) const \
      EMBER_RED_BODY(DEF, name, (*this, d, keepdim, dtype))
#define EMBER_RED_METHOD_DIMS_KEEPDIM(name, Q, DEF) \
  Tensor Q name(IntArrayRef dims DEF(= {}), bool keepdim DEF(= false)) const EMBER_RED_BODY(DEF, name, (*this, dims, keepdim))
#define EMBER_RED_METHOD_DIMS_REQUIRED(name, Q, DEF) \
  Tensor Q name(IntArrayRef dims, bool keepdim DEF(= false)) const EMBER_RED_BODY(DEF, name, (*this, dims, keepdim))
#define EMBER_RED_METHOD_VALUES_INDICES(name, Q, DEF)                      \
  Tensor Q name() const EMBER_RED_BODY(DEF, name, (*this))                \
  std::tuple<Tensor, Tensor> Q name(int64_t d, bool keepdim DEF(= false)) const EMBER_RED_BODY(DEF, name, (*this, d, keepdim))
#define EMBER_RED_METHOD_OPTDIM_KEEPDIM(name, Q, DEF)                                        \
  Tensor Q name(std::optional<int64_t> d DEF(= std::nullopt), bool keepdim DEF(= false)) const \
      EMBER_RED_BODY(DEF, name, (*this, d, keepdim))
#define EMBER_RED_METHOD_CORRECTION(name, Q, DEF)                                                             \
  Tensor Q name(OptionalIntArrayRef dims DEF(= std::nullopt), int64_t correction DEF(= 1), bool keepdim DEF(= false)) \
      const EMBER_RED_BODY(DEF, name, (*this, dims, correction, keepdim))
#define EMBER_RED_METHOD_NORM(name, Q, DEF)                                   \
  Tensor Q name(const Scalar& p DEF(= 2)) const EMBER_RED_BODY(DEF, name, (*this, p)) \
  Tensor Q name(const Scalar& p, IntArrayRef dims, bool keepdim DEF(= false)) const    \
      EMBER_RED_BODY(DEF, name, (*this, p, dims, keepdim))
#define EMBER_RED_METHOD_LOGICAL(name, Q, DEF)             \
  Tensor Q name() const EMBER_RED_BODY(DEF, name, (*this)) \
  Tensor Q name(int64_t d, bool keepdim DEF(= false)) const EMBER_RED_BODY(DEF, name, (*this, d, keepdim))
#define EMBER_RED_METHOD_COUNT(name, Q, DEF) \
  Tensor Q name(IntArrayRef dims DEF(= {})) const EMBER_RED_BODY(DEF, name, (*this, dims))
#define EMBER_RED_METHOD_SCAN(name, Q, DEF)                                                        \
  Tensor Q name(int64_t d, std::optional<ScalarType> dtype DEF(= std::nullopt)) const            \
      EMBER_RED_BODY(DEF, name, (*this, d, dtype))
// Q is empty in the class and `Tensor::` outside it; DEF is EMBER_RED_DECLARE (defaults kept,
// `;` for a body) or EMBER_RED_DEFINE (defaults dropped, a body forwarding to ember::name).
#define EMBER_RED_DECLARE(...) __VA_ARGS__
#define EMBER_RED_DEFINE(...)
#define EMBER_RED_BODY(DEF, name, args) EMBER_RED_BODY_##DEF(name, args)
#define EMBER_RED_BODY_EMBER_RED_DECLARE(name, args) ;
#define EMBER_RED_BODY_EMBER_RED_DEFINE(name, args) \
  { return ::ember::name args; }

// `EMBER_COMMA_ARGS args` with args a parenthesised, possibly empty list: `, a, b` or nothing
// (for calls `f(x EMBER_COMMA_ARGS all_args)` built from the rows).
#define EMBER_COMMA_ARGS(...) __VA_OPT__(, __VA_ARGS__)

namespace ember {

enum class ReductionOp : uint8_t {
#define EMBER_X(name, ...) name,
  EMBER_REDUCTION_OPS(EMBER_X)
#undef EMBER_X
};

constexpr int kNumReductionOps = 0
#define EMBER_X(name, ...) +1
    EMBER_REDUCTION_OPS(EMBER_X)
#undef EMBER_X
    ;

constexpr const char* op_name(ReductionOp op) {
  switch (op) {
#define EMBER_X(name, ...) \
  case ReductionOp::name: return #name;
    EMBER_REDUCTION_OPS(EMBER_X)
#undef EMBER_X
  }
  return "?";
}

namespace detail {
// The node column's text, "" for `none`.
constexpr const char* reduction_node_text(const char* s) {
  return (s[0] == 'n' && s[1] == 'o' && s[2] == 'n' && s[3] == 'e' && s[4] == 0) ? "" : s;
}
}  // namespace detail

// PyTorch's grad_fn names of the all-dims and the dim form ("" when not differentiable).
constexpr const char* backward_node_name(ReductionOp op, bool dim_form) {
  switch (op) {
#define EMBER_X(name, sig, rule, out, node, dim_node, ...) \
  case ReductionOp::name: return detail::reduction_node_text(dim_form ? #dim_node : #node);
    EMBER_REDUCTION_OPS(EMBER_X)
#undef EMBER_X
  }
  return "";
}

}  // namespace ember
