#pragma once
// Options of the loss modules (nn::MSELoss, nn::CrossEntropyLoss, ...) and of the matching
// nn::functional losses, with LibTorch's names and defaults. Every loss takes a
// `reduction` (ember::kNone / kMean / kSum, ember/nn/enum.h); KLDivLoss also takes
// ember::kBatchMean (KLDivReduction below). The functional names are aliases
// (F::MSELossFuncOptions, F::CrossEntropyFuncOptions, ...) as in LibTorch.
#include <cstdint>
#include <string>

#include "ember/core/tensor.h"
#include "ember/nn/enum.h"
#include "ember/core/arg.h"

namespace ember {

// KLDivLoss's extra reduction: the summed loss divided by the batch size (input.size(0)),
// the value that matches the mathematical KL divergence.
struct BatchMean {};
inline constexpr BatchMean kBatchMean{};

// KLDivLoss's reduction: any Reduction, or kBatchMean. Converts implicitly from both, so
// `KLDivLossOptions().reduction(ember::kSum)` and `.reduction(ember::kBatchMean)` both read
// as in LibTorch; a BatchMean elsewhere is a compile error.
class KLDivReduction {
 public:
  /*implicit*/ constexpr KLDivReduction(Reduction r) : reduction_(r) {}
  /*implicit*/ constexpr KLDivReduction(BatchMean) : batchmean_(true) {}
  constexpr bool is_batchmean() const { return batchmean_; }
  // The reduction to apply before dividing by the batch size (kSum for batchmean).
  constexpr Reduction reduction() const { return batchmean_ ? Reduction::Sum : reduction_; }
  constexpr bool operator==(const KLDivReduction& o) const {
    return batchmean_ == o.batchmean_ && (batchmean_ || reduction_ == o.reduction_);
  }

 private:
  Reduction reduction_ = Reduction::Mean;
  bool batchmean_ = false;
};
// "none" / "batchmean" / "sum" / "mean".
inline std::string reduction_name(const KLDivReduction& r) {
  return r.is_batchmean() ? "batchmean" : reduction_name(r.reduction());
}

namespace nn {

struct L1LossOptions {
  /*implicit*/ L1LossOptions(Reduction reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(Reduction, reduction);
};

struct MSELossOptions {
  /*implicit*/ MSELossOptions(Reduction reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(Reduction, reduction);
};

// Elementwise loss 0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta elsewhere (beta 0: L1).
struct SmoothL1LossOptions {
  /*implicit*/ SmoothL1LossOptions(Reduction reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(Reduction, reduction);
  EMBER_ARG(double, beta) = 1.0;
};

// 0.5 d^2 where |d| < delta, delta (|d| - 0.5 delta) elsewhere.
struct HuberLossOptions {
  /*implicit*/ HuberLossOptions(Reduction reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(Reduction, reduction);
  EMBER_ARG(double, delta) = 1.0;
};

// weight: optional per-element rescaling, broadcast against the input.
struct BCELossOptions {
  EMBER_ARG(Tensor, weight) = {};
  EMBER_ARG(Reduction, reduction) = kMean;
};

// pos_weight: optional weight of positive examples, broadcast against the input (one per class).
struct BCEWithLogitsLossOptions {
  EMBER_ARG(Tensor, weight) = {};
  EMBER_ARG(Reduction, reduction) = kMean;
  EMBER_ARG(Tensor, pos_weight) = {};
};

// weight: optional per-class weight (C). Targets equal to ignore_index add nothing, and
// 'mean' divides by the summed weights of the other targets.
struct NLLLossOptions {
  EMBER_ARG(Tensor, weight) = {};
  EMBER_ARG(int64_t, ignore_index) = -100;
  EMBER_ARG(Reduction, reduction) = kMean;
};

struct CrossEntropyLossOptions {
  EMBER_ARG(Tensor, weight) = {};
  EMBER_ARG(int64_t, ignore_index) = -100;
  EMBER_ARG(Reduction, reduction) = kMean;
  EMBER_ARG(double, label_smoothing) = 0.0;
};

// input holds log-probabilities; target probabilities (log-probabilities with log_target).
struct KLDivLossOptions {
  /*implicit*/ KLDivLossOptions(KLDivReduction reduction = kMean) : reduction_(reduction) {}
  // One conversion each, so KLDivLoss(ember::kBatchMean) and F::kl_div(x, t, ember::kSum) compile
  // as in LibTorch (two chained implicit conversions would not).
  /*implicit*/ KLDivLossOptions(Reduction reduction) : reduction_(reduction) {}
  /*implicit*/ KLDivLossOptions(BatchMean batchmean) : reduction_(batchmean) {}
  EMBER_ARG(KLDivReduction, reduction);
  EMBER_ARG(bool, log_target) = false;
};

struct MarginRankingLossOptions {
  EMBER_ARG(double, margin) = 0;
  EMBER_ARG(Reduction, reduction) = kMean;
};

struct CosineEmbeddingLossOptions {
  EMBER_ARG(double, margin) = 0.0;
  EMBER_ARG(Reduction, reduction) = kMean;
};

namespace functional {
using L1LossFuncOptions = L1LossOptions;
using MSELossFuncOptions = MSELossOptions;
using SmoothL1LossFuncOptions = SmoothL1LossOptions;
using HuberLossFuncOptions = HuberLossOptions;
using BinaryCrossEntropyFuncOptions = BCELossOptions;
using BinaryCrossEntropyWithLogitsFuncOptions = BCEWithLogitsLossOptions;
using NLLLossFuncOptions = NLLLossOptions;
using CrossEntropyFuncOptions = CrossEntropyLossOptions;
using KLDivFuncOptions = KLDivLossOptions;
using MarginRankingLossFuncOptions = MarginRankingLossOptions;
using CosineEmbeddingLossFuncOptions = CosineEmbeddingLossOptions;
}  // namespace functional

}  // namespace nn
}  // namespace ember
