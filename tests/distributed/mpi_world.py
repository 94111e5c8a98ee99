"""What every Python test that tests/CMakeLists.txt runs under mpirun shares: ember from the
build tree (EMBER_PYTHONPATH), one world process group per test module, and the caller's rank
and the world size. pytest puts this directory on sys.path, so a test module imports it by
name."""
import datetime
import os
import sys

import pytest

_path = os.environ.get("EMBER_PYTHONPATH", "")
if _path and _path not in sys.path:
    sys.path.insert(0, _path)
import ember.distributed as dist  # noqa: E402


def world_group_fixture(seconds):
    """A module-scoped, autouse fixture that opens the MPI world group with a timeout of
    `seconds` (short, so a test that desynchronises the ranks fails instead of hanging) and
    closes it after the module's last test. Assign it to a module-level name."""

    @pytest.fixture(scope="module", autouse=True)
    def group():
        dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=seconds))
        yield
        dist.destroy_process_group()

    return group


def rank():
    return dist.get_rank()


def world():
    return dist.get_world_size()
