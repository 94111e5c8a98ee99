"""ember.metrics against scikit-learn 1.2 (Debian's python3-sklearn) on random labels and
scores given as NumPy arrays, lists and ember tensors: values (curves and matrices exactly,
with their dtypes; averaged scores to 1e-12, the summation order being NumPy's or ember's),
the C++ metrics behind the common calls, and the errors of bad inputs."""
import warnings

import numpy as np
import pytest
import sklearn.metrics as S

import ember
import ember.metrics as M

KINDS = {"numpy": lambda a: a, "list": lambda a: a.tolist(), "tensor": lambda a: ember.tensor(a)}


@pytest.fixture(autouse=True)
def quiet():
    # scikit-learn warns about ill-defined scores (zero division, pos_label ignored); the
    # values are what these tests compare.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def same(expected, got, what, exact=False):
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected), what
        for a, b in zip(expected, got):
            same(a, b, what, exact)
        return
    if isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray), f"{what}: {type(got)}"
        assert got.shape == expected.shape and got.dtype == expected.dtype, \
            f"{what}: {got.shape} {got.dtype} vs {expected.shape} {expected.dtype}"
        if exact:
            assert np.array_equal(got, expected, equal_nan=True), f"{what}: {got} vs {expected}"
        else:
            assert np.allclose(got, expected, rtol=1e-12, atol=1e-15, equal_nan=True), f"{what}: {got} vs {expected}"
        return
    if expected is None:
        assert got is None, what
        return
    assert isinstance(got, (int, float)) and not isinstance(got, np.ndarray), f"{what}: {type(got)}"
    if exact:
        assert got == expected, f"{what}: {got!r} vs {expected!r}"
    else:
        assert abs(got - expected) <= 1e-12 * max(1.0, abs(expected)), f"{what}: {got!r} vs {expected!r}"


def _labels(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(8, 80)), int(rng.integers(3, 7))
    return rng, n, k, rng.integers(0, k, n), rng.integers(0, k, n), rng.integers(0, 2, n), rng.integers(0, 2, n)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", range(6))
def test_label_metrics_match_sklearn(kind, seed):
    rng, n, k, y, p, yb, pb = _labels(seed)
    w = rng.uniform(0, 2, n)
    c = KINDS[kind]
    same(S.accuracy_score(y, p), M.accuracy_score(c(y), c(p)), "accuracy")
    same(int(S.accuracy_score(y, p, normalize=False)), M.accuracy_score(c(y), c(p), normalize=False), "count", True)
    same(S.accuracy_score(y, p, sample_weight=w), M.accuracy_score(c(y), c(p), sample_weight=w), "weighted accuracy")
    for name in ("precision_score", "recall_score", "f1_score"):
        s, m = getattr(S, name), getattr(M, name)
        same(s(yb, pb), m(c(yb), c(pb)), f"{name} binary", exact=name != "f1_score")
        same(s(yb, pb, pos_label=0), m(c(yb), c(pb), pos_label=0), f"{name} pos_label=0")
        for average in ("micro", "macro", "weighted", None):
            for kwargs in ({}, {"sample_weight": w}, {"labels": [2, 0, 9]}, {"zero_division": 1}):
                same(s(y, p, average=average, **kwargs), m(c(y), c(p), average=average, **kwargs),
                     f"{name} {average} {kwargs}")
    for beta in (0.5, 2.0):
        same(S.fbeta_score(y, p, beta=beta, average="macro"), M.fbeta_score(c(y), c(p), beta=beta, average="macro"),
             f"fbeta {beta}")
    for average in (None, "macro", "binary"):
        yy, pp = (yb, pb) if average == "binary" else (y, p)
        same(S.precision_recall_fscore_support(yy, pp, average=average),
             M.precision_recall_fscore_support(c(yy), c(pp), average=average), f"prfs {average}")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", range(4))
def test_confusion_matrix_matches_sklearn(kind, seed):
    rng, n, k, y, p, yb, pb = _labels(seed)
    c = KINDS[kind]
    same(S.confusion_matrix(y, p), M.confusion_matrix(c(y), c(p)), "confusion", True)
    same(S.confusion_matrix(yb, pb), M.confusion_matrix(c(yb), c(pb)), "binary confusion", True)
    same(S.confusion_matrix(y, p, labels=[3, 1, 0, 8]), M.confusion_matrix(c(y), c(p), labels=[3, 1, 0, 8]),
         "labels", True)
    ints = rng.integers(0, 3, n)
    floats = rng.uniform(0, 2, n)
    same(S.confusion_matrix(y, p, sample_weight=ints), M.confusion_matrix(c(y), c(p), sample_weight=ints),
         "integer weights", True)
    same(S.confusion_matrix(y, p, sample_weight=floats), M.confusion_matrix(c(y), c(p), sample_weight=floats),
         "float weights")
    for normalize in ("true", "pred", "all"):
        same(S.confusion_matrix(y, p, normalize=normalize), M.confusion_matrix(c(y), c(p), normalize=normalize),
             f"normalize={normalize}")


def test_string_and_float_labels_match_sklearn():
    y = np.array(["cat", "dog", "cat", "bird", "dog", "cat"])
    p = np.array(["dog", "dog", "cat", "cat", "bird", "cat"])
    same(S.confusion_matrix(y, p), M.confusion_matrix(list(y), list(p)), "strings", True)
    same(S.confusion_matrix(y, p, labels=["dog", "cat"]), M.confusion_matrix(y, p, labels=["dog", "cat"]), "str", True)
    same(S.f1_score(y, p, average=None), M.f1_score(y, p, average=None), "per-class strings")
    yb, pb = np.array(["no", "yes", "yes", "no", "yes"]), np.array(["yes", "yes", "no", "no", "yes"])
    same(S.precision_score(yb, pb, pos_label="yes"), M.precision_score(yb, pb, pos_label="yes"), "pos_label str")
    scores = [0.1, 0.4, 0.35, 0.8, 0.35]
    same(S.roc_curve(yb, scores, pos_label="yes"), M.roc_curve(list(yb), scores, pos_label="yes"), "roc str", True)
    same(S.roc_auc_score(yb, scores), M.roc_auc_score(yb, scores), "auc str")
    yf, pf = np.array([0.0, 1.0, 2.0, 2.0, 1.0]), np.array([0.0, 2.0, 2.0, 1.0, 1.0])
    same(S.confusion_matrix(yf, pf), M.confusion_matrix(ember.tensor(yf), ember.tensor(pf)), "integral floats", True)
    same(S.recall_score(yf, pf, average="macro"), M.recall_score(yf, pf, average="macro"), "integral floats")


def _scores(rng, n, dtype):
    # Rounded, so that some scores tie.
    return rng.uniform(size=n).round(int(rng.integers(1, 3))).astype(dtype)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64"])
@pytest.mark.parametrize("seed", range(5))
def test_curves_match_sklearn_exactly(kind, dtype, seed):
    rng, n, k, y, p, yb, pb = _labels(seed)
    s = _scores(rng, n, "float64") * (100 if dtype == "int64" else 1)
    s = s.astype(dtype)
    w = rng.uniform(0, 2, n)
    c = KINDS[kind]
    # scikit-learn sees the same Python lists (float64 thresholds), or the arrays.
    s_ref = s.tolist() if kind == "list" else s
    for drop in (True, False):
        same(S.roc_curve(yb, s_ref, drop_intermediate=drop), M.roc_curve(c(yb), c(s), drop_intermediate=drop),
             f"roc drop={drop}", True)
    same(S.roc_curve(yb, s_ref, sample_weight=w), M.roc_curve(c(yb), c(s), sample_weight=w), "roc weighted")
    same(S.roc_curve(y, s_ref, pos_label=2), M.roc_curve(c(y), c(s), pos_label=2), "roc multiclass pos_label", True)
    same(S.precision_recall_curve(yb, s_ref), M.precision_recall_curve(c(yb), c(s)), "pr", True)
    same(S.precision_recall_curve(yb, s_ref, sample_weight=w), M.precision_recall_curve(c(yb), c(s), sample_weight=w),
         "pr weighted")
    same(S.precision_recall_curve(yb * 2 - 1, s_ref), M.precision_recall_curve(c(yb * 2 - 1), c(s)), "pr {-1, 1}", True)
    fpr, tpr, _ = S.roc_curve(yb, s)
    same(S.auc(fpr, tpr), M.auc(c(fpr), c(tpr)), "auc")
    same(S.auc(fpr[::-1], tpr[::-1]), M.auc(fpr[::-1], tpr[::-1]), "auc decreasing x")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", range(5))
def test_auc_and_average_precision_match_sklearn(kind, seed):
    rng, n, k, y, p, yb, pb = _labels(seed)
    c = KINDS[kind]
    s = _scores(rng, n, "float64")
    w = rng.uniform(0, 2, n)
    same(S.roc_auc_score(yb, s), M.roc_auc_score(c(yb), c(s)), "binary auc")
    same(S.roc_auc_score(yb + 3, s), M.roc_auc_score(c(yb + 3), c(s)), "binary auc, labels 3 and 4")
    same(S.roc_auc_score(yb, s, sample_weight=w), M.roc_auc_score(c(yb), c(s), sample_weight=w), "weighted auc")
    for max_fpr in (0.2, 0.5):
        same(S.roc_auc_score(yb, s, max_fpr=max_fpr), M.roc_auc_score(c(yb), c(s), max_fpr=max_fpr), "partial auc")
    same(S.average_precision_score(yb, s), M.average_precision_score(c(yb), c(s)), "ap")
    same(S.average_precision_score(yb, s, sample_weight=w), M.average_precision_score(c(yb), c(s), sample_weight=w),
         "weighted ap")
    same(S.average_precision_score(yb, s, pos_label=0), M.average_precision_score(c(yb), c(s), pos_label=0), "ap 0")
    # Multiclass probabilities, every class present.
    yk = np.concatenate([np.arange(k), y])
    probs = rng.uniform(size=(len(yk), k)).round(2) + 0.01
    probs /= probs.sum(1, keepdims=True)
    for multi_class, averages in (("ovr", ("macro", "weighted", "micro", None)), ("ovo", ("macro", "weighted"))):
        for average in averages:
            same(S.roc_auc_score(yk, probs, multi_class=multi_class, average=average),
                 M.roc_auc_score(c(yk), c(probs), multi_class=multi_class, average=average),
                 f"{multi_class} {average}")
    labels = list(range(k))
    same(S.roc_auc_score(yk, probs, multi_class="ovr", labels=labels),
         M.roc_auc_score(c(yk), c(probs), multi_class="ovr", labels=labels), "ovr labels")
    # Label-indicator targets.
    indicator = rng.integers(0, 2, (n, 3))
    indicator[0], indicator[1] = 1, 0
    scores = rng.uniform(size=(n, 3))
    for average in ("micro", "macro", "weighted", "samples", None):
        if average != "samples":
            same(S.roc_auc_score(indicator, scores, average=average),
                 M.roc_auc_score(c(indicator), c(scores), average=average), f"multilabel auc {average}")
        same(S.average_precision_score(indicator, scores, average=average),
             M.average_precision_score(c(indicator), c(scores), average=average), f"multilabel ap {average}")


def test_common_calls_run_the_cpp_metrics(monkeypatch):
    calls = []
    for name in ("accuracy", "precision", "recall", "f1_score", "confusion_matrix", "roc_auc_score"):
        original = getattr(ember._C._metrics, name)
        monkeypatch.setattr(ember._C._metrics, name,
                            lambda *args, _f=original, _n=name: calls.append(_n) or _f(*args))
    rng, n, k, y, p, yb, pb = _labels(0)
    probs = rng.uniform(size=(n, k))
    probs /= probs.sum(1, keepdims=True)
    yk = np.concatenate([np.arange(k), y])[:n]
    M.accuracy_score(y, p)
    M.precision_score(yb, pb)
    M.recall_score(y, p, average="macro")
    M.f1_score(y, p, average="weighted")
    M.confusion_matrix(y, p)
    M.roc_auc_score(yb, rng.uniform(size=n))
    M.roc_auc_score(yk, probs, multi_class="ovr")
    assert calls == ["accuracy", "precision", "recall", "f1_score", "confusion_matrix", "roc_auc_score",
                     "roc_auc_score"]
    calls.clear()
    M.f1_score(y, p, average=None)
    M.confusion_matrix(y, p, labels=[1, 0])
    M.roc_auc_score(yb, rng.uniform(size=n), max_fpr=0.5)
    assert calls == []


def _same_error(call_sklearn, call_ember):
    with pytest.raises(Exception) as expected:
        call_sklearn()
    with pytest.raises(expected.type) as got:
        call_ember()
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("case", [
    ("precision_score", ([0, 1, 2], [0, 1, 1]), {}),
    ("precision_score", ([0, 1, 1], [0, 1, 1]), {"pos_label": 2}),
    ("recall_score", ([0, 1, 1], [0, 1, 1]), {"average": "mean"}),
    ("f1_score", ([0, 1, 1], [0, 1, 1]), {"zero_division": 2}),
    ("accuracy_score", ([0, 1, 1], [0.5, 1, 1]), {}),
    ("accuracy_score", ([0, 1, 1], [0, 1]), {}),
    ("confusion_matrix", ([0, 1, 1], [0, 1, 1]), {"labels": []}),
    ("confusion_matrix", ([0, 1, 1], [0, 1, 1]), {"labels": [5]}),
    ("confusion_matrix", ([0, 1, 1], [0, 1, 1]), {"normalize": "rows"}),
    ("roc_curve", ([0, 1, 2], [0.1, 0.2, 0.3]), {}),
    ("roc_curve", ([1, 2, 2], [0.1, 0.2, 0.3]), {}),
    ("roc_curve", ([0, 1, 1], [0.1, float("nan"), 0.3]), {}),
    ("precision_recall_curve", ([0, 1, 1], [0.1, 0.2]), {}),
    ("roc_auc_score", ([1, 1, 1], [0.1, 0.2, 0.3]), {}),
    ("roc_auc_score", ([0, 1, 2], [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]]), {}),
    ("roc_auc_score", ([0, 1, 2], [[0.2, 0.3, 0.6], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]]), {"multi_class": "ovr"}),
    ("roc_auc_score", ([0, 1, 1], [[0.2, 0.8], [0.1, 0.9], [0.3, 0.7]]), {"multi_class": "ovr"}),
    ("roc_auc_score", ([0, 1, 2], [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]]),
     {"multi_class": "ovo", "average": None}),
    ("roc_auc_score", ([0, 1, 1], [0.1, 0.2, 0.3]), {"max_fpr": 1.5}),
    ("average_precision_score", ([0, 1, 1], [0.1, 0.2, 0.3]), {"pos_label": 3}),
    ("average_precision_score", ([0, 1, 2], [0.1, 0.2, 0.3]), {}),
    ("auc", ([0.0, 0.5, 0.2], [0.0, 1.0, 1.0]), {}),
    ("auc", ([0.5], [1.0]), {}),
])
def test_errors_match_sklearn(case):
    name, args, kwargs = case
    _same_error(lambda: getattr(S, name)(*args, **kwargs), lambda: getattr(M, name)(*args, **kwargs))


def test_ember_metrics_is_a_lazy_submodule():
    import importlib
    import sys

    assert ember.metrics is importlib.import_module("ember.metrics") and "ember.metrics" in sys.modules
    assert issubclass(M.UndefinedMetricWarning, UserWarning)
    with pytest.warns(M.UndefinedMetricWarning, match="No positive samples"):
        fpr, tpr, _ = M.roc_curve([0, 0, 0], [0.1, 0.2, 0.3])
    assert np.isnan(tpr).all()


def test_scikit_learn_reads_ember_tensors():
    # Under ember.run, sklearn.metrics stays the real scikit-learn (docs/python.md): it reads
    # ember tensors through NumPy's array protocol and agrees with ember.metrics.
    y = ember.tensor([0, 1, 1, 0, 1, 2, 2])
    p = ember.tensor([0, 1, 0, 0, 1, 2, 1])
    assert S.accuracy_score(y, p) == M.accuracy_score(y, p)
    assert S.f1_score(y, p, average="macro") == pytest.approx(M.f1_score(y, p, average="macro"))
    assert (S.confusion_matrix(y, p) == np.asarray(M.confusion_matrix(y, p))).all()
