// F::pad. Constant padding is the dedicated op constant_pad_nd; the other modes gather
// each padded dimension through an index vector computed here (index_select), so their
// gradients (index_add) come from autograd.
#include "ember/nn/functional/padding.h"

#include <vector>

#include "ember/ops/factory.h"
#include "ember/ops/index_ops.h"
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

// Source index of each output position of one padded dimension of size n.
std::vector<int64_t> source_indices(PadMode mode, int64_t n, int64_t lo, int64_t hi) {
  std::vector<int64_t> idx;
  idx.reserve(static_cast<size_t>(std::max<int64_t>(n + lo + hi, 0)));
  for (int64_t o = -lo; o < n + hi; ++o) {
    int64_t i = o;
    switch (mode) {
      case PadMode::Reflect:
        if (i < 0) i = -i;
        if (i >= n) i = 2 * (n - 1) - i;
        break;
      case PadMode::Replicate: i = std::min(std::max<int64_t>(i, 0), n - 1); break;
      default: i = ((i % n) + n) % n; break;  // circular
    }
    idx.push_back(i);
  }
  return idx;
}

}  // namespace

Tensor pad(const Tensor& input, const PadFuncOptions& options) {
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
  // Reflect and replicate take an empty batch but no other empty dim (PyTorch's kernels).
  if (mode == PadMode::Reflect || mode == PadMode::Replicate) {
    const int64_t first = input.dim() == npad + 2 ? 1 : 0;
    bool ok = true;
    for (int64_t d = first; d < input.dim(); ++d) ok = ok && input.size(d) > 0;
    if (mode == PadMode::Replicate)
      EMBER_CHECK(ok, "Expected ", npad + 1, "D or ", npad + 2, "D (batch mode) tensor with possibly 0 batch size and "
                  "other non-zero dimensions for input, but got: ", input.sizes());
    else
      EMBER_CHECK(ok, npad + 1, "D or ", npad + 2, "D (batch mode) tensor expected for input, but got: ", input.sizes());
  }
  Tensor r = input;
  for (int64_t i = 0; i < npad; ++i) {
    const int64_t d = input.dim() - 1 - i;
    const int64_t n = input.size(d), lo = p[2 * i], hi = p[2 * i + 1];
    if (lo == 0 && hi == 0) continue;
    EMBER_CHECK(lo >= 0 && hi >= 0, "pad: negative padding (", lo, ", ", hi, ") is only supported in constant mode");
    if (mode == PadMode::Reflect) {
      EMBER_CHECK(lo < n && hi < n, "Argument #4: Padding size should be less than the corresponding input dimension, "
                  "but got: padding (", lo, ", ", hi, ") at dimension ", d, " of input ", input.sizes());
    } else if (mode == PadMode::Circular) {
      EMBER_CHECK(lo <= n && hi <= n, "Padding value causes wrapping around more than once.");
    }
    std::vector<int64_t> idx = source_indices(mode, n, lo, hi);
    Tensor index = empty({static_cast<int64_t>(idx.size())}, TensorOptions(kInt64));
    std::copy(idx.begin(), idx.end(), index.data_ptr<int64_t>());
    r = r.index_select(d, index);
  }
  return r;
}

}  // namespace ember::nn::functional
