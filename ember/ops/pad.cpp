#include "ember/ops/pad.h"

#include <algorithm>

#include "ember/autograd/derivatives_functional.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"

namespace ember {

Tensor constant_pad_nd(const Tensor& self, IntArrayRef pad, const Scalar& value) {
  EMBER_CHECK(self.defined(), "constant_pad_nd: expected a defined tensor");
  EMBER_CHECK(pad.size() % 2 == 0, "Length of pad must be even but instead it equals ", pad.size());
  const int64_t npad = static_cast<int64_t>(pad.size()) / 2;
  EMBER_CHECK(npad <= self.dim(), "Length of pad should be no more than twice the number of dimensions of the input. "
              "Pad length is ", pad.size(), " while the input has ", self.dim(), " dimensions.");
  DimVector out_shape(self.sizes().begin(), self.sizes().end());
  for (int64_t i = 0; i < npad; ++i) {
    const int64_t d = self.dim() - 1 - i;
    const int64_t size = self.size(d) + pad[2 * i] + pad[2 * i + 1];
    EMBER_CHECK(size >= 0, "The input size ", self.size(d), ", plus negative padding ", pad[2 * i], " and ",
                pad[2 * i + 1], " resulted in a negative output size, which is invalid. Check dimension ", d,
                " of your input.");
    out_shape[d] = size;
  }
  Tensor out = autograd::untracked([&] {
    // Only pads that grow a dim write `value`; with none (pure cropping) PyTorch never
    // converts it, so a value the dtype cannot hold is no error then.
    const bool fills = std::any_of(pad.begin(), pad.end(), [](int64_t p) { return p > 0; });
    Tensor r = fills ? full(out_shape, value, self.options()) : empty(out_shape, self.options());
    // The region of the input that survives cropping, and where it lands in the output.
    Tensor src = self, dst = r;
    for (int64_t i = 0; i < npad; ++i) {
      const int64_t d = self.dim() - 1 - i;
      const int64_t lo = pad[2 * i], hi = pad[2 * i + 1];
      const int64_t in_begin = lo < 0 ? -lo : 0, in_end = self.size(d) - (hi < 0 ? -hi : 0);
      const int64_t len = std::max<int64_t>(in_end - in_begin, 0);
      src = src.narrow(d, std::min(in_begin, self.size(d)), len);
      dst = dst.narrow(d, lo > 0 ? std::min(lo, out_shape[d]) : 0, len);
    }
    if (src.numel() > 0) dst.copy_(src);
    return r;
  });
  autograd::record(autograd::ConstantPadNdBackward0, {&self}, out, {autograd::dim_vector(pad)});
  return out;
}

}  // namespace ember
