"""ember.utils.data.DistributedSampler against torch's: the same indices for every rank,
epoch, shuffle and drop_last setting, and torch's errors."""
import pytest
import torch

import ember


@pytest.mark.parametrize("n,replicas", [(10, 3), (7, 4), (2, 5), (12, 2), (1, 1)])
@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("drop_last", [True, False])
def test_same_indices_as_torch(n, replicas, shuffle, drop_last):
    for rank in range(replicas):
        for epoch in (0, 3):
            mine = ember.utils.data.DistributedSampler(range(n), replicas, rank, shuffle, seed=5, drop_last=drop_last)
            theirs = torch.utils.data.DistributedSampler(range(n), replicas, rank, shuffle, seed=5, drop_last=drop_last)
            mine.set_epoch(epoch)
            theirs.set_epoch(epoch)
            assert list(mine) == list(theirs)
            assert len(mine) == len(theirs)


def test_invalid_rank():
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        ember.utils.data.DistributedSampler(range(4), num_replicas=2, rank=2)


def test_needs_a_group_when_not_given_replicas():
    with pytest.raises(RuntimeError, match="Default process group has not been initialized"):
        ember.utils.data.DistributedSampler(range(4))


def test_with_a_data_loader():
    data = ember.arange(10)
    sampler = ember.utils.data.DistributedSampler(data, num_replicas=2, rank=1, shuffle=False)
    batches = [b.tolist() for b in ember.utils.data.DataLoader(data, batch_size=2, sampler=sampler)]
    assert batches == [[1, 3], [5, 7], [9]]
