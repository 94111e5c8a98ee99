"""ember.nn.SyncBatchNorm under mpirun (tests/CMakeLists.txt runs it on 2 and 4 ranks): ranks
holding parts of a batch must normalise, differentiate and track running statistics as one
BatchNorm over the whole batch in one process; convert_sync_batchnorm; SyncBatchNorm inside DDP
training matches one-process training. Every rank runs the tests in the same order."""

import pytest

from mpi_world import rank, world, world_group_fixture  # first: puts the build tree's ember on sys.path
import ember as torch  # noqa: E402
import ember.distributed as dist  # noqa: E402
import ember.nn as nn  # noqa: E402
import ember.nn.functional as F  # noqa: E402
from ember.nn.parallel import DistributedDataParallel as DDP  # noqa: E402


group = world_group_fixture(seconds=60)


def rows(r):
    """Rank r holds rows [start, start + r + 1): uneven parts weight the statistics by count."""
    start = sum(q + 1 for q in range(r))
    return slice(start, start + r + 1)


def close(a, b, tol=1e-5):
    return torch.allclose(a, b, rtol=tol, atol=tol)


@pytest.mark.parametrize("ref_cls,tail", [(nn.BatchNorm2d, (3, 4, 4)), (nn.BatchNorm1d, (5,))])
def test_matches_one_batch_norm_over_the_whole_batch(ref_cls, tail):
    total = sum(r + 1 for r in range(world()))  # exactly the ranks' rows
    torch.manual_seed(3)
    ref = ref_cls(tail[0], momentum=0.2)
    sync = nn.SyncBatchNorm(tail[0], momentum=0.2)
    with torch.no_grad():
        ref.weight.copy_(torch.randn(tail[0]))
        ref.bias.copy_(torch.randn(tail[0]))
        sync.weight.copy_(ref.weight)
        sync.bias.copy_(ref.bias)
    mine = rows(rank())
    for step in range(3):
        torch.manual_seed(10 + step)
        x = (torch.randn(total, *tail) * 2 + 4).requires_grad_()
        r = torch.randn(total, *tail)
        ref.zero_grad()
        sync.zero_grad()
        ref_out = ref(x)
        (ref_out * r).sum().backward()
        part = x.detach()[mine].clone().requires_grad_()
        out = sync(part)
        (out * r[mine]).sum().backward()
        assert close(out, ref_out.detach()[mine])
        assert close(part.grad, x.grad[mine], 1e-4)
        gw, gb = sync.weight.grad.clone(), sync.bias.grad.clone()
        dist.all_reduce(gw)
        dist.all_reduce(gb)
        assert close(gw, ref.weight.grad, 1e-4) and close(gb, ref.bias.grad, 1e-4)
        assert close(sync.running_mean, ref.running_mean) and close(sync.running_var, ref.running_var)
    assert int(sync.num_batches_tracked) == 3
    sync.eval()
    ref.eval()
    x = torch.randn(4, *tail)
    assert close(sync(x), ref(x))  # eval: running statistics, no communication


def make_net():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.Sequential(nn.Flatten(), nn.Linear(4 * 6 * 6, 3)))


def test_convert_sync_batchnorm_and_ddp_training_match_one_process():
    torch.manual_seed(5)
    net = make_net()
    reference = make_net()
    reference.load_state_dict(net.state_dict())
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    assert converted is net and isinstance(net[1], nn.SyncBatchNorm) and not isinstance(reference[1],
                                                                                           nn.SyncBatchNorm)
    assert list(net.state_dict().keys()) == list(reference.state_dict().keys())
    ddp = DDP(net)
    opt = torch.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
    n = 3
    for step in range(4):
        torch.manual_seed(200 + step)
        x, y = torch.randn(n * world(), 1, 6, 6), torch.randint(0, 3, (n * world(),))
        opt.zero_grad()
        F.cross_entropy(ddp(x[rank() * n:(rank() + 1) * n]), y[rank() * n:(rank() + 1) * n]).backward()
        opt.step()
        ref_opt.zero_grad()
        F.cross_entropy(reference(x), y).backward()
        ref_opt.step()
    for (name, a), b in zip(net.state_dict().items(), reference.state_dict().values()):
        assert close(a.float(), b.float(), 1e-4), name


def test_errors():
    with pytest.raises(ValueError, match=r"^expected at least 2D input \(got 1D input\)$"):
        nn.SyncBatchNorm(3)(torch.ones(3))
