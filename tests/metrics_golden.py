#!/usr/bin/python3
"""Writes tests/data/metrics_golden.txt: scikit-learn 1.2 classification metrics.

Regenerate with (python3-sklearn installed):
    /usr/bin/python3 tests/metrics_golden.py > tests/data/metrics_golden.txt

Read by tests/cpp/test_metrics.cpp. Records `KEY v1 v2 ...`:
    in:NAME:true / in:NAME:pred / in:NAME:score(+ :shape)   the inputs
    acc:NAME, prf:NAME:AVERAGE (precision recall f1), cm:NAME, auc:NAME
Inputs come from a fixed-seed NumPy generator; scores are rounded so that ties occur.
"""
import warnings

import numpy as np
from sklearn import metrics

warnings.simplefilter("ignore")  # zero_division="warn" warnings
rng = np.random.default_rng(1234)


def emit(key, values):
    print(key + " " + " ".join(repr(float(v)) if isinstance(v, (float, np.floating)) else str(int(v))
                               for v in np.asarray(values).reshape(-1)))


def label_case(name, y_true, y_pred, averages, pos_label=1):
    emit("in:%s:true" % name, y_true)
    emit("in:%s:pred" % name, y_pred)
    emit("acc:%s" % name, [metrics.accuracy_score(y_true, y_pred)])
    for avg in averages:
        kw = dict(average=avg, zero_division=0)
        if avg == "binary":
            kw["pos_label"] = pos_label
        emit("prf:%s:%s" % (name, avg), [metrics.precision_score(y_true, y_pred, **kw),
                                          metrics.recall_score(y_true, y_pred, **kw),
                                          metrics.f1_score(y_true, y_pred, **kw)])
    cm = metrics.confusion_matrix(y_true, y_pred)
    emit("cm:%s" % name, [cm.shape[0]] + cm.reshape(-1).tolist())


ALL = ["micro", "macro", "weighted"]


def main():
    label_case("binary", rng.integers(0, 2, 50), rng.integers(0, 2, 50), ["binary"] + ALL)
    label_case("binary_pos0", rng.integers(0, 2, 40), rng.integers(0, 2, 40), ["binary"], pos_label=0)
    # Labels 3 and 7: binary with pos_label 7.
    label_case("binary_3_7", rng.choice([3, 7], 30), rng.choice([3, 7], 30), ["binary"] + ALL, pos_label=7)
    y = rng.integers(0, 5, 200)
    p = np.where(rng.random(200) < 0.6, y, rng.integers(0, 5, 200))
    label_case("multiclass", y, p, ALL)
    # A class never predicted (precision 0/0) and one predicted but absent from y_true.
    label_case("zero_division", np.array([0, 0, 1, 1, 2, 2, 2, 0]), np.array([0, 1, 1, 1, 3, 3, 0, 0]), ALL)
    # Non-contiguous label values.
    label_case("sparse_labels", rng.choice([-2, 5, 9], 60), rng.choice([-2, 5, 9], 60), ALL)
    # All predictions negative in binary: precision 0/0.
    label_case("all_negative", np.array([0, 1, 0, 1, 1]), np.array([0, 0, 0, 0, 0]), ["binary"] + ALL)

    # ROC AUC, binary with ties (scores on a 0.1 grid).
    yb = rng.integers(0, 2, 80)
    sb = np.round(np.clip(rng.normal(0.5 + 0.2 * yb, 0.25), 0, 1), 1)
    emit("in:auc_binary:true", yb)
    emit("in:auc_binary:score", sb)
    emit("auc:auc_binary", [metrics.roc_auc_score(yb, sb)])
    # No ties, labels -1/1.
    yc = rng.choice([-1, 1], 60)
    sc = rng.normal(0.3 * yc, 1.0)
    emit("in:auc_pm1:true", yc)
    emit("in:auc_pm1:score", sc)
    emit("auc:auc_pm1", [metrics.roc_auc_score(yc, sc)])
    # Every score tied: 0.5.
    emit("in:auc_all_tied:true", [0, 1, 1, 0, 1])
    emit("in:auc_all_tied:score", [0.3] * 5)
    emit("auc:auc_all_tied", [metrics.roc_auc_score([0, 1, 1, 0, 1], [0.3] * 5)])
    # Multiclass one-vs-rest macro from probability rows (rounded, renormalised: ties).
    ym = rng.integers(0, 4, 120)
    logits = rng.normal(0, 1, (120, 4)) + 1.5 * np.eye(4)[ym]
    prob = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    prob = np.round(prob, 2)
    prob[:, -1] = 1 - prob[:, :-1].sum(1)
    emit("in:auc_multi:true", ym)
    emit("in:auc_multi:score", prob)
    emit("in:auc_multi:shape", prob.shape)
    emit("auc:auc_multi", [metrics.roc_auc_score(ym, prob, multi_class="ovr", average="macro")])


if __name__ == "__main__":
    main()
