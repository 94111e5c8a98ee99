#pragma once
// LibTorch spells std::optional as torch::optional / c10::optional (a pre-C++17 backport
// that is now an alias). ember's API takes std::optional; these names let LibTorch code
// that writes ember::optional<size_t> size() const or ember::nullopt compile unchanged.
#include <optional>

namespace ember {
using std::make_optional;
using std::nullopt;
using std::nullopt_t;
using std::optional;
}  // namespace ember
