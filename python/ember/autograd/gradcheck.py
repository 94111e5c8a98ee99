"""gradcheck / gradgradcheck: compare autograd's gradients with central finite
differences (torch.autograd.gradcheck's default, non-fast mode)."""
from .. import _C
from .grad_mode import no_grad


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _differentiable_outputs(outputs):
    return [o for o in _as_tuple(outputs) if isinstance(o, _C.TensorBase) and o.requires_grad]


def _numerical_jacobian(func, inputs, i, eps):
    """Columns: d(flattened outputs)/d(input i element k) by central differences."""
    x = inputs[i]
    flat = x.detach().reshape(-1)
    columns = []
    for k in range(flat.numel()):
        orig = flat[k].item()
        with no_grad():
            x.view(-1)[k] = orig + eps
            plus = [o.detach().reshape(-1).clone() for o in _as_tuple(func(*inputs)) if isinstance(o, _C.TensorBase)]
            x.view(-1)[k] = orig - eps
            minus = [o.detach().reshape(-1).clone() for o in _as_tuple(func(*inputs)) if isinstance(o, _C.TensorBase)]
            x.view(-1)[k] = orig
        columns.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    return columns


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False):
    inputs = _as_tuple(inputs)
    for i, x in enumerate(inputs):
        if not (isinstance(x, _C.TensorBase) and x.requires_grad):
            continue
        numerical = _numerical_jacobian(func, inputs, i, eps)
        # After the perturbations (which write into the inputs): a fresh graph.
        outputs = _differentiable_outputs(func(*inputs))
        for j, out in enumerate(outputs):
            flat_out = out.reshape(-1)
            for r in range(flat_out.numel()):
                (g,) = _C._grad((flat_out[r],), (x,), None, True, False, True)
                analytical = g.reshape(-1) if g is not None else _C.zeros(x.numel(), dtype=x.dtype)
                for k in range(x.numel()):
                    a = analytical[k].item()
                    n = numerical[k][j][r].item()
                    if abs(a - n) > atol + rtol * abs(n):
                        if raise_exception:
                            raise GradcheckError(
                                "Jacobian mismatch for output %d with respect to input %d,\n"
                                "numerical:%r\nanalytical:%r\n" % (j, i, n, a))
                        return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception=True, nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False):
    inputs = _as_tuple(inputs)
    outputs = _differentiable_outputs(func(*inputs))
    if grad_outputs is None:
        grad_outputs = tuple(_C.randn(*o.shape, dtype=o.dtype, requires_grad=True) for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)

    def first_grads(*args):
        ins, gos = args[:n_in], args[n_in:]
        prev = _C.is_grad_enabled()
        _C._set_grad_enabled(True)  # also under gradcheck's no-grad perturbations
        try:
            outs = _differentiable_outputs(func(*ins))
        finally:
            _C._set_grad_enabled(prev)
        diff_ins = tuple(x for x in ins if isinstance(x, _C.TensorBase) and x.requires_grad)
        if not outs:
            return tuple(_C.zeros_like(x) for x in diff_ins)
        grads = _C._grad(tuple(outs), diff_ins, gos, True, _C.is_grad_enabled(), True)
        return tuple(g if g is not None else _C.zeros_like(x) for g, x in zip(grads, diff_ins))

    return gradcheck(first_grads, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
