#pragma once
// EMBER_ARG(T, name): one option of an options struct, LibTorch's TORCH_ARG. Declares the
// member `name_`, a chainable setter `name(value)` returning *this, and a getter `name()`:
//
//   struct LinearOptions {
//     LinearOptions(int64_t in, int64_t out) : in_features_(in), out_features_(out) {}
//     EMBER_ARG(int64_t, in_features);
//     EMBER_ARG(int64_t, out_features);
//     EMBER_ARG(bool, bias) = true;
//   };
//   LinearOptions(3, 4).bias(false)
//
// Required options are constructor parameters; the others have in-class defaults.
#include <utility>

#define EMBER_ARG(T, name)                                       \
 public:                                                         \
  inline auto name(const T& new_##name)->decltype(*this) {       \
    this->name##_ = new_##name;                                  \
    return *this;                                                \
  }                                                              \
  inline auto name(T&& new_##name)->decltype(*this) {            \
    this->name##_ = std::move(new_##name);                       \
    return *this;                                                \
  }                                                              \
  inline const T& name() const noexcept { return this->name##_; } \
  inline T& name() noexcept { return this->name##_; }            \
                                                                 \
 private:                                                        \
  T name##_ /* NOLINT */
