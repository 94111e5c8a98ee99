"""ember-board's HTTP API (python/ember/board/server.py) over log directories written by
ember's SummaryWriter and over event files built here from the spec (TensorBoard 2's
tensor-style scalars, histograms and images, records ember never writes), plus corrupt,
truncated and hostile files, which must be skipped with a warning naming file and offset."""
import io
import json
import re
import struct
import threading
import urllib.error
import urllib.parse
import urllib.request
import warnings
import wave

import numpy as np
import pytest
from PIL import Image

import ember
from ember.board import make_server
from ember.board.logdir import EventFileWarning
from ember.utils.tensorboard import SummaryWriter

import tb_events


def record(payload):
    header = struct.pack("<Q", len(payload))
    return (header + struct.pack("<I", tb_events.masked(tb_events.crc32c(header))) + payload +
            struct.pack("<I", tb_events.masked(tb_events.crc32c(payload))))


def event_bytes(**fields):
    e = tb_events.pb2().Event(**fields)
    return e.SerializeToString()


@pytest.fixture()
def serve():
    servers = []

    def start(logdir):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EventFileWarning)
            server = make_server(str(logdir), port=0, reload_interval=0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        base = "http://127.0.0.1:%d" % server.server_address[1]

        def get(path, raw=False):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", EventFileWarning)
                try:
                    with urllib.request.urlopen(base + path) as r:
                        body = r.read()
                        return (body, dict(r.headers)) if raw else json.loads(body)
                except urllib.error.HTTPError as e:
                    e.close()  # its response holds the socket
                    raise
        return get
    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


def scalars(get, run, tag, since=0):
    body, headers = get(f"/api/scalars?run={run}&tag={tag}&since={since}", raw=True)
    a = np.frombuffer(body, dtype="<f8").reshape(3, -1)
    return a[0], a[1], a[2], int(headers["X-Total"])


def test_binds_localhost_only(tmp_path):
    SummaryWriter(tmp_path / "a").close()
    server = make_server(str(tmp_path), port=0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()


def test_api_over_ember_logs(tmp_path, serve):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (3, 5, 6)).astype(np.uint8)
    for run, scale in (("train", 1.0), ("eval/lr0.1", 2.0)):
        with SummaryWriter(tmp_path / run) as w:
            for i in range(100):
                w.add_scalar("loss", scale / (i + 1), i)
            w.add_scalar("loss", float("nan"), 100)
            w.add_image("img", img, 3)
            w.add_image("img", img // 2, 4)
            w.add_histogram("w", np.arange(10.0), 1)
            w.add_text("note", "hello *board*", 2)
            w.add_pr_curve("pr", np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.3, 0.1], dtype=np.float32), 0,
                           num_thresholds=5)
    with SummaryWriter(tmp_path / "train") as w:
        w.add_hparams({"lr": 0.1, "opt": "sgd"}, {"hp/acc": 0.75}, run_name="hp")
    get = serve(tmp_path)
    runs = get("/api/runs")
    names = [r["name"] for r in runs["runs"]]
    assert names == ["eval/lr0.1", "train", "train/hp"]
    tags = {r["name"]: r["tags"] for r in runs["runs"]}
    assert tags["train"]["scalars"] == ["loss"] and tags["train"]["images"] == ["img"]
    assert tags["train"]["histograms"] == ["w"] and tags["train"]["text"] == ["note/text_summary"]
    assert tags["train"]["pr_curves"] == ["pr"] and tags["train/hp"]["hparams"]

    steps, walls, values, total = scalars(get, "eval/lr0.1", "loss")
    assert total == 101 and steps.tolist() == list(range(101))
    np.testing.assert_array_equal(values[:100], np.float32(2.0 / np.arange(1, 101)).astype(np.float64))
    assert np.isnan(values[100]) and (walls > 1.7e9).all()
    # One tag for several runs in one response: counts first, then each run's columns.
    q = urllib.parse.urlencode({"tag": "loss", "runs": json.dumps(["train", "eval/lr0.1"]), "since": "[98, 0]"})
    batch = np.frombuffer(get("/api/scalars_batch?" + q, raw=True)[0], dtype="<f8")
    assert batch[:2].tolist() == [3, 101]
    train = batch[2:2 + 9].reshape(3, 3)
    assert train[0].tolist() == [98, 99, 100] and train[2][0] == np.float32(1 / 99)
    np.testing.assert_array_equal(batch[11:].reshape(3, 101)[2], values)
    with pytest.raises(urllib.error.HTTPError) as e:
        get("/api/scalars_batch?" + urllib.parse.urlencode({"tag": "loss", "runs": '["train"]', "since": "[1, 2]"}))
    assert e.value.code == 400
    steps, _, values, total = scalars(get, "train", "loss", since=95)
    assert steps.tolist() == list(range(95, 101)) and total == 101

    rows = get("/api/scalars.json?run=train&tag=loss")
    assert rows[0][1:] == [0, 1.0] and len(rows) == 101
    csv, headers = get("/api/scalars.csv?run=train&tag=loss", raw=True)
    lines = csv.decode().splitlines()
    assert lines[0] == "Wall time,Step,Value" and lines[2].split(",")[1:] == ["1", "0.5"]
    assert "attachment" in headers["Content-Disposition"]

    images = get("/api/images?run=train&tag=img")
    assert [(i["step"], i["width"], i["height"]) for i in images] == [(3, 6, 5), (4, 6, 5)]
    png, _ = get("/api/image?run=train&tag=img&index=1", raw=True)
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(png))), (img // 2).transpose(1, 2, 0))

    (h,) = get("/api/histograms?run=train&tag=w")
    assert h["step"] == 1 and h["num"] == 10 and sum(h["counts"]) == 10 and len(h["limits"]) == len(h["counts"])
    assert get("/api/text?run=train&tag=note/text_summary")[0]["text"] == "hello *board*"
    (pr,) = get("/api/pr_curves?run=train&tag=pr")
    assert pr["tp"] == [2, 2, 1, 1, 0] and pr["thresholds"] == [0, 0.25, 0.5, 0.75, 1]
    (hp,) = get("/api/hparams")
    assert hp == {"run": "train/hp", "hparams": {"lr": 0.1, "opt": "sgd"}, "metrics": {"hp/acc": 0.75}}

    with pytest.raises(urllib.error.HTTPError) as e:
        get("/api/scalars?run=nope&tag=loss")
    assert e.value.code == 404
    page, headers = get("/", raw=True)
    assert headers["Content-Type"].startswith("text/html") and b"uPlot" in page
    # Self-contained: nothing is loaded from another origin (scripts and styles are inline).
    assert not re.search(rb"""(src|href)\s*=\s*["']?(https?:)?//|url\(["']?(https?:)?//|@import|<link""", page)
    assert page.count(b"<script>") == 2 and b"<script src" not in page


def test_graph_api(tmp_path, serve):
    model = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.ReLU(), ember.nn.Linear(3, 2))
    with SummaryWriter(tmp_path / "g") as w:
        w.add_graph(model, ember.ones(1, 4))
    get = serve(tmp_path)
    nodes = {n["name"]: n for n in get("/api/graph?run=g")["nodes"]}
    assert nodes["Sequential/0/weight"]["op"] == "Parameter" and nodes["Sequential/0/weight"]["shape"] == "3x4"
    assert nodes["output/output.0"]["inputs"][0].startswith("Sequential/2/")


def test_incremental_refresh_reads_only_new_records(tmp_path, serve):
    w = SummaryWriter(tmp_path / "live", flush_secs=1000)
    for i in range(10):
        w.add_scalar("x", i, i)
    w.flush()
    get = serve(tmp_path)
    assert scalars(get, "live", "x")[3] == 10
    for i in range(10, 15):
        w.add_scalar("x", i, i)
    w.flush()
    steps, _, values, total = scalars(get, "live", "x", since=10)
    assert total == 15 and steps.tolist() == [10, 11, 12, 13, 14] and values.tolist() == steps.tolist()
    w.add_image("new", np.zeros((3, 2, 2), dtype=np.uint8), 0)  # a new tag appears
    w.close()
    assert get("/api/runs")["runs"][0]["tags"]["images"] == ["new"]


def test_tensorboard_written_records_ember_does_not_write(tmp_path, serve):
    """Event files as TensorBoard 2 writes them (from the spec), with records ember lacks."""
    pb = tb_events.pb2()
    run = tmp_path / "tb2"
    run.mkdir()
    png = io.BytesIO()
    Image.fromarray(np.full((2, 3, 3), 7, dtype=np.uint8)).save(png, format="PNG")
    values = [
        pb.Summary.Value(tag="acc", tensor=pb.TensorProto(dtype=pb.DT_FLOAT, tensor_content=struct.pack("<f", 0.25)),
                         metadata=pb.SummaryMetadata(plugin_data=pb.SummaryMetadata.PluginData(plugin_name="scalars"))),
        pb.Summary.Value(tag="h", tensor=pb.TensorProto(dtype=pb.DT_DOUBLE, double_val=[0, 1, 3, 1, 2, 5],
                                                        tensor_shape=pb.TensorShapeProto(dim=[
                                                            pb.TensorShapeProto.Dim(size=2),
                                                            pb.TensorShapeProto.Dim(size=3)])),
                         metadata=pb.SummaryMetadata(plugin_data=pb.SummaryMetadata.PluginData(plugin_name="histograms"))),
        pb.Summary.Value(tag="im", tensor=pb.TensorProto(dtype=pb.DT_STRING, string_val=[b"3", b"2", png.getvalue()]),
                         metadata=pb.SummaryMetadata(plugin_data=pb.SummaryMetadata.PluginData(plugin_name="images"))),
        pb.Summary.Value(tag="sound", audio=pb.Summary.Audio(sample_rate=8000, encoded_audio_string=b"RIFF")),
    ]
    data = record(event_bytes(wall_time=1.0, file_version="brain.Event:2"))
    for i, v in enumerate(values):
        data += record(event_bytes(wall_time=2.0 + i, step=7, summary=pb.Summary(value=[v])))
    data += record(event_bytes(wall_time=9.0, session_log=pb.SessionLog(status=pb.SessionLog.START)))
    data += record(event_bytes(wall_time=9.0, step=8, log_message=pb.LogMessage(message="hi")))
    (run / "events.out.tfevents.1700000000.host.1.0").write_bytes(data)
    get = serve(tmp_path)
    tags = get("/api/runs")["runs"][0]["tags"]
    assert tags["scalars"] == ["acc"] and tags["histograms"] == ["h"] and tags["images"] == ["im"]
    steps, walls, vals, _ = scalars(get, "tb2", "acc")
    assert steps.tolist() == [7] and vals.tolist() == [0.25] and walls.tolist() == [2.0]
    (h,) = get("/api/histograms?run=tb2&tag=h")
    assert h["limits"] == [1, 2] and h["counts"] == [3, 5] and h["num"] == 8
    png_back, _ = get("/api/image?run=tb2&tag=im&index=0", raw=True)
    assert png_back == png.getvalue()


def test_corrupt_truncated_and_hostile_files(tmp_path, serve):
    pb = tb_events.pb2()
    good = [record(event_bytes(wall_time=1.0 + i, step=i, summary=pb.Summary(
        value=[pb.Summary.Value(tag="x", simple_value=float(i))]))) for i in range(6)]
    run = tmp_path / "bad"
    run.mkdir()
    # 1: a record whose payload CRC is wrong (skipped), 2: garbage between records (bad
    # header CRC: resynchronised), 3: a huge length with a valid header CRC, 4: a truncated tail.
    bad_crc = bytearray(good[1])
    bad_crc[-1] ^= 0xFF
    garbage = b"\x07" * 37
    header = struct.pack("<Q", 1 << 60)
    huge = header + struct.pack("<I", tb_events.masked(tb_events.crc32c(header))) + b"\0" * 8
    f1 = run / "events.out.tfevents.1.host.1.0"
    f1.write_bytes(good[0] + bytes(bad_crc) + good[2] + garbage + good[3] + good[4][:-5])
    f2 = run / "events.out.tfevents.1.host.1.1"
    f2.write_bytes(good[5] + huge)
    # Deep nesting: 200,000 nested groups; protobuf's depth limit makes it an invalid Event.
    nested = b"\x0b" * 200000 + b"\x0c" * 200000
    f3 = run / "events.out.tfevents.1.host.1.2"
    f3.write_bytes(record(nested) + good[5])
    get = serve(tmp_path)
    steps, _, values, total = scalars(get, "bad", "x")
    assert sorted(steps.tolist()) == [0, 2, 3, 5, 5] and total == 5
    warnings_ = get("/api/runs")["warnings"]
    text = "\n".join(warnings_)
    off_bad = len(good[0])
    off_garbage = off_bad + len(bad_crc) + len(good[2])
    off_tail = off_garbage + len(garbage) + len(good[3])
    assert f"{f1}: corrupt record (bad data CRC); skipped at offset {off_bad}" in text, text
    assert f"{f1}: corrupt record header (bad length CRC); skipping to the next valid record at offset {off_garbage}" in text
    assert f"{f1}: truncated record at offset {off_tail}" in text
    assert f"{f2}: truncated record at offset {len(good[5])}" in text
    assert f"{f3}: record is not a valid Event message; skipped at offset 0" in text
    # The rest of a truncated record arrives: it is read, and nothing is read twice.
    with open(f1, "ab") as f:
        f.write(good[4][-5:])
    steps, _, _, total = scalars(get, "bad", "x")
    assert total == 6 and sorted(steps.tolist()) == [0, 2, 3, 4, 5, 5]


def test_warnings_go_through_the_warnings_module(tmp_path):
    run = tmp_path / "r"
    run.mkdir()
    (run / "events.out.tfevents.1.h.1.0").write_bytes(b"\x01" * 5)
    from ember.board import LogDir
    with pytest.warns(EventFileWarning, match=r"events\.out\.tfevents\.1\.h\.1\.0: truncated record at offset 0"):
        LogDir(str(tmp_path)).refresh(force=True)


def test_cli_rejects_missing_logdir(tmp_path, capsys):
    from ember.board import main
    with pytest.raises(SystemExit):
        main(["--logdir", str(tmp_path / "missing")])
    assert "no such directory" in capsys.readouterr().err


def test_api_audio_and_video(tmp_path, serve):
    # add_audio records get a player's endpoints; add_video's GIFs are served as image/gif in
    # the images list; custom scalars and meshes are read without a warning.
    tone = np.sin(np.arange(800) * 0.3).astype(np.float32) * 0.5
    with SummaryWriter(tmp_path / "media") as w:
        w.add_audio("tone", tone, 1, sample_rate=8000)
        w.add_audio("tone", tone[:400], 2, sample_rate=8000)
        w.add_video("clip", np.zeros((1, 3, 3, 4, 6), dtype=np.uint8), 5)
        w.add_custom_scalars_multilinechart(["loss"])
        w.add_mesh("m", np.zeros((1, 3, 3), dtype=np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        get = serve(tmp_path)
        runs = get("/api/runs")
    assert runs["warnings"] == []
    (run,) = runs["runs"]
    assert run["tags"]["audio"] == ["tone"] and run["tags"]["images"] == ["clip"]
    items = get("/api/audio?run=media&tag=tone")
    assert [(a["step"], a["sample_rate"], a["length_frames"], a["content_type"]) for a in items] == \
        [(1, 8000, 800, "audio/wav"), (2, 8000, 400, "audio/wav")]
    wav, headers = get("/api/audio_clip?run=media&tag=tone&index=1", raw=True)
    assert headers["Content-Type"] == "audio/wav"
    with wave.open(io.BytesIO(wav)) as r:
        assert (r.getframerate(), r.getnframes()) == (8000, 400)
        np.testing.assert_array_equal(np.frombuffer(r.readframes(400), "<i2"),
                                      (tone[:400] * 32767).astype("<i2"))
    gif, headers = get("/api/image?run=media&tag=clip&index=0", raw=True)
    assert headers["Content-Type"] == "image/gif" and gif.startswith(b"GIF89a")
    assert Image.open(io.BytesIO(gif)).n_frames == 3
    with pytest.raises(urllib.error.HTTPError) as e:
        get("/api/audio_clip?run=media&tag=nope")
    assert e.value.code == 404
    e.value.close()  # the error holds the response's socket
