"""Per-rank wrapper of ember-run (run.py): maps Open MPI's OMPI_COMM_WORLD_* to torchrun's
variables, then replaces itself with the program. Run by path, so it imports nothing of
ember (each rank pays one small interpreter start, not ember's import)."""
import os
import sys


def main():
    argv = sys.argv[1:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        sys.exit("ember-run: no program to run")
    env = os.environ
    try:
        rank = int(env["OMPI_COMM_WORLD_RANK"])
        size = int(env["OMPI_COMM_WORLD_SIZE"])
        local_rank = int(env["OMPI_COMM_WORLD_LOCAL_RANK"])
        local_size = int(env["OMPI_COMM_WORLD_LOCAL_SIZE"])
    except KeyError as e:
        sys.exit(f"ember-run: {e.args[0]} is not set: this wrapper runs under Open MPI's mpirun")
    env["RANK"] = str(rank)
    env["WORLD_SIZE"] = str(size)
    env["LOCAL_RANK"] = str(local_rank)
    env["LOCAL_WORLD_SIZE"] = str(local_size)
    env["GROUP_RANK"] = str(rank // local_size)  # the node's index (ranks are placed node by node)
    env.setdefault("MASTER_ADDR", "127.0.0.1")
    env.setdefault("MASTER_PORT", "29500")
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main()
