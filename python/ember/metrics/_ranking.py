"""Score metrics with scikit-learn 1.2's names, arguments and results: roc_curve,
precision_recall_curve, auc, roc_auc_score, average_precision_score.

The curves are ember ops over the scores (a stable sort, a float64 cumulative sum, the
indices where the score changes), scikit-learn's _binary_clf_curve step for step, so the
points and the thresholds (in the scores' dtype) are scikit-learn's. roc_auc_score runs
ember's C++ metric for binary scores and for the one-vs-rest macro average of multiclass
probabilities (without sample_weight, max_fpr or labels); the other settings integrate the
curves here."""
import itertools
import warnings

from .. import _C
from . import _inputs as I


class UndefinedMetricWarning(UserWarning):
    """A metric is ill-defined for the input (scikit-learn's warning of the same name)."""


def _check_pos_label(pos_label, y_true):
    np = I.np()
    classes = np.unique(y_true)
    if pos_label is None and (classes.dtype.kind in "OUS" or not any(
            np.array_equal(classes, c) for c in ([0, 1], [-1, 1], [0], [-1], [1]))):
        shown = ", ".join(repr(c) for c in classes)
        raise ValueError(f"y_true takes value in {{{shown}}} and pos_label is not specified: either make y_true "
                         "take value in {0, 1} or {-1, 1} or pass pos_label explicitly.")
    return 1 if pos_label is None else pos_label


def _score_tensor(y_score):
    """The scores as a 1-D ember tensor of their own dtype (bools as int64)."""
    if isinstance(y_score, _C.TensorBase):
        scores = y_score.detach()
        if scores.dim() == 2 and scores.shape[1] == 1:
            scores = scores.reshape(-1)
        if scores.dim() != 1:
            raise ValueError(f"y should be a 1d array, got an array of shape {tuple(scores.shape)} instead.")
        I.check_finite(scores.numpy())
    else:
        a = I.column(I.np().asarray(y_score), "y")
        I.check_finite(a)
        scores = I.to_tensor(a)
    return scores.to(_C.int64) if scores.dtype == _C.bool else scores


def _binary_clf_curve(y_true, y_score, pos_label=None, sample_weight=None):
    """(fps, tps, thresholds) as ember tensors: false and true positive counts (or weights) at
    each distinct score, from the highest score down."""
    np = I.np()
    y_true = I.to_numpy(y_true)
    kind = I.type_of_target(y_true, "y_true")
    if not (kind == "binary" or (kind == "multiclass" and pos_label is not None)):
        raise ValueError(f"{kind} format is not supported")
    sw = None if sample_weight is None else I.to_numpy(sample_weight)
    I.check_consistent_length(y_true, y_score, sw)
    y_true = I.column(y_true, "y")
    scores = _score_tensor(y_score)
    I.check_finite(y_true)
    if sw is not None:
        sw = I.column(sw, "sample_weight").astype(np.float64)
        nonzero = sw != 0
        y_true, sw = y_true[nonzero], sw[nonzero]
        scores = scores[_C._from_buffer(np.ascontiguousarray(nonzero))]
    pos_label = _check_pos_label(pos_label, y_true)
    positive = _C._from_buffer(np.ascontiguousarray(y_true == pos_label)).to(_C.float64)
    # numpy's argsort(kind="mergesort")[::-1]: stable ascending, reversed.
    order = _C.sort(scores, stable=True).indices.flip(0)
    scores, positive = scores[order], positive[order]
    weight = None if sw is None else _C._from_buffer(np.ascontiguousarray(sw))[order]
    n = scores.shape[0]
    changes = scores[1:].ne(scores[:-1]).nonzero().reshape(-1)
    last = _C.tensor([n - 1], dtype=_C.int64)
    threshold_idxs = _C.cat([changes, last])
    if weight is None:
        tps = positive.cumsum(0, dtype=_C.float64)[threshold_idxs]
        fps = threshold_idxs.add(1).to(_C.float64).sub(tps)
    else:
        tps = positive.mul(weight).cumsum(0, dtype=_C.float64)[threshold_idxs]
        fps = positive.neg().add(1).mul(weight).cumsum(0, dtype=_C.float64)[threshold_idxs]
    return fps, tps, scores[threshold_idxs]


def _diff(t):
    return t[1:].sub(t[:-1])


def _roc_curve(y_true, y_score, pos_label=None, sample_weight=None, drop_intermediate=True):
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score, pos_label=pos_label, sample_weight=sample_weight)
    if drop_intermediate and fps.shape[0] > 2:
        # Points collinear with both neighbours lie on straight parts of the curve.
        bend = _diff(_diff(fps)).ne(0).logical_or(_diff(_diff(tps)).ne(0))
        edge = _C.ones(1, dtype=_C.bool)
        keep = _C.cat([edge, bend, edge]).nonzero().reshape(-1)
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    zero = _C.zeros(1, dtype=_C.float64)
    tps, fps = _C.cat([zero, tps]), _C.cat([zero, fps])
    thresholds = _C.cat([thresholds[:1].add(1), thresholds])
    if float(fps[-1]) <= 0:
        warnings.warn("No negative samples in y_true, false positive value should be meaningless",
                      UndefinedMetricWarning)
        fpr = _C.full_like(fps, float("nan"))
    else:
        fpr = fps.div(fps[-1])
    if float(tps[-1]) <= 0:
        warnings.warn("No positive samples in y_true, true positive value should be meaningless",
                      UndefinedMetricWarning)
        tpr = _C.full_like(tps, float("nan"))
    else:
        tpr = tps.div(tps[-1])
    return fpr, tpr, thresholds


def roc_curve(y_true, y_score, *, pos_label=None, sample_weight=None, drop_intermediate=True):
    """(fpr, tpr, thresholds) as NumPy arrays: the rates of predicting positive at score >=
    each threshold, thresholds decreasing from max(y_score) + 1; drop_intermediate leaves out
    the points on straight parts of the curve."""
    return tuple(t.numpy() for t in _roc_curve(y_true, y_score, pos_label, sample_weight, drop_intermediate))


def _precision_recall_curve(y_true, probas_pred, pos_label=None, sample_weight=None):
    fps, tps, thresholds = _binary_clf_curve(y_true, probas_pred, pos_label=pos_label, sample_weight=sample_weight)
    predicted = tps.add(fps)
    none = predicted.eq(0)
    precision = _C.where(none, _C.zeros_like(tps), tps.div(_C.where(none, _C.ones_like(predicted), predicted)))
    if float(tps[-1]) == 0:
        warnings.warn("No positive class found in y_true, recall is set to one for all thresholds.")
        recall = _C.ones_like(tps)
    else:
        recall = tps.div(tps[-1])
    one, zero = _C.ones(1, dtype=_C.float64), _C.zeros(1, dtype=_C.float64)
    return _C.cat([precision.flip(0), one]), _C.cat([recall.flip(0), zero]), thresholds.flip(0)


def precision_recall_curve(y_true, probas_pred, *, pos_label=None, sample_weight=None):
    """(precision, recall, thresholds) as NumPy arrays, thresholds increasing over the distinct
    scores; the last point (precision 1, recall 0) has no threshold."""
    return tuple(t.numpy() for t in _precision_recall_curve(y_true, probas_pred, pos_label, sample_weight))


def auc(x, y):
    """The area under the curve through the points (x, y) by the trapezoidal rule; x must be
    monotonic."""
    x, y = I.to_numpy(x), I.to_numpy(y)
    I.check_consistent_length(x, y)
    x, y = I.column(x), I.column(y)
    if x.shape[0] < 2:
        raise ValueError(f"At least 2 points are needed to compute area under curve, but x.shape = {x.shape[0]}")
    xt, yt = I.to_tensor(x).to(_C.float64), I.to_tensor(y).to(_C.float64)
    dx = _diff(xt)
    direction = 1.0
    if bool(dx.lt(0).any()):
        if bool(dx.le(0).all()):
            direction = -1.0
        else:
            raise ValueError(f"x is neither increasing nor decreasing : {x}.")
    return direction * float(dx.mul(yt[1:].add(yt[:-1])).div(2.0).sum())


def _binary_roc_auc(y_true, y_score, sample_weight=None, max_fpr=None):
    np = I.np()
    if len(np.unique(y_true)) != 2:
        raise ValueError("Only one class present in y_true. ROC AUC score is not defined in that case.")
    fpr, tpr, _ = roc_curve(y_true, y_score, sample_weight=sample_weight)
    if max_fpr is None or max_fpr == 1:
        return auc(fpr, tpr)
    if max_fpr <= 0 or max_fpr > 1:
        raise ValueError(f"Expected max_fpr in range (0, 1], got: {max_fpr!r}")
    # The standardised partial AUC over [0, max_fpr] (McClish's correction).
    stop = np.searchsorted(fpr, max_fpr, "right")
    tpr = np.append(tpr[:stop], np.interp(max_fpr, [fpr[stop - 1], fpr[stop]], [tpr[stop - 1], tpr[stop]]))
    fpr = np.append(fpr[:stop], max_fpr)
    partial = auc(fpr, tpr)
    min_area, max_area = 0.5 * max_fpr ** 2, max_fpr
    return 0.5 * (1 + (partial - min_area) / (max_area - min_area))


def _average_binary_score(metric, y_true, y_score, average, sample_weight=None):
    """scikit-learn's _average_binary_score: the binary metric of a binary target, or of each
    column of a label-indicator matrix, averaged."""
    np = I.np()
    options = (None, "micro", "macro", "weighted", "samples")
    if average not in options:
        raise ValueError(f"average has to be one of {options}")
    kind = I.type_of_target(y_true)
    if kind not in ("binary", "multilabel-indicator"):
        raise ValueError(f"{kind} format is not supported")
    if kind == "binary":
        return metric(y_true, y_score, sample_weight=sample_weight)
    sw = None if sample_weight is None else I.column(I.to_numpy(sample_weight), "sample_weight")
    I.check_consistent_length(y_true, y_score, sw)
    y_score = I.to_numpy(y_score)
    axis, score_weight, average_weight = 1, sw, None
    if average == "micro":
        if score_weight is not None:
            score_weight = np.repeat(score_weight, y_true.shape[1])
        y_true, y_score = y_true.ravel(), y_score.ravel()
    elif average == "weighted":
        average_weight = (y_true * (1 if sw is None else sw.reshape(-1, 1))).sum(axis=0)
        if np.isclose(average_weight.sum(), 0.0):
            return 0
    elif average == "samples":
        average_weight, score_weight, axis = score_weight, None, 0
    y_true = y_true.reshape(-1, 1) if y_true.ndim == 1 else y_true
    y_score = y_score.reshape(-1, 1) if y_score.ndim == 1 else y_score
    n = y_score.shape[axis]
    score = np.zeros((n,))
    for c in range(n):
        score[c] = metric(y_true.take([c], axis=axis).ravel(), y_score.take([c], axis=axis).ravel(),
                          sample_weight=score_weight)
    if average is None:
        return score
    if average_weight is not None:
        average_weight = np.asarray(average_weight)
        score[average_weight == 0] = 0
    return float(np.average(score, weights=average_weight))


def _multiclass_roc_auc(y_true, y_score, labels, multi_class, average, sample_weight):
    np = I.np()
    if not np.allclose(1, y_score.sum(axis=1)):
        raise ValueError("Target scores need to be probabilities for multiclass roc_auc, i.e. they should sum up "
                         "to 1.0 over classes")
    options = ("macro", "weighted", None)
    if multi_class == "ovr":
        options = ("micro",) + options
    if average not in options:
        raise ValueError(f"average must be one of {options} for multiclass problems")
    if multi_class not in ("ovo", "ovr"):
        raise ValueError(f"multi_class='{multi_class}' is not supported for multiclass ROC AUC, multi_class must "
                         f"be in {('ovo', 'ovr')}")
    if average is None and multi_class == "ovo":
        raise NotImplementedError("average=None is not implemented for multi_class='ovo'.")
    y_true = I.column(y_true, "y_true")
    if labels is not None:
        labels = I.column(np.asarray(labels), "labels")
        classes = np.unique(labels)
        if len(classes) != len(labels):
            raise ValueError("Parameter 'labels' must be unique")
        if not np.array_equal(classes, labels):
            raise ValueError("Parameter 'labels' must be ordered")
        if len(classes) != y_score.shape[1]:
            raise ValueError(f"Number of given labels, {len(classes)}, not equal to the number of columns in "
                             f"'y_score', {y_score.shape[1]}")
        if len(np.setdiff1d(y_true, classes)):
            raise ValueError("'y_true' contains labels not in parameter 'labels'")
    else:
        classes = np.unique(y_true)
        if len(classes) != y_score.shape[1]:
            raise ValueError("Number of classes in y_true not equal to the number of columns in 'y_score'")
    if multi_class == "ovo":
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported for multiclass one-vs-one ROC AUC, 'sample_weight' "
                             "must be None in this case.")
        codes = np.searchsorted(classes, y_true)
        present = np.unique(codes)
        pairs = list(itertools.combinations(present, 2))
        scores, prevalence = np.empty(len(pairs)), np.empty(len(pairs))
        for k, (a, b) in enumerate(pairs):
            a_mask, b_mask = codes == a, codes == b
            both = a_mask | b_mask
            prevalence[k] = np.average(both)
            scores[k] = (_binary_roc_auc(a_mask[both], y_score[both, a]) +
                         _binary_roc_auc(b_mask[both], y_score[both, b])) / 2
        return float(np.average(scores, weights=prevalence if average == "weighted" else None))
    if average == "macro" and labels is None and sample_weight is None:
        # ember's C++ one-vs-rest AUC.
        return _C._metrics.roc_auc_score(I.encode(y_true, classes), I.to_tensor(y_score).to(_C.float64))
    indicator = (y_true.reshape(-1, 1) == classes.reshape(1, -1)).astype(np.int64)
    return _average_binary_score(_binary_roc_auc, indicator, y_score, average, sample_weight)


def roc_auc_score(y_true, y_score, *, average="macro", sample_weight=None, max_fpr=None, multi_class="raise",
                  labels=None):
    """Area under the ROC curve: binary (y_score: the larger label's scores), multiclass
    (multi_class 'ovr' or 'ovo' over [N, C] probabilities) or label-indicator targets."""
    np = I.np()
    y_true_np = I.to_numpy(y_true)
    kind = I.type_of_target(y_true_np, "y_true")
    score = I.to_numpy(y_score)
    if score.dtype.kind not in "biuf":
        raise ValueError(f"y_score should hold numbers, got dtype {score.dtype}")
    I.check_finite(score)
    if kind == "multiclass" or (kind == "binary" and score.ndim == 2 and score.shape[1] > 2):
        if max_fpr is not None and max_fpr != 1.0:
            raise ValueError("Partial AUC computation not available in multiclass setting, 'max_fpr' must be set to "
                             f"`None`, received `max_fpr={max_fpr}` instead")
        if multi_class == "raise":
            raise ValueError("multi_class must be in ('ovo', 'ovr')")
        return _multiclass_roc_auc(y_true_np, score.astype(np.float64, copy=False), labels, multi_class, average,
                                   sample_weight)
    if kind == "binary":
        options = (None, "micro", "macro", "weighted", "samples")
        if average not in options:
            raise ValueError(f"average has to be one of {options}")
        y_true_np = I.column(y_true_np, "y_true")
        I.check_consistent_length(y_true_np, score)
        classes = np.unique(y_true_np)
        if sample_weight is None and (max_fpr is None or max_fpr == 1) and score.ndim == 1 and len(classes) == 2:
            # ember's C++ binary AUC (the larger label is positive).
            return _C._metrics.roc_auc_score(I.encode(y_true_np, classes), I.to_tensor(score).to(_C.float64))
        positive = (y_true_np == classes[-1]).astype(np.int64) if len(classes) == 2 else np.zeros_like(
            y_true_np, dtype=np.int64)
        return _binary_roc_auc(positive, score, sample_weight, max_fpr)
    return _average_binary_score(lambda t, s, sample_weight=None: _binary_roc_auc(t, s, sample_weight, max_fpr),
                                 y_true_np, score, average, sample_weight)


def average_precision_score(y_true, y_score, *, average="macro", pos_label=1, sample_weight=None):
    """Average precision: the precisions of the precision-recall curve weighted by the recall
    gained at each threshold (no interpolation)."""
    np = I.np()
    y_true_np = I.to_numpy(y_true)
    kind = I.type_of_target(y_true_np, "y_true")
    if kind == "multilabel-indicator" and pos_label != 1:
        raise ValueError("Parameter pos_label is fixed to 1 for multilabel-indicator y_true. Do not set pos_label "
                         "or set pos_label to 1.")
    if kind == "binary":
        present = np.unique(y_true_np).tolist()
        if len(present) == 2 and pos_label not in present:
            raise ValueError(f"pos_label={pos_label} is not a valid label. It should be one of {present}")

    def binary_ap(t, s, sample_weight=None):
        precision, recall, _ = _precision_recall_curve(t, s, pos_label=pos_label, sample_weight=sample_weight)
        return -float(_diff(recall).mul(precision[:-1]).sum())

    return _average_binary_score(binary_ap, y_true_np, I.to_numpy(y_score), average, sample_weight)
