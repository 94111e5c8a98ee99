#pragma once
// The derivative table's rows for the core ops, as op front ends (ops/) see them: each
// formula's typed state (Note [Typed node state]) and the rows (node name + formula) they
// pass to record() under Note [Recording autograd history], like PyTorch's generated
// Functions.h. The formulas live in derivatives_*.cpp and are written with ember ops, so
// they are differentiable again (create_graph=true gives higher derivatives).
#include <optional>
#include <vector>

#include "ember/autograd/record.h"
#include "ember/core/op_list.h"

namespace ember::autograd {

// ---- elementwise (derivatives_elementwise.cpp) -----------------------------------------
// The op table's rows (core/op_list.h): the node name, the formula and what is saved come
// from the op, at run time, so these two stay functions (Note [Recording autograd history]).
// Callers on hot paths test should_record first (inline), so a tensor without grad pays no
// call.
void record_unary(UnaryOp op, const Tensor& self, const Tensor& result);
void record_binary(BinaryOp op, const Tensor& a, const Tensor& b, const Scalar& alpha, const Tensor& result);
struct UnaryState {
  UnaryOp op;
};
struct BinaryState {
  Scalar alpha;                    // add/sub's multiplier of b
  std::optional<Scalar> exponent;  // pow's exponent when it is a number (Note [Scalar exponents])
};

struct ClampState {
  std::optional<Scalar> min, max;
};
struct ToCopyState {
  ScalarType self_dtype;
};
struct CopyState {
  DimVector src_sizes;
  ScalarType src_dtype;
};
// Saves: self.
extern const Derivative<ClampState> ClampBackward1, ClampMinBackward0, ClampMaxBackward0;
// Inputs and saves: self, min, max (undefined when absent). Note [Clamp with tensor bounds].
extern const Derivative<> ClampBackward0;
// Inputs: condition, a, b. Saves: condition.
extern const Derivative<> WhereBackward0;
// Saves: self.
extern const Derivative<> NanToNumBackward0;
// Recorded only for a floating result.
extern const Derivative<ToCopyState> ToCopyBackward0;
extern const Derivative<> CloneBackward0;
// copy_: inputs self (old value), src. The old value of self gets no gradient; src gets
// the (summed, cast) gradient.
extern const Derivative<CopyState> CopyBackwards;
// fill_: input self (old value), which gets no gradient.
extern const Derivative<> FillBackward0;

// ---- views, cat, flip, repeat (derivatives_views.cpp) -----------------------------------
struct SizesState {
  DimVector self_sizes;
};
struct DimState {
  int64_t dim;  // wrapped
};
struct DimsState {
  DimVector dims;
};
struct TransposeState {
  int64_t dim0, dim1;
};
struct SliceState {
  DimVector self_sizes;
  int64_t dim, start, end, step;
};
struct SelectState {
  DimVector self_sizes;
  int64_t dim, index;
};
struct DiagonalState {
  DimVector self_sizes;
  int64_t offset, dim1, dim2;
};
// The result viewed through (sizes, strides, offset) of an input laid out as
// (self_sizes, self_strides, 0): offset is relative to the input's storage offset.
struct AsStridedState {
  DimVector self_sizes, self_strides, sizes, strides;
  int64_t offset;
};
struct CatState {
  int64_t dim;
  std::vector<DimVector> sizes;  // per input
};
struct RepeatState {
  DimVector self_sizes, repeats;
};
// The gradient reshaped to the input's sizes.
extern const Derivative<SizesState> ViewBackward0, ReshapeAliasBackward0, AliasBackward0, UnsafeViewBackward0;
// squeeze() and squeeze(dim).
extern const Derivative<SizesState> SqueezeBackward0, SqueezeBackward1;
extern const Derivative<SizesState> ExpandBackward0;
extern const Derivative<DimsState> PermuteBackward0;  // dims: the permutation
extern const Derivative<TransposeState> TransposeBackward0;
extern const Derivative<> TBackward0;
extern const Derivative<DimState> UnsqueezeBackward0;
extern const Derivative<SliceState> SliceBackward0;
extern const Derivative<SelectState> SelectBackward0;
// Multi-output views (record_outputs): the gradients of the pieces, zeros where a piece
// got none, concatenated (split) or stacked (unbind) along the dim.
extern const Derivative<DimState> SplitBackward0, SplitWithSizesBackward0, UnbindBackward0;
extern const Derivative<DiagonalState> DiagonalBackward0;
extern const Derivative<AsStridedState> AsStridedBackward0;
extern const Derivative<CatState> CatBackward0;
extern const Derivative<DimState> StackBackward0;
extern const Derivative<DimsState> FlipBackward0;  // dims: the flipped dims
extern const Derivative<RepeatState> RepeatBackward0;

// ---- reductions (derivatives_reduce.cpp) ----------------------------------------------
// dims: the reduced dims as given (not wrapped), ignored when `all` (reduced over every
// dim; the result is 0-dim).
struct ReduceState {
  DimVector self_sizes, dims;
  bool keepdim, all;
};
struct SumState {
  DimVector self_sizes, dims;  // dims empty: all
  bool keepdim;
  ScalarType self_dtype;
};
struct VarStdState {
  DimVector self_sizes, dims;
  bool keepdim, all;
  int64_t correction;
};
struct NormState {
  DimVector self_sizes, dims;
  bool keepdim, all;
  double p;
};
struct IndexedState {
  DimVector self_sizes;
  int64_t dim;  // as given
  bool keepdim;
};
struct ProdDimState {
  DimVector self_sizes;
  int64_t dim;  // wrapped
  bool keepdim;
};
// sum() / sum(dims) / mean() / mean(dims).
extern const Derivative<SumState> SumBackward0, SumBackward1, MeanBackward0, MeanBackward1;
// Saves: result.
extern const Derivative<DimState> SoftmaxBackward0, LogSoftmaxBackward0;
// Saves: self, result. all is false.
extern const Derivative<ReduceState> LogsumexpBackward0;
// amax/amin: the gradient is shared evenly among the extremal elements (PyTorch's rule).
// Saves: self, result.
extern const Derivative<ReduceState> AmaxBackward0, AminBackward0;
// max()/min() of a whole tensor: shared among the elements equal to the result, or among
// the NaNs when the result is NaN. Saves: self, result.
extern const Derivative<> MaxBackward1, MinBackward1;
// Reductions and selections that return indices (max/min with dim, sort, topk): the
// gradient scatters back through the indices. Result: the values. Saves: indices.
extern const Derivative<IndexedState> MaxBackward0, MinBackward0, SortBackward0, TopkBackward0;
// Saves: self, result.
extern const Derivative<VarStdState> VarBackward0, StdBackward0;
// norm() / norm(dims). Saves: self, result.
extern const Derivative<NormState> NormBackward0, NormBackward1;
// prod() / prod(dim). Saves: self, result.
extern const Derivative<> ProdBackward0;
extern const Derivative<ProdDimState> ProdBackward1;
extern const Derivative<DimState> CumsumBackward0;
// Saves: self, result.
extern const Derivative<DimState> CumprodBackward0;

// ---- indexing (derivatives_index.cpp) -------------------------------------------------
struct IndexPutState {
  bool accumulate;
};
struct IndexDimState {
  DimVector self_sizes;
  int64_t dim;
};
struct MaskedFillState {
  ScalarType value_dtype;
};
struct ScatterState {
  int64_t dim;
};
struct IndexAddState {
  int64_t dim;  // wrapped
  Scalar alpha;
  DimVector source_sizes;
};
struct NotImplementedState {
  const char* op;  // "scatter": the message names aten::scatter
};
// Saves: the indices (a list; nullopt for full slices).
extern const Derivative<SizesState> IndexBackward0;
// Inputs: self, values. Saves: the indices.
extern const Derivative<IndexPutState> IndexPutBackward0;
// Saves: index.
extern const Derivative<IndexDimState> IndexSelectBackward0, GatherBackward0;
// masked_fill(self, mask, Scalar): input self; masked_fill(self, mask, Tensor): inputs
// self, the 0-dim value. Saves: mask.
extern const Derivative<> MaskedFillBackward0;
extern const Derivative<MaskedFillState> MaskedFillBackward1;
// Saves: mask.
extern const Derivative<SizesState> MaskedSelectBackward0;
// Inputs: self, index, src (undefined for a Scalar value). Saves: index.
extern const Derivative<ScatterState> ScatterBackward0, ScatterAddBackward0;
// Inputs: self, index, source. Saves: index.
extern const Derivative<IndexAddState> IndexAddBackward0;
// An op without a derivative (PyTorch's NotImplemented node): the result requires grad as
// usual, and backward through it throws "derivative for aten::<op> is not implemented".
extern const Derivative<NotImplementedState> NotImplemented;

// ---- linear algebra (derivatives_linalg.cpp) ------------------------------------------
// Which operands of mm/addmm were column-major (a .t() view of a contiguous matrix, as the
// weight is in linear's x @ W.t()): their gradients are computed transposed so they come
// out in the operand's own layout (PyTorch's mm_mat1/mat2_backward rule).
struct MmState {
  bool mat1_column_major, mat2_column_major;
};
MmState mm_layout(const Tensor& mat1, const Tensor& mat2);
struct AddmmState {
  Scalar beta, alpha;
  MmState layout;
};
// Inputs and saves: mat1, mat2.
extern const Derivative<MmState> MmBackward0;
extern const Derivative<> BmmBackward0;
// Inputs: self, mat1, mat2. Saves: mat1, mat2.
extern const Derivative<AddmmState> AddmmBackward0;
// Inputs and saves: the two operands.
extern const Derivative<> MvBackward0, DotBackward0, VdotBackward0;
struct BetaAlphaState {
  Scalar beta, alpha;
};
// Inputs: self, mat, vec (addmv) / self, batch1, batch2 (baddbmm). Saves: the last two.
extern const Derivative<BetaAlphaState> AddmvBackward0, BaddbmmBackward0;

// Note [One instantiation per state] (record.h): instantiated in derivatives_*.cpp.
EMBER_EXTERN_RECORD(NoState);
EMBER_EXTERN_RECORD(UnaryState);
EMBER_EXTERN_RECORD(BinaryState);
EMBER_EXTERN_RECORD(ClampState);
EMBER_EXTERN_RECORD(ToCopyState);
EMBER_EXTERN_RECORD(CopyState);
EMBER_EXTERN_RECORD(SizesState);
EMBER_EXTERN_RECORD(DimState);
EMBER_EXTERN_RECORD_LIST(DimState);
EMBER_EXTERN_RECORD(DimsState);
EMBER_EXTERN_RECORD(TransposeState);
EMBER_EXTERN_RECORD(SliceState);
EMBER_EXTERN_RECORD(SelectState);
EMBER_EXTERN_RECORD(DiagonalState);
EMBER_EXTERN_RECORD(AsStridedState);
EMBER_EXTERN_RECORD_LIST(CatState);
EMBER_EXTERN_RECORD(RepeatState);
EMBER_EXTERN_RECORD(ReduceState);
EMBER_EXTERN_RECORD(SumState);
EMBER_EXTERN_RECORD(VarStdState);
EMBER_EXTERN_RECORD(NormState);
EMBER_EXTERN_RECORD(IndexedState);
EMBER_EXTERN_RECORD(ProdDimState);
EMBER_EXTERN_RECORD(IndexPutState);
EMBER_EXTERN_RECORD(IndexDimState);
EMBER_EXTERN_RECORD(MaskedFillState);
EMBER_EXTERN_RECORD(ScatterState);
EMBER_EXTERN_RECORD(IndexAddState);
EMBER_EXTERN_RECORD(NotImplementedState);
EMBER_EXTERN_RECORD(MmState);
EMBER_EXTERN_RECORD(AddmmState);
EMBER_EXTERN_RECORD(BetaAlphaState);

// Note [Masked gradients]
// A gradient that flows only where a condition holds is where(mask, grad, 0), never
// grad * mask: an infinite incoming gradient times a 0 mask is NaN, where PyTorch's masked
// formulas give 0.
Tensor masked_grad(const Tensor& mask, const Tensor& grad);

// Differentiable backward helpers (their own backward is the forward view).
Tensor select_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t dim, int64_t index);
Tensor slice_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t dim, int64_t start, int64_t end,
                      int64_t step);
Tensor diagonal_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t offset, int64_t d1, int64_t d2);

}  // namespace ember::autograd
