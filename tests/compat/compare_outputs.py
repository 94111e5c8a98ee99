#!/usr/bin/env python3
"""Runs one LibTorch-style program built twice, against ember (through ember::torch_compat)
and against LibTorch 1.13.1, and compares what they print.

    compare_outputs.py EMBER_BINARY TORCH_BINARY [--rtol R] [--atol A] [-- program args]

Both must exit 0 and print the same lines; within a line the text between numbers must be
equal and each number must agree within atol + rtol * |libtorch's|. Both run on one thread
(OMP_NUM_THREADS=1, which both read), so neither run's reductions depend on the machine.
Prints "compat outputs match: <lines> lines, <numbers> numbers" on success, else each
difference, and exits 1.
"""
import argparse
import os
import re
import subprocess
import sys

NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)")


def run(binary, args):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    proc = subprocess.run([binary, *args], capture_output=True, text=True, env=env, timeout=300)
    if proc.returncode != 0:
        sys.stdout.write(f"{binary} exited with {proc.returncode}\n{proc.stdout}\n{proc.stderr}\n")
        sys.exit(1)
    return proc.stdout.splitlines()


def split(line):
    """The line's text with each number replaced by a marker, and the numbers."""
    numbers = [float(m) for m in NUMBER.findall(line)]
    return NUMBER.sub("#", line), numbers


def compare(ember_lines, torch_lines, rtol, atol):
    problems = []
    count = 0
    if len(ember_lines) != len(torch_lines):
        problems.append(f"ember printed {len(ember_lines)} lines, LibTorch {len(torch_lines)}")
    for i, (e, t) in enumerate(zip(ember_lines, torch_lines), 1):
        e_text, e_nums = split(e)
        t_text, t_nums = split(t)
        if e_text != t_text or len(e_nums) != len(t_nums):
            problems.append(f"line {i} differs:\n  ember:    {e}\n  libtorch: {t}")
            continue
        for a, b in zip(e_nums, t_nums):
            count += 1
            same_special = (a != a and b != b) or (a == b)
            if not same_special and not abs(a - b) <= atol + rtol * abs(b):
                problems.append(f"line {i}: {a} vs {b} (atol {atol}, rtol {rtol}):\n  ember:    {e}\n  libtorch: {t}")
    return problems, count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("ember_binary")
    parser.add_argument("torch_binary")
    parser.add_argument("--rtol", type=float, default=2e-3)
    parser.add_argument("--atol", type=float, default=2e-4)
    parser.add_argument("program_args", nargs="*")
    args = parser.parse_args()
    ember_lines = run(args.ember_binary, args.program_args)
    torch_lines = run(args.torch_binary, args.program_args)
    problems, count = compare(ember_lines, torch_lines, args.rtol, args.atol)
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"compat outputs match: {len(ember_lines)} lines, {count} numbers")


if __name__ == "__main__":
    main()
