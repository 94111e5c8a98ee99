// Tensor::accessor<T, N>() and the packed accessors (Note [Tensor accessors] in
// core/tensor_accessor.h): element access through sizes and strides, LibTorch's checks.
#include <gtest/gtest.h>

#include <type_traits>

#include <ember/ember.h>

#include "error_of.h"

using namespace ember;

// Zero overhead: a pointer and two borrowed arrays, copied as plain values.
static_assert(sizeof(TensorAccessor<float, 3>) == 3 * sizeof(void*));
static_assert(std::is_trivially_copyable_v<TensorAccessor<float, 2>>);
static_assert(std::is_trivially_copyable_v<PackedTensorAccessor32<float, 2>>);
static_assert(sizeof(PackedTensorAccessor32<float, 2>) == sizeof(void*) + 4 * sizeof(int32_t));
// Indexing types: a reference at the last dimension, a sub-accessor before it.
static_assert(std::is_same_v<decltype(std::declval<TensorAccessor<float, 1>&>()[0]), float&>);
static_assert(std::is_same_v<decltype(std::declval<const TensorAccessor<float, 1>&>()[0]), const float&>);
static_assert(std::is_same_v<decltype(std::declval<TensorAccessor<float, 2>&>()[0]), TensorAccessor<float, 1>>);
static_assert(std::is_same_v<decltype(std::declval<PackedTensorAccessor32<float, 2>&>()[0]),
                             TensorAccessor<float, 1, DefaultPtrTraits, int32_t>>);
static_assert(std::is_same_v<decltype(std::declval<PackedTensorAccessor32<float, 2>&>().size(0)), int32_t>);
// accessor() on a temporary is deleted: the accessor would borrow sizes that die with it.
template <class T>
concept AccessibleFromTemporary = requires { std::declval<T>().template accessor<float, 1>(); };
static_assert(!AccessibleFromTemporary<Tensor>);
static_assert(AccessibleFromTemporary<Tensor&>);

TEST(CompatAccessor, ReadsAndWritesThroughChainedIndexing) {
  Tensor t = arange(12, kF32).reshape({3, 4});
  auto a = t.accessor<float, 2>();
  EXPECT_EQ(a.size(0), 3);
  EXPECT_EQ(a.size(1), 4);
  EXPECT_EQ(a.stride(0), 4);
  EXPECT_EQ(a.stride(1), 1);
  EXPECT_EQ(a.sizes().vec(), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(a.strides().vec(), (std::vector<int64_t>{4, 1}));
  EXPECT_EQ(a.data(), t.data_ptr<float>());
  EXPECT_EQ(a[2][1], 9.0f);
  a[1][3] = -1.0f;
  a[0][0] += 5.0f;
  EXPECT_EQ(t[1][3].item<float>(), -1.0f);
  EXPECT_EQ(t[0][0].item<float>(), 5.0f);
  // A row accessor is a view of the row.
  auto row = a[2];
  EXPECT_EQ(row.size(0), 4);
  EXPECT_EQ(row.data(), t.data_ptr<float>() + 8);
  row[0] = 100.0f;
  EXPECT_EQ(t[2][0].item<float>(), 100.0f);
}

TEST(CompatAccessor, FollowsStridesOfViews) {
  Tensor base = arange(24, kF64).reshape({2, 3, 4});
  // A permuted, sliced view with a storage offset: every element still matches indexing.
  Tensor v = base.permute({2, 0, 1}).slice(0, 1, 4, 2);  // sizes {2, 2, 3}
  ASSERT_FALSE(v.is_contiguous());
  auto a = v.accessor<double, 3>();
  EXPECT_EQ(a.sizes().vec(), v.sizes().vec());
  EXPECT_EQ(a.strides().vec(), v.strides().vec());
  for (int64_t i = 0; i < v.size(0); ++i)
    for (int64_t j = 0; j < v.size(1); ++j)
      for (int64_t k = 0; k < v.size(2); ++k) EXPECT_EQ(a[i][j][k], v[i][j][k].item<double>()) << i << j << k;
  // Writes land in the base tensor's storage.
  a[1][0][2] = -7.0;
  EXPECT_EQ(base[0][2][3].item<double>(), -7.0);
  // Broadcast (stride 0) dimensions read the same element.
  Tensor e = tensor({1.0, 2.0}, kF64).expand({3, 2});
  auto ea = e.accessor<double, 2>();
  EXPECT_EQ(ea.stride(0), 0);
  EXPECT_EQ(ea[2][1], 2.0);
}

TEST(CompatAccessor, IntegerAndConstElements) {
  Tensor t = tensor({{1, 2}, {3, 4}}, kI64);
  auto a = t.accessor<int64_t, 2>();
  int64_t sum = 0;
  for (int64_t i = 0; i < a.size(0); ++i)
    for (int64_t j = 0; j < a.size(1); ++j) sum += a[i][j];
  EXPECT_EQ(sum, 10);
  // A read-only accessor: T may be const, and a const accessor gives const references.
  auto c = t.accessor<const int64_t, 2>();
  static_assert(std::is_same_v<decltype(c[0][0]), const int64_t&>);
  EXPECT_EQ(c[1][0], 3);
  const auto& ca = a;
  static_assert(std::is_same_v<decltype(ca[0][0]), const int64_t&>);
  EXPECT_EQ(ca[0][1], 2);
  Tensor u = tensor({true, false}, kBool);
  EXPECT_FALSE((u.accessor<bool, 1>()[1]));
}

TEST(CompatAccessor, ChecksDimsThenDtype) {
  Tensor t = zeros({2, 3, 4});
  EXPECT_EQ(error_of([&] { t.accessor<float, 2>(); }), "TensorAccessor expected 2 dims but tensor has 3");
  EXPECT_EQ(error_of([&] { t.accessor<double, 3>(); }), "expected scalar type Double but found Float");
  // The dimension count is checked first.
  EXPECT_EQ(error_of([&] { t.accessor<double, 1>(); }), "TensorAccessor expected 1 dims but tensor has 3");
  EXPECT_EQ(error_of([&] { t.packed_accessor32<float, 4>(); }), "TensorAccessor expected 4 dims but tensor has 3");
  EXPECT_EQ(error_of([&] { t.packed_accessor64<int32_t, 3>(); }), "expected scalar type Int but found Float");
  Tensor scalar = tensor(1.5);
  EXPECT_EQ(error_of([&] { scalar.accessor<float, 1>(); }), "TensorAccessor expected 1 dims but tensor has 0");
}

TEST(CompatAccessor, PackedAccessorsOwnTheirGeometry) {
  Tensor base = arange(6, kF32).reshape({2, 3});
  PackedTensorAccessor64<float, 2> p64 = base.packed_accessor64<float, 2>();
  PackedTensorAccessor32<float, 2> p32 = base.packed_accessor32<float, 2>();
  {
    // The view handle dies; its sizes and strides live on in the packed copy.
    Tensor view = base.t();
    p64 = view.packed_accessor64<float, 2>();
    p32 = view.packed_accessor32<float, 2>();
  }
  EXPECT_EQ(p64.size(0), 3);
  EXPECT_EQ(p64.stride(0), 1);
  EXPECT_EQ(p64.stride(1), 3);
  EXPECT_EQ(p64.sizes().vec(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(p32.size(1), 2);
  EXPECT_EQ(p64[2][1], 5.0f);
  EXPECT_EQ(p32[2][1], 5.0f);
  p32[0][1] = 30.0f;
  EXPECT_EQ(base[1][0].item<float>(), 30.0f);
  // transpose swaps back to base's layout.
  auto back = p64.transpose(0, 1);
  EXPECT_EQ(back.size(0), 2);
  EXPECT_EQ(back[1][2], 5.0f);
  EXPECT_EQ(p64.size(0), 3);  // the original is unchanged
  auto r = base.packed_accessor64<float, 2, RestrictPtrTraits>();
  EXPECT_EQ(r[1][0], 30.0f);
  EXPECT_EQ(error_of([&] { p64.transpose(0, 2); }), "Index 2 is not within bounds of a tensor of dimension 2");
}

TEST(CompatAccessor, PackedAccessor32RefusesMoreThanInt32MaxElements) {
  // 2^32 elements without the memory: an expanded one-element tensor.
  Tensor big = zeros({1, 1}, kU8).expand({int64_t{1} << 16, int64_t{1} << 16});
  EXPECT_EQ(error_of([&] { big.packed_accessor32<uint8_t, 2>(); }),
            "numel needs to be smaller than int32_t max; otherwise, please use packed_accessor64");
  auto p = big.packed_accessor64<uint8_t, 2>();
  EXPECT_EQ(p.size(0), int64_t{1} << 16);
  EXPECT_EQ(p[65535][65535], 0);
}
