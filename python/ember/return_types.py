"""Named tuples returned by ops with two results (``torch.return_types``)."""
from collections import namedtuple as _namedtuple


def _make(name):
    cls = _namedtuple(name, ["values", "indices"])
    cls.__module__ = "torch.return_types"

    def __repr__(self):
        return "torch.return_types.%s(\nvalues=%r,\nindices=%r)" % (name, self.values, self.indices)

    cls.__repr__ = __repr__
    return cls


max = _make("max")
min = _make("min")
sort = _make("sort")
topk = _make("topk")
kthvalue = _make("kthvalue")
mode = _make("mode")
median = _make("median")
