#include "ember/ops/linear.h"
#include "ember/ops/autocast.h"

#include "ember/ops/elementwise.h"
#include "ember/ops/linalg.h"
#include "ember/ops/reduce.h"
#include "ember/ops/shape.h"

namespace ember {

namespace {
std::string shape_string(IntArrayRef s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += 'x';
    out += std::to_string(s[i]);
  }
  return out;
}
}  // namespace

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  EMBER_AUTOCAST(linear, input, weight, bias);
  EMBER_CHECK(input.defined() && weight.defined(), "linear: input and weight must be defined");
  EMBER_CHECK(weight.dim() == 2 || weight.dim() == 1, "linear: weight must be 1-D or 2-D, got ", weight.dim(), "-D");
  EMBER_CHECK(input.dim() >= 1, "linear: input must have at least one dimension");
  int64_t in_features = weight.size(-1);
  if (input.size(-1) != in_features) {
    int64_t rows = input.numel() / std::max<int64_t>(input.size(-1), 1);
    EMBER_THROW(Error, "mat1 and mat2 shapes cannot be multiplied (", rows, "x", input.size(-1), " and ",
                shape_string(weight.t().sizes()), ")");
  }
  if (input.dim() == 2 && weight.dim() == 2 && bias.defined()) return addmm(bias, input, weight.t());
  Tensor out = matmul(input, weight.t());
  if (bias.defined()) out = out + bias;
  return out;
}

Tensor bilinear(const Tensor& input1, const Tensor& input2, const Tensor& weight, const Tensor& bias) {
  // bilinear is in no autocast list: its matmul runs in the inputs' dtype, as torch's does.
  autocast::detail::ExcludeGuard no_autocast;
  EMBER_CHECK(weight.dim() == 3, "bilinear(): weight must be 3-D, got ", weight.dim(), "-D");
  EMBER_CHECK(input1.dim() == input2.dim(), "bilinear(): input dimensions do not match: got ", input1.dim(),
              " and ", input2.dim());
  EMBER_CHECK(input1.size(-1) == weight.size(1), "bilinear(): input1 size does not match weight size: got ",
              input1.size(-1), " but expected ", weight.size(1));
  EMBER_CHECK(input2.size(-1) == weight.size(2), "bilinear(): input2 size does not match weight size: got ",
              input2.size(-1), " but expected ", weight.size(2));
  // (x1 W_o) . x2 for every output o: [..., in1] x [in1, out*in2] -> [..., out, in2].
  int64_t out_f = weight.size(0), in1 = weight.size(1), in2 = weight.size(2);
  Tensor w = weight.permute({1, 0, 2}).reshape({in1, out_f * in2});
  Tensor t = matmul(input1, w);
  DimVector shape(input1.sizes().begin(), input1.sizes().end() - 1);
  shape.push_back(out_f);
  shape.push_back(in2);
  Tensor y = (t.reshape(shape) * input2.unsqueeze(-2)).sum(-1);
  if (bias.defined()) y = y + bias;
  return y;
}

}  // namespace ember
