"""Inputs of ember.metrics: ember tensors, NumPy arrays and lists, checked and typed as
scikit-learn's `check_consistent_length`, `type_of_target` and `_check_targets` do.

Labels are encoded as scikit-learn's LabelEncoder does (np.unique): int64 codes 0..K-1 in
the sorted order of the distinct labels, whatever their type (ints, bools, integral floats,
strings), so the C++ metrics (ember/metrics/classification.h) and the ember ops behind the
other functions see integer classes, and messages name the original labels."""
from .. import _C


def np():
    import numpy

    return numpy


def to_numpy(y):
    """A NumPy view of a tensor, or np.asarray of anything else."""
    if isinstance(y, _C.TensorBase):
        return y.detach().numpy()
    return np().asarray(y)


def to_tensor(a):
    """An ember tensor over a numeric NumPy array (float16 and narrow unsigned ints widened)."""
    if isinstance(a, _C.TensorBase):
        return a.detach()
    a = np().ascontiguousarray(a)
    if a.dtype.kind == "b":
        a = a.astype(np().bool_)
    elif a.dtype.kind in "iu" and a.dtype not in (np().int64, np().int32, np().uint8, np().int8, np().int16):
        a = a.astype(np().int64)
    elif a.dtype.kind == "f" and a.dtype not in (np().float32, np().float64):
        a = a.astype(np().float64)
    elif a.dtype.kind not in "biuf":
        raise TypeError(f"expected numbers, got an array of dtype {a.dtype}")
    return _C._from_buffer(a)


def check_consistent_length(*arrays):
    lengths = [len(a) for a in arrays if a is not None]
    if len(set(lengths)) > 1:
        raise ValueError(f"Found input variables with inconsistent numbers of samples: {lengths!r}")


def column(a, name="y"):
    """scikit-learn's column_or_1d: [N] or [N, 1] to [N]."""
    if a.ndim == 1:
        return a
    if a.ndim == 2 and a.shape[1] == 1:
        return a.ravel()
    raise ValueError(f"{name} should be a 1d array, got an array of shape {a.shape} instead.")


def type_of_target(y, input_name=""):
    """'binary', 'multiclass', 'continuous', 'multilabel-indicator', 'multiclass-multioutput',
    'continuous-multioutput' or 'unknown', scikit-learn's names of the kinds of targets."""
    numpy = np()
    if y.ndim == 2 and y.shape[1] > 1 and y.size and y.dtype != object:
        labels = numpy.unique(y)
        integral = y.dtype.kind in "biu" or (y.dtype.kind == "f" and (labels == labels.astype(int)).all())
        if len(labels) < 3 and integral:
            return "multilabel-indicator"
    if y.ndim not in (1, 2):
        return "unknown"
    if not min(y.shape):
        return "binary" if y.ndim == 1 else "unknown"
    if y.dtype == object and not isinstance(y.flat[0], str):
        return "unknown"
    suffix = "-multioutput" if y.ndim == 2 and y.shape[1] > 1 else ""
    if y.dtype.kind == "f":
        with numpy.errstate(invalid="ignore"):
            integral = (y == y.astype(int)).all()
        if not integral:
            check_finite(y, input_name)
            return "continuous" + suffix
    if len(numpy.unique(y)) > 2 or (y.ndim == 2 and len(y[0]) > 1):
        return "multiclass" + suffix
    return "binary"


def check_finite(a, input_name=""):
    """scikit-learn's assert_all_finite, with its messages."""
    numpy = np()
    if a.dtype.kind != "f" or numpy.isfinite(a).all():
        return
    name = input_name + " " if input_name else ""
    if numpy.isnan(a).any():
        raise ValueError(f"Input {name}contains NaN.")
    raise ValueError(f"Input {name}contains infinity or a value too large for {a.dtype!r}.")


def check_targets(y_true, y_pred):
    """(type, y_true, y_pred) as NumPy 1-D arrays: scikit-learn's _check_targets for binary and
    multiclass targets (a mix of the two is multiclass)."""
    y_true, y_pred = to_numpy(y_true), to_numpy(y_pred)
    check_consistent_length(y_true, y_pred)
    type_true = type_of_target(y_true, "y_true")
    type_pred = type_of_target(y_pred, "y_pred")
    kinds = {type_true, type_pred}
    if kinds == {"binary", "multiclass"}:
        kinds = {"multiclass"}
    if len(kinds) > 1:
        raise ValueError(f"Classification metrics can't handle a mix of {type_true} and {type_pred} targets")
    kind = kinds.pop()
    if kind not in ("binary", "multiclass"):
        if kind == "multilabel-indicator":
            raise ValueError("multilabel-indicator targets are not supported by ember.metrics' label metrics; "
                             "pass 1-D binary or multiclass labels")
        raise ValueError(f"{kind} is not supported")
    y_true, y_pred = column(y_true, "y_true"), column(y_pred, "y_pred")
    if kind == "binary" and len(union(y_true, y_pred)) > 2:
        kind = "multiclass"
    return kind, y_true, y_pred


def union(*arrays):
    """The sorted distinct labels of the arrays (scikit-learn's unique_labels)."""
    numpy = np()
    try:
        return numpy.unique(numpy.concatenate([a.ravel() for a in arrays]))
    except TypeError:
        raise ValueError("Mix of label input types (string and number)") from None


def encode(values, classes):
    """int64 codes of `values` in the sorted `classes` (every value must be one of them)."""
    numpy = np()
    codes = numpy.searchsorted(classes, values).astype(numpy.int64)
    return _C._from_buffer(numpy.ascontiguousarray(codes))


def weights(sample_weight, n):
    """The sample weights as a float64 tensor (None stays None)."""
    if sample_weight is None:
        return None
    w = to_numpy(sample_weight)
    if w.ndim != 1:
        w = column(w, "sample_weight")
    check_consistent_length(w, range(n))
    return to_tensor(w).to(_C.float64)


def pylist(classes):
    """Labels as Python values, for messages."""
    return classes.tolist()
