// irange (LibTorch's c10::irange): the element type is end's, and empty ranges never wrap
// (Note [irange types] in core/irange.h).
#include <gtest/gtest.h>

#include <cstdint>
#include <type_traits>
#include <vector>

#include <ember/ember.h>

using namespace ember;

namespace {
template <class Range>
std::vector<int64_t> collect(const Range& r) {
  std::vector<int64_t> out;
  for (auto i : r) out.push_back(static_cast<int64_t>(i));
  return out;
}
}  // namespace

static_assert(std::is_same_v<decltype(*irange(3).begin()), int>);
static_assert(std::is_same_v<decltype(*irange(int64_t{3}).begin()), int64_t>);
static_assert(std::is_same_v<decltype(*irange(1, size_t{3}).begin()), size_t>);
static_assert(std::is_same_v<decltype(*irange(size_t{1}, int16_t{3}).begin()), int16_t>);
static_assert(std::is_same_v<decltype(*irange(uint8_t{4}).begin()), uint8_t>);
static_assert(std::forward_iterator<integer_range<int>::iterator>);
// Usable at compile time.
static_assert([] {
  int sum = 0;
  for (int i : irange(1, 5)) sum += i;
  return sum;
}() == 10);

TEST(CompatIrange, CountsFromZeroOrBegin) {
  EXPECT_EQ(collect(irange(4)), (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(collect(irange(2, 5)), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(collect(irange(-2, 1)), (std::vector<int64_t>{-2, -1, 0}));
  Tensor t = zeros({3, 2});
  int64_t n = 0;
  for (auto d : irange(t.dim())) n += t.size(d);
  EXPECT_EQ(n, 5);
  std::vector<int> v{7, 8, 9};
  int64_t sum = 0;
  for (auto i : irange(1, v.size())) sum += v[i];
  EXPECT_EQ(sum, 17);
  EXPECT_EQ(irange(2, 5).size(), 3);
  EXPECT_FALSE(irange(2, 5).empty());
}

TEST(CompatIrange, EmptyWhenEndIsNotPastBegin) {
  EXPECT_TRUE(collect(irange(0)).empty());
  EXPECT_TRUE(collect(irange(-3)).empty());
  EXPECT_TRUE(collect(irange(5, 2)).empty());
  EXPECT_TRUE(collect(irange(3, 3)).empty());
  EXPECT_TRUE(irange(5, 2).empty());
  EXPECT_EQ(irange(5, 2).size(), 0);
  // An unsigned end with a negative begin: begin becomes a huge unsigned value, so the
  // range is empty rather than counting up through the wrap.
  EXPECT_TRUE(collect(irange(-1, size_t{3})).empty());
}

TEST(CompatIrange, IteratorIncrements) {
  auto r = irange(int64_t{10}, int64_t{13});
  auto it = r.begin();
  EXPECT_EQ(*it++, 10);
  EXPECT_EQ(*it, 11);
  EXPECT_EQ(*++it, 12);
  EXPECT_EQ(*it.operator->(), 12);
  ++it;
  EXPECT_TRUE(it == r.end());
}
