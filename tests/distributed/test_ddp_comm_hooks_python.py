"""DistributedDataParallel.register_comm_hook under mpirun (tests/CMakeLists.txt runs it on 2
and 4 ranks): the built-in default_hooks against DDP without a hook, a hook written in Python,
the GradBucket it receives, and errors. Every rank runs the tests in the same order."""

import pytest

from mpi_world import rank, world, world_group_fixture  # first: puts the build tree's ember on sys.path
import ember as torch  # noqa: E402
import ember.distributed as dist  # noqa: E402
import ember.nn as nn  # noqa: E402
import ember.nn.functional as F  # noqa: E402
from ember.distributed.algorithms.ddp_comm_hooks import default_hooks  # noqa: E402
from ember.futures import Future  # noqa: E402
from ember.nn.parallel import DistributedDataParallel as DDP  # noqa: E402


group = world_group_fixture(seconds=60)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 32)
        self.fc2 = nn.Linear(32, 16)
        self.fc3 = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc3(torch.tanh(self.fc2(torch.relu(self.fc1(x)))))


def flat(module):
    return torch.cat([p.detach().reshape(-1) for p in module.parameters()])


def train_with_and_without(state, hook, steps=8):
    """Two copies of one model, trained on the same shards, one with the hook."""
    torch.manual_seed(50 + rank())
    plain_model = Mlp()
    hooked_model = Mlp()
    hooked_model.load_state_dict(plain_model.state_dict())
    plain = DDP(plain_model, bucket_cap_mb=0.002)
    hooked = DDP(hooked_model, bucket_cap_mb=0.002)
    hooked.register_comm_hook(state, hook)
    opts = [torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9) for m in (plain, hooked)]
    n = 6
    for step in range(steps):
        torch.manual_seed(1000 + step)
        x, y = torch.randn(n * world(), 10), torch.randint(0, 3, (n * world(),))
        xs, ys = x[rank() * n:(rank() + 1) * n], y[rank() * n:(rank() + 1) * n]
        for m, opt in zip((plain, hooked), opts):
            opt.zero_grad()
            F.cross_entropy(m(xs), ys).backward()
            opt.step()
    mine = flat(hooked_model)
    everyone = [torch.empty_like(mine) for _ in range(world())]
    dist.all_gather(everyone, mine)
    for r in range(1, world()):
        assert torch.equal(everyone[r], everyone[0]), f"rank {r} differs from rank 0"
    return mine, flat(plain_model)


def test_allreduce_hook_gives_the_same_parameters_as_no_hook():
    hooked, plain = train_with_and_without(None, default_hooks.allreduce_hook)
    assert torch.equal(hooked, plain), (hooked - plain).abs().max().item()


@pytest.mark.parametrize("hook,rtol,atol", [(default_hooks.fp16_compress_hook, 1e-2, 1e-3),
                                            (default_hooks.bf16_compress_hook, 5e-2, 1e-2)])
def test_compress_hooks_within_their_dtypes_precision(hook, rtol, atol):
    hooked, plain = train_with_and_without(None, hook)
    assert torch.allclose(hooked, plain, rtol=rtol, atol=atol), (hooked - plain).abs().max().item()


def test_python_hook_sees_the_bucket_and_chains_futures():
    seen = []

    def hook(state, bucket):
        state.append((bucket.index(), bucket.is_last(), bucket.buffer().numel(),
                      sum(g.numel() for g in bucket.gradients()), len(bucket.parameters())))
        buf = bucket.buffer().div_(world())
        return dist.all_reduce(buf, async_op=True).get_future().then(lambda fut: fut.value()[0])

    hooked, plain = train_with_and_without(seen, hook, steps=3)
    assert torch.equal(hooked, plain)
    per_step = len(seen) // 3
    assert per_step > 1 and len(seen) == 3 * per_step
    assert [s[0] for s in seen[:per_step]] == list(range(per_step))
    assert [s[1] for s in seen[:per_step]] == [False] * (per_step - 1) + [True]
    assert all(numel == grads for _, _, numel, grads, _ in seen)
    assert sum(s[4] for s in seen[:per_step]) == len(list(Mlp().parameters()))


def test_a_hook_returning_its_own_future():
    # Returning the bucket unreduced (torch's noop-hook pattern): gradients stay local.
    def noop(state, bucket):
        fut = Future()
        fut.set_result(bucket.buffer())
        return fut

    torch.manual_seed(rank())  # different data per rank
    model = Mlp()
    ddp = DDP(model)
    ddp.register_comm_hook(None, noop)
    x = torch.randn(4, 10) + rank()
    ddp(x).sum().backward()
    reference = Mlp()
    reference.load_state_dict(model.state_dict())
    reference(x).sum().backward()
    for p, q in zip(model.parameters(), reference.parameters()):
        assert torch.allclose(p.grad, q.grad, rtol=1e-6, atol=1e-7)


def test_errors():
    ddp = DDP(Mlp())
    with pytest.raises(TypeError, match="^Communication hook must be callable.$"):
        ddp.register_comm_hook(None, 3)
    ddp.register_comm_hook(None, default_hooks.allreduce_hook)
    with pytest.raises(RuntimeError, match="^register_comm_hook or register_builtin_comm_hook can only be called "
                                           "once.$"):
        ddp.register_comm_hook(None, default_hooks.allreduce_hook)
    bad = DDP(Mlp())
    bad.register_comm_hook(None, lambda state, bucket: bucket.buffer())
    with pytest.raises(TypeError, match="Communication hook must return a torch.futures.Future"):
        bad(torch.ones(2, 10)).sum().backward()
