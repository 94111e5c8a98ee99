"""Label metrics with scikit-learn 1.2's names, arguments and results: accuracy_score,
precision/recall/f1/fbeta scores, precision_recall_fscore_support, confusion_matrix.

The common calls run ember's C++ metrics (_C._metrics, ember/metrics/classification.cpp):
no `labels`, no `sample_weight`, an average among binary / micro / macro / weighted. The
others (per-class results with average=None, `labels`, `sample_weight`, beta != 1,
normalised confusion matrices) count with ember ops (index_add_ over the encoded labels)."""
import warnings

from .. import _C
from . import _inputs as I

_AVERAGES = (None, "micro", "macro", "weighted", "samples")


def accuracy_score(y_true, y_pred, *, normalize=True, sample_weight=None):
    """The fraction (normalize=True) or the number (or total weight) of correct labels."""
    _, y_true, y_pred = I.check_targets(y_true, y_pred)
    classes = I.union(y_true, y_pred)
    t, p = I.encode(y_true, classes), I.encode(y_pred, classes)
    w = I.weights(sample_weight, len(t))
    if normalize and w is None and len(t):
        return _C._metrics.accuracy(t, p)
    correct = t.eq(p)
    if w is None:
        return int(correct.sum()) if not normalize else float("nan")
    total = float(correct.to(_C.float64).mul(w).sum())
    if not normalize:
        return total
    if float(w.sum()) == 0:
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    return total / float(w.sum())


def _check_zero_division(zero_division):
    if isinstance(zero_division, str) and zero_division == "warn":
        return 0.0
    if isinstance(zero_division, (int, float)) and not isinstance(zero_division, bool) and zero_division in (0, 1):
        return float(zero_division)
    raise ValueError(f'Got zero_division={zero_division}. Must be one of ["warn", 0, 1]')


def _set_wise_labels(kind, present, average, labels, pos_label):
    """scikit-learn's _check_set_wise_labels: the labels to score."""
    if average not in _AVERAGES and average != "binary":
        raise ValueError("average has to be one of " + str(_AVERAGES))
    if average == "binary":
        if kind == "binary":
            if pos_label not in present and len(present) >= 2:
                raise ValueError(f"pos_label={pos_label} is not a valid label. It should be one of {present}")
            return [pos_label]
        options = [None, "micro", "macro", "weighted"]
        raise ValueError(f"Target is {kind} but average='binary'. Please choose another average setting, "
                         f"one of {options!r}.")
    if pos_label not in (None, 1):
        warnings.warn(f"Note that pos_label (set to {pos_label!r}) is ignored when average != 'binary' (got "
                      f"{average!r}). You may use labels=[pos_label] to specify a single positive class.",
                      UserWarning)
    return labels


def _counts(t_idx, p_idx, n, w):
    """Per-class (true positives, predicted, true) weights as float64 tensors [n]: samples
    whose index is n (a label outside the scored ones) count nowhere."""
    ones = w if w is not None else _C.ones(len(t_idx), dtype=_C.float64)
    hit = t_idx.eq(p_idx).to(_C.float64).mul(ones)
    tp = _C.zeros(n + 1, dtype=_C.float64).index_add_(0, t_idx, hit)
    pred = _C.zeros(n + 1, dtype=_C.float64).index_add_(0, p_idx, ones)
    true = _C.zeros(n + 1, dtype=_C.float64).index_add_(0, t_idx, ones)
    return tp[:n], pred[:n], true[:n]


def _safe_divide(num, den, zero_value):
    zero = den.eq(0)
    return _C.where(zero, _C.full_like(num, zero_value), num.div(_C.where(zero, _C.ones_like(den), den)))


def _as_result(value):
    return float(value) if isinstance(value, _C.TensorBase) and value.dim() == 0 else value


def precision_recall_fscore_support(y_true, y_pred, *, beta=1.0, labels=None, pos_label=1, average=None,
                                    warn_for=("precision", "recall", "f-score"), sample_weight=None,
                                    zero_division="warn"):
    """(precision, recall, F-beta, support): floats for an average (support None), NumPy arrays
    per label for average=None."""
    zero_value = _check_zero_division(zero_division)
    if beta < 0:
        raise ValueError("beta should be >=0 in the F-beta score")
    if average not in _AVERAGES and average != "binary":
        raise ValueError("average has to be one of " + str(_AVERAGES))
    kind, y_true, y_pred = I.check_targets(y_true, y_pred)
    present = I.union(y_true, y_pred)
    labels = _set_wise_labels(kind, I.pylist(present), average, labels, pos_label)
    if average == "samples":
        raise ValueError("Samplewise metrics are not available outside of multilabel classification.")
    np = I.np()
    scored = present if labels is None else np.asarray(labels)
    # Codes: the scored labels first (in the given order), then the others (not scored).
    order = {value: i for i, value in enumerate(scored.tolist())}
    n = len(order)

    def index(y):
        codes = I.encode(y, present).numpy()
        lookup = np.array([order.get(v, n) for v in present.tolist()], dtype=np.int64)
        return _C._from_buffer(np.ascontiguousarray(lookup[codes]))

    w = I.weights(sample_weight, len(y_true))
    tp, pred, true = _counts(index(y_true), index(y_pred), n, w)
    if average == "micro":
        tp, pred, true = tp.sum().reshape(1), pred.sum().reshape(1), true.sum().reshape(1)
    precision = _safe_divide(tp, pred, zero_value)
    recall = _safe_divide(tp, true, zero_value)
    beta2 = beta ** 2
    if beta == float("inf"):
        f_score = recall
    else:
        denom = precision.mul(beta2).add(recall)
        denom = _C.where(denom.eq(0), _C.ones_like(denom), denom)
        f_score = precision.mul(recall).mul(1 + beta2).div(denom)
    if average == "weighted":
        total = float(true.sum())
        if total == 0:
            if float(pred.sum()) == 0:
                return zero_value, zero_value, zero_value, None
            return 0.0, zero_value, 0.0, None
        return (float(precision.mul(true).sum()) / total, float(recall.mul(true).sum()) / total,
                float(f_score.mul(true).sum()) / total, None)
    if average is not None:
        return float(precision.mean()), float(recall.mean()), float(f_score.mean()), None
    support = true.numpy() if w is not None else true.to(_C.int64).numpy()
    return precision.numpy(), recall.numpy(), f_score.numpy(), support


def _score(which, y_true, y_pred, labels, pos_label, average, sample_weight, zero_division, beta=1.0):
    if labels is None and sample_weight is None and beta == 1.0 and average in ("binary", "micro", "macro",
                                                                                  "weighted"):
        # ember's C++ metric over the encoded labels.
        zero_value = _check_zero_division(zero_division)
        kind, t, p = I.check_targets(y_true, y_pred)
        present = I.union(t, p)
        scored = _set_wise_labels(kind, I.pylist(present), average, None, pos_label)
        np = I.np()
        code = 0
        if average == "binary":
            code = int(np.searchsorted(present, scored[0])) if scored[0] in I.pylist(present) else len(present)
        fn = getattr(_C._metrics, which)
        return fn(I.encode(t, present), I.encode(p, present), average, code, zero_value)
    result = precision_recall_fscore_support(y_true, y_pred, beta=beta, labels=labels, pos_label=pos_label,
                                             average=average, sample_weight=sample_weight,
                                             zero_division=zero_division)
    return result[{"precision": 0, "recall": 1, "f1_score": 2}[which]]


def precision_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None,
                    zero_division="warn"):
    """tp / (tp + fp)."""
    return _score("precision", y_true, y_pred, labels, pos_label, average, sample_weight, zero_division)


def recall_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None,
                 zero_division="warn"):
    """tp / (tp + fn)."""
    return _score("recall", y_true, y_pred, labels, pos_label, average, sample_weight, zero_division)


def f1_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None,
             zero_division="warn"):
    """2 * precision * recall / (precision + recall)."""
    return _score("f1_score", y_true, y_pred, labels, pos_label, average, sample_weight, zero_division)


def fbeta_score(y_true, y_pred, *, beta, labels=None, pos_label=1, average="binary", sample_weight=None,
                zero_division="warn"):
    """(1 + beta^2) * precision * recall / (beta^2 * precision + recall)."""
    return _score("f1_score", y_true, y_pred, labels, pos_label, average, sample_weight, zero_division, beta)


def confusion_matrix(y_true, y_pred, *, labels=None, sample_weight=None, normalize=None):
    """[K, K] NumPy array: row i, column j counts (or weighs) samples of true label i predicted
    as j, the labels sorted (or in the order of `labels`); normalize 'true' / 'pred' / 'all'
    divides by row, column or total sums."""
    kind, y_true, y_pred = I.check_targets(y_true, y_pred)
    np = I.np()
    present = I.union(y_true, y_pred)
    if labels is None:
        scored = present
    else:
        scored = np.asarray(labels)
        if scored.size == 0:
            raise ValueError("'labels' should contains at least one label.")
        if y_true.size == 0:
            return np.zeros((scored.size, scored.size), dtype=int)
        if len(np.intersect1d(y_true, scored)) == 0:
            raise ValueError("At least one label specified must be in y_true")
    if normalize not in ("true", "pred", "all", None):
        raise ValueError("normalize must be one of {'true', 'pred', 'all', None}")
    if sample_weight is not None:
        sw = I.to_numpy(sample_weight)
        I.check_consistent_length(y_true, y_pred, sw)
    n = len(scored)
    if labels is None and sample_weight is None:
        cm = _C._metrics.confusion_matrix(I.encode(y_true, present), I.encode(y_pred, present), n)
    else:
        order = {value: i for i, value in enumerate(scored.tolist())}
        lookup = np.array([order.get(v, n) for v in present.tolist()], dtype=np.int64)
        t = _C._from_buffer(np.ascontiguousarray(lookup[I.encode(y_true, present).numpy()]))
        p = _C._from_buffer(np.ascontiguousarray(lookup[I.encode(y_pred, present).numpy()]))
        integral = sample_weight is None or sw.dtype.kind in "biu"
        dtype = _C.int64 if integral else _C.float64
        w = _C.ones(len(t), dtype=dtype) if sample_weight is None else I.to_tensor(sw).to(dtype)
        keep = t.lt(n).logical_and(p.lt(n))
        cells = t.mul(n).add(p)[keep]
        cm = _C.zeros(n * n, dtype=dtype).index_add_(0, cells, w[keep]).reshape(n, n)
    if normalize is not None:
        cm = cm.to(_C.float64)
        total = {"true": lambda: cm.sum(1, keepdim=True), "pred": lambda: cm.sum(0, keepdim=True),
                 "all": lambda: cm.sum()}[normalize]()
        cm = _C.nan_to_num(cm.div(total), nan=0.0)
    return cm.numpy()
