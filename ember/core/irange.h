#pragma once
// irange: the integers of [begin, end) for range-for loops (LibTorch's c10::irange, which the
// compatibility layer reaches as c10::irange; Note [torch is ember]):
//   for (auto i : irange(t.size(0))) ...      // i is int64_t, 0 .. size(0) - 1
//   for (auto i : irange(2, v.size())) ...    // i is size_t
//
// Note [irange types]
// The loop variable has the type of `end` (so irange(n) with n an int64_t counts in int64_t,
// and irange(1, v.size()) in size_t); `begin` is converted to it. A range whose end is
// not past its begin is empty, never a wrap-around: irange(-3) and irange(5, 2) yield
// nothing. Both bounds must be integers (irange(2.5) does not compile).
#include <algorithm>
#include <concepts>
#include <cstddef>
#include <iterator>

namespace ember {

template <std::integral I>
class integer_range {
 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = I;
    using difference_type = std::ptrdiff_t;
    using pointer = const I*;
    using reference = I;

    iterator() = default;
    constexpr explicit iterator(I value) : value_(value) {}
    constexpr I operator*() const { return value_; }
    constexpr const I* operator->() const { return &value_; }
    constexpr iterator& operator++() {
      ++value_;
      return *this;
    }
    constexpr iterator operator++(int) {
      iterator before = *this;
      ++value_;
      return before;
    }
    constexpr bool operator==(const iterator&) const = default;

   private:
    I value_{};
  };

  constexpr integer_range(I begin, I end) : begin_(begin), end_(std::max(begin, end)) {}
  constexpr iterator begin() const { return iterator(begin_); }
  constexpr iterator end() const { return iterator(end_); }
  constexpr bool empty() const { return begin_ == end_; }
  constexpr I size() const { return static_cast<I>(end_ - begin_); }

 private:
  I begin_;
  I end_;
};

// [0, end) in end's type (Note [irange types]).
template <std::integral Integer>
constexpr integer_range<Integer> irange(Integer end) {
  return integer_range<Integer>(Integer(), end);
}

// [begin, end) in end's type (Note [irange types]).
template <std::integral Integer1, std::integral Integer2>
constexpr integer_range<Integer2> irange(Integer1 begin, Integer2 end) {
  return integer_range<Integer2>(static_cast<Integer2>(begin), end);
}

}  // namespace ember
