"""ember-board's page in headless Chromium (tests/board/page_test.mjs, npm playwright-core
driving Debian's chromium) over 20 runs x 10 tags x 10k points written by ember's
SummaryWriter: plotted points read back, smoothing slider, run switching, tag filter, image
step slider, a GIF from add_video, the audio players, a refresh adding 1k points and one
adding 5k (the sample's stride doubles), screenshot;
the charts show the server's sample of each series (at most 1,000 points, the last one
included) while the downloads have every point. Prints the first-paint and refresh times
(docs/tensorboard.md, benchmarks)."""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest

from ember.board import make_server
from ember.utils.tensorboard import SummaryWriter

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD_PYTHON = pathlib.Path(os.environ.get("EMBER_PYTHONPATH", str(ROOT / "build" / "release" / "python")))
NODE_MODULES = BUILD_PYTHON.parent / "board_web" / "node_modules"
CHROMIUM = "/usr/lib/chromium/chromium"
RUNS, TAGS, POINTS = 20, 10, 10_000


def write_logdir(logdir):
    rng = np.random.default_rng(0)
    steps = np.arange(POINTS)
    for r in range(RUNS):
        with SummaryWriter(logdir / f"r{r:02d}", max_queue=1000) as w:
            add = w.add_scalar
            for t in range(TAGS):
                values = (np.exp(-steps / (2000 + 100 * r)) + 0.05 * rng.standard_normal(POINTS)).tolist()
                tag = f"t{t}"
                for i, v in zip(range(POINTS), values):
                    add(tag, v, i)
            if r == 0:
                for step in (1, 2):
                    w.add_images("digits", rng.uniform(0, 1, (4, 1, 8, 8)), step)
                    # 0.5 s, then 0.25 s of a 440 Hz tone at 8 kHz; a 3-frame GIF.
                    tone = np.sin(2 * np.pi * 440 * np.arange(8000 // (2 * step)) / 8000) * 0.5
                    w.add_audio("tone", tone.astype(np.float32), step, sample_rate=8000)
                w.add_video("clip", rng.uniform(0, 1, (2, 3, 3, 8, 8)).astype(np.float32), 1)


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is installed by scripts/setup.sh")
def test_page_in_chromium(tmp_path):
    assert (NODE_MODULES / "playwright-core").is_dir(), "the build's npm ci installs playwright-core"
    logdir = tmp_path / "runs"
    write_logdir(logdir)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # ember's own files give no warning
        server = make_server(str(logdir), port=0, reload_interval=0.2)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = "http://127.0.0.1:%d" % server.server_address[1]
    screenshot = tmp_path / "board.png"
    append = [sys.executable, str(ROOT / "tests" / "board" / "append_points.py"), str(logdir / "r00"), "t0",
              str(POINTS), "1000"]
    env = dict(os.environ, EMBER_BOARD_NODE_MODULES=str(NODE_MODULES), EMBER_CHROMIUM=CHROMIUM,
               PYTHONPATH=str(BUILD_PYTHON))
    try:
        proc = subprocess.run(["node", str(ROOT / "tests" / "board" / "page_test.mjs"), base, str(screenshot),
                               json.dumps(append)], capture_output=True, text=True, env=env, timeout=600)
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    failed = {k: v for k, v in out["checks"].items() if v is not True}
    assert not failed, failed
    assert out["runs"] == RUNS and out["charts"] == TAGS and out["pointsPerChart"] == RUNS * POINTS
    # TensorBoard's default of 1,000 points per series; 10k points are shown as every 16th
    # and the last (Note [Strided display sample]).
    assert out["maxPoints"] == 1000 and out["shownPerSeries"] == POINTS // 16 + 1
    assert out["firstFetchBytes"] < RUNS * TAGS * 1000 * 3 * 8 + 10 * 4 * 8 * RUNS
    assert screenshot.stat().st_size > 10_000
    keep = os.environ.get("EMBER_BOARD_SCREENSHOT")
    if keep:
        shutil.copyfile(screenshot, keep)
    print(f"\nember-board in Chromium: {RUNS} runs x {TAGS} tags x {POINTS} points: first paint "
          f"{out['firstPaintMs']:.0f} ms (of which the run list {out['firstRunsMs']:.0f} ms, fetching scalars "
          f"{out['firstFetchMs']:.0f} ms, the rest building and drawing the charts; navigation to ready "
          f"{out['firstPaintWallMs']} ms; {out['firstFetchBytes'] / 1e6:.1f} MB of scalars, "
          f"{out['shownPerSeries']} points a series); refresh adding 1k points {out['refreshMs']:.0f} ms "
          f"({out['refreshBytes']} bytes); one adding 5k more, doubling the stride, {out['resetRefreshMs']:.0f} ms")
