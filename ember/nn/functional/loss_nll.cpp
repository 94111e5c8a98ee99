// nll_loss as a dedicated op: one pass over the targets picks -weight[t] * input[n, t, s]
// (no full-size temporaries: cross_entropy = log_softmax + this), and one node,
// NllLossBackward0 (NllLoss2DBackward0 for spatial inputs), whose gradient scatters
// -weight[t] * grad back into a zero tensor (autograd/derivatives_functional.cpp).
#include <algorithm>
#include "ember/ops/autocast.h"

#include "ember/autograd/derivatives_functional.h"
#include "ember/nn/functional/loss.h"
#include "ember/nn/functional/loss_util.h"
#include "ember/ops/factory.h"

namespace ember::nn::functional {

namespace {

struct NllGeometry {
  int64_t N = 1, C = 0, S = 1;
  bool two_d = false;  // spatial dims (PyTorch's nll_loss2d path)
};

NllGeometry check_nll(const Tensor& input, const Tensor& target, const Tensor& weight) {
  EMBER_CHECK(input.defined() && target.defined(), "nll_loss: expected defined tensors");
  EMBER_CHECK_VALUE(input.dim() >= 1, "Expected 1 or more dimensions (got ", input.dim(), ")");
  if (input.dim() != 1) {
    EMBER_CHECK(target.dim() >= 1, "0D or 1D target tensor expected, multi-target not supported");
    EMBER_CHECK_VALUE(input.size(0) == target.size(0), "Expected input batch_size (", input.size(0),
                      ") to match target batch_size (", target.size(0), ").");
  }
  EMBER_CHECK(target.dtype() == kInt64, "expected scalar type Long but found ", target.dtype());
  EMBER_CHECK_AS(NotImplementedError, is_floating_point(input.dtype()),
                 "\"nll_loss_forward_out_frame\" not implemented for '", input.dtype(), "'");
  NllGeometry g;
  if (input.dim() <= 2) {
    EMBER_CHECK(target.dim() <= 1, "0D or 1D target tensor expected, multi-target not supported");
    const bool no_batch = input.dim() == 1 && target.dim() == 0;
    EMBER_CHECK(no_batch || input.size(0) == target.size(0), "size mismatch (got input: ", input.sizes(),
                ", target: ", target.sizes(), ")");
    g.C = input.size(-1);
    g.N = input.dim() == 1 ? 1 : input.size(0);
  } else {
    bool ok = target.dim() == input.dim() - 1;
    for (int64_t d = 2; ok && d < input.dim(); ++d) ok = target.size(d - 1) == input.size(d);
    EMBER_CHECK(ok, "size mismatch (got input: ", input.sizes(), " , target: ", target.sizes());
    g.N = input.size(0);
    g.C = input.size(1);
    g.S = 1;
    for (int64_t d = 2; d < input.dim(); ++d) g.S *= input.size(d);
    g.two_d = true;
  }
  EMBER_CHECK(!weight.defined() || (weight.dim() == 1 && weight.numel() == g.C),
              "weight tensor should be defined either for all ", g.C,
              " classes or no classes but got weight tensor of shape: ", weight.sizes());
  return g;
}

// Fills index/coef (N, 1, S) and the per-target losses (N * S); returns the total weight.
template <class T>
double nll_forward(const NllGeometry& g, const T* x, const int64_t* tgt, const T* w, int64_t ignore_index,
                   int64_t* index, T* coef, T* losses) {
  double total_weight = 0;
  for (int64_t n = 0; n < g.N; ++n) {
    for (int64_t s = 0; s < g.S; ++s) {
      const int64_t i = n * g.S + s;
      const int64_t t = tgt[i];
      if (t == ignore_index) {
        index[i] = 0;
        coef[i] = T(0);
        losses[i] = T(0);
        continue;
      }
      EMBER_CHECK_INDEX(t >= 0 && t < g.C, "Target ", t, " is out of bounds.");
      const T wt = w ? w[t] : T(1);
      index[i] = t;
      coef[i] = -wt;
      losses[i] = -wt * x[(n * g.C + t) * g.S + s];
      total_weight += double(wt);
    }
  }
  return total_weight;
}

}  // namespace

Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossFuncOptions& options) {
  EMBER_AUTOCAST(nll_loss, input, target, options);
  const Tensor& weight = options.weight();
  NllGeometry g = check_nll(input, target, weight);
  if (weight.defined())
    EMBER_CHECK(weight.dtype() == input.dtype(), "expected scalar type ", input.dtype(), " but found ", weight.dtype());
  const ScalarType cd = input.dtype() == kFloat64 ? kFloat64 : kFloat32;
  Tensor x = input.to(cd).contiguous();
  Tensor tgt = target.contiguous();
  Tensor w = weight.defined() ? weight.to(cd).contiguous() : Tensor();
  Tensor index = empty({g.N, 1, g.S}, TensorOptions(kInt64));
  Tensor coef = empty({g.N, 1, g.S}, TensorOptions(cd));
  Tensor losses = empty(target.sizes(), TensorOptions(cd));
  double total_weight = 0;
  if (cd == kFloat64) {
    total_weight = nll_forward<double>(g, x.data_ptr<double>(), tgt.data_ptr<int64_t>(),
                                       w.defined() ? w.data_ptr<double>() : nullptr, options.ignore_index(),
                                       index.data_ptr<int64_t>(), coef.data_ptr<double>(), losses.data_ptr<double>());
  } else {
    total_weight = nll_forward<float>(g, x.data_ptr<float>(), tgt.data_ptr<int64_t>(),
                                      w.defined() ? w.data_ptr<float>() : nullptr, options.ignore_index(),
                                      index.data_ptr<int64_t>(), coef.data_ptr<float>(), losses.data_ptr<float>());
  }
  Tensor r = autograd::untracked([&] {
    switch (options.reduction()) {
      case Reduction::None: return losses;
      case Reduction::Sum: return losses.sum();
      case Reduction::Mean: break;
    }
    // Divided by the summed weights of the targets that count (NaN when none does, as PyTorch).
    Tensor s = losses.sum(kFloat64) / total_weight;
    return s.to(cd);
  });
  if (cd != input.dtype()) r = autograd::untracked([&] { return r.to(input.dtype()); });
  autograd::record(g.two_d ? autograd::NllLoss2DBackward0 : autograd::NllLossBackward0, {&input}, r,
                   {detail::reduction_code(options.reduction()), input.dim() == 1 ? input.size(0) : input.size(1),
                    total_weight, autograd::dim_vector(input.sizes())},
                   {index, coef});
  return r;
}

}  // namespace ember::nn::functional
