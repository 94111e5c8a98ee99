from .. import _C
from .optimizer import Optimizer, _evaluate_closure, _use_grad_for_differentiable


class Adam(Optimizer):
    _fused_name = "Adam"
    _decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False, fused=False):
        _check(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            params, grads, m1, m2, mx, steps = [], [], [], [], [], []
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _C.tensor(0.0)
                    state["exp_avg"] = _C.zeros_like(p)
                    state["exp_avg_sq"] = _C.zeros_like(p)
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = _C.zeros_like(p)
                state["step"] += 1
                params.append(p)
                grads.append(p.grad)
                m1.append(state["exp_avg"])
                m2.append(state["exp_avg_sq"])
                mx.append(state.get("max_exp_avg_sq") if group["amsgrad"] else None)
                steps.append(state["step"].item())
            if not params:
                continue
            beta1, beta2 = group["betas"]
            _C._optim.adam_step_(self._fused_name, params, grads, m1, m2, mx, steps, group["lr"], beta1, beta2,
                                 group["eps"], group["weight_decay"], group["amsgrad"], group["maximize"],
                                 self._decoupled)
        return loss


class AdamW(Adam):
    _fused_name = "AdamW"
    _decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False):
        _check(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, foreach=foreach,
                        maximize=maximize, capturable=capturable)
        Optimizer.__init__(self, params, defaults)


def _check(lr, betas, eps, weight_decay):
    if not 0.0 <= lr:
        raise ValueError("Invalid learning rate: {}".format(lr))
    if not 0.0 <= eps:
        raise ValueError("Invalid epsilon value: {}".format(eps))
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError("Invalid beta parameter at index 0: {}".format(betas[0]))
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError("Invalid beta parameter at index 1: {}".format(betas[1]))
    if not 0.0 <= weight_decay:
        raise ValueError("Invalid weight_decay value: {}".format(weight_decay))
