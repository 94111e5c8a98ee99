"""ember-board's display sample of scalar series (python/ember/board/sampling.py, Note
[Strided display sample]): /api/scalars and /api/scalars_batch with max_points, the
incremental refresh the page does with it (appends and stride resets, against a sample
taken here from the full-resolution series), the downloads keeping every point, and
TensorBoard's --samples_per_plugin option."""
import json
import math
import threading
import urllib.error
import urllib.parse
import urllib.request

import numpy as np
import pytest

from ember.board import main, make_server
from ember.board.server import parse_samples_per_plugin
from ember.utils.tensorboard import SummaryWriter


@pytest.fixture()
def serve():
    servers = []

    def start(logdir, **kw):
        server = make_server(str(logdir), port=0, reload_interval=0, **kw)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        base = "http://127.0.0.1:%d" % server.server_address[1]

        def get(path, **params):
            url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
            with urllib.request.urlopen(url) as r:
                return r.read(), dict(r.headers)
        return get
    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


def expected(steps, values, max_points):
    """The sample, from the note's statement: the multiples of a power-of-two stride B and
    the last point, for the smallest B that makes at most max_points points."""
    n, b = len(steps), 1
    while True:
        idx = list(range(0, n, b)) + ([n - 1] if n and (n - 1) % b else [])
        if not max_points or len(idx) <= max_points:
            return b, [steps[i] for i in idx], [values[i] for i in idx]
        b *= 2


def full(get, run, tag):
    a = np.frombuffer(get("/api/scalars", run=run, tag=tag)[0], dtype="<f8").reshape(3, -1)
    return a[0].tolist(), a[2].tolist()


def log(w, tag, first, n):
    for i in range(first, first + n):
        w.add_scalar(tag, math.sin(i / 50.0) + (i % 7) * 0.01, i)
    w.flush()


def test_scalars_sample_and_full_downloads(tmp_path, serve):
    with SummaryWriter(tmp_path / "a") as w:
        log(w, "loss", 0, 10_000)
    get = serve(tmp_path)
    assert json.loads(get("/api/runs")[0])["samples_per_plugin"] == {"scalars": 1000}  # TensorBoard's default
    steps, values = full(get, "a", "loss")
    assert len(steps) == 10_000
    body, headers = get("/api/scalars", run="a", tag="loss", max_points=1000)
    a = np.frombuffer(body, dtype="<f8").reshape(3, -1)
    b, s, v = expected(steps, values, 1000)
    assert (b, headers["X-Stride"], headers["X-Start"], headers["X-Total"]) == (16, "16", "0", "10000")
    assert a[0].tolist() == s and a[2].tolist() == v and len(s) == 626 and s[0] == 0 and s[-1] == 9999
    # max_points=0: every point, as without the parameter.
    body, headers = get("/api/scalars", run="a", tag="loss", max_points=0)
    assert np.frombuffer(body, dtype="<f8").reshape(3, -1)[0].tolist() == steps and headers["X-Stride"] == "1"
    # The downloads are never sampled.
    rows = json.loads(get("/api/scalars.json", run="a", tag="loss")[0])
    assert [r[1] for r in rows] == steps and [r[2] for r in rows] == values
    csv = get("/api/scalars.csv", run="a", tag="loss")[0].decode().splitlines()
    assert len(csv) == 10_001 and [float(line.split(",")[2]) for line in csv[1:]] == values
    # A client that has seen more points than there are (the server restarted over another
    # log directory) gets the whole sample again, flagged as a reset.
    body, headers = get("/api/scalars", run="a", tag="loss", max_points=1000, since=20_000, stride=16)
    assert headers["X-Start"] == "0" and np.frombuffer(body, dtype="<f8").reshape(3, -1)[0].tolist() == s
    body, headers = get("/api/scalars", run="a", tag="loss", max_points=1000, since=9_000, stride=16)
    assert headers["X-Start"] == "9000" and np.frombuffer(body, dtype="<f8").reshape(3, -1)[0].tolist() == \
        [x for x in s if x >= 9000]
    for bad in (1, -1):
        with pytest.raises(urllib.error.HTTPError) as e:
            get("/api/scalars", run="a", tag="loss", max_points=bad)
        assert e.value.code == 400
        e.value.close()


def test_incremental_refresh_of_the_sample(tmp_path, serve):
    """The page's refresh: ask since the points it has with its stride; append, or replace
    on a reset (start 0). After every round the client's sample must be exactly the sample
    of the whole series: no point duplicated or dropped, across stride doublings."""
    n_max = 100
    writers = {r: SummaryWriter(tmp_path / r, flush_secs=1000) for r in ("a", "b")}
    log(writers["a"], "loss", 0, 10_000)
    log(writers["b"], "loss", 0, 3_000)
    get = serve(tmp_path)
    client = {r: {"total": 0, "stride": 0, "steps": [], "values": []} for r in writers}
    resets = []
    for first, n in ((None, 0), (10_000, 1500), (11_500, 1), (11_501, 0), (11_501, 1200), (12_701, 2000)):
        if first is not None:
            log(writers["a"], "loss", first, n)
            log(writers["b"], "loss", first - 7_000, n // 3)
        runs = sorted(client)
        body, _ = get("/api/scalars_batch", tag="loss", runs=json.dumps(runs), max_points=n_max,
                      since=json.dumps([client[r]["total"] for r in runs]),
                      strides=json.dumps([client[r]["stride"] for r in runs]))
        a = np.frombuffer(body, dtype="<f8")
        at = 4 * len(runs)
        for i, r in enumerate(runs):
            k, start, total, stride = (int(x) for x in a[4 * i:4 * i + 4])
            c = client[r]
            cols = a[at:at + 3 * k].reshape(3, k)
            at += 3 * k
            if start == 0:
                resets.append((r, c["total"], total))
                c["steps"], c["values"] = [], []
            else:
                assert start == c["total"] and stride == c["stride"]
                if k and (c["total"] - 1) % c["stride"]:
                    c["steps"].pop(), c["values"].pop()
            c["steps"] += cols[0].tolist()
            c["values"] += cols[2].tolist()
            c["total"], c["stride"] = total, stride
            steps, values = full(get, r, "loss")
            b, s, v = expected(steps, values, n_max)
            assert total == len(steps) and stride == b
            assert c["steps"] == s and c["values"] == v and len(s) <= n_max and s[-1] == steps[-1]
        assert at == len(a)
    # The first fetches, then each stride doubling: b's 32 -> 64 and a's 128 -> 256, where
    # the sample would pass 100 points (at 3,170 and 12,674 points).
    assert resets == [("a", 0, 10_000), ("b", 0, 3_000), ("b", 3_000, 3_500), ("a", 11_501, 12_701)]
    for w in writers.values():
        w.close()


def test_batch_rejects_mismatched_lists(tmp_path, serve):
    with SummaryWriter(tmp_path / "a") as w:
        log(w, "loss", 0, 10)
    get = serve(tmp_path)
    with pytest.raises(urllib.error.HTTPError) as e:
        get("/api/scalars_batch", tag="loss", runs='["a"]', since="[0]", strides="[1, 2]", max_points=10)
    assert e.value.code == 400
    e.value.close()


def test_samples_per_plugin_option(tmp_path, serve, capsys):
    assert parse_samples_per_plugin("scalars=500, images=10") == {"scalars": 500, "images": 10}
    assert parse_samples_per_plugin("") == {}
    for bad in ("scalars", "scalars=x", "scalars=1", "scalars=-3", "=5"):
        with pytest.raises(ValueError):
            parse_samples_per_plugin(bad)
    with pytest.raises(SystemExit):
        main(["--logdir", str(tmp_path), "--samples_per_plugin", "scalars=-3"])
    assert "PLUGIN=COUNT" in capsys.readouterr().err
    with SummaryWriter(tmp_path / "a") as w:
        log(w, "loss", 0, 50)
    get = serve(tmp_path, samples_per_plugin={"scalars": 0})
    assert json.loads(get("/api/runs")[0])["samples_per_plugin"] == {"scalars": 0}
