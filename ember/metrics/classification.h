#pragma once
// Classification metrics with scikit-learn's definitions (sklearn.metrics), on ember
// tensors: 1-D integer (or bool) label tensors, floating score tensors.
//
// Labels are the sorted union of the values in y_true and y_pred, as sklearn's
// unique_labels. average:
//   "binary"   the class pos_label only (an error when there are more than two labels)
//   "micro"    totals over all classes
//   "macro"    unweighted mean of the per-class values
//   "weighted" mean weighted by each class's support (count in y_true)
// zero_division: the value of a 0/0 precision or recall (sklearn's default "warn" gives 0,
// without the warning here).
#include <optional>
#include <string>

#include "ember/core/tensor.h"

namespace ember::metrics {

// Fraction of positions where y_pred equals y_true.
double accuracy(const Tensor& y_true, const Tensor& y_pred);

double precision(const Tensor& y_true, const Tensor& y_pred, const std::string& average = "binary",
                 int64_t pos_label = 1, double zero_division = 0.0);
double recall(const Tensor& y_true, const Tensor& y_pred, const std::string& average = "binary", int64_t pos_label = 1,
              double zero_division = 0.0);
double f1_score(const Tensor& y_true, const Tensor& y_pred, const std::string& average = "binary",
                int64_t pos_label = 1, double zero_division = 0.0);

// [C, C] int64 counts: row = true class, column = predicted class. Without num_classes the
// classes are the sorted union of labels seen (sklearn); with it, the classes are
// 0..num_classes-1 and any other label is an error.
Tensor confusion_matrix(const Tensor& y_true, const Tensor& y_pred, std::optional<int64_t> num_classes = std::nullopt);

// Area under the ROC curve (trapezoid rule over the distinct thresholds, so tied scores
// count half, as sklearn). y_score 1-D: binary, y_true has two classes and the larger label
// is positive. y_score [N, C]: multiclass one-vs-rest macro average; rows must be
// probabilities (sum to 1) and y_true must hold exactly C classes.
double roc_auc_score(const Tensor& y_true, const Tensor& y_score);

}  // namespace ember::metrics
