"""ember.utils.tensorboard.SummaryWriter: every record of the files it writes parsed with
Python's protobuf (messages compiled from the repository's .proto), CRCs verified, values,
tags and steps round-tripped; PNGs decoded with PIL against the logged pixels; histograms
and PR curves against NumPy re-implementations of torch/utils/tensorboard/summary.py
(torch's own module needs the tensorboard package, which Debian lacks); bad input."""
import io
import math
import os
import pathlib
import re
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PIL import Image

import ember
from ember.utils.tensorboard import SummaryWriter

import tb_events
from tb_events import only_events, summaries


# ---- NumPy oracles (torch/utils/tensorboard/summary.py and _utils.py, 1.13) -------------

def default_bins():
    v, buckets, neg = 1e-12, [], []
    while v < 1e20:
        buckets.append(v)
        neg.append(-v)
        v *= 1.1
    return neg[::-1] + [0] + buckets


def make_histogram(values, bins, max_bins=None):
    values = values.reshape(-1).astype(np.float64)
    counts, limits = np.histogram(values, bins=bins)
    num_bins = len(counts)
    if max_bins is not None and num_bins > max_bins:
        subsampling = num_bins // max_bins
        subsampling_remainder = num_bins % subsampling
        if subsampling_remainder != 0:
            counts = np.pad(counts, pad_width=[[0, subsampling - subsampling_remainder]], mode="constant",
                            constant_values=0)
        counts = counts.reshape(-1, subsampling).sum(axis=-1)
        new_limits = np.empty((counts.size + 1,), limits.dtype)
        new_limits[:-1] = limits[:-1:subsampling]
        new_limits[-1] = limits[-1]
        limits = new_limits
    cum_counts = np.cumsum(np.greater(counts, 0))
    start, end = np.searchsorted(cum_counts, [0, cum_counts[-1] - 1], side="right")
    start = int(start)
    end = int(end) + 1
    counts = counts[start - 1:end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    return dict(min=values.min(), max=values.max(), num=len(values), sum=values.sum(),
                sum_squares=values.dot(values), bucket_limit=limits.tolist(), bucket=counts.tolist())


def make_grid(I, ncols=8):
    if I.shape[1] == 1:
        I = np.concatenate([I, I, I], 1)
    nimg, H, W = I.shape[0], I.shape[2], I.shape[3]
    ncols = min(nimg, ncols)
    nrows = int(np.ceil(float(nimg) / ncols))
    canvas = np.zeros((3, H * nrows, W * ncols), dtype=I.dtype)
    i = 0
    for y in range(nrows):
        for x in range(ncols):
            if i >= nimg:
                break
            canvas[:, y * H:(y + 1) * H, x * W:(x + 1) * W] = I[i]
            i += 1
    return canvas


def convert_to_HWC(tensor, input_format):
    input_format = input_format.upper()
    if len(input_format) == 4:
        index = [input_format.find(c) for c in "NCHW"]
        return make_grid(tensor.transpose(index)).transpose(1, 2, 0)
    if len(input_format) == 3:
        index = [input_format.find(c) for c in "HWC"]
        t = tensor.transpose(index)
        return np.concatenate([t, t, t], 2) if t.shape[2] == 1 else t
    index = [input_format.find(c) for c in "HW"]
    t = tensor.transpose(index)
    return np.stack([t, t, t], 2)


def image_pixels(array, dataformats):
    t = convert_to_HWC(array, dataformats)
    scale = 1 if t.dtype == np.uint8 else 255
    return (t.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)


def compute_curve(labels, predictions, num_thresholds, weights=None):
    weights = 1.0 if weights is None else weights
    bucket_indices = np.int32(np.floor(predictions * (num_thresholds - 1)))
    float_labels = labels.astype(np.float64)
    histogram_range = (0, num_thresholds - 1)
    tp_buckets, _ = np.histogram(bucket_indices, bins=num_thresholds, range=histogram_range,
                                 weights=float_labels * weights)
    fp_buckets, _ = np.histogram(bucket_indices, bins=num_thresholds, range=histogram_range,
                                 weights=(1.0 - float_labels) * weights)
    tp = np.cumsum(tp_buckets[::-1])[::-1]
    fp = np.cumsum(fp_buckets[::-1])[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / np.maximum(1e-7, tp + fp)
    recall = tp / np.maximum(1e-7, tp + fn)
    return np.stack((tp, fp, tn, fn, precision, recall))


# ---- tests ---------------------------------------------------------------------------------

def test_crc_implementation_check_value():
    assert tb_events.crc32c(b"123456789") == 0xE3069283


def test_file_name_and_first_event(tmp_path):
    with SummaryWriter(tmp_path, filename_suffix=".v1") as w:
        assert w.get_logdir() == str(tmp_path)
    (f,) = tb_events.event_files(tmp_path)
    m = re.fullmatch(r"events\.out\.tfevents\.(\d{10})\.(.+)\.(\d+)\.(\d+)\.v1", f.name)
    assert m, f.name
    assert m.group(2) == socket.gethostname() and int(m.group(3)) == os.getpid()
    (first,) = tb_events.events(f)
    assert first.file_version == "brain.Event:2" and first.wall_time > 1.7e9


def test_scalars_round_trip(tmp_path):
    values = [0.5, -1.25, 3e38, 1e-45, float("nan"), float("inf"), -float("inf")]
    with SummaryWriter(tmp_path) as w:
        for i, v in enumerate(values):
            w.add_scalar("train/loss", v, i)
        w.add_scalar("acc", ember.tensor(0.75), global_step=10, walltime=1700000001.0)
        w.add_scalar("np", np.float64(2.5))  # no step: TensorBoard's step 0
        w.add_scalar("new", 1.5, 3, new_style=True)
        w.add_scalar("dbl", 0.1, 3, new_style=True, double_precision=True)
    s = summaries(tmp_path)
    assert [tag for _, v in s for tag in [v.tag]] == ["train/loss"] * 7 + ["acc", "np", "new", "dbl"]
    for (step, v), (i, x) in zip(s[:7], enumerate(values)):
        assert step == i
        got = v.simple_value
        if math.isnan(x):
            assert math.isnan(got)
        else:
            assert got == np.float32(x)
    events = only_events(tmp_path)
    acc = events[8]
    assert acc.wall_time == 1700000001.0 and acc.step == 10 and acc.summary.value[0].simple_value == 0.75
    assert not events[9].HasField("summary") or events[9].step == 0
    new = s[9][1]
    assert new.metadata.plugin_data.plugin_name == "scalars" and list(new.tensor.float_val) == [1.5]
    assert new.tensor.dtype == tb_events.pb2().DT_FLOAT and len(new.tensor.tensor_shape.dim) == 0
    assert list(s[10][1].tensor.double_val) == [0.1]


def test_add_scalars_writes_one_run_per_key(tmp_path):
    with SummaryWriter(tmp_path) as w:
        for step in range(3):
            w.add_scalars("loss/all", {"train": step, "test": 2 * step}, step)
    train = summaries(tmp_path / "loss_all_train")
    test = summaries(tmp_path / "loss_all_test")
    assert [(s, v.tag, v.simple_value) for s, v in train] == [(i, "loss/all", i) for i in range(3)]
    assert [v.simple_value for _, v in test] == [0, 2, 4]


@pytest.mark.parametrize("bins,max_bins", [("tensorflow", None), (10, None), (64, 7), ("tensorflow", 100)])
def test_histogram_matches_torch_algorithm(tmp_path, bins, max_bins):
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(0, 1, 500), rng.exponential(50, 100), [0.0, 1e-13]]).astype(np.float32)
    with SummaryWriter(tmp_path) as w:
        w.add_histogram("h", ember.from_numpy(values), 7, bins=bins, max_bins=max_bins)
    ((step, v),) = summaries(tmp_path)
    expected = make_histogram(values, default_bins() if bins == "tensorflow" else bins, max_bins)
    h = v.histo
    assert step == 7 and v.tag == "h"
    assert list(h.bucket_limit) == expected["bucket_limit"]
    assert list(h.bucket) == expected["bucket"]
    assert (h.min, h.max, h.num) == (expected["min"], expected["max"], expected["num"])
    assert h.sum == pytest.approx(expected["sum"], rel=1e-12)
    assert h.sum_squares == pytest.approx(expected["sum_squares"], rel=1e-12)


def test_histogram_errors(tmp_path):
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(ValueError, match="The input has no element"):
            w.add_histogram("h", ember.zeros(0))
        with pytest.raises(ValueError, match="bins must be"):
            w.add_histogram("h", ember.ones(3), bins="auto")


@pytest.mark.parametrize("shape,fmt,dtype", [
    ((3, 5, 7), "CHW", np.float32), ((5, 7, 3), "HWC", np.uint8), ((5, 7), "HW", np.float64),
    ((1, 5, 7), "CHW", np.float32), ((5, 7, 4), "HWC", np.uint8), ((11, 1, 4, 6), "NCHW", np.float32),
    ((3, 4, 6, 3), "NHWC", np.uint8)])
def test_images_decode_to_the_logged_pixels(tmp_path, shape, fmt, dtype):
    rng = np.random.default_rng(1)
    if dtype == np.uint8:
        array = rng.integers(0, 256, shape).astype(np.uint8)
    else:
        array = rng.uniform(-0.2, 1.2, shape).astype(dtype)  # outside [0, 1]: clipped
    with SummaryWriter(tmp_path) as w:
        if len(fmt) == 4:
            w.add_images("img", array, 2, dataformats=fmt)
        else:
            w.add_image("img", ember.from_numpy(array), 2, dataformats=fmt)
    ((step, v),) = summaries(tmp_path)
    expected = image_pixels(array, fmt)
    img = v.image
    assert (img.height, img.width, img.colorspace) == expected.shape
    decoded = np.asarray(Image.open(io.BytesIO(img.encoded_image_string)))
    assert decoded.shape == expected.shape
    np.testing.assert_array_equal(decoded, expected)


def test_image_errors(tmp_path):
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(ValueError, match="size of input tensor and input format are different"):
            w.add_image("x", ember.ones(3, 4))
        with pytest.raises(ValueError, match="same dimension shordhand twice"):
            w.add_image("x", ember.ones(3, 4, 4), dataformats="CCH")


def test_text(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_text("notes", "lr **0.1**, ünïcode", 4)
    ((step, v),) = summaries(tmp_path)
    assert v.tag == "notes/text_summary" and step == 4
    assert v.metadata.plugin_data.plugin_name == "text"
    assert v.tensor.dtype == tb_events.pb2().DT_STRING
    assert [d.size for d in v.tensor.tensor_shape.dim] == [1]
    assert v.tensor.string_val[0].decode() == "lr **0.1**, ünïcode"


@pytest.mark.parametrize("num_thresholds,weighted", [(127, False), (11, True), (500, False)])
def test_pr_curve_matches_torch_algorithm(tmp_path, num_thresholds, weighted):
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 2, 200)
    predictions = np.clip(labels * 0.3 + rng.uniform(0, 0.7, 200), 0, 1).astype(np.float32)
    weights = rng.uniform(0.5, 2, 200) if weighted else None
    with SummaryWriter(tmp_path) as w:
        w.add_pr_curve("pr", labels, predictions, 1, num_thresholds=num_thresholds, weights=weights)
    ((step, v),) = summaries(tmp_path)
    n = min(num_thresholds, 127)
    expected = compute_curve(labels, predictions, n, weights).astype(np.float32)
    assert [d.size for d in v.tensor.tensor_shape.dim] == [6, n]
    np.testing.assert_allclose(np.array(v.tensor.float_val).reshape(6, n), expected, rtol=1e-6)
    data = tb_events.pb2().PrCurvePluginData()
    data.ParseFromString(v.metadata.plugin_data.content)
    assert v.metadata.plugin_data.plugin_name == "pr_curves" and data.num_thresholds == n


def test_hparams(tmp_path):
    pb = tb_events.pb2()
    with SummaryWriter(tmp_path) as w:
        w.add_hparams({"lr": 0.1, "bsize": 64, "opt": "adam", "nesterov": True, "skip": None},
                      {"hparam/accuracy": 0.9}, hparam_domain_discrete={"opt": ["adam", "sgd"]}, run_name="trial")
        with pytest.raises(TypeError, match="should be dictionary"):
            w.add_hparams([("lr", 1)], {})
        with pytest.raises(ValueError, match="value should be one of int, float, str, bool, or torch.Tensor"):
            w.add_hparams({"lr": [1]}, {})
    s = summaries(tmp_path / "trial")
    assert [v.tag for _, v in s] == ["_hparams_/experiment", "_hparams_/session_start_info",
                                     "_hparams_/session_end_info", "hparam/accuracy"]
    data = [pb.HParamsPluginData() for _ in range(3)]
    for d, (_, v) in zip(data, s):
        assert v.metadata.plugin_data.plugin_name == "hparams"
        d.ParseFromString(v.metadata.plugin_data.content)
    exp, start, end = data
    assert [h.name for h in exp.experiment.hparam_infos] == ["lr", "bsize", "opt", "nesterov"]
    assert [h.type for h in exp.experiment.hparam_infos] == [pb.DATA_TYPE_FLOAT64] * 2 + [pb.DATA_TYPE_STRING,
                                                                                           pb.DATA_TYPE_FLOAT64]
    assert [x.string_value for x in exp.experiment.hparam_infos[2].domain_discrete.values] == ["adam", "sgd"]
    assert [m.name.tag for m in exp.experiment.metric_infos] == ["hparam/accuracy"]
    hp = start.session_start_info.hparams
    assert hp["lr"].number_value == 0.1 and hp["bsize"].number_value == 64
    assert hp["opt"].string_value == "adam" and hp["nesterov"].number_value == 1
    assert end.session_end_info.status == pb.STATUS_SUCCESS
    assert s[3][1].simple_value == np.float32(0.9)


def test_embedding_files(tmp_path):
    mat = np.arange(12, dtype=np.float32).reshape(4, 3) / 4
    label_img = np.ones((4, 1, 2, 3), dtype=np.float32)
    with SummaryWriter(tmp_path) as w:
        w.add_embedding(mat, metadata=["a", "b", "c", 7], label_img=label_img, global_step=2)
        w.add_embedding(mat, metadata=[["x", 1], ["y", 2], ["z", 3], ["w", 4]], metadata_header=["name", "n"],
                        tag="two/cols")
    base = tmp_path / "00002" / "default"
    rows = [line.split("\t") for line in (base / "tensors.tsv").read_text().splitlines()]
    assert np.array(rows, dtype=np.float64).tolist() == mat.astype(np.float64).tolist()
    assert (base / "tensors.tsv").read_text().splitlines()[0] == "0.0\t0.25\t0.5"
    assert (base / "metadata.tsv").read_text() == "a\nb\nc\n7\n"
    sprite = np.asarray(Image.open(base / "sprite.png"))
    assert sprite.shape == (6, 6, 3)  # 2 columns of 3-wide images, square
    assert (sprite[:4, :] == 255).all() and (sprite[4:, :] == 0).all()
    assert (tmp_path / "00000" / "two%2fcols" / "metadata.tsv").read_text() == "name\tn\nx\t1\ny\t2\nz\t3\nw\t4\n"
    config = (tmp_path / "projector_config.pbtxt").read_text()
    assert config.count("embeddings {") == 2
    assert 'tensor_name: "default:00002"' in config and 'tensor_path: "00002/default/tensors.tsv"' in config
    assert 'image_path: "00002/default/sprite.png"' in config and "single_image_dim: 3" in config


def test_graph_of_a_module(tmp_path):
    class Net(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = ember.nn.Conv2d(1, 2, 3)
            self.head = ember.nn.Sequential(ember.nn.Flatten(), ember.nn.Linear(2 * 4 * 4, 3))

        def forward(self, x):
            return self.head(ember.relu(self.conv(x)))

    with SummaryWriter(tmp_path) as w:
        w.add_graph(Net(), ember.ones(2, 1, 6, 6))
    events = only_events(tmp_path)
    assert len(events) == 3 and not events[1].step
    graph = tb_events.pb2().GraphDef()
    graph.ParseFromString(events[1].graph_def)
    nodes = {n.name: n for n in graph.node}
    assert graph.versions.producer == 22
    assert nodes["input/input.0"].op == "IO Node"
    assert nodes["Net/conv/weight"].op == "Parameter"
    assert [d.size for d in nodes["Net/conv/weight"].attr["_output_shapes"].list.shape[0].dim] == [2, 1, 3, 3]
    out = nodes["output/output.0"]
    assert [d.size for d in out.attr["_output_shapes"].list.shape[0].dim] == [2, 3]
    assert out.input[0].startswith("Net/head/1/"), out.input
    assert any(name.startswith("Net/conv/Convolution") for name in nodes), sorted(nodes)
    for n in graph.node:
        for i in n.input:
            assert i in nodes, (n.name, i)
    run = tb_events.pb2().RunMetadata()
    run.ParseFromString(events[2].tagged_run_metadata.run_metadata)
    assert events[2].tagged_run_metadata.tag == "step1" and run.step_stats.dev_stats[0].device == "/device:CPU:0"


def test_default_log_dir_and_comment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with SummaryWriter(comment="_lr0.1") as w:
        log_dir = w.get_logdir()
    assert re.fullmatch(r"runs/[A-Z][a-z]{2}\d{2}_\d{2}-\d{2}-\d{2}_" + re.escape(socket.gethostname()) + "_lr0.1",
                        log_dir), log_dir
    assert len(tb_events.event_files(tmp_path / log_dir)) == 1


def test_unwritable_log_dir_is_an_error_at_construction(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError):
        SummaryWriter(tmp_path / "file" / "run")
    with pytest.raises(FileExistsError):
        SummaryWriter(tmp_path / "file")


def test_purge_step_and_reopen_after_close(tmp_path):
    w = SummaryWriter(tmp_path, purge_step=5)
    w.add_scalar("x", 1.0, 5)
    w.close()
    w.add_scalar("x", 2.0, 6)  # torch opens a new file after close
    w.close()
    files = tb_events.event_files(tmp_path)
    assert len(files) == 2
    first = tb_events.events(files[0]) if len(tb_events.events(files[0])) == 4 else tb_events.events(files[1])
    pb = tb_events.pb2()
    assert first[1].step == 5 and first[1].file_version == "brain.Event:2"
    assert first[2].step == 5 and first[2].session_log.status == pb.SessionLog.START
    assert first[3].summary.value[0].simple_value == 1.0


def test_flush_and_max_queue(tmp_path):
    w = SummaryWriter(tmp_path, max_queue=1000, flush_secs=1000)
    for i in range(10):
        w.add_scalar("x", i, i)
    assert len(only_events(tmp_path)) == 1  # queued, not yet written
    w.flush()
    assert len(only_events(tmp_path)) == 11
    w.close()
    small = tmp_path / "small"
    w = SummaryWriter(small, max_queue=2, flush_secs=1000)
    for i in range(4):
        w.add_scalar("x", i, i)
    # The writer thread is woken at every 2 pending events; give it a moment.
    import time
    deadline = time.time() + 5
    while len(only_events(small)) < 5 and time.time() < deadline:
        time.sleep(0.01)
    assert len(only_events(small)) == 5
    w.close()


def test_crash_leaves_a_readable_file(tmp_path):
    """A process killed mid-training leaves only complete records, up to its last write."""
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {os.environ.get('EMBER_PYTHONPATH', str(pathlib.Path(__file__).resolve().parents[2] / 'build' / 'release' / 'python'))!r})
        from ember.utils.tensorboard import SummaryWriter
        w = SummaryWriter({str(tmp_path)!r}, max_queue=7, flush_secs=1000)
        for i in range(1000):
            w.add_scalar("loss", float(i), i)
            if i == 500:
                w.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert proc.returncode == -9, proc.stderr.decode()
    events = only_events(tmp_path)  # every record's CRCs checked, no truncated tail
    steps = [e.step for e in events[1:]]
    assert steps == list(range(len(steps))) and len(steps) >= 501
    assert all(e.summary.value[0].simple_value == e.step for e in events[1:])


def test_non_number_scalar_is_a_type_error(tmp_path):
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(TypeError):
            w.add_scalar("x", object())
        with pytest.raises(ValueError, match="only one element tensors"):
            w.add_scalar("x", ember.ones(2))
