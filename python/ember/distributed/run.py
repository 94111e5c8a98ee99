"""ember-run (``python -m ember.distributed.run``): a torchrun-style launcher for ember's MPI
backend.

    ember-run --nproc-per-node 2 train.py --epochs 3          # python train.py on 2 ranks
    ember-run --nproc-per-node 2 --no-python ./train_cpp      # a C++ program
    ember-run --nnodes 2 --nproc-per-node 4 --hosts a,b train.py

MPI's backend needs MPI's own launcher to connect the processes, so ember-run starts them
through ``mpirun`` (never by forking them itself) and gives each rank torchrun's variables:
RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, GROUP_RANK, MASTER_ADDR, MASTER_PORT, taken
from Open MPI's OMPI_COMM_WORLD_* by a tiny per-rank wrapper (_rank_env.py). Several
machines: run ember-run once, on the first one, with ``--hosts`` or ``--hostfile``; mpirun
starts the ranks on every machine (over ssh). ``--mpirun-args`` passes options through
(e.g. ``--allow-run-as-root`` when you are root, which ember-run never adds by itself).
"""
import argparse
import os
import shlex
import shutil
import sys


def _parser():
    p = argparse.ArgumentParser(
        prog="ember-run",
        description="Start N processes of a program through mpirun with torchrun's environment variables "
                    "(RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT).")
    p.add_argument("--nproc-per-node", "--nproc_per_node", type=int, default=1, help="processes per machine")
    p.add_argument("--nnodes", type=int, default=1, help="number of machines (needs --hosts or --hostfile)")
    p.add_argument("--node-rank", "--node_rank", type=int, default=0,
                   help="this machine's index; with MPI only machine 0 runs ember-run")
    p.add_argument("--master-addr", "--master_addr", default=None,
                   help="exported as MASTER_ADDR (default: the first host, or 127.0.0.1)")
    p.add_argument("--master-port", "--master_port", type=int, default=29500, help="exported as MASTER_PORT")
    p.add_argument("--hosts", default=None, help="comma-separated machine names, one per node")
    p.add_argument("--hostfile", default=None, help="an Open MPI hostfile listing the machines")
    p.add_argument("--mpirun", default=os.environ.get("EMBER_MPIRUN", "mpirun"), help="the mpirun to use")
    p.add_argument("--mpirun-args", default="", help="extra mpirun options, one shell-quoted string")
    p.add_argument("--no-python", "--no_python", action="store_true",
                   help="run the program directly instead of `python program`")
    p.add_argument("-m", "--module", action="store_true", help="run a Python module (`python -m program`)")
    p.add_argument("--dry-run", action="store_true", help="print the mpirun command and exit")
    p.add_argument("program", help="the script (or with --no-python, the executable)")
    p.add_argument("args", nargs=argparse.REMAINDER, help="the program's arguments")
    return p


def build_command(a):
    """The mpirun command line for parsed arguments ``a`` (a list of strings)."""
    if a.nproc_per_node < 1:
        raise SystemExit(f"ember-run: --nproc-per-node must be at least 1, got {a.nproc_per_node}")
    if a.nnodes < 1:
        raise SystemExit(f"ember-run: --nnodes must be at least 1, got {a.nnodes}")
    if a.node_rank != 0:
        raise SystemExit(
            "ember-run: with the MPI backend, run ember-run once, on the first machine (--node-rank 0), with "
            "--hosts or --hostfile: mpirun starts the ranks on every machine itself")
    hosts = [h for h in (a.hosts or "").split(",") if h]
    if a.nnodes > 1 and not hosts and not a.hostfile:
        raise SystemExit(f"ember-run: --nnodes {a.nnodes} needs --hosts h1,h2,... or --hostfile FILE "
                         "(mpirun starts the ranks on each machine)")
    if hosts and len(hosts) != a.nnodes:
        raise SystemExit(f"ember-run: --hosts lists {len(hosts)} machines but --nnodes is {a.nnodes}")
    world = a.nnodes * a.nproc_per_node
    master = a.master_addr or (hosts[0] if hosts else "127.0.0.1")
    cmd = [a.mpirun, "-np", str(world)]
    if hosts:
        cmd += ["--host", ",".join(f"{h}:{a.nproc_per_node}" for h in hosts)]
    elif a.hostfile:
        cmd += ["--hostfile", a.hostfile]
    if a.nnodes > 1:
        cmd += ["--map-by", f"ppr:{a.nproc_per_node}:node"]
    cmd += ["-x", f"MASTER_ADDR={master}", "-x", f"MASTER_PORT={a.master_port}"]
    for var in ("PYTHONPATH", "EMBER_PYTHONPATH"):  # a remote rank finds the same package
        if var in os.environ:
            cmd += ["-x", var]
    cmd += shlex.split(a.mpirun_args)
    wrapper = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_rank_env.py")
    cmd += [sys.executable, wrapper, "--"]
    if a.no_python:
        cmd += [a.program]
    elif a.module:
        cmd += [sys.executable, "-u", "-m", a.program]
    else:
        cmd += [sys.executable, "-u", a.program]
    args = a.args[1:] if a.args[:1] == ["--"] else a.args
    return cmd + list(args)


def main(argv=None):
    a = _parser().parse_args(argv)
    cmd = build_command(a)
    if a.dry_run:
        print(shlex.join(cmd))
        return 0
    if shutil.which(cmd[0]) is None:
        raise SystemExit(f"ember-run: {cmd[0]} not found; install Open MPI (apt-get install openmpi-bin) or pass --mpirun")
    sys.stdout.flush()
    os.execvp(cmd[0], cmd)  # mpirun's exit status is ember-run's


if __name__ == "__main__":
    sys.exit(main())
