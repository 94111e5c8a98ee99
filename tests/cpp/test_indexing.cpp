// Indexing: TensorIndex subscripts, index/index_put_, index_select, gather, scatter*,
// index_add, masked_*, nonzero, where(condition); every error with PyTorch's wording.
#include <gtest/gtest.h>

#include <string>

#include <ember/ember.h>

using namespace ember;
using namespace ember::indexing;

namespace {

// Expects `stmt` to throw exactly ErrType (not a subclass of it) with `msg` in its text.
#define EXPECT_ERROR(stmt, ErrType, msg)                                                         \
  do {                                                                                           \
    try {                                                                                        \
      stmt;                                                                                      \
      ADD_FAILURE() << "expected " #ErrType ": " << (msg);                                       \
    } catch (const ErrType& e) {                                                                 \
      EXPECT_TRUE(typeid(e) == typeid(ErrType)) << "wrong error type for: " << e.what();         \
      EXPECT_NE(std::string(e.what()).find(msg), std::string::npos) << "message: " << e.what();  \
    }                                                                                            \
  } while (0)

Tensor grid() { return arange(24, kFloat32).view({2, 3, 4}); }
std::vector<int64_t> dims(const Tensor& t) { return std::vector<int64_t>(t.sizes().begin(), t.sizes().end()); }
using Dims = std::vector<int64_t>;
// Sum of all elements (the reduction ops live elsewhere; this test needs only this).
double total(const Tensor& t) {
  Tensor c = t.to(kFloat64).contiguous();
  double s = 0;
  for (int64_t i = 0; i < c.numel(); ++i) s += c.data_ptr<double>()[i];
  return s;
}

}  // namespace

TEST(Indexing, IntegersAndSlicesAreViews) {
  Tensor x = grid();
  Tensor a = x.index({1});
  EXPECT_EQ(dims(a), (Dims{3, 4}));
  EXPECT_EQ(a.storage().get(), x.storage().get());
  EXPECT_FLOAT_EQ(x.index({1, 2, 3}).item<float>(), 23.f);
  EXPECT_FLOAT_EQ(x.index({-1, -1, -1}).item<float>(), 23.f);
  Tensor s = x.index({Slice(), Slice(1, None), Slice(None, None, 2)});
  EXPECT_EQ(dims(s), (Dims{2, 2, 2}));
  EXPECT_FLOAT_EQ(s.index({1, 0, 1}).item<float>(), 12 + 4 + 2);
  EXPECT_EQ(dims(x.index({Slice(-2, -1)})), (Dims{1, 3, 4}));
  EXPECT_EQ(dims(x.index({Slice(5, None)})), (Dims{0, 3, 4}));
  // Writing through the view changes x.
  s.fill_(-1);
  EXPECT_FLOAT_EQ(x.index({0, 1, 0}).item<float>(), -1.f);
}

TEST(Indexing, NoneEllipsisAndBools) {
  Tensor x = grid();
  EXPECT_EQ(dims(x.index({None})), (Dims{1, 2, 3, 4}));
  EXPECT_EQ(dims(x.index({Ellipsis, None})), (Dims{2, 3, 4, 1}));
  EXPECT_EQ(dims(x.index({"...", 0})), (Dims{2, 3}));
  EXPECT_EQ(dims(x.index({0, Ellipsis, None, 1})), (Dims{3, 1}));
  EXPECT_EQ(dims(x.index({Slice(), None, Ellipsis, Slice(1, 2)})), (Dims{2, 1, 3, 1}));
  Tensor e = x.index({Ellipsis});
  EXPECT_FALSE(e.is_same(x));
  EXPECT_EQ(e.storage().get(), x.storage().get());
  EXPECT_EQ(dims(x.index({true})), (Dims{1, 2, 3, 4}));
  EXPECT_EQ(dims(x.index({false})), (Dims{0, 2, 3, 4}));
  EXPECT_EQ(dims(x.index({0, true})), (Dims{1, 3, 4}));
  // 0-dim integer tensors act as integers, 0-dim bool tensors as bools.
  EXPECT_EQ(dims(x.index({tensor(1), tensor(2)})), (Dims{4}));
  EXPECT_FLOAT_EQ(x.index({tensor(1), tensor(2), 0}).item<float>(), 20.f);
  EXPECT_EQ(dims(x.index({tensor(true)})), (Dims{1, 2, 3, 4}));
  EXPECT_EQ(dims(x.index({Slice(), tensor(false)})), (Dims{2, 0, 3, 4}));
}

TEST(Indexing, AdvancedIntegerTensors) {
  Tensor x = grid();
  Tensor idx = tensor({1, 0, 1});
  Tensor r = x.index({idx});
  EXPECT_EQ(dims(r), (Dims{3, 3, 4}));
  EXPECT_TRUE(r.index({0}).equal(x.index({1})));
  EXPECT_NE(r.storage().get(), x.storage().get());
  // Adjacent advanced indices: the broadcast dims go in their place.
  Tensor a = x.index({Slice(), tensor({2, 0}), tensor({3, -1})});
  EXPECT_EQ(dims(a), (Dims{2, 2}));
  EXPECT_FLOAT_EQ(a.index({1, 0}).item<float>(), 12 + 8 + 3);
  // Separated: they go first.
  Tensor s = x.index({tensor({1, 0}), Slice(), tensor({0, 3})});
  EXPECT_EQ(dims(s), (Dims{2, 3}));
  EXPECT_FLOAT_EQ(s.index({0, 2}).item<float>(), 12 + 8 + 0);
  EXPECT_FLOAT_EQ(s.index({1, 1}).item<float>(), 0 + 4 + 3);
  // Broadcasting index tensors.
  Tensor b = x.index({0, tensor({{0}, {2}}), tensor({1, 2, 3})});
  EXPECT_EQ(dims(b), (Dims{2, 3}));
  EXPECT_FLOAT_EQ(b.index({1, 2}).item<float>(), 8 + 3);
  // int32 index tensors and negative values.
  Tensor i32 = tensor({-1, 0}).to(kInt32);
  EXPECT_FLOAT_EQ(x.index({1, 1, i32}).index({0}).item<float>(), 12 + 4 + 3);
  // Empty index tensor.
  EXPECT_EQ(dims(x.index({Slice(), empty({0}, kLong)})), (Dims{2, 0, 4}));
}

TEST(Indexing, BooleanMasks) {
  Tensor x = grid();
  Tensor m = x.gt(20);
  Tensor r = x.index({m});
  EXPECT_EQ(dims(r), (Dims{3}));
  EXPECT_FLOAT_EQ(r.index({0}).item<float>(), 21.f);
  Tensor row = tensor({true, false, true});
  EXPECT_EQ(dims(x.index({Slice(), row})), (Dims{2, 2, 4}));
  EXPECT_FLOAT_EQ(x.index({Slice(), row}).index({1, 1, 0}).item<float>(), 12 + 8);
  // A 2-d mask over dims 1-2, then the dims after it.
  Tensor m2 = ones({3, 4}, kBool);
  EXPECT_EQ(dims(x.index({Slice(), m2})), (Dims{2, 12}));
  EXPECT_EQ(dims(x.index({tensor({false, false})})), (Dims{0, 3, 4}));
  // uint8 masks are masks too.
  EXPECT_EQ(dims(x.index({tensor({1, 0}).to(kUInt8)})), (Dims{1, 3, 4}));
  // Free function with ATen's optional list.
  EXPECT_EQ(dims(index(x, {std::nullopt, row})), (Dims{2, 2, 4}));
}

TEST(Indexing, IndexPut) {
  Tensor x = zeros({3, 4});
  uint32_t v0 = x._version();
  x.index_put_({x.eq(0)}, 0.5);
  EXPECT_GT(x._version(), v0);
  EXPECT_FLOAT_EQ(total(x), 6.f);
  x.index_put_({1}, tensor({1.0, 2.0, 3.0, 4.0}));
  EXPECT_FLOAT_EQ(x.index({1, 3}).item<float>(), 4.f);
  x.index_put_({Slice(), 0}, 7);
  EXPECT_FLOAT_EQ(x.index({2, 0}).item<float>(), 7.f);
  // Broadcast value through advanced indices.
  x.index_put_({tensor({0, 2})}, tensor({9.f, 8.f, 7.f, 6.f}));
  EXPECT_FLOAT_EQ(x.index({2, 1}).item<float>(), 8.f);
  // Value with leading unit dims.
  x.index_put_({tensor({0})}, full({1, 1, 4}, 3.f));
  EXPECT_FLOAT_EQ(x.index({0, 3}).item<float>(), 3.f);
  // Accumulate sums duplicates.
  Tensor y = zeros({4});
  index_put_(y, {tensor({1, 1, 3, 1})}, tensor({1.f, 2.f, 3.f, 4.f}), true);
  EXPECT_FLOAT_EQ(y.index({1}).item<float>(), 7.f);
  EXPECT_FLOAT_EQ(y.index({3}).item<float>(), 3.f);
  Tensor z = index_put(y, {tensor({0})}, tensor({5.f}));
  EXPECT_FLOAT_EQ(z.index({0}).item<float>(), 5.f);
  EXPECT_FLOAT_EQ(y.index({0}).item<float>(), 0.f);
  // A value that aliases self is read before it is overwritten.
  Tensor w = arange(4, kFloat32);
  w.index_put_({tensor({3, 2, 1, 0})}, w);
  EXPECT_FLOAT_EQ(w.index({0}).item<float>(), 3.f);
}

TEST(Indexing, Errors) {
  Tensor x = zeros({3, 4});
  EXPECT_ERROR(x.index({5}), IndexError, "index 5 is out of bounds for dimension 0 with size 3");
  EXPECT_ERROR(x.index({Slice(), 4}), IndexError, "index 4 is out of bounds for dimension 1 with size 4");
  EXPECT_ERROR(x.index({tensor({5})}), IndexError, "index 5 is out of bounds for dimension 0 with size 3");
  EXPECT_ERROR(x.index({tensor({0}), tensor({-5})}), IndexError, "index -5 is out of bounds for dimension 1 with size 4");
  EXPECT_ERROR(x.index_put_({tensor({3})}, 1.0), IndexError, "index 3 is out of bounds for dimension 0 with size 3");
  EXPECT_ERROR(zeros({4}).index({tensor({true, false, true})}), IndexError,
               "The shape of the mask [3] at index 0 does not match the shape of the indexed tensor [4] at index 0");
  EXPECT_ERROR(x.index({Slice(), tensor({true, false})}), IndexError,
               "The shape of the mask [2] at index 0 does not match the shape of the indexed tensor [3, 4] at index 1");
  EXPECT_ERROR(x.index({0, 0, 0}), IndexError, "too many indices for tensor of dimension 2");
  EXPECT_ERROR(x.index({ones({3, 4, 1}, kBool)}), IndexError, "too many indices for tensor of dimension 2");
  EXPECT_ERROR(index(x, {tensor({0}), tensor({0}), tensor({0})}), IndexError,
               "too many indices for tensor of dimension 2 (got 3)");
  EXPECT_ERROR(x.index({tensor({1.0})}), IndexError, "tensors used as indices must be long, int, byte or bool tensors");
  EXPECT_ERROR(x.index({tensor({1}).to(kInt16)}), IndexError, "tensors used as indices must be long, int, byte or bool");
  EXPECT_ERROR(x.index({tensor({0, 1}), tensor({0, 1, 2})}), IndexError,
               "shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]");
  EXPECT_ERROR(zeros({0, 3}).index({tensor({0})}), IndexError, "index is out of bounds for dimension with size 0");
  EXPECT_ERROR(Slice(0, 3, 0), ValueError, "slice step cannot be zero");
  EXPECT_ERROR(x.index({Slice(None, None, -1)}), ValueError, "step must be greater than zero");
  EXPECT_ERROR(x.index({".."}), ValueError, "Expected \"...\" to represent an ellipsis index, but got \"..\"");
  EXPECT_ERROR(x.index({Ellipsis, Ellipsis}), IndexError, "an index can only have a single ellipsis ('...')");
  EXPECT_ERROR(zeros({}).index({0}), IndexError, "invalid index of a 0-dim tensor");
  EXPECT_ERROR(zeros({}).index({tensor({0})}), IndexError, "too many indices for tensor of dimension 0");
  EXPECT_ERROR(x.index_put_({tensor({1})}, ones({2})), Error,
               "shape mismatch: value tensor of shape [2] cannot be broadcast to indexing result of shape [1, 4]");
  EXPECT_ERROR(x.index_put_({tensor({1})}, ones({4}, kFloat64)), Error,
               "Index put requires the source and destination dtypes match, got Float for the destination and "
               "Double for the source.");
  Tensor expanded = zeros({1}).expand({3});
  EXPECT_ERROR(expanded.index_put_({tensor({0})}, 1.0), Error, "unsupported operation");
  // Nothing was read or written out of bounds, and x is untouched.
  EXPECT_FLOAT_EQ(total(x.abs()), 0.f);
}

TEST(IndexOps, IndexSelect) {
  Tensor x = grid();
  Tensor r = x.index_select(1, tensor({2, 0, 2}));
  EXPECT_EQ(dims(r), (Dims{2, 3, 4}));
  EXPECT_FLOAT_EQ(r.index({1, 0, 3}).item<float>(), 12 + 8 + 3);
  EXPECT_EQ(dims(x.index_select(-1, tensor(3))), (Dims{2, 3, 1}));
  EXPECT_EQ(dims(x.index_select(0, empty({0}, kInt32))), (Dims{0, 3, 4}));
  EXPECT_FLOAT_EQ(scalar_tensor(4.0).index_select(0, tensor({0})).item<float>(), 4.f);
  EXPECT_EQ(scalar_tensor(4.0).index_select(0, tensor({0})).dim(), 0);
  EXPECT_ERROR(x.index_select(0, tensor({{0}})), IndexError, "index_select(): Index is supposed to be a vector");
  EXPECT_ERROR(x.index_select(0, tensor({0.0})), Error, "index_select(): Expected dtype int32 or int64 for index");
  EXPECT_ERROR(x.index_select(0, tensor({2})), IndexError, "index out of range in self");
  EXPECT_ERROR(x.index_select(0, tensor({-1})), IndexError, "index out of range in self");
  EXPECT_ERROR(x.index_select(3, tensor({0})), IndexError, "Dimension out of range");
}

TEST(IndexOps, Gather) {
  Tensor x = arange(12, kFloat32).view({3, 4});
  Tensor g = x.gather(1, tensor({{3, 0}, {1, 1}}));
  EXPECT_EQ(dims(g), (Dims{2, 2}));
  EXPECT_FLOAT_EQ(g.index({0, 0}).item<float>(), 3.f);
  EXPECT_FLOAT_EQ(g.index({1, 1}).item<float>(), 5.f);
  Tensor g0 = x.t().gather(0, tensor({{2, 0, 1}}));
  EXPECT_FLOAT_EQ(g0.index({0, 1}).item<float>(), 4.f);
  EXPECT_EQ(dims(x.gather(0, empty({0, 4}, kLong))), (Dims{0, 4}));
  EXPECT_FLOAT_EQ(scalar_tensor(2.0).gather(0, tensor(0)).item<float>(), 2.f);
  EXPECT_ERROR(x.gather(1, tensor({{5}})), Error, "index 5 is out of bounds for dimension 1 with size 4");
  EXPECT_ERROR(x.gather(1, tensor({{-1}})), Error, "index -1 is out of bounds for dimension 1 with size 4");
  EXPECT_ERROR(x.gather(1, tensor({{1}}).to(kInt32)), Error, "gather(): Expected dtype int64 for index");
  EXPECT_ERROR(x.gather(1, tensor({1})), Error, "Index tensor must have the same number of dimensions as input tensor");
  EXPECT_ERROR(x.gather(1, zeros({4, 1}, kLong)), Error,
               "Size does not match at dimension 0 expected index [4, 1] to be smaller than self [3, 4] apart from "
               "dimension 1");
}

TEST(IndexOps, Scatter) {
  Tensor x = zeros({3, 4});
  uint32_t v0 = x._version();
  Tensor idx = tensor({{0, 2}, {1, 0}});
  Tensor src = arange(1, 5, kFloat32).view({2, 2});
  x.scatter_(1, idx, src);
  EXPECT_GT(x._version(), v0);
  EXPECT_FLOAT_EQ(x.index({0, 2}).item<float>(), 2.f);
  EXPECT_FLOAT_EQ(x.index({1, 0}).item<float>(), 4.f);
  Tensor y = zeros({3, 4}).scatter(0, tensor({{2, 1, 0, 2}}), 5.0);
  EXPECT_FLOAT_EQ(total(y), 20.f);
  EXPECT_FLOAT_EQ(y.index({2, 3}).item<float>(), 5.f);
  Tensor a = ones({3}).scatter_add(0, tensor({0, 0, 2, 0}), tensor({1.f, 2.f, 3.f, 4.f}));
  EXPECT_FLOAT_EQ(a.index({0}).item<float>(), 8.f);
  EXPECT_FLOAT_EQ(a.index({2}).item<float>(), 4.f);
  Tensor m = full({3}, 2.f);
  scatter_(m, 0, tensor({1, 1}), tensor({3.f, 5.f}), "multiply");
  EXPECT_FLOAT_EQ(m.index({1}).item<float>(), 30.f);
  Tensor s = scatter(ones({2}), 0, tensor({0, 0}), 2.0, "add");
  EXPECT_FLOAT_EQ(s.index({0}).item<float>(), 5.f);
  // Integer accumulation wraps around instead of overflowing.
  Tensor i8 = full({1}, 120, kInt8).scatter_add(0, tensor({0}), full({1}, 10, kInt8));
  EXPECT_EQ(i8.item<int64_t>(), -126);
  // Deterministic and parallel: many fibers, many duplicates.
  Tensor big = zeros({64, 1000});
  Tensor bidx = zeros({64, 4000}, kLong);
  big.scatter_add_(1, bidx, ones({64, 4000}));
  EXPECT_DOUBLE_EQ(total(big.index({Slice(), 0})), 64 * 4000.0);
  EXPECT_DOUBLE_EQ(total(big), 64 * 4000.0);

  EXPECT_ERROR(zeros({3, 4}).scatter(0, tensor({{0}}), ones({1, 1}, kFloat64)), Error,
               "scatter(): Expected self.dtype to be equal to src.dtype");
  EXPECT_ERROR(zeros({3, 4}).scatter_add(0, tensor({{0}}), ones({1, 1}, kFloat64)), Error,
               "scatter(): Expected self.dtype to be equal to src.dtype");  // PyTorch's text
  EXPECT_ERROR(zeros({3, 4}).scatter(0, tensor({{5}}), 1.0), Error, "index 5 is out of bounds for dimension 0 with size 3");
  EXPECT_ERROR(zeros({3, 4}).scatter_add(1, tensor({{-1}}), ones({1, 1})), Error,
               "index -1 is out of bounds for dimension 1 with size 4");
  EXPECT_ERROR(zeros({3, 4}).scatter(1, tensor({{0}}).to(kInt32), 1.0), Error, "scatter(): Expected dtype int64 for index");
  EXPECT_ERROR(zeros({3, 4}).scatter(1, tensor({{{0}}}), 1.0), Error,
               "Index tensor must have the same number of dimensions as self tensor");
  EXPECT_ERROR(zeros({3, 4}).scatter(1, tensor({{0}}), ones({1})), Error,
               "Index tensor must have the same number of dimensions as src tensor");
  EXPECT_ERROR(zeros({3, 4}).scatter(1, zeros({4, 1}, kLong), ones({3, 1})), Error,
               "Expected index [4, 1] to be smaller than self [3, 4] apart from dimension 1 and to be smaller size "
               "than src [3, 1]");
  EXPECT_ERROR(zeros({3, 4}).scatter(1, zeros({4, 1}, kLong), 1.0), Error,
               "Expected index [4, 1] to be smaller than self [3, 4] apart from dimension 1");
  EXPECT_ERROR(scatter(zeros({3}), 0, tensor({0}), 1.0, "max"), Error, "reduce argument must be either add or multiply.");
  EXPECT_ERROR(zeros({1}).expand({3}).scatter_(0, tensor({0}), 1.0), Error, "unsupported operation");
}

TEST(IndexOps, IndexAdd) {
  Tensor x = zeros({3, 2});
  uint32_t v0 = x._version();
  x.index_add_(0, tensor({2, 0, 2}), ones({3, 2}), 2);
  EXPECT_GT(x._version(), v0);
  EXPECT_FLOAT_EQ(x.index({2, 1}).item<float>(), 4.f);
  EXPECT_FLOAT_EQ(x.index({1, 1}).item<float>(), 0.f);
  Tensor y = zeros({2, 3}).index_add(1, tensor({1}).to(kInt32), full({2, 1}, 1.5f));
  EXPECT_FLOAT_EQ(y.index({1, 1}).item<float>(), 1.5f);
  Tensor i = zeros({2}, kInt64).index_add(0, tensor({1, 1}), tensor({3, 4}), 2);
  EXPECT_EQ(i.index({1}).item<int64_t>(), 14);
  EXPECT_ERROR(x.index_add(0, tensor({{0}}), ones({1, 2})), IndexError,
               "index_add_(): Index is supposed to be a vector, but got dim: 2 with type: Long and size: [1, 1]");
  EXPECT_ERROR(x.index_add(0, tensor({0.}), ones({1, 2})), Error,
               "index_add_(): Expected dtype int32/int64 for index but got: Float");
  EXPECT_ERROR(x.index_add(0, tensor({0}), ones({1, 2}, kFloat64)), Error,
               "index_add_(): self (Float) and source (Double) must have the same scalar type");
  EXPECT_ERROR(x.index_add(0, tensor({0, 1}), ones({1, 2})), Error,
               "index_add_(): Number of indices (2) should be equal to source.size(dim): (1), for dim: 0");
  EXPECT_ERROR(x.index_add(0, tensor({3}), ones({1, 2})), IndexError, "index out of range in self");
  EXPECT_ERROR(x.index_add(0, tensor({-1}), ones({1, 2})), IndexError, "index out of range in self");
  EXPECT_ERROR(x.index_add(0, tensor({0}), ones({1, 3})), Error, "must have the same size apart from dimension 0");
  // A floating alpha on an integer tensor is converted to the integer type first (PyTorch
  // 1.13 accepts it: 2.7 acts as 2), unlike add's alpha, which refuses it.
  Tensor ia = zeros({2}, kInt64).index_add(0, tensor({0, 1}), tensor({5, 4}), 2.7);
  EXPECT_EQ(ia[0].item<int64_t>(), 10);
  EXPECT_EQ(ia[1].item<int64_t>(), 8);
}

TEST(IndexOps, MaskedFillAndSelect) {
  Tensor x = arange(6, kFloat32).view({2, 3});
  uint32_t v0 = x._version();
  Tensor m = tensor({true, false, true});
  Tensor f = x.masked_fill(m, -1.0);
  EXPECT_EQ(dims(f), (Dims{2, 3}));
  EXPECT_FLOAT_EQ(f.index({1, 2}).item<float>(), -1.f);
  EXPECT_FLOAT_EQ(f.index({1, 1}).item<float>(), 4.f);
  EXPECT_EQ(x._version(), v0);
  x.masked_fill_(m, scalar_tensor(9.0, kFloat64));
  EXPECT_GT(x._version(), v0);
  EXPECT_FLOAT_EQ(x.index({0, 0}).item<float>(), 9.f);
  // Out of place, the mask may broadcast self.
  EXPECT_EQ(dims(zeros({3}).masked_fill(ones({2, 3}, kBool), 1.0)), (Dims{2, 3}));
  EXPECT_EQ(zeros({2}, kInt32).masked_fill(tensor({true, false}), 2.7).index({0}).item<int64_t>(), 2);
  Tensor sel = arange(6, kFloat32).view({2, 3}).masked_select(m);
  EXPECT_EQ(dims(sel), (Dims{4}));
  EXPECT_FLOAT_EQ(sel.index({3}).item<float>(), 5.f);
  EXPECT_EQ(dims(scalar_tensor(1.0).masked_select(scalar_tensor(true, kBool))), (Dims{1}));
  EXPECT_EQ(dims(arange(3, kFloat32).masked_select(ones({2, 3}, kBool))), (Dims{6}));

  EXPECT_ERROR(x.masked_fill(tensor({1, 0, 1}), 1.0), Error,
               "masked_fill_ only supports boolean masks, but got mask with dtype int64");
  EXPECT_ERROR(x.masked_fill(m, tensor({1.0, 2.0})), Error,
               "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s).");
  EXPECT_ERROR(x.masked_fill_(ones({2, 2, 3}, kBool), 1.0), Error,
               "output with shape [2, 3] doesn't match the broadcast shape [2, 2, 3]");
  EXPECT_ERROR(x.masked_select(tensor({1, 0, 0})), Error, "masked_select: expected BoolTensor or ByteTensor for mask");
  EXPECT_ERROR(x.masked_select(tensor({true, false})), Error, "must match the size of tensor b");
}

TEST(IndexOps, NonzeroAndWhere) {
  Tensor x = tensor({{0.0, 1.5, 0.0}, {-2.0, 0.0, std::nan("")}});
  Tensor nz = x.nonzero();
  EXPECT_EQ(nz.dtype(), kInt64);
  EXPECT_EQ(dims(nz), (Dims{3, 2}));
  EXPECT_EQ(nz.index({0, 1}).item<int64_t>(), 1);
  EXPECT_EQ(nz.index({1, 0}).item<int64_t>(), 1);
  EXPECT_EQ(nz.index({2, 1}).item<int64_t>(), 2);
  EXPECT_EQ(dims(x.t().nonzero()), (Dims{3, 2}));
  EXPECT_EQ(x.t().nonzero().index({0, 0}).item<int64_t>(), 0);
  EXPECT_EQ(x.t().nonzero().index({0, 1}).item<int64_t>(), 1);
  EXPECT_EQ(dims(scalar_tensor(3.0).nonzero()), (Dims{1, 0}));
  EXPECT_EQ(dims(zeros({0, 4}).nonzero()), (Dims{0, 2}));
  std::vector<Tensor> w = where(x.ne(0));
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[1].index({2}).item<int64_t>(), 2);
  EXPECT_TRUE(x.index({w[0], w[1]}).ne(0).all().item<bool>());
  std::vector<Tensor> w0 = where(scalar_tensor(true, kBool));
  ASSERT_EQ(w0.size(), 1u);
  EXPECT_EQ(dims(w0[0]), (Dims{1}));
}

TEST(Indexing, Printing) {
  std::ostringstream os;
  os << Slice(1, None, 2) << " " << TensorIndex(None) << " " << TensorIndex("...") << " " << TensorIndex(3);
  EXPECT_EQ(os.str(), "1:9223372036854775807:2 None ... 3");
}
