// F::pad. Constant padding is the dedicated op constant_pad_nd; the other modes gather
// each padded dimension through an index vector computed here (index_select), so their
// gradients (index_add) come from autograd.
#include "ember/nn/functional/padding.h"
#include "ember/ops/autocast.h"

#include <algorithm>
#include <sstream>
#include <vector>

#include "ember/ops/factory.h"
#include "ember/ops/index.h"
#include "ember/ops/pad.h"

namespace ember::nn::functional {

namespace {

const char* mode_name(PadMode m) {
  switch (m) {
    case PadMode::Constant: return "constant";
    case PadMode::Zeros: return "zeros";
    case PadMode::Reflect: return "reflect";
    case PadMode::Replicate: return "replicate";
    case PadMode::Circular: return "circular";
  }
  return "?";
}

// Note [Non-constant padding]
// Negative pads crop, as in constant mode. Reflect and replicate index the *original*
// dimension (output position o, from -lo to n + hi, reads o reflected or clamped into
// [0, n)); circular wraps around the *cropped* middle, so pads (-1, 2) on {0, 1, 2} give
// {1, 2, 1, 2} (PyTorch 1.13's _pad_circular copies the wrapped part from the output).
// Source index of each output position of one padded dimension of size n.
std::vector<int64_t> source_indices(PadMode mode, int64_t n, int64_t lo, int64_t hi) {
  std::vector<int64_t> idx;
  idx.reserve(static_cast<size_t>(std::max<int64_t>(n + lo + hi, 0)));
  if (mode == PadMode::Circular) {
    const int64_t start = std::max<int64_t>(-lo, 0);
    const int64_t middle = n + std::min<int64_t>(lo, 0) + std::min<int64_t>(hi, 0);
    for (int64_t o = -std::max<int64_t>(lo, 0); o < middle + std::max<int64_t>(hi, 0); ++o)
      idx.push_back(start + ((o % middle) + middle) % middle);
    return idx;
  }
  for (int64_t o = -lo; o < n + hi; ++o) {
    int64_t i = o;
    if (mode == PadMode::Reflect) {
      if (i < 0) i = -i;
      if (i >= n) i = 2 * (n - 1) - i;
    } else {
      i = std::min(std::max<int64_t>(i, 0), n - 1);
    }
    idx.push_back(i);
  }
  return idx;
}

// PyTorch's refusal when every padded dim of a reflect/replicate result is empty, e.g.
// "input (H: 2, W: 3) is too small. Calculated output H: 0 W: 0".
void check_not_too_small(const Tensor& input, int64_t npad, const DimVector& out) {
  bool any_positive = false;
  for (int64_t i = 0; i < npad; ++i) any_positive = any_positive || out[static_cast<size_t>(input.dim() - 1 - i)] >= 1;
  if (any_positive) return;
  static const char* const names[] = {"W", "H", "D"};
  std::ostringstream in, got;
  for (int64_t i = npad - 1; i >= 0; --i) {
    const size_t d = static_cast<size_t>(input.dim() - 1 - i);
    in << names[i] << ": " << input.size(static_cast<int64_t>(d)) << (i > 0 ? ", " : "");
    got << " " << names[i] << ": " << out[d];
  }
  EMBER_CHECK(false, "input (", in.str(), ") is too small. Calculated output", got.str());
}

}  // namespace

Tensor pad(const Tensor& input, const PadFuncOptions& options) {
  // Reflect and replicate padding run in float32 under autocast (Note [Autocast policy table]).
  if (options.mode() == PadMode::Reflect) EMBER_AUTOCAST_AS(reflection_pad, pad, input, options);
  if (options.mode() == PadMode::Replicate) EMBER_AUTOCAST_AS(replication_pad, pad, input, options);
  EMBER_CHECK(input.defined(), "pad: expected a defined tensor");
  const std::vector<int64_t>& p = options.pad();
  EMBER_CHECK(p.size() % 2 == 0, "Padding length must be divisible by 2");
  const int64_t npad = static_cast<int64_t>(p.size()) / 2;
  EMBER_CHECK(npad <= input.dim(), "Padding length too large");
  const PadMode mode = options.mode();
  if (mode == PadMode::Constant || mode == PadMode::Zeros)
    return constant_pad_nd(input, p, mode == PadMode::Zeros ? 0.0 : options.value());
  EMBER_CHECK(options.value() == 0, "Padding mode \"", mode_name(mode), "\" doesn't take in value argument");
  // 1, 2 or 3 padded dims on an input with one or two leading (channel, batch) dims.
  EMBER_CHECK_AS(NotImplementedError, npad >= 1 && npad <= 3 && (input.dim() == npad + 1 || input.dim() == npad + 2),
                 "Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now");
  if (mode == PadMode::Circular) {
    // Circular padding needs (N, C, ...): PyTorch 1.13 has no unbatched form.
    EMBER_CHECK(input.dim() == npad + 2, "Invalid padding size, expected ", 2 * (input.dim() - 2), " but got ",
                p.size());
  } else {
    // 1-D and 2-D reflect need every dim but the first non-empty; replicate and 3-D reflect
    // allow only an empty batch (PyTorch's kernels, and their messages).
    const bool reflect_rule = mode == PadMode::Reflect && npad < 3;
    const int64_t first = reflect_rule || input.dim() == npad + 2 ? 1 : 0;
    bool ok = true;
    for (int64_t d = first; d < input.dim(); ++d) ok = ok && input.size(d) > 0;
    if (!reflect_rule)
      EMBER_CHECK(ok, "Expected ", npad + 1, "D or ", npad + 2, "D (batch mode) tensor with possibly 0 batch size and "
                  "other non-zero dimensions for input, but got: ", input.sizes());
    else
      EMBER_CHECK(ok, npad + 1, "D or ", npad + 2, "D (batch mode) tensor expected for input, but got: ", input.sizes());
  }
  DimVector out_sizes(input.sizes().begin(), input.sizes().end());
  for (int64_t i = 0; i < npad; ++i) {
    const int64_t d = input.dim() - 1 - i;
    const int64_t n = input.size(d), lo = p[2 * i], hi = p[2 * i + 1];
    out_sizes[static_cast<size_t>(d)] = n + lo + hi;
    if (mode == PadMode::Reflect) {
      EMBER_CHECK(lo < n && hi < n, "Argument #", 4 + 2 * i, ": Padding size should be less than the corresponding "
                  "input dimension, but got: padding (", lo, ", ", hi, ") at dimension ", d, " of input ", input.sizes());
    } else if (mode == PadMode::Circular) {
      EMBER_CHECK(lo <= n && hi <= n, "Padding value causes wrapping around more than once.");
      EMBER_CHECK(n + lo + hi >= 0, "Negative padding value is resulting in an empty dimension");
      // Nothing is left to wrap around (PyTorch 1.13 returns uninitialised memory here).
      const int64_t middle = n + std::min<int64_t>(lo, 0) + std::min<int64_t>(hi, 0);
      EMBER_CHECK(middle > 0 || (lo <= 0 && hi <= 0), "Padding value causes wrapping around more than once.");
    }
  }
  for (int64_t s : out_sizes)
    EMBER_CHECK(s >= 0, "Trying to create tensor with negative dimension ", s, ": ", IntArrayRef(out_sizes));
  if (mode != PadMode::Circular) check_not_too_small(input, npad, out_sizes);
  Tensor r = input;
  for (int64_t i = 0; i < npad; ++i) {
    const int64_t d = input.dim() - 1 - i;
    const int64_t n = input.size(d), lo = p[2 * i], hi = p[2 * i + 1];
    if (lo == 0 && hi == 0) continue;
    std::vector<int64_t> idx = source_indices(mode, n, lo, hi);
    Tensor index = empty({static_cast<int64_t>(idx.size())}, TensorOptions(kInt64));
    std::copy(idx.begin(), idx.end(), index.data_ptr<int64_t>());
    r = r.index_select(d, index);
  }
  return r;
}

}  // namespace ember::nn::functional
