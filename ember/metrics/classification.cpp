#include "ember/metrics/classification.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <vector>

#include "ember/core/error.h"
#include "ember/ops/factory.h"

namespace ember::metrics {

namespace {

std::string list_repr(const std::vector<int64_t>& v) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  os << "]";
  return os.str();
}

// A 1-D integer/bool label tensor as int64 values.
std::vector<int64_t> labels_of(const Tensor& t, const char* fn, const char* name) {
  EMBER_CHECK_VALUE(t.defined(), fn, ": ", name, " is undefined");
  EMBER_CHECK_VALUE(t.dim() == 1, fn, ": ", name, " should be a 1d array, got an array of shape ", t.sizes(),
                    " instead.");
  EMBER_CHECK_TYPE(is_integral(t.dtype(), /*include_bool=*/true), fn, ": ", name,
                   " must hold integer class labels, but got dtype ", dtype_name(t.dtype()));
  Tensor c = t.to(kInt64).contiguous();
  const int64_t* p = c.data_ptr<int64_t>();
  return std::vector<int64_t>(p, p + c.numel());
}

std::vector<double> doubles_of(const Tensor& t) {
  Tensor c = t.to(kFloat64).contiguous();
  const double* p = c.data_ptr<double>();
  return std::vector<double>(p, p + c.numel());
}

void check_same_length(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  EMBER_CHECK_VALUE(a.size() == b.size(), "Found input variables with inconsistent numbers of samples: [", a.size(),
                    ", ", b.size(), "]");
}

std::vector<int64_t> unique_sorted(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

enum class Which { precision, recall, f1 };

double safe_div(double num, double den, double zero_division) { return den == 0 ? zero_division : num / den; }

// sklearn's precision_recall_fscore_support for one average mode, returning one value.
double prf(Which which, const Tensor& y_true_t, const Tensor& y_pred_t, const std::string& average, int64_t pos_label,
           double zero_division, const char* fn) {
  std::vector<int64_t> y_true = labels_of(y_true_t, fn, "y_true");
  std::vector<int64_t> y_pred = labels_of(y_pred_t, fn, "y_pred");
  check_same_length(y_true, y_pred);
  EMBER_CHECK_VALUE(average == "binary" || average == "micro" || average == "macro" || average == "weighted",
                    fn, ": average has to be one of ('binary', 'micro', 'macro', 'weighted'), got '", average, "'");
  std::vector<int64_t> all(y_true);
  all.insert(all.end(), y_pred.begin(), y_pred.end());
  std::vector<int64_t> present = unique_sorted(all);
  std::vector<int64_t> labels = present;
  if (average == "binary") {
    EMBER_CHECK_VALUE(present.size() <= 2,
                      "Target is multiclass but average='binary'. Please choose another average setting, one of "
                      "[None, 'micro', 'macro', 'weighted'].");
    const bool has_pos = std::find(present.begin(), present.end(), pos_label) != present.end();
    EMBER_CHECK_VALUE(has_pos || present.size() < 2, "pos_label=", pos_label,
                      " is not a valid label. It should be one of ", list_repr(present));
    labels = {pos_label};
  }
  const size_t n = labels.size();
  std::vector<double> tp(n, 0), pred_sum(n, 0), true_sum(n, 0);
  auto index_of = [&](int64_t v) -> int64_t {
    auto it = std::lower_bound(labels.begin(), labels.end(), v);
    return (it != labels.end() && *it == v) ? it - labels.begin() : -1;
  };
  for (size_t i = 0; i < y_true.size(); ++i) {
    const int64_t t = index_of(y_true[i]), p = index_of(y_pred[i]);
    if (t >= 0) true_sum[static_cast<size_t>(t)] += 1;
    if (p >= 0) pred_sum[static_cast<size_t>(p)] += 1;
    if (t >= 0 && y_true[i] == y_pred[i]) tp[static_cast<size_t>(t)] += 1;
  }
  if (average == "micro") {
    tp = {std::accumulate(tp.begin(), tp.end(), 0.0)};
    pred_sum = {std::accumulate(pred_sum.begin(), pred_sum.end(), 0.0)};
    true_sum = {std::accumulate(true_sum.begin(), true_sum.end(), 0.0)};
  }
  const size_t m = tp.size();
  std::vector<double> prec(m), rec(m), f(m);
  for (size_t k = 0; k < m; ++k) {
    prec[k] = safe_div(tp[k], pred_sum[k], zero_division);
    rec[k] = safe_div(tp[k], true_sum[k], zero_division);
    double denom = prec[k] + rec[k];
    if (denom == 0) denom = 1;  // sklearn: f = 0 when precision = recall = 0
    f[k] = 2 * prec[k] * rec[k] / denom;
  }
  const std::vector<double>& vals = which == Which::precision ? prec : which == Which::recall ? rec : f;
  if (average == "weighted") {
    const double wsum = std::accumulate(true_sum.begin(), true_sum.end(), 0.0);
    if (wsum == 0) {
      // No true samples of any class (sklearn's special case).
      const double ps = std::accumulate(pred_sum.begin(), pred_sum.end(), 0.0);
      if (ps == 0) return zero_division;
      return which == Which::recall ? zero_division : 0.0;
    }
    double s = 0;
    for (size_t k = 0; k < m; ++k) s += vals[k] * true_sum[k];
    return s / wsum;
  }
  // numpy's mean: pairwise summation equals plain summation for these few classes only
  // approximately; sum then divide as np.average does.
  double s = 0;
  for (double v : vals) s += v;
  return m == 0 ? zero_division : s / static_cast<double>(m);
}

// Binary AUC of scores against 0/1 truths (both non-empty classes), sklearn's roc_curve +
// auc: points at each distinct threshold, descending, trapezoid rule.
double binary_auc(const std::vector<double>& score, const std::vector<char>& positive) {
  const size_t n = score.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return score[a] > score[b]; });
  double tps = 0, fps = 0, area = 0;
  std::vector<std::pair<double, double>> pts{{0.0, 0.0}};
  for (size_t i = 0; i < n; ++i) {
    if (positive[order[i]]) tps += 1;
    else fps += 1;
    if (i + 1 == n || score[order[i + 1]] != score[order[i]]) pts.emplace_back(fps, tps);
  }
  const double P = pts.back().second, N = pts.back().first;
  EMBER_CHECK_VALUE(P > 0 && N > 0, "Only one class present in y_true. ROC AUC score is not defined in that case.");
  for (size_t i = 1; i < pts.size(); ++i) {
    const double x0 = pts[i - 1].first / N, x1 = pts[i].first / N;
    const double y0 = pts[i - 1].second / P, y1 = pts[i].second / P;
    area += (x1 - x0) * (y0 + y1) / 2.0;
  }
  return area;
}

}  // namespace

double accuracy(const Tensor& y_true_t, const Tensor& y_pred_t) {
  std::vector<int64_t> y_true = labels_of(y_true_t, "accuracy", "y_true");
  std::vector<int64_t> y_pred = labels_of(y_pred_t, "accuracy", "y_pred");
  check_same_length(y_true, y_pred);
  EMBER_CHECK_VALUE(!y_true.empty(), "accuracy: y_true is empty");
  double correct = 0;
  for (size_t i = 0; i < y_true.size(); ++i) correct += y_true[i] == y_pred[i];
  return correct / static_cast<double>(y_true.size());
}

double precision(const Tensor& y_true, const Tensor& y_pred, const std::string& average, int64_t pos_label,
                 double zero_division) {
  return prf(Which::precision, y_true, y_pred, average, pos_label, zero_division, "precision");
}
double recall(const Tensor& y_true, const Tensor& y_pred, const std::string& average, int64_t pos_label,
              double zero_division) {
  return prf(Which::recall, y_true, y_pred, average, pos_label, zero_division, "recall");
}
double f1_score(const Tensor& y_true, const Tensor& y_pred, const std::string& average, int64_t pos_label,
                double zero_division) {
  return prf(Which::f1, y_true, y_pred, average, pos_label, zero_division, "f1_score");
}

Tensor confusion_matrix(const Tensor& y_true_t, const Tensor& y_pred_t, std::optional<int64_t> num_classes) {
  std::vector<int64_t> y_true = labels_of(y_true_t, "confusion_matrix", "y_true");
  std::vector<int64_t> y_pred = labels_of(y_pred_t, "confusion_matrix", "y_pred");
  check_same_length(y_true, y_pred);
  std::vector<int64_t> labels;
  if (num_classes) {
    EMBER_CHECK_VALUE(*num_classes > 0, "confusion_matrix: num_classes must be positive, but got ", *num_classes);
    labels.resize(static_cast<size_t>(*num_classes));
    std::iota(labels.begin(), labels.end(), 0);
    for (size_t i = 0; i < y_true.size(); ++i)
      EMBER_CHECK_VALUE(y_true[i] >= 0 && y_true[i] < *num_classes && y_pred[i] >= 0 && y_pred[i] < *num_classes,
                        "confusion_matrix: label ", (y_true[i] >= 0 && y_true[i] < *num_classes) ? y_pred[i] : y_true[i],
                        " at position ", i, " is out of range for num_classes=", *num_classes);
  } else {
    std::vector<int64_t> all(y_true);
    all.insert(all.end(), y_pred.begin(), y_pred.end());
    labels = unique_sorted(all);
  }
  const int64_t c = static_cast<int64_t>(labels.size());
  Tensor out = zeros({c, c}, TensorOptions(kInt64));
  int64_t* m = out.data_ptr<int64_t>();
  for (size_t i = 0; i < y_true.size(); ++i) {
    const int64_t r = std::lower_bound(labels.begin(), labels.end(), y_true[i]) - labels.begin();
    const int64_t k = std::lower_bound(labels.begin(), labels.end(), y_pred[i]) - labels.begin();
    m[r * c + k] += 1;
  }
  return out;
}

double roc_auc_score(const Tensor& y_true_t, const Tensor& y_score_t) {
  std::vector<int64_t> y_true = labels_of(y_true_t, "roc_auc_score", "y_true");
  EMBER_CHECK_TYPE(y_score_t.defined() && y_score_t.is_floating_point(),
                   "roc_auc_score: y_score must be a floating point tensor of scores");
  EMBER_CHECK_VALUE(y_score_t.dim() == 1 || y_score_t.dim() == 2,
                    "roc_auc_score: y_score must be 1-D (binary) or 2-D (multiclass), but got shape ",
                    y_score_t.sizes());
  EMBER_CHECK_VALUE(y_score_t.size(0) == static_cast<int64_t>(y_true.size()),
                    "Found input variables with inconsistent numbers of samples: [", y_true.size(), ", ",
                    y_score_t.size(0), "]");
  std::vector<int64_t> classes = unique_sorted(y_true);
  std::vector<double> score = doubles_of(y_score_t);
  for (double s : score) EMBER_CHECK_VALUE(std::isfinite(s), "Input contains NaN, infinity or a value too large.");
  if (y_score_t.dim() == 1 || (y_score_t.dim() == 2 && y_score_t.size(1) == 1)) {
    EMBER_CHECK_VALUE(classes.size() == 2, classes.size() < 2
                          ? "Only one class present in y_true. ROC AUC score is not defined in that case."
                          : "roc_auc_score: y_true has more than two classes but y_score is 1-D; pass a [N, C] "
                            "probability matrix for multiclass");
    std::vector<char> pos(y_true.size());
    for (size_t i = 0; i < y_true.size(); ++i) pos[i] = y_true[i] == classes[1];
    return binary_auc(score, pos);
  }
  const size_t n = y_true.size(), c = static_cast<size_t>(y_score_t.size(1));
  if (c == 2 && classes.size() <= 2) {
    // sklearn treats a two-column matrix with binary y_true as binary, scoring column 1.
    EMBER_CHECK_VALUE(classes.size() == 2, "Only one class present in y_true. ROC AUC score is not defined in that case.");
    std::vector<double> s1(n);
    std::vector<char> pos(n);
    for (size_t i = 0; i < n; ++i) s1[i] = score[i * 2 + 1], pos[i] = y_true[i] == classes[1];
    return binary_auc(s1, pos);
  }
  for (size_t i = 0; i < n; ++i) {
    double s = 0;
    for (size_t k = 0; k < c; ++k) s += score[i * c + k];
    EMBER_CHECK_VALUE(std::abs(s - 1.0) <= 1e-8 + 1e-5,
                      "Target scores need to be probabilities for multiclass roc_auc, i.e. they should sum up to 1.0 "
                      "over classes");
  }
  EMBER_CHECK_VALUE(classes.size() == c, "Number of classes in y_true not equal to the number of columns in 'y_score'");
  double total = 0;
  std::vector<double> col(n);
  std::vector<char> pos(n);
  for (size_t k = 0; k < c; ++k) {
    for (size_t i = 0; i < n; ++i) col[i] = score[i * c + k], pos[i] = y_true[i] == classes[k];
    total += binary_auc(col, pos);
  }
  return total / static_cast<double>(c);
}

}  // namespace ember::metrics
