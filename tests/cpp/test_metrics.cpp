// Classification metrics against scikit-learn 1.2: tests/data/metrics_golden.txt
// (tests/metrics_golden.py).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <ember/ember.h>

#include "golden.h"

using namespace ember;

namespace {

const ember_test::GoldenFile& golden() {
  static ember_test::GoldenFile g(std::string(EMBER_TEST_DATA_DIR) + "/metrics_golden.txt");
  return g;
}

Tensor labels(const std::string& key) {
  std::vector<int64_t> v;
  for (const std::string& t : golden().tokens(key)) v.push_back(std::stoll(t));
  return from_blob(v.data(), {static_cast<int64_t>(v.size())}, TensorOptions(kInt64)).clone();
}

Tensor scores(const std::string& key, std::vector<int64_t> shape) {
  std::vector<double> v = golden().numbers(key);
  return from_blob(v.data(), {static_cast<int64_t>(v.size())}, TensorOptions(kFloat64)).clone().reshape(shape);
}

void expect_close(double got, double want, const std::string& what) {
  EXPECT_NEAR(got, want, 1e-12 * std::max(1.0, std::abs(want))) << what;
}

void check_labels(const std::string& name, const std::vector<std::string>& averages, int64_t pos_label = 1) {
  Tensor t = labels("in:" + name + ":true"), p = labels("in:" + name + ":pred");
  expect_close(metrics::accuracy(t, p), golden().numbers("acc:" + name)[0], name + " accuracy");
  for (const std::string& avg : averages) {
    std::vector<double> want = golden().numbers("prf:" + name + ":" + avg);
    expect_close(metrics::precision(t, p, avg, pos_label), want[0], name + " precision " + avg);
    expect_close(metrics::recall(t, p, avg, pos_label), want[1], name + " recall " + avg);
    expect_close(metrics::f1_score(t, p, avg, pos_label), want[2], name + " f1 " + avg);
  }
  std::vector<double> cm = golden().numbers("cm:" + name);
  const int64_t c = static_cast<int64_t>(cm[0]);
  Tensor m = metrics::confusion_matrix(t, p);
  ASSERT_EQ(m.dim(), 2);
  ASSERT_EQ(m.size(0), c);
  ASSERT_EQ(m.size(1), c);
  EXPECT_EQ(m.dtype(), kInt64);
  for (int64_t i = 0; i < c * c; ++i)
    EXPECT_EQ(m.reshape({-1})[i].item<int64_t>(), static_cast<int64_t>(cm[static_cast<size_t>(i) + 1]))
        << name << " cm " << i;
}

const std::vector<std::string> kAll = {"micro", "macro", "weighted"};

}  // namespace

TEST(Metrics, Binary) { check_labels("binary", {"binary", "micro", "macro", "weighted"}); }
TEST(Metrics, BinaryPosLabel0) { check_labels("binary_pos0", {"binary"}, 0); }
TEST(Metrics, BinaryLabels3And7) { check_labels("binary_3_7", {"binary", "micro", "macro", "weighted"}, 7); }
TEST(Metrics, Multiclass) { check_labels("multiclass", kAll); }
TEST(Metrics, ZeroDivision) { check_labels("zero_division", kAll); }
TEST(Metrics, SparseLabels) { check_labels("sparse_labels", kAll); }
TEST(Metrics, AllNegativePredictions) { check_labels("all_negative", {"binary", "micro", "macro", "weighted"}); }

TEST(Metrics, ZeroDivisionValue) {
  Tensor t = tensor({0, 1, 0, 1}), p = tensor({0, 0, 0, 0});
  EXPECT_EQ(metrics::precision(t, p, "binary", 1, /*zero_division=*/1.0), 1.0);
  EXPECT_EQ(metrics::precision(t, p), 0.0);
}

TEST(Metrics, ConfusionMatrixNumClasses) {
  Tensor t = tensor({0, 2, 2, 1}), p = tensor({0, 2, 1, 1});
  Tensor m = metrics::confusion_matrix(t, p, 4);
  EXPECT_EQ(m.sizes(), (std::vector<int64_t>{4, 4}));
  EXPECT_EQ(m.sum().item<int64_t>(), 4);
  EXPECT_EQ(m.index({2, 1}).item<int64_t>(), 1);
  EXPECT_EQ(m.index({3, 3}).item<int64_t>(), 0);
  EXPECT_THROW(metrics::confusion_matrix(t, p, 2), ValueError);
}

TEST(Metrics, RocAucBinaryWithTies) {
  expect_close(metrics::roc_auc_score(labels("in:auc_binary:true"), scores("in:auc_binary:score", {-1})),
               golden().numbers("auc:auc_binary")[0], "auc_binary");
  expect_close(metrics::roc_auc_score(labels("in:auc_pm1:true"), scores("in:auc_pm1:score", {-1})),
               golden().numbers("auc:auc_pm1")[0], "auc_pm1");
  expect_close(metrics::roc_auc_score(labels("in:auc_all_tied:true"), scores("in:auc_all_tied:score", {-1})),
               golden().numbers("auc:auc_all_tied")[0], "auc_all_tied");
  // float32 scores work too.
  expect_close(metrics::roc_auc_score(tensor({0, 0, 1, 1}), tensor({0.1f, 0.4f, 0.35f, 0.8f})), 0.75, "small");
}

TEST(Metrics, RocAucMulticlassOvr) {
  std::vector<double> shape = golden().numbers("in:auc_multi:shape");
  Tensor s = scores("in:auc_multi:score", {static_cast<int64_t>(shape[0]), static_cast<int64_t>(shape[1])});
  expect_close(metrics::roc_auc_score(labels("in:auc_multi:true"), s), golden().numbers("auc:auc_multi")[0],
               "auc_multi");
}

TEST(Metrics, Errors) {
  Tensor t = tensor({0, 1, 2}), p = tensor({0, 1, 1});
  try {
    metrics::precision(t, p);
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("Target is multiclass but average='binary'"), std::string::npos);
  }
  try {
    metrics::accuracy(t, tensor({0, 1}));
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "Found input variables with inconsistent numbers of samples: [3, 2]");
  }
  try {
    metrics::recall(tensor({0, 2, 2}), tensor({0, 2, 0}));
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "pos_label=1 is not a valid label. It should be one of [0, 2]");
  }
  EXPECT_THROW(metrics::f1_score(t, p, "samples"), ValueError);
  EXPECT_THROW(metrics::accuracy(t.to(kFloat32), p), TypeError);
  EXPECT_THROW(metrics::accuracy(t.reshape({3, 1}), p), ValueError);
  try {
    metrics::roc_auc_score(tensor({1, 1, 1}), tensor({0.1, 0.2, 0.3}));
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "Only one class present in y_true. ROC AUC score is not defined in that case.");
  }
  Tensor not_prob = tensor({{0.5, 0.6, 0.1}, {0.2, 0.2, 0.6}, {0.1, 0.1, 0.8}});
  EXPECT_THROW(metrics::roc_auc_score(tensor({0, 1, 2}), not_prob), ValueError);
  Tensor prob = tensor({{0.5, 0.4, 0.1}, {0.2, 0.2, 0.6}, {0.1, 0.1, 0.8}});
  EXPECT_THROW(metrics::roc_auc_score(tensor({0, 1, 1}), prob), ValueError);  // 2 classes, 3 columns
}
