"""ember.metrics: classification metrics with scikit-learn's names, arguments and results
(`from ember.metrics import roc_auc_score` where one would write `from sklearn.metrics
import roc_auc_score`). Inputs may be ember tensors, NumPy arrays or lists; scores come back
as Python floats, curves and matrices as NumPy arrays, as scikit-learn returns them. The
label metrics and the AUC run ember's C++ metrics (ember/metrics/classification.h) where
their options allow, ember ops otherwise."""
from ._classification import (accuracy_score, confusion_matrix, f1_score, fbeta_score, precision_recall_fscore_support,
                              precision_score, recall_score)
from ._ranking import (UndefinedMetricWarning, auc, average_precision_score, precision_recall_curve, roc_auc_score,
                       roc_curve)

__all__ = ["UndefinedMetricWarning", "accuracy_score", "auc", "average_precision_score", "confusion_matrix",
           "f1_score", "fbeta_score", "precision_recall_curve", "precision_recall_fscore_support",
           "precision_score", "recall_score", "roc_auc_score", "roc_curve"]
