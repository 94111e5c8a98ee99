from .. import _C
from .optimizer import Optimizer, _evaluate_closure, _use_grad_for_differentiable, required


class SGD(Optimizer):
    def __init__(self, params, lr=required, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False):
        if lr is not required and lr < 0.0:
            raise ValueError("Invalid learning rate: {}".format(lr))
        if momentum < 0.0:
            raise ValueError("Invalid momentum value: {}".format(momentum))
        if weight_decay < 0.0:
            raise ValueError("Invalid weight_decay value: {}".format(weight_decay))
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            params, grads, bufs, fresh = [], [], [], []
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                buf = state.get("momentum_buffer")
                new = group["momentum"] != 0 and buf is None
                if new:
                    buf = _C.empty_like(p)
                    state["momentum_buffer"] = buf
                params.append(p)
                grads.append(p.grad)
                bufs.append(buf if group["momentum"] != 0 else None)
                fresh.append(new)
            if not params:
                continue
            _C._optim.sgd_step_(params, grads, bufs, fresh, group["lr"], group["momentum"], group["dampening"],
                                group["weight_decay"], group["nesterov"], group["maximize"])
            if group["momentum"] == 0:
                for p in params:
                    self.state[p].setdefault("momentum_buffer", None)
        return loss

