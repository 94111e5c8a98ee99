#pragma once
// Map-style datasets: anything with `get(index)` and `size()`.
//
// Note [Dataset protocol]
// The DataLoader, Subset, ConcatDataset, random_split and map() accept any class D with
//   E get(size_t index);          // the example type E is whatever get returns
//   size() const;                 // returns size_t (PyTorch's len) or optional<size_t> (LibTorch)
// Deriving from Dataset<Self, E> is optional; it adds LibTorch's interface (virtual get/size
// for `override`, get_batch, map). E can be any movable type: Example<>, a tensor, a tuple,
// a map, a user struct; the DataLoader's collate function decides how a vector of E becomes
// a batch (data/collate.h). With worker threads, get() is called concurrently on one
// dataset object, so it must not mutate shared state without a lock; datasets that only
// read their tensors or files are safe, and random transforms draw from the calling
// thread's default generator (Note [DataLoader worker threads] in data/dataloader.h).
#include <concepts>
#include <cstddef>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "ember/core/array_ref.h"
#include "ember/core/error.h"
#include "ember/data/example.h"

namespace ember::data {

namespace detail {
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
}  // namespace detail

template <class D>
concept MapStyleDataset = requires(D& d, const D& cd, size_t i) {
  d.get(i);
  cd.size();
};

template <MapStyleDataset D>
using dataset_example_t = std::decay_t<decltype(std::declval<D&>().get(size_t{0}))>;

// len(dataset): size() as size_t whether it returns a number or an optional (an empty
// optional, an unsized dataset, is an error for map-style use).
template <MapStyleDataset D>
size_t dataset_size(const D& d) {
  auto s = d.size();
  if constexpr (detail::is_optional<decltype(s)>::value) {
    EMBER_CHECK(s.has_value(), "the dataset has no size; map-style use needs a sized dataset");
    return static_cast<size_t>(*s);
  } else {
    return static_cast<size_t>(s);
  }
}

namespace datasets {

template <class Source, class Transform>
class MapDataset;

// LibTorch's torch::data::datasets::Dataset. Self is the derived class (for map()).
template <class Self, class SingleExample = Example<>>
class Dataset {
 public:
  using ExampleType = SingleExample;
  using BatchType = std::vector<SingleExample>;

  virtual ~Dataset() = default;
  virtual ExampleType get(size_t index) = 0;
  virtual std::optional<size_t> size() const = 0;

  // The examples at `indices`, in order.
  virtual std::vector<ExampleType> get_batch(ArrayRef<size_t> indices) {
    std::vector<ExampleType> batch;
    batch.reserve(indices.size());
    for (size_t i : indices) batch.push_back(get(i));
    return batch;
  }

  // A dataset whose examples are transform(get(i)); see MapDataset.
  template <class Transform>
  MapDataset<Self, Transform> map(Transform transform) & {
    return MapDataset<Self, Transform>(static_cast<Self&>(*this), std::move(transform));
  }
  template <class Transform>
  MapDataset<Self, Transform> map(Transform transform) && {
    return MapDataset<Self, Transform>(std::move(static_cast<Self&>(*this)), std::move(transform));
  }
};

}  // namespace datasets

// torch::data::Dataset is an alias of datasets::Dataset in LibTorch.
template <class Self, class SingleExample = Example<>>
using Dataset = datasets::Dataset<Self, SingleExample>;

namespace transforms {
// Base of batch transforms (collations such as Stack<>): dataset.map(Stack<>()) keeps the
// examples and makes the DataLoader collate batches with it.
struct BatchTransformTag {};
}  // namespace transforms

namespace detail {
// How map() applies a transform to an example: to the whole example when it accepts it,
// else to the data part of an Example (torchvision transforms act on the image).
template <class T, class E>
decltype(auto) apply_transform(const T& t, E&& e) {
  using Ex = std::decay_t<E>;
  if constexpr (std::is_invocable_v<const T&, E&&>) {
    return t(std::forward<E>(e));
  } else if constexpr (is_example_v<Ex>) {
    static_assert(std::is_invocable_v<const T&, typename Ex::DataType>,
                  "map(): the transform accepts neither the example nor its data");
    if constexpr (std::is_same_v<typename Ex::TargetType, example::NoTarget>) {
      using D = std::decay_t<std::invoke_result_t<const T&, typename Ex::DataType>>;
      return Example<D, example::NoTarget>{t(std::move(e.data))};
    } else {
      using D = std::decay_t<std::invoke_result_t<const T&, typename Ex::DataType>>;
      return Example<D, typename Ex::TargetType>{t(std::move(e.data)), std::move(e.target)};
    }
  } else {
    static_assert(std::is_invocable_v<const T&, E&&>, "map(): the transform does not accept the example type");
  }
}

template <class Source, class Transform>
struct mapped_example {
  using type = std::decay_t<decltype(apply_transform(std::declval<const Transform&>(),
                                                     std::declval<dataset_example_t<Source>>()))>;
};
}  // namespace detail

namespace datasets {

// dataset.map(transform): examples are transform(source.get(i)) (or, for a transform that
// takes a tensor, Example{transform(data), target}). A batch transform (Stack<>) leaves
// the examples alone and becomes the DataLoader's collate function.
template <class Source, class Transform>
class MapDataset
    : public Dataset<MapDataset<Source, Transform>,
                     typename std::conditional_t<std::is_base_of_v<transforms::BatchTransformTag, Transform>,
                                        std::type_identity<dataset_example_t<Source>>,
                                        detail::mapped_example<Source, Transform>>::type> {
 public:
  static constexpr bool kIsBatchTransform = std::is_base_of_v<transforms::BatchTransformTag, Transform>;
  using ExampleType = typename MapDataset::ExampleType;

  MapDataset(Source source, Transform transform)
      : source_(std::move(source)), transform_(std::move(transform)) {}

  ExampleType get(size_t index) override {
    if constexpr (kIsBatchTransform) return source_.get(index);
    else return detail::apply_transform(transform_, source_.get(index));
  }
  std::optional<size_t> size() const override { return dataset_size(source_); }

  // Used by the DataLoader when the transform is a batch transform.
  template <class Batch>
  auto collate_batch(Batch&& batch) const
    requires kIsBatchTransform
  {
    return transform_(std::forward<Batch>(batch));
  }

  const Source& dataset() const { return source_; }
  Source& dataset() { return source_; }
  const Transform& transform() const { return transform_; }

 private:
  Source source_;
  Transform transform_;
};

}  // namespace datasets
}  // namespace ember::data
