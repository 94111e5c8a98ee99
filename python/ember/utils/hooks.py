"""ember.utils.hooks (torch.utils.hooks): the handle every register_*_hook returns, and the
machinery behind nn.Module.register_full_backward_hook.

Note [Module backward hooks]
A module's full backward hook must see the gradients of the module's outputs and of its
inputs together, even though the module's forward may be many autograd nodes. So, as in
torch 1.13, the module call wraps its tensor inputs and its tensor outputs in an identity
autograd Function (BackwardHookFunction; grad_fn name "BackwardHookFunctionBackward").
Backward reaches the output identity first: it records grad_output. It then reaches the
input identity: its backward is handed the gradients with respect to the module's inputs,
calls the user hooks with (module, grad_input, grad_output), and returns what they return
in place of grad_input. Positions of non-tensor arguments hold None; tensors that need no
gradient get zeros (autograd materialises their missing gradient), as in torch. When no input needs a gradient the output identity calls the hooks
itself, with grad_input all None."""
import weakref


class RemovableHandle:
    """A hook's handle: ``remove()`` or use as a context manager."""
    next_id = 0

    def __init__(self, hooks_dict):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1

    def remove(self):
        hooks = self.hooks_dict_ref()
        if hooks is not None and self.id in hooks:
            del hooks[self.id]

    def __getstate__(self):
        return (self.hooks_dict_ref(), self.id)

    def __setstate__(self, state):
        if state[0] is None:
            from collections import OrderedDict
            self.hooks_dict_ref = weakref.ref(OrderedDict())
        else:
            self.hooks_dict_ref = weakref.ref(state[0])
        self.id = state[1]
        RemovableHandle.next_id = max(RemovableHandle.next_id, self.id + 1)

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.remove()


def _pack_with_none(indices, values, size):
    res = [None] * size
    for i, v in zip(indices, values):
        res[i] = v
    return tuple(res)


def _backward_hook_function():
    # Defined on first use: ember.autograd imports ember's tensor machinery.
    global _BackwardHookFunction
    if _BackwardHookFunction is None:
        from ..autograd.function import Function

        class BackwardHookFunction(Function):
            @staticmethod
            def forward(ctx, on_backward, materialize_grads, *tensors):
                ctx.on_backward = on_backward
                ctx.set_materialize_grads(materialize_grads)
                ctx.mark_non_differentiable(*[t for t in tensors if not t.requires_grad])
                # Identity: inputs returned as they are (autograd gives them the new node).
                return tensors

            @staticmethod
            def backward(ctx, *grads):
                return (None, None) + tuple(ctx.on_backward(grads))

        _BackwardHookFunction = BackwardHookFunction
    return _BackwardHookFunction


_BackwardHookFunction = None


class BackwardHook:
    """One module call's backward hooks (Note [Module backward hooks])."""

    def __init__(self, module, user_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.grad_outputs = None
        self.n_inputs = self.n_outputs = -1
        self.input_tensors_index = self.output_tensors_index = None

    def _apply_on_tensors(self, on_backward, args, materialize_grads):
        from .._C import TensorBase, is_grad_enabled
        index = [i for i, a in enumerate(args) if isinstance(a, TensorBase)]
        tensors = [args[i] for i in index]
        if not (is_grad_enabled() and any(t.requires_grad for t in tensors)):
            return args, None
        wrapped = _backward_hook_function().apply(on_backward, materialize_grads, *tensors)
        out = list(args)
        for i, t in zip(index, wrapped):
            out[i] = t
        return tuple(out), index

    def _on_input_grads(self, grad_input):
        if self.grad_outputs is None:
            # The gradient reached the inputs without passing through the outputs (double
            # backward, for one): torch calls no hook then.
            return grad_input
        res = _pack_with_none(self.input_tensors_index, grad_input, self.n_inputs)
        for hook in self.user_hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                   "got {}, but expected {}".format(len(out), len(res)))
            res = out
        self.grad_outputs = None
        return tuple(res[i] for i in self.input_tensors_index)

    def _on_output_grads(self, grad_output):
        self.grad_outputs = _pack_with_none(self.output_tensors_index, grad_output, self.n_outputs)
        if self.input_tensors_index is None:
            grad_inputs = _pack_with_none([], [], self.n_inputs)
            for hook in self.user_hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all gradients.")
            self.grad_outputs = None
        return grad_output

    def setup_input_hook(self, args):
        # grad_input: gradients the inputs' identity hands on, zeros where none arrived (torch's).
        res, self.input_tensors_index = self._apply_on_tensors(self._on_input_grads, args, True)
        self.n_inputs = len(args)
        return res

    def setup_output_hook(self, args):
        is_tuple = isinstance(args, tuple)
        if not is_tuple:
            args = (args,)
        # grad_output: None for an output no gradient reached (torch's).
        res, self.output_tensors_index = self._apply_on_tensors(self._on_output_grads, args, False)
        self.n_outputs = len(args)
        return res if is_tuple else res[0]
