#pragma once
// Example<Data, Target>: one sample of a dataset, LibTorch's torch::data::Example. An
// aggregate, so `auto& [x, y] = batch;` works as Python's `x, y = batch` does.
#include <ostream>

#include "ember/core/tensor.h"

namespace ember::data {

namespace example {
// Marks an Example without a target (LibTorch's example::NoTarget).
struct NoTarget {};
}  // namespace example

template <class Data = Tensor, class Target = Tensor>
struct Example {
  using DataType = Data;
  using TargetType = Target;
  Data data;
  Target target;
};

template <class Data>
struct Example<Data, example::NoTarget> {
  using DataType = Data;
  using TargetType = example::NoTarget;
  Data data;
};

// An example holding only a tensor (LibTorch's TensorExample).
using TensorExample = Example<Tensor, example::NoTarget>;

template <class T>
struct is_example : std::false_type {};
template <class D, class T>
struct is_example<Example<D, T>> : std::true_type {};
template <class T>
inline constexpr bool is_example_v = is_example<T>::value;

}  // namespace ember::data
