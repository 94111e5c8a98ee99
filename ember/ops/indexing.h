#pragma once
// Tensor indexing with LibTorch's C++ spelling of Python's subscripts:
//
//   using namespace ember::indexing;
//   x.index({Slice(), 0, None, Ellipsis, idx})     // x[:, 0, None, ..., idx]
//   x.index_put_({mask}, 0.5)                      // x[mask] = 0.5
//
// Integers, slices, None and Ellipsis ("basic" indices) produce a view; integer index
// tensors and boolean masks ("advanced" indices) then gather into a new tensor
// (Note [Advanced indexing] in ops/advanced_index.cpp). The free functions index /
// index_put_ take ATen's form: one optional index tensor per leading dimension.
#include <cstdint>
#include <optional>
#include <ostream>
#include <vector>

#include "ember/core/tensor.h"

namespace ember {
namespace indexing {

constexpr std::nullopt_t None = std::nullopt;

struct EllipsisIndexType {};
inline constexpr EllipsisIndexType Ellipsis{};

// Python's start:stop:step. A missing bound means "from the start" / "to the end".
// A zero step is rejected here ("slice step cannot be zero"); a negative one when the
// slice is applied ("step must be greater than zero"), as in LibTorch.
class Slice {
 public:
  Slice(std::optional<int64_t> start = std::nullopt, std::optional<int64_t> stop = std::nullopt,
        std::optional<int64_t> step = std::nullopt);
  int64_t start() const { return start_; }
  int64_t stop() const { return stop_; }
  int64_t step() const { return step_; }

 private:
  int64_t start_, stop_, step_;
};

enum class TensorIndexType { None, Ellipsis, Integer, Boolean, Slice, Tensor };

class TensorIndex {
 public:
  TensorIndex(std::nullopt_t) : type_(TensorIndexType::None) {}
  TensorIndex(EllipsisIndexType) : type_(TensorIndexType::Ellipsis) {}
  // Only "..." is accepted ("Expected \"...\" to represent an ellipsis index, but got ...").
  TensorIndex(const char* str);
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  TensorIndex(T integer) : integer_(static_cast<int64_t>(integer)), type_(TensorIndexType::Integer) {}
  template <class T, std::enable_if_t<std::is_same_v<T, bool>, int> = 0>
  TensorIndex(T boolean) : boolean_(boolean), type_(TensorIndexType::Boolean) {}
  TensorIndex(Slice slice) : slice_(slice), type_(TensorIndexType::Slice) {}
  TensorIndex(Tensor tensor) : tensor_(std::move(tensor)), type_(TensorIndexType::Tensor) {}

  TensorIndexType type() const { return type_; }
  bool is_none() const { return type_ == TensorIndexType::None; }
  bool is_ellipsis() const { return type_ == TensorIndexType::Ellipsis; }
  bool is_integer() const { return type_ == TensorIndexType::Integer; }
  bool is_boolean() const { return type_ == TensorIndexType::Boolean; }
  bool is_slice() const { return type_ == TensorIndexType::Slice; }
  bool is_tensor() const { return type_ == TensorIndexType::Tensor; }
  int64_t integer() const { return integer_; }
  bool boolean() const { return boolean_; }
  const Slice& slice() const { return slice_; }
  const Tensor& tensor() const { return tensor_; }

 private:
  int64_t integer_ = 0;
  bool boolean_ = false;
  Slice slice_;
  Tensor tensor_;
  TensorIndexType type_;
};

std::ostream& operator<<(std::ostream& os, const Slice& s);
std::ostream& operator<<(std::ostream& os, const TensorIndex& i);

}  // namespace indexing

// ATen's index / index_put_: indices[i] indexes dimension i (nullopt or an undefined
// tensor: the whole dimension). Index tensors are int64/int32 (negative values count from
// the end) or bool/uint8 masks over as many dimensions as they have.
Tensor index(const Tensor& self, const std::vector<std::optional<Tensor>>& indices);
// Writes `values` (broadcast to the indexing result, same dtype as self) at the indexed
// positions. With accumulate, repeated positions sum; without, one of the values wins.
Tensor& index_put_(Tensor& self, const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                   bool accumulate = false);
Tensor index_put(const Tensor& self, const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                 bool accumulate = false);

}  // namespace ember
