// nn::functional losses. mse, smooth_l1, huber and the binary cross entropies compute
// their value with ember ops (no recording) and record one node with PyTorch's name and
// gradient formula (autograd/derivatives_functional.cpp); nll_loss is a dedicated op
// (loss_nll.cpp); the others are composites of ember ops.
#include "ember/nn/functional/loss.h"
#include "ember/ops/autocast.h"

#include "ember/autograd/derivatives_functional.h"
#include "ember/nn/functional/loss_util.h"
#include "ember/ops/activation.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/reduce.h"
#include "ember/ops/shape.h"
#include "ember/ops/type_promotion.h"

namespace ember::nn::functional {

namespace detail {

Tensor apply_reduction(const Tensor& t, Reduction r) {
  switch (r) {
    case Reduction::None: return t;
    case Reduction::Mean: return t.mean();
    case Reduction::Sum: return t.sum();
  }
  return t;
}

int reduction_code(Reduction r) { return r == Reduction::None ? 0 : (r == Reduction::Mean ? 1 : 2); }

}  // namespace detail

namespace {

using detail::apply_reduction;
using detail::reduction_code;

// input and target expanded to their common shape (PyTorch's broadcast_tensors step).
std::pair<Tensor, Tensor> broadcast_pair(const Tensor& input, const Tensor& target, const char* op) {
  EMBER_CHECK(input.defined() && target.defined(), op, ": expected defined tensors");
  if (input.sizes() == target.sizes()) return {input, target};
  DimVector shape = broadcast_shapes(input.sizes(), target.sizes());
  return {input.expand(shape), target.expand(shape)};
}
// PyTorch multiplies the loss by its weights in place, so weights may broadcast only to the
// loss's own shape.
void check_weight_fits(const Tensor& weight, IntArrayRef loss_shape) {
  if (!weight.defined()) return;
  DimVector b = broadcast_shapes(loss_shape, weight.sizes());
  EMBER_CHECK(IntArrayRef(b) == loss_shape, "output with shape ", loss_shape, " doesn't match the broadcast shape ", b);
}

// The pair in their promoted dtype, as PyTorch's fused loss kernels see them (so a bool
// or integer target works where a plain subtraction of a bool tensor would be refused).
// The casts are recorded, so gradients reach the inputs in their own dtypes.
std::pair<Tensor, Tensor> promoted_pair(const Tensor& input, const Tensor& target, const char* op) {
  auto [x, t] = broadcast_pair(input, target, op);
  const ScalarType common = result_type(x, t);
  return {x.to(common), t.to(common)};
}

}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossFuncOptions& options) {
  EMBER_AUTOCAST(mse_loss, input, target, options);
  auto [x, t] = promoted_pair(input, target, "mse_loss");
  Tensor r = autograd::untracked([&] { return apply_reduction(square(x - t), options.reduction()); });
  autograd::record(autograd::MseLossBackward0, {&x, &t}, r, {reduction_code(options.reduction()), x.numel()}, {x, t});
  return r;
}

Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& options) {
  EMBER_AUTOCAST(l1_loss, input, target, options);
  auto [x, t] = broadcast_pair(input, target, "l1_loss");
  return apply_reduction(abs(x - t), options.reduction());
}

namespace {
Tensor smooth_l1_huber(const Tensor& input, const Tensor& target, Reduction reduction, double delta, bool smooth) {
  auto [x, t] = promoted_pair(input, target, smooth ? "smooth_l1_loss" : "huber_loss");
  // huber_loss writes into a tensor of the input's dtype (PyTorch's out= rule).
  if (!smooth) check_can_cast_to_output(x.dtype(), input.dtype());
  Tensor r = autograd::untracked([&] {
    Tensor d = abs(x - t);
    Tensor inner = smooth ? d * d * (0.5 / delta) : d * d * 0.5;
    Tensor outer = smooth ? d - 0.5 * delta : (d - 0.5 * delta) * delta;
    return apply_reduction(where(lt(d, delta), inner, outer), reduction);
  });
  autograd::record(smooth ? autograd::SmoothL1LossBackward0 : autograd::HuberLossBackward0, {&x, &t}, r,
                   {reduction_code(reduction), x.numel(), delta}, {x, t});
  return smooth ? r : r.to(input.dtype());
}
}  // namespace

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& options) {
  EMBER_AUTOCAST(smooth_l1_loss, input, target, options);
  EMBER_CHECK(options.beta() >= 0, "smooth_l1_loss does not support negative values for beta.");
  // beta = 0 is the L1 loss (PyTorch 2 calls l1_loss there too; 1.13's kernel gives the
  // gradient -1 where input == target). Operands are promoted first, as smooth_l1's are.
  if (options.beta() == 0) {
    auto [x, t] = promoted_pair(input, target, "smooth_l1_loss");
    return l1_loss(x, t, options.reduction());
  }
  return smooth_l1_huber(input, target, options.reduction(), options.beta(), true);
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& options, double beta) {
  return smooth_l1_loss(input, target, SmoothL1LossFuncOptions(options).beta(beta));
}

Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossFuncOptions& options) {
  EMBER_AUTOCAST(huber_loss, input, target, options);
  EMBER_CHECK(options.delta() > 0, "huber_loss does not support non-positive values for delta.");
  return smooth_l1_huber(input, target, options.reduction(), options.delta(), false);
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const BinaryCrossEntropyFuncOptions& options) {
  EMBER_AUTOCAST(binary_cross_entropy, input, target, options);
  EMBER_CHECK(input.defined() && target.defined(), "binary_cross_entropy: expected defined tensors");
  EMBER_CHECK_VALUE(input.sizes() == target.sizes(), "Using a target size (", target.sizes(),
                    ") that is different to the input size (", input.sizes(),
                    ") is deprecated. Please ensure they have the same size.");
  EMBER_CHECK(target.dtype() == input.dtype(), "Found dtype ", target.dtype(), " but expected ", input.dtype());
  Tensor w = options.weight();
  check_weight_fits(w, input.sizes());
  if (w.defined() && w.sizes() != input.sizes()) w = w.expand(broadcast_shapes(target.sizes(), w.sizes()));
  Tensor r = autograd::untracked([&] {
    EMBER_CHECK(logical_and(ge(input, 0), le(input, 1)).all().item<bool>() || input.numel() == 0,
                "all elements of input should be between 0 and 1");
    // (t - 1) max(log(1 - x), -100) - t max(log x, -100)
    Tensor loss = (target - 1) * clamp(log1p(-input), -100.0) - target * clamp(log(input), -100.0);
    // PyTorch multiplies the weight in place, so the loss keeps the input's dtype.
    if (w.defined()) {
      loss = loss * w;
      check_can_cast_to_output(loss.dtype(), input.dtype());
      loss = loss.to(input.dtype());
    }
    return apply_reduction(loss, options.reduction());
  });
  autograd::record(autograd::BinaryCrossEntropyBackward0, {&input, &target}, r,
                   {reduction_code(options.reduction()), input.numel()}, {input, target, w});
  return r;
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BinaryCrossEntropyWithLogitsFuncOptions& options) {
  EMBER_AUTOCAST(binary_cross_entropy_with_logits, input, target, options);
  EMBER_CHECK(input.defined() && target.defined(), "binary_cross_entropy_with_logits: expected defined tensors");
  EMBER_CHECK_VALUE(input.sizes() == target.sizes(), "Target size (", target.sizes(),
                    ") must be the same as input size (", input.sizes(), ")");
  const Tensor& w = options.weight();
  check_weight_fits(w, target.sizes());
  check_weight_fits(options.pos_weight(), target.sizes());
  const Tensor& pw = options.pos_weight();
  Tensor r = autograd::untracked([&] {
    // (1 - t) x - (1 + (pw - 1) t) log_sigmoid(x): log_sigmoid never overflows, so logits
    // of +-1000 give exact values.
    Tensor ls = log_sigmoid(input);
    Tensor loss = pw.defined() ? (1 - target) * input - ((pw - 1) * target + 1) * ls : (1 - target) * input - ls;
    if (w.defined()) loss = loss * w;
    // PyTorch builds the loss in place on (1 - target), so it has the target's dtype
    // whatever the dtypes of the input and the weights.
    check_can_cast_to_output(loss.dtype(), target.dtype());
    loss = loss.to(target.dtype());
    return apply_reduction(loss, options.reduction());
  });
  autograd::record(autograd::BinaryCrossEntropyWithLogitsBackward0, {&input, &target}, r,
                   {reduction_code(options.reduction()), input.numel()}, {input, target, w, pw});
  return r;
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& options) {
  EMBER_AUTOCAST(cross_entropy, input, target, options);
  EMBER_CHECK(input.defined() && target.defined(), "cross_entropy: expected defined tensors");
  EMBER_CHECK_VALUE(input.dim() >= 1, "Expected 1 or more dimensions (got ", input.dim(), ")");
  const int64_t class_dim = input.dim() == 1 ? 0 : 1;
  const int64_t n_classes = input.size(class_dim);
  const double ls = options.label_smoothing();
  const Tensor& weight = options.weight();
  const Reduction reduction = options.reduction();
  // Weight viewed as (1, C, 1, ...) to broadcast along the class dimension.
  auto weight_view = [&]() {
    DimVector shape(static_cast<size_t>(input.dim()), 1);
    shape[class_dim] = n_classes;
    return weight.reshape(shape);
  };
  Tensor logp = log_softmax(input, class_dim);

  if (input.sizes() == target.sizes()) {
    // Class probabilities.
    EMBER_CHECK(is_floating_point(target.dtype()),
                "Expected floating point type for target with class probabilities, got ", target.dtype());
    EMBER_CHECK(ls >= 0.0 && ls <= 1.0, "label_smoothing must be between 0.0 and 1.0. Got: ", ls);
    EMBER_CHECK(!weight.defined() || (weight.dim() == 1 && weight.numel() == n_classes),
                "cross_entropy: weight tensor should be defined either for all ", n_classes,
                " classes or no classes but got weight tensor of shape: ", weight.sizes());
    Tensor t = ls > 0 ? target * (1 - ls) + ls / static_cast<double>(n_classes) : target;
    Tensor prod = weight.defined() ? logp * t * weight_view() : logp * t;
    switch (reduction) {
      case Reduction::None: return -prod.sum({class_dim});
      case Reduction::Sum: return -prod.sum();
      case Reduction::Mean:
        // Divided by the number of samples (every element but the class dimension).
        return -prod.sum() / static_cast<double>(input.numel() / std::max<int64_t>(n_classes, 1));
    }
  }

  // Class indices.
  Tensor nll = nll_loss(logp, target,
                        NLLLossFuncOptions().weight(weight).ignore_index(options.ignore_index()).reduction(reduction));
  if (ls <= 0) return nll;
  EMBER_CHECK(ls <= 1.0, "label_smoothing must be between 0.0 and 1.0. Got: ", ls);
  // Label smoothing: (1 - ls) * nll + ls / C * (the loss against the uniform distribution).
  Tensor ignore_mask = eq(target, options.ignore_index());
  Tensor smooth = weight.defined() ? -(logp * weight_view()).sum({class_dim}) : -logp.sum({class_dim});
  smooth = smooth.masked_fill(ignore_mask, 0.0);
  Tensor ret;
  switch (reduction) {
    case Reduction::None: ret = smooth; break;
    case Reduction::Sum: ret = smooth.sum(); break;
    case Reduction::Mean:
      if (weight.defined()) {
        // Normalised by the summed weights of the non-ignored targets, as nll_loss is.
        Tensor kept = target.masked_select(logical_not(ignore_mask)).reshape({-1});
        ret = smooth.sum() / weight.index_select(0, kept).sum();
      } else {
        // Divided by the number of non-ignored targets.
        ret = smooth.sum() / logical_not(ignore_mask).sum();
      }
      break;
  }
  return nll * (1 - ls) + ret * (ls / static_cast<double>(n_classes));
}

Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivFuncOptions& options) {
  EMBER_AUTOCAST(kl_div, input, target, options);
  EMBER_CHECK(input.defined() && target.defined(), "kl_div: expected defined tensors");
  EMBER_CHECK(!is_integral(input.dtype(), true) && !is_integral(target.dtype(), true),
              "kl_div: Integral inputs not supported.");
  Tensor loss;
  if (options.log_target()) {
    loss = exp(target) * (target - input);
  } else {
    // xlogy(t, t) - t * input, with 0 log 0 = 0.
    Tensor tlogt = where(eq(target, 0), zeros_like(target), target * log(target));
    loss = tlogt - target * input;
  }
  const KLDivReduction& r = options.reduction();
  Tensor out = apply_reduction(loss, r.reduction());
  if (r.is_batchmean() && input.dim() != 0) out = out / static_cast<double>(input.size(0));
  return out;
}

Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                           const MarginRankingLossFuncOptions& options) {
  EMBER_AUTOCAST(margin_ranking_loss, input1, input2, target, options);
  EMBER_CHECK(input1.defined() && input2.defined() && target.defined(), "margin_ranking_loss: expected defined tensors");
  EMBER_CHECK(input1.dim() == input2.dim() && input1.dim() == target.dim(),
              "margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: ",
              input1.sizes(), ", input2: ", input2.sizes(), ", target: ", target.sizes(), " ");
  Tensor loss = clamp(-target * (input1 - input2) + options.margin(), 0.0);
  return apply_reduction(loss, options.reduction());
}

Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                             const CosineEmbeddingLossFuncOptions& options) {
  EMBER_AUTOCAST(cosine_embedding_loss, input1, input2, target, options);
  EMBER_CHECK(input1.defined() && input2.defined() && target.defined(),
              "cosine_embedding_loss: expected defined tensors");
  const int64_t td = target.dim();
  EMBER_CHECK(td == 1 || td == 0, "0D or 1D target tensor expected, multi-target not supported");
  if (td == 1) {
    EMBER_CHECK(input1.dim() == 2 && input2.dim() == 2, "1D target tensor expects 2D input tensors, but found inputs "
                "with sizes ", input1.sizes(), " and ", input2.sizes(), ".");
  } else {
    EMBER_CHECK(input1.dim() == 1 && input2.dim() == 1, "0D target tensor expects 1D input tensors, but found inputs "
                "with sizes ", input1.sizes(), " and ", input2.sizes(), ".");
  }
  constexpr double kEps = 1e-12;  // keeps the denominator away from 0, as PyTorch
  Tensor prod = (input1 * input2).sum({td});
  Tensor mag1 = (input1 * input1).sum({td}) + kEps;
  Tensor mag2 = (input2 * input2).sum({td}) + kEps;
  Tensor cos = prod / sqrt(mag1 * mag2);
  Tensor zero = zeros_like(cos);
  Tensor pos = where(eq(target, 1), 1 - cos, zero);
  Tensor neg = where(eq(target, -1), clamp(cos - options.margin(), 0.0), zero);
  return apply_reduction(pos + neg, options.reduction());
}

}  // namespace ember::nn::functional
