#pragma once
// Collation: how the DataLoader turns a std::vector of examples into one batch, PyTorch's
// default_collate. Collate<T> is the customisation point; DefaultCollate dispatches to it:
//   Tensor                      -> stack (all the same shape; undefined tensors stay undefined)
//   bool / integers / floats    -> a 1-D tensor: bool, int64, float64 (as torch.tensor(list))
//   std::string                 -> std::vector<std::string>
//   Example<D, T>               -> Example<collate(D), collate(T)>
//   std::pair / std::tuple      -> tuple of each field collated
//   std::map / unordered_map    -> the same keys, each value collated
//   std::vector<T>, std::array  -> field-wise (PyTorch transposes a list of lists)
// For your own example type specialise the struct:
//   template <> struct ember::data::Collate<MyExample> {
//     MyBatch operator()(std::vector<MyExample>&& batch) const { ... }
//   };
// or pass any callable taking std::vector<Example> as the DataLoader's collate function.
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ember/core/error.h"
#include "ember/data/dataset.h"
#include "ember/data/example.h"
#include "ember/ops/factory.h"
#include "ember/ops/shape.h"

namespace ember::data {

template <class T, class Enable = void>
struct Collate {
  static_assert(sizeof(T) == 0,
                "ember::data::Collate<T> has no rule for this example type: specialise ember::data::Collate<T> "
                "or give the DataLoader a collate function");
};

struct DefaultCollate {
  template <class T>
  auto operator()(std::vector<T> batch) const {
    return Collate<T>{}(std::move(batch));
  }
};

namespace detail {
template <class T>
auto collate_field(std::vector<T>&& v) {
  return Collate<T>{}(std::move(v));
}
// Moves field f(example) of every example into one vector.
template <class E, class F>
auto gather_field(std::vector<E>& batch, F&& f) {
  using V = std::decay_t<decltype(f(batch[0]))>;
  std::vector<V> out;
  out.reserve(batch.size());
  for (E& e : batch) out.push_back(std::move(f(e)));
  return out;
}
Tensor collate_tensors(std::vector<Tensor>&& batch);
}  // namespace detail

template <>
struct Collate<Tensor> {
  Tensor operator()(std::vector<Tensor>&& batch) const { return detail::collate_tensors(std::move(batch)); }
};

template <class T>
struct Collate<T, std::enable_if_t<std::is_arithmetic_v<T>>> {
  Tensor operator()(std::vector<T>&& batch) const {
    const int64_t n = static_cast<int64_t>(batch.size());
    if constexpr (std::is_same_v<T, bool>) {
      Tensor t = empty({n}, TensorOptions(kBool));
      for (int64_t i = 0; i < n; ++i) t.data_ptr<bool>()[i] = batch[i];
      return t;
    } else if constexpr (std::is_integral_v<T>) {
      Tensor t = empty({n}, TensorOptions(kInt64));
      for (int64_t i = 0; i < n; ++i) t.data_ptr<int64_t>()[i] = static_cast<int64_t>(batch[i]);
      return t;
    } else {
      Tensor t = empty({n}, TensorOptions(kFloat64));
      for (int64_t i = 0; i < n; ++i) t.data_ptr<double>()[i] = static_cast<double>(batch[i]);
      return t;
    }
  }
};

template <>
struct Collate<std::string> {
  std::vector<std::string> operator()(std::vector<std::string>&& batch) const { return std::move(batch); }
};

template <class D, class T>
struct Collate<Example<D, T>> {
  auto operator()(std::vector<Example<D, T>>&& batch) const {
    auto data = detail::collate_field(detail::gather_field(batch, [](auto& e) -> auto& { return e.data; }));
    if constexpr (std::is_same_v<T, example::NoTarget>) {
      return Example<decltype(data), example::NoTarget>{std::move(data)};
    } else {
      auto target = detail::collate_field(detail::gather_field(batch, [](auto& e) -> auto& { return e.target; }));
      return Example<decltype(data), decltype(target)>{std::move(data), std::move(target)};
    }
  }
};

template <class... Ts>
struct Collate<std::tuple<Ts...>> {
  auto operator()(std::vector<std::tuple<Ts...>>&& batch) const {
    return collate(batch, std::index_sequence_for<Ts...>{});
  }

 private:
  template <size_t... I>
  static auto collate(std::vector<std::tuple<Ts...>>& batch, std::index_sequence<I...>) {
    return std::make_tuple(
        detail::collate_field(detail::gather_field(batch, [](auto& e) -> auto& { return std::get<I>(e); }))...);
  }
};

template <class A, class B>
struct Collate<std::pair<A, B>> {
  auto operator()(std::vector<std::pair<A, B>>&& batch) const {
    auto first = detail::collate_field(detail::gather_field(batch, [](auto& e) -> auto& { return e.first; }));
    auto second = detail::collate_field(detail::gather_field(batch, [](auto& e) -> auto& { return e.second; }));
    return std::make_pair(std::move(first), std::move(second));
  }
};

namespace detail {
template <template <class...> class Map, class K, class V, class... Rest>
auto collate_map(std::vector<Map<K, V, Rest...>>&& batch) {
  using Out = decltype(collate_field(std::declval<std::vector<V>>()));
  Map<K, Out> out;
  if (batch.empty()) return out;
  for (auto& [key, unused] : batch[0]) {
    (void)unused;
    std::vector<V> values;
    values.reserve(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      auto it = batch[i].find(key);
      EMBER_CHECK(it != batch[i].end() && batch[i].size() == batch[0].size(),
                  "default_collate: every map in a batch must have the same keys (element ", i,
                  " differs from element 0)");
      values.push_back(std::move(it->second));
    }
    out.emplace(key, collate_field(std::move(values)));
  }
  return out;
}
}  // namespace detail

template <class K, class V, class C, class A>
struct Collate<std::map<K, V, C, A>> {
  auto operator()(std::vector<std::map<K, V, C, A>>&& batch) const { return detail::collate_map(std::move(batch)); }
};
template <class K, class V, class H, class E, class A>
struct Collate<std::unordered_map<K, V, H, E, A>> {
  auto operator()(std::vector<std::unordered_map<K, V, H, E, A>>&& batch) const {
    return detail::collate_map(std::move(batch));
  }
};

template <class T, class A>
struct Collate<std::vector<T, A>> {
  auto operator()(std::vector<std::vector<T, A>>&& batch) const {
    using Out = decltype(detail::collate_field(std::declval<std::vector<T>>()));
    std::vector<Out> out;
    if (batch.empty()) return out;
    const size_t width = batch[0].size();
    for (size_t i = 0; i < batch.size(); ++i)
      EMBER_CHECK(batch[i].size() == width, "each element in list of batch should be of equal size (element ", i,
                  " has ", batch[i].size(), " fields, element 0 has ", width, ")");  // PyTorch's wording
    for (size_t f = 0; f < width; ++f)
      out.push_back(detail::collate_field(detail::gather_field(batch, [f](auto& e) -> auto& { return e[f]; })));
    return out;
  }
};

template <class T, size_t N>
struct Collate<std::array<T, N>> {
  auto operator()(std::vector<std::array<T, N>>&& batch) const {
    return collate(batch, std::make_index_sequence<N>{});
  }

 private:
  template <size_t... I>
  static auto collate(std::vector<std::array<T, N>>& batch, std::index_sequence<I...>) {
    using Out = decltype(detail::collate_field(std::declval<std::vector<T>>()));
    return std::array<Out, N>{
        detail::collate_field(detail::gather_field(batch, [](auto& e) -> auto& { return e[I]; }))...};
  }
};

namespace transforms {
// LibTorch's Stack<>: dataset.map(Stack<>()) makes the DataLoader stack examples into one
// Example of batched tensors (which ember's DataLoader does by default anyway).
template <class T = Example<>>
struct Stack : BatchTransformTag {
  auto operator()(std::vector<T> batch) const { return Collate<T>{}(std::move(batch)); }
};
}  // namespace transforms

}  // namespace ember::data
