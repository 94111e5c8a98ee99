"""DistributedDataParallel.join() for uneven inputs under mpirun (tests/CMakeLists.txt runs it
on 2 and 4 ranks): rank r trains on 3 + r batches; at iteration i the gradient is the sum of the
active ranks' gradients over the initial world size, and at the end every rank holds the model
of the rank that trained longest. The oracle replays that in one process."""

import pytest

from mpi_world import rank, world, world_group_fixture  # first: puts the build tree's ember on sys.path
import ember as torch  # noqa: E402
import ember.distributed as dist  # noqa: E402
import ember.nn as nn  # noqa: E402
import ember.nn.functional as F  # noqa: E402
from ember.nn.parallel import DistributedDataParallel as DDP  # noqa: E402


group = world_group_fixture(seconds=60)


def make():
    return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 3))


def batches_of(r):
    return 3 + r


def shard(i, r, n=4):
    torch.manual_seed(1000 * i + r)
    return torch.randn(n, 6), torch.randint(0, 3, (n,))


def flat(module):
    return torch.cat([p.detach().reshape(-1) for p in module.parameters()])


@pytest.mark.parametrize("kwargs", [{}, {"bucket_cap_mb": 0.0005}, {"find_unused_parameters": True}])
def test_uneven_inputs_match_the_one_process_replay(kwargs):
    torch.manual_seed(9)
    model = make()
    reference = make()
    reference.load_state_dict(model.state_dict())
    ddp = DDP(model, **kwargs)
    opt = torch.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
    with ddp.join():
        for i in range(batches_of(rank())):
            x, y = shard(i, rank())
            opt.zero_grad()
            F.cross_entropy(ddp(x), y).backward()
            opt.step()
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
    for i in range(batches_of(world() - 1)):
        ref_opt.zero_grad()
        active = [r for r in range(world()) if i < batches_of(r)]
        loss = sum(F.cross_entropy(reference(shard(i, r)[0]), shard(i, r)[1]) for r in active) / world()
        loss.backward()
        ref_opt.step()
    assert torch.allclose(flat(model), flat(reference), rtol=1e-4, atol=1e-5), \
        (flat(model) - flat(reference)).abs().max().item()
    # Every rank ends with the same model, and the group is still in step.
    mine = flat(model)
    everyone = [torch.empty_like(mine) for _ in range(world())]
    dist.all_gather(everyone, mine)
    assert all(torch.equal(e, everyone[0]) for e in everyone)


def test_even_inputs_and_errors():
    model = make()
    ddp = DDP(model)
    with ddp.join():
        for i in range(2):
            x, y = shard(i, rank())
            F.cross_entropy(ddp(x), y).backward()
    with pytest.raises(NotImplementedError, match="divide_by_initial_world_size=False"):
        with ddp.join(divide_by_initial_world_size=False):
            pass
    with pytest.raises(RuntimeError, match="every forward inside join\\(\\) must be synchronised"):
        with ddp.join():
            with ddp.no_sync():
                ddp(torch.ones(2, 6))
