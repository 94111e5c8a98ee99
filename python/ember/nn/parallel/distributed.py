"""torch.nn.parallel.DistributedDataParallel on ember's C++ reducer.

The reducer (ember/distributed/reducer.h: buckets, autograd hooks, all-reduces overlapping
backward, gradient views) is C++ and runs during backward without the GIL; this class does
what torch's Python class does around it: the construction check and broadcast, and the
forward bookkeeping of Note [DDP forward] (ember/distributed/ddp.h), which the C++
nn::parallel::DistributedDataParallel does the same way.
"""
from contextlib import contextmanager

import ember
from ember import _C
from ..modules.module import Module

__all__ = ["DistributedDataParallel"]

_ddp = _C._ddp


def _find_tensors(obj):
    """The tensors in a forward's output (nested lists, tuples and dicts), as torch's walk."""
    if isinstance(obj, ember.Tensor):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [t for o in obj for t in _find_tensors(o)]
    if isinstance(obj, dict):
        return [t for o in obj.values() for t in _find_tensors(o)]
    return []


class DistributedDataParallel(Module):
    r"""Data parallelism across processes: each rank runs ``module`` on its shard of the batch,
    and backward averages the gradients over ranks (in buckets, overlapping the rest of
    backward). Same arguments as torch's; ``device_ids``/``output_device`` must be None (CPU
    modules), ``dim`` is accepted for compatibility, and ``static_graph=True`` detects unused
    parameters every step, as ``find_unused_parameters=True`` does."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 process_group=None, bucket_cap_mb=25, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False):
        super().__init__()
        if not any(p.requires_grad for p in module.parameters()):
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have any parameter "
                               "that requires a gradient.")
        if device_ids is not None or output_device is not None:
            raise ValueError(
                "DistributedDataParallel device_ids and output_device arguments only work with "
                "single-device/multiple-device GPU modules or CPU modules, but got device_ids {}, output_device {}, "
                "and module parameters {}.".format(device_ids, output_device,
                                                    {p.device for p in module.parameters()}))
        if bucket_cap_mb <= 0:
            raise ValueError(f"bucket_cap_mb must be positive, got {bucket_cap_mb}")
        self.module = module
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.process_group = process_group if process_group is not None else _C._distributed.default_group()
        self.bucket_bytes_cap = int(bucket_cap_mb * 1024 * 1024)
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        names = [n for n, _ in named]
        params = [p for _, p in named]
        # Every rank must hold the same model before rank 0's state overwrites the others'.
        _ddp.verify_params_across_processes(self.process_group, params, names)
        self._module_buffers = list(module.buffers())
        _ddp.broadcast_tensors(self.process_group, list(module.parameters()) + self._module_buffers, 0)
        self._join_iterations = None  # a count inside join() (Note [DDP join])
        self.reducer = _ddp.Reducer(params, names, self.process_group, self.bucket_bytes_cap,
                                    find_unused_parameters or static_graph, gradient_as_bucket_view)

    def forward(self, *inputs, **kwargs):
        sync = ember.is_grad_enabled() and self.require_backward_grad_sync
        if self._join_iterations is not None:
            # Note [DDP join]: this rank still trains; joined ranks count the active ones.
            if not sync:
                raise RuntimeError("DistributedDataParallel.join(): every forward inside join() must be synchronised "
                                   "(grad mode on, outside no_sync()), since joined ranks mirror its collectives")
            _ddp.join_notify_active(self.process_group)
            self._join_iterations += 1
        if sync:
            self.reducer.prepare_for_forward()
        if self.require_forward_param_sync and self.broadcast_buffers and self._module_buffers:
            _ddp.broadcast_tensors(self.process_group, self._module_buffers, 0)
        output = self.module(*inputs, **kwargs)
        self.require_forward_param_sync = sync
        if sync:
            walk = self.find_unused_parameters or self.static_graph
            self.reducer.prepare_for_backward(_find_tensors(output) if walk else [])
        return output

    def register_comm_hook(self, state, hook):
        r"""Replaces the all-reduce of each gradient bucket with ``hook(state, bucket)``, which
        gets a ``ember.distributed.GradBucket`` and returns an ``ember.futures.Future`` of the
        reduced ``bucket.buffer()`` (Note [DDP comm hooks] in ember/distributed/reducer.h).
        Built-in hooks: ``ember.distributed.algorithms.ddp_comm_hooks.default_hooks``. Once per
        model, before training."""
        if not callable(hook):
            raise TypeError("Communication hook must be callable.")
        self.reducer.register_comm_hook(state, hook)

    @contextmanager
    def join(self, divide_by_initial_world_size=True, enable=True, throw_on_early_termination=False):
        r"""Training with uneven inputs across ranks (torch's ``DistributedDataParallel.join``): a
        rank whose loop inside the context ends early mirrors the collectives of the ranks still
        training until all are done, then every rank takes the parameters and buffers of the rank
        that trained longest (Note [DDP join] in ember/distributed/reducer.h). Gradients are
        averaged over the initial world size; every forward inside must be synchronised."""
        if not enable:
            yield
            return
        if not divide_by_initial_world_size:
            raise NotImplementedError("DistributedDataParallel.join(divide_by_initial_world_size=False) is not "
                                      "supported by ember: gradients are averaged over the initial world size")
        if throw_on_early_termination:
            raise NotImplementedError("DistributedDataParallel.join(throw_on_early_termination=True) is not "
                                      "supported by ember")
        self._join_iterations = 0
        try:
            yield
        except BaseException:
            self._join_iterations = None
            raise
        own = self._join_iterations
        self._join_iterations = None
        _ddp.join_shadow_until_done(self.reducer, self._module_buffers, self.broadcast_buffers, own,
                                    list(self.module.parameters()) + self._module_buffers)

    @contextmanager
    def no_sync(self):
        r"""Gradients accumulate locally inside the context; the first synchronised backward
        after it all-reduces the accumulated sum."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old
