"""ember.nn.parallel.DistributedDataParallel under mpirun (tests/CMakeLists.txt,
ember_add_mpi_test): every rank runs this file with pytest, in the same order. The oracle is
single-process training of a copy of the model on the concatenated batch; ranks must also
end with bit-identical parameters."""

import pytest

from mpi_world import rank, world, world_group_fixture  # first: puts the build tree's ember on sys.path
import ember as torch  # noqa: E402
import ember.distributed as dist  # noqa: E402
import ember.nn as nn  # noqa: E402
import ember.nn.functional as F  # noqa: E402
from ember.nn.parallel import DistributedDataParallel as DDP  # noqa: E402


group = world_group_fixture(seconds=30)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 32)
        self.fc2 = nn.Linear(32, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 4 * 4, 5)

    def forward(self, x):
        return self.fc(F.max_pool2d(torch.relu(self.conv(x)), 2).flatten(1))


class Unused(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.b = nn.Linear(4, 4)
        self.c = nn.Linear(4, 2)

    def forward(self, x):
        return self.c(self.a(x))


def flat(module):
    return torch.cat([p.detach().reshape(-1) for p in module.parameters()])


def assert_identical_across_ranks(module):
    mine = flat(module)
    everyone = [torch.empty_like(mine) for _ in range(world())]
    dist.all_gather(everyone, mine)
    for r in range(1, world()):
        assert torch.equal(everyone[r], everyone[0]), f"rank {r} differs from rank 0"


def batch(step, shape, classes):
    torch.manual_seed(1000 + step)
    return torch.randn(*shape), torch.randint(0, classes, (shape[0],))


@pytest.mark.parametrize("make,shape,classes,kwargs", [
    (Mlp, (6, 10), 3, {}),
    (Mlp, (6, 10), 3, {"bucket_cap_mb": 0.001, "gradient_as_bucket_view": True}),
    (Cnn, (4, 1, 8, 8), 5, {"bucket_cap_mb": 0.0005}),
])
def test_training_matches_single_process(make, shape, classes, kwargs):
    torch.manual_seed(rank())  # different on each rank: construction broadcasts rank 0's
    model = make()
    ddp = DDP(model, **kwargs)
    assert_identical_across_ranks(model)
    reference = make()
    reference.load_state_dict(model.state_dict())
    opt = torch.optim.SGD(ddp.parameters(), lr=0.05, momentum=0.9)
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.05, momentum=0.9)
    n = shape[0]
    for step in range(20):
        x, y = batch(step, (n * world(),) + shape[1:], classes)
        opt.zero_grad()
        F.cross_entropy(ddp(x[rank() * n:(rank() + 1) * n]), y[rank() * n:(rank() + 1) * n]).backward()
        opt.step()
        ref_opt.zero_grad()
        F.cross_entropy(reference(x), y).backward()
        ref_opt.step()
    assert torch.allclose(flat(model), flat(reference), rtol=1e-4, atol=1e-5)
    assert_identical_across_ranks(model)


def test_state_dict_and_module():
    model = Mlp()
    ddp = DDP(model)
    assert ddp.module is model
    assert list(ddp.state_dict().keys()) == ["module.fc1.weight", "module.fc1.bias", "module.fc2.weight",
                                             "module.fc2.bias"]


def test_no_sync_accumulates_then_averages():
    torch.manual_seed(7)
    model = Mlp()
    ddp = DDP(model, bucket_cap_mb=0.001)
    reference = Mlp()
    reference.load_state_dict(model.state_dict())
    n = 4
    micro = [batch(100 + k, (n * world(), 10), 3) for k in range(3)]
    with ddp.no_sync():
        for x, y in micro[:2]:
            F.cross_entropy(ddp(x[rank() * n:(rank() + 1) * n]), y[rank() * n:(rank() + 1) * n]).backward()
    x, y = micro[2]
    F.cross_entropy(ddp(x[rank() * n:(rank() + 1) * n]), y[rank() * n:(rank() + 1) * n]).backward()
    for r in range(world()):
        for x, y in micro:
            F.cross_entropy(reference(x[r * n:(r + 1) * n]), y[r * n:(r + 1) * n]).backward()
    for (name, p), q in zip(model.named_parameters(), reference.parameters()):
        assert torch.allclose(p.grad, q.grad / world(), rtol=1e-5, atol=1e-6), name


def test_find_unused_parameters():
    torch.manual_seed(3)
    model = Unused()
    ddp = DDP(model, find_unused_parameters=True)
    x = torch.randn(3, 4)
    for _ in range(2):
        ddp.zero_grad()
        ddp(x).sum().backward()
        assert model.b.weight.grad is None and model.a.weight.grad is not None


def test_unused_parameters_without_the_flag_name_them():
    ddp = DDP(Unused())
    x = torch.randn(3, 4)
    ddp(x).sum().backward()
    with pytest.raises(RuntimeError, match="Expected to have finished reduction in the prior iteration") as e:
        ddp(x)
    assert f"Parameters which did not receive grad for rank {rank()}: b.weight, b.bias" in str(e.value)


def test_differing_models_fail_at_construction():
    model = nn.Linear(4, 3 if rank() == 0 else 5)
    with pytest.raises(RuntimeError) as e:
        DDP(model)
    assert str(e.value) == ("DDP expects same model across all ranks, but the first differing parameter is index 0 "
                            "(in named_parameters() order): rank 0 has 'weight' of shape [3, 4] and dtype float32, "
                            "while rank 1 has 'weight' of shape [5, 4] and dtype float32.")


def test_bad_arguments():
    with pytest.raises(RuntimeError, match="DistributedDataParallel is not needed when a module doesn't have any"):
        DDP(nn.ReLU())
    with pytest.raises(ValueError, match="device_ids and output_device arguments only work with"):
        DDP(Mlp(), device_ids=[0])
