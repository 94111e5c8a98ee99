"""RMSprop, Adagrad, Adadelta: torch's constructors and state, the fused C++ steps."""
from .. import _C
from .optimizer import Optimizer, _evaluate_closure, _use_grad_for_differentiable


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 foreach=None, maximize=False, differentiable=False):
        for name, v in (("learning rate", lr), ("epsilon value", eps), ("momentum value", momentum),
                        ("weight_decay value", weight_decay), ("alpha value", alpha)):
            if not 0.0 <= v:
                raise ValueError("Invalid {}: {}".format(name, v))
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            ps, gs, sq, ga, mb = [], [], [], [], []
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = 0
                    state["square_avg"] = _C.zeros_like(p)
                    if group["momentum"] > 0:
                        state["momentum_buffer"] = _C.zeros_like(p)
                    if group["centered"]:
                        state["grad_avg"] = _C.zeros_like(p)
                state["step"] += 1
                ps.append(p)
                gs.append(p.grad)
                sq.append(state["square_avg"])
                ga.append(state.get("grad_avg"))
                mb.append(state.get("momentum_buffer"))
            if ps:
                _C._optim.rmsprop_step_(ps, gs, sq, ga, mb, group["lr"], group["alpha"], group["eps"],
                                        group["weight_decay"], group["momentum"], group["centered"], group["maximize"])
        return loss


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False):
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _C.tensor(0.0)
                state["sum"] = _C.full_like(p, group["initial_accumulator_value"])

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            ps, gs, sums, steps = [], [], [], []
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                state["step"] += 1
                ps.append(p)
                gs.append(p.grad)
                sums.append(state["sum"])
                steps.append(state["step"].item())
            if ps:
                _C._optim.adagrad_step_(ps, gs, sums, steps, group["lr"], group["lr_decay"], group["eps"],
                                        group["weight_decay"], group["maximize"])
        return loss


class Adadelta(Optimizer):
    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, maximize=False):
        if not 0.0 <= rho <= 1.0:
            raise ValueError("Invalid rho value: {}".format(rho))
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach)
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            ps, gs, sq, ad = [], [], [], []
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = 0
                    state["square_avg"] = _C.zeros_like(p)
                    state["acc_delta"] = _C.zeros_like(p)
                state["step"] += 1
                ps.append(p)
                gs.append(p.grad)
                sq.append(state["square_avg"])
                ad.append(state["acc_delta"])
            if ps:
                _C._optim.adadelta_step_(ps, gs, sq, ad, group["lr"], group["rho"], group["eps"],
                                         group["weight_decay"], group["maximize"])
        return loss
