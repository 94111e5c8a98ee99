"""Run by ember-run with 2 processes (tests/CMakeLists.txt, distributed.ember_run_python):
the torchrun variables agree with the process group, and a collective works."""
import os
import sys

sys.path.insert(0, os.environ.get("EMBER_PYTHONPATH", ""))
import ember  # noqa: E402
import ember.distributed as dist  # noqa: E402

dist.init_process_group()  # backend "mpi", env://
rank, world = dist.get_rank(), dist.get_world_size()
assert int(os.environ["RANK"]) == rank, (os.environ["RANK"], rank)
assert int(os.environ["WORLD_SIZE"]) == world
assert int(os.environ["LOCAL_RANK"]) == rank and int(os.environ["LOCAL_WORLD_SIZE"]) == world
assert os.environ["MASTER_ADDR"] == "127.0.0.1" and os.environ["MASTER_PORT"] == "29511"
t = ember.tensor([float(rank + 1)])
dist.all_reduce(t)
assert t.item() == world * (world + 1) / 2
args = sys.argv[1:]
if rank == 0:
    print(f"ember-run python: rank {rank} of {world}, all_reduce {t.item():g}, args {args}")
dist.destroy_process_group()
