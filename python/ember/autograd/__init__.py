"""ember.autograd: reverse-mode automatic differentiation (torch.autograd's API)."""
from .. import _C
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from . import anomaly_mode
from .anomaly_mode import detect_anomaly, set_detect_anomaly

__all__ = ["Function", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "gradcheck", "gradgradcheck", "detect_anomaly", "set_detect_anomaly"]


def _tensors(xs):
    if xs is None:
        return None
    if isinstance(xs, _C.TensorBase):
        return (xs,)
    return tuple(xs)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None, inputs=None):
    if grad_variables is not None:
        grad_tensors = grad_variables
    _C._backward(_tensors(tensors), _tensors(grad_tensors), retain_graph, create_graph, _tensors(inputs))


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=False, is_grads_batched=False):
    return _C._grad(_tensors(outputs), _tensors(inputs), _tensors(grad_outputs), retain_graph, create_graph,
                    allow_unused)
