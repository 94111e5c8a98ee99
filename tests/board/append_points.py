"""Appends N points to one tag of a run with ember's SummaryWriter (a new event file in the
run, as a restarted writer would): tests/board/page_test.mjs calls it between refreshes.
    append_points.py RUN_DIR TAG FIRST_STEP N"""
import sys

from ember.utils.tensorboard import SummaryWriter

run_dir, tag, first, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with SummaryWriter(run_dir) as w:
    for i in range(first, first + n):
        w.add_scalar(tag, 1.0 / (1 + i), i)
