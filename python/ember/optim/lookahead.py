"""Lookahead (Zhang et al. 2019) around any optimiser, as ember's C++ Lookahead: the inner
optimiser moves the fast weights; every k steps the slow weights move alpha of the way to
them and the fast weights restart from the slow ones. param_groups are the inner
optimiser's (schedulers act on it), each carrying 'lookahead_k', 'lookahead_alpha' and its
'lookahead_step'; a parameter's slow weights are its state's 'slow_buffer'."""
from .. import _C
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer


class Lookahead(Optimizer):
    def __init__(self, optimizer, k=5, alpha=0.5):
        if not isinstance(optimizer, Optimizer):
            raise TypeError("{} is not an Optimizer".format(type(optimizer).__name__))
        if k < 1:
            raise ValueError("Invalid lookahead steps: {}".format(k))
        if not 0.0 <= alpha <= 1.0:
            raise ValueError("Invalid slow update rate: {}".format(alpha))
        self.optimizer = optimizer
        self.defaults = dict(optimizer.defaults, lookahead_k=k, lookahead_alpha=alpha)
        self.param_groups = optimizer.param_groups
        self.state = optimizer.state
        for group in self.param_groups:
            group.setdefault("lookahead_k", k)
            group.setdefault("lookahead_alpha", alpha)
            group.setdefault("lookahead_step", 0)
            for p in group["params"]:
                self.state[p]["slow_buffer"] = p.detach().clone()

    def __repr__(self):
        return "Lookahead(" + repr(self.optimizer) + ")"

    def zero_grad(self, set_to_none=False):
        self.optimizer.zero_grad(set_to_none)

    def step(self, closure=None):
        loss = self.optimizer.step(closure)
        with no_grad():
            for group in self.param_groups:
                group["lookahead_step"] += 1
                if group["lookahead_step"] % group["lookahead_k"] != 0:
                    continue
                for p in group["params"]:
                    slow = self.state[p]["slow_buffer"]
                    slow.add_(p.detach() - slow, alpha=group["lookahead_alpha"])
                    p.copy_(slow)
        return loss

    def add_param_group(self, param_group):
        self.optimizer.add_param_group(param_group)
        group = self.param_groups[-1]
        group.setdefault("lookahead_k", self.defaults["lookahead_k"])
        group.setdefault("lookahead_alpha", self.defaults["lookahead_alpha"])
        group.setdefault("lookahead_step", 0)
        for p in group["params"]:
            self.state[p]["slow_buffer"] = p.detach().clone()
