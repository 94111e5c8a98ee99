"""SummaryWriter's audio, video, figure, boxes, raw PR curve, custom scalars, mesh and ONNX
graph records, each read back with Python's protobuf (tb_events) and compared with what
torch 1.13's torch/utils/tensorboard/summary.py builds for the same input. That module needs
the tensorboard package, which Debian lacks, so its layouts are re-built here with NumPy,
Python's wave module, Pillow and the messages compiled from the repository's .proto; GIFs are
decoded with Pillow."""
import io
import json
import sys
import types
import wave

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

import ember
from ember.utils.tensorboard import SummaryWriter

import tb_events
from tb_events import only_events, summaries


def pb2():
    return tb_events.pb2()


def one_value(log_dir):
    (item,) = summaries(log_dir)
    return item


# ---- oracles (torch/utils/tensorboard/summary.py and _utils.py, 1.13) ----------------------

def torch_wav(array, sample_rate):
    """summary.audio's encoded_audio_string for an already squeezed 1-D array."""
    if abs(array).max() > 1:
        array = array.clip(-1, 1)
    samples = (array * np.iinfo(np.int16).max).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(samples.data)
    return out.getvalue()


def torch_video_frames(V):
    """_prepare_video + video()'s scaling: uint8 [T, H', W', C] frames of the tiled batch."""
    b, t, c, h, w = V.shape
    if V.dtype == np.uint8:
        V = np.float32(V) / 255.0
    if not (b & (b - 1)) == 0:
        V = np.concatenate((V, np.zeros(shape=(2 ** b.bit_length() - b, t, c, h, w))), axis=0)
    n_rows = 2 ** ((b.bit_length() - 1) // 2)
    n_cols = V.shape[0] // n_rows
    V = np.reshape(V, (n_rows, n_cols, t, c, h, w))
    V = np.transpose(V, axes=(2, 0, 4, 1, 5, 3))
    V = np.reshape(V, (t, n_rows * h, n_cols * w, c))
    return (V.astype(np.float32) * 255).astype(np.uint8)


def as_rgb(frames):
    """Grey frames as the RGB a GIF decodes to."""
    return np.repeat(frames, 3, axis=-1) if frames.shape[-1] == 1 else frames


def gif_frames(data):
    im = Image.open(io.BytesIO(data))
    assert im.format == "GIF"
    frames = []
    for k in range(im.n_frames):
        im.seek(k)
        frames.append(np.asarray(im.convert("RGB")))
    return im, np.stack(frames)


def torch_boxes_image(hwc, boxes, labels):
    """summary.make_image + draw_boxes + _draw_single_box on a uint8 HWC array (rescale 1)."""
    image = Image.fromarray(hwc)
    font = ImageFont.load_default()
    draw = ImageDraw.Draw(image)
    for i, (left, top, right, bottom) in enumerate(boxes):
        draw.line([(left, top), (left, bottom), (right, bottom), (right, top), (left, top)], width=2, fill="Red")
        text = None if labels is None else labels[i]
        if text:
            text_width, text_height = font.getbbox(text)[2:]  # getsize() in Pillow < 10
            margin = np.ceil(0.05 * text_height)
            draw.rectangle([(left, bottom - text_height - 2 * margin), (left + text_width, bottom)], fill="Red")
            draw.text((left + margin, bottom - text_height - margin), text, fill="black", font=font)
    return np.asarray(image)


def png_pixels(value):
    return np.asarray(Image.open(io.BytesIO(value.image.encoded_image_string)))


# ---- audio ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1, 1000), (1000,), (1, 1, 257)])
def test_audio_is_torch_wav(tmp_path, dtype, shape):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=shape).astype(dtype)
    x.reshape(-1)[:3] = [1.0, -1.0, 0.0]
    with SummaryWriter(tmp_path) as w:
        w.add_audio("sound", ember.as_tensor(x), global_step=7, sample_rate=22050, walltime=1700000000.5)
    (event,) = [e for e in only_events(tmp_path) if e.HasField("summary")]
    assert event.step == 7 and event.wall_time == 1700000000.5
    (v,) = event.summary.value
    assert v.tag == "sound" and v.WhichOneof("value") == "audio"
    a = v.audio
    assert (a.sample_rate, a.num_channels, a.length_frames, a.content_type) == (22050, 1, x.size, "audio/wav")
    assert a.encoded_audio_string == torch_wav(x.squeeze(), 22050)
    with wave.open(io.BytesIO(a.encoded_audio_string)) as r:
        assert (r.getnchannels(), r.getsampwidth(), r.getframerate(), r.getnframes()) == (1, 2, 22050, x.size)


def test_audio_out_of_range_is_clipped_with_torch_warning(tmp_path, capsys):
    x = np.linspace(-3, 3, 101, dtype=np.float32)
    with SummaryWriter(tmp_path) as w:
        w.add_audio("loud", ember.as_tensor(x))
        assert capsys.readouterr().out == "warning: audio amplitude out of range, auto clipped.\n"
        w.add_audio("quiet", ember.as_tensor(x / 3))
        assert capsys.readouterr().out == ""
    (_, loud), (_, quiet) = summaries(tmp_path)
    assert loud.audio.encoded_audio_string == torch_wav(x, 44100)
    assert loud.audio.sample_rate == 44100
    assert quiet.audio.encoded_audio_string == torch_wav(x / 3, 44100)


def test_audio_errors(tmp_path):
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(AssertionError, match="input tensor should be 1 dimensional."):
            w.add_audio("a", ember.zeros(2, 10))
        with pytest.raises(ValueError, match="zero-size array"):
            w.add_audio("a", ember.zeros(1, 0))
        with pytest.raises(ValueError, match="bad frame rate"):
            w.add_audio("a", ember.zeros(10), sample_rate=0)
    assert summaries(tmp_path) == []


# ---- video ---------------------------------------------------------------------------------

@pytest.mark.parametrize("batch", [1, 3, 4, 5])
def test_video_gif_decodes_to_torch_frames(tmp_path, batch):
    rng = np.random.default_rng(batch)
    # Few distinct colours: the GIF holds them exactly.
    levels = np.array([0, 51, 102, 153, 204, 255], dtype=np.uint8)
    V = levels[rng.integers(0, 6, size=(batch, 5, 3, 9, 7))]
    with SummaryWriter(tmp_path) as w:
        w.add_video("clip", ember.as_tensor(V), global_step=2, fps=5)
    step, v = one_value(tmp_path)
    expected = torch_video_frames(V)
    t, height, width, _ = expected.shape
    assert step == 2 and v.tag == "clip" and v.WhichOneof("value") == "image"
    assert (v.image.height, v.image.width, v.image.colorspace) == (height, width, 3)
    im, frames = gif_frames(v.image.encoded_image_string)
    assert im.info["loop"] == 0 and im.info["duration"] == 200  # 1 / fps seconds
    assert frames.shape == expected.shape
    np.testing.assert_array_equal(frames, expected)


def test_video_uint8_grey_levels_round_trip(tmp_path):
    # PyTorch computes v / 255 * 255 in float32 and truncates: every level comes back.
    V = np.arange(256, dtype=np.uint8).reshape(1, 1, 1, 16, 16)
    expected = torch_video_frames(V)
    np.testing.assert_array_equal(expected[..., 0].reshape(-1), np.arange(256))
    with SummaryWriter(tmp_path) as w:
        w.add_video("ramp", ember.as_tensor(V))
    _, v = one_value(tmp_path)
    assert v.image.colorspace == 1
    _, frames = gif_frames(v.image.encoded_image_string)
    np.testing.assert_array_equal(frames, as_rgb(expected))
    assert gif_frames(v.image.encoded_image_string)[0].info["duration"] == 250  # fps=4


@pytest.mark.parametrize("side", [1, 2, 63, 64, 65, 300])
def test_video_lzw_code_widths_and_table_resets(tmp_path, side):
    # 256 grey levels at random: every code width up to 12 bits and many table resets.
    rng = np.random.default_rng(side)
    V = rng.random(size=(1, 2, 1, side, side + 3)).astype(np.float32)
    with SummaryWriter(tmp_path) as w:
        w.add_video("noise", ember.as_tensor(V), fps=10)
    _, v = one_value(tmp_path)
    _, frames = gif_frames(v.image.encoded_image_string)
    np.testing.assert_array_equal(frames, as_rgb(torch_video_frames(V)))


def logged_video(tmp_path, V):
    with SummaryWriter(tmp_path) as w:
        w.add_video("colour", ember.as_tensor(V))
    _, v = one_value(tmp_path)
    _, frames = gif_frames(v.image.encoded_image_string)
    return np.abs(frames.astype(int) - torch_video_frames(V).astype(int))


def test_video_with_many_colours_gets_an_adaptive_palette(tmp_path):
    # Smooth gradients (3,072 colours a frame): the median-cut palette follows them; a fixed
    # 6 x 7 x 6 colour cube would be off by 12 on average.
    y, x = np.mgrid[0:48, 0:64]
    g = np.stack([x / 63, y / 47, (x + y) / 110])[None, None].astype(np.float32)
    err = logged_video(tmp_path / "gradient", np.concatenate([g, g * 0.8], 1))
    assert err.mean() < 5 and err.max() <= 24, (err.mean(), err.max())
    # Uniform noise over the whole cube: 256 colours cannot be close, but none is far.
    err = logged_video(tmp_path / "noise", np.random.default_rng(1).random(size=(2, 3, 3, 20, 30)).astype(np.float32))
    assert err.mean() < 12 and err.max() <= 48, (err.mean(), err.max())


def test_video_errors(tmp_path):
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(ValueError, match="N, T, C, H, W"):
            w.add_video("v", ember.zeros(2, 3, 8, 8))
        with pytest.raises(ValueError, match="channels"):
            w.add_video("v", ember.zeros(1, 2, 2, 8, 8))
        with pytest.raises(ValueError, match="fps"):
            w.add_video("v", ember.zeros(1, 2, 3, 8, 8), fps=0)
        with pytest.raises(ValueError, match="65535"):
            w.add_video("v", ember.zeros(1, 1, 1, 1, 70000, dtype=ember.uint8))
    assert summaries(tmp_path) == []


# ---- figures and boxes ---------------------------------------------------------------------

class FakeCanvas:
    """matplotlib's canvas API: draw(), buffer_rgba() (RGBA rows), get_width_height()."""

    def __init__(self, rgba):
        self.rgba = rgba
        self.draws = 0

    def draw(self):
        self.draws += 1

    def buffer_rgba(self):
        return memoryview(self.rgba.tobytes())

    def get_width_height(self):
        return self.rgba.shape[1], self.rgba.shape[0]


class FakeFigure:
    def __init__(self, seed, height=6, width=10):
        rgba = np.random.default_rng(seed).integers(0, 256, size=(height, width, 4), dtype=np.uint8)
        self.canvas = FakeCanvas(rgba)


def test_figure_and_list_of_figures(tmp_path):
    figures = [FakeFigure(1), FakeFigure(2), FakeFigure(3)]
    with SummaryWriter(tmp_path) as w:
        w.add_figure("fig", figures[0], global_step=1)
        w.add_figure("figs", figures, global_step=2)
    (s1, one), (s2, many) = summaries(tmp_path)
    assert (s1, one.tag, s2, many.tag) == (1, "fig", 2, "figs")
    assert [f.canvas.draws for f in figures] == [2, 1, 1]
    np.testing.assert_array_equal(png_pixels(one), figures[0].canvas.rgba[:, :, :3])
    np.testing.assert_array_equal(png_pixels(many), np.concatenate([f.canvas.rgba[:, :, :3] for f in figures], 1))
    assert (many.image.height, many.image.width, many.image.colorspace) == (6, 30, 3)


def test_figure_with_matplotlib_renders_on_agg_and_closes(tmp_path, monkeypatch):
    # With matplotlib importable, PyTorch draws the figure on a FigureCanvasAgg and closes it
    # with pyplot.close when close=True.
    closed, created = [], []

    class FigureCanvasAgg(FakeCanvas):
        def __init__(self, figure):
            super().__init__(figure.rgba)
            figure.canvas = self
            created.append(self)

    class Figure:
        def __init__(self, seed):
            self.rgba = FakeFigure(seed).canvas.rgba

    mpl = types.ModuleType("matplotlib")
    pyplot = types.ModuleType("matplotlib.pyplot")
    pyplot.close = closed.append
    backends = types.ModuleType("matplotlib.backends")
    agg = types.ModuleType("matplotlib.backends.backend_agg")
    agg.FigureCanvasAgg = FigureCanvasAgg
    mpl.pyplot, mpl.backends, backends.backend_agg = pyplot, backends, agg
    for name, module in [("matplotlib", mpl), ("matplotlib.pyplot", pyplot), ("matplotlib.backends", backends),
                         ("matplotlib.backends.backend_agg", agg)]:
        monkeypatch.setitem(sys.modules, name, module)
    f1, f2 = Figure(5), Figure(6)
    with SummaryWriter(tmp_path) as w:
        w.add_figure("kept", f1, close=False)
        w.add_figure("closed", f2)
    assert closed == [f2] and [c.draws for c in created] == [1, 1]
    (_, kept), (_, gone) = summaries(tmp_path)
    np.testing.assert_array_equal(png_pixels(kept), f1.rgba[:, :, :3])
    np.testing.assert_array_equal(png_pixels(gone), f2.rgba[:, :, :3])


def test_figure_with_a_bad_canvas_is_an_error(tmp_path):
    fig = FakeFigure(1)
    fig.canvas.rgba = fig.canvas.rgba[:, :, :3]  # RGB rows where RGBA are expected
    fig.canvas.get_width_height = lambda: (10, 6)
    with SummaryWriter(tmp_path) as w, pytest.raises(ValueError, match="RGBA"):
        w.add_figure("bad", fig)


@pytest.mark.parametrize("labels", [None, ["cat", "dog 0.97"], ["only one"], "one"])
def test_image_with_boxes_is_torch_drawing(tmp_path, labels):
    rng = np.random.default_rng(0)
    img = rng.random(size=(3, 40, 60)).astype(np.float32)
    boxes = np.array([[5, 6, 30, 33], [12.5, 2, 55, 38]], dtype=np.float32)
    with SummaryWriter(tmp_path) as w:
        w.add_image_with_boxes("det", ember.as_tensor(img), ember.as_tensor(boxes), global_step=4, labels=labels)
    step, v = one_value(tmp_path)
    hwc = (img.transpose(1, 2, 0) * 255).astype(np.uint8)
    # PyTorch keeps labels only when there is one per box (a str counts as one label).
    kept = labels if isinstance(labels, list) and len(labels) == 2 else None
    expected = torch_boxes_image(hwc, boxes, kept)
    assert step == 4 and v.tag == "det"
    assert (v.image.height, v.image.width, v.image.colorspace) == (40, 60, 3)
    np.testing.assert_array_equal(png_pixels(v), expected)
    assert (png_pixels(v) != hwc).any()


def test_image_with_boxes_rgba_hwc_and_a_label_per_box(tmp_path):
    img = np.random.default_rng(3).integers(0, 256, size=(30, 50, 4), dtype=np.uint8)
    boxes = np.array([[1, 1, 20, 25]], dtype=np.int64)
    with SummaryWriter(tmp_path) as w:
        w.add_image_with_boxes("rgba", ember.as_tensor(img), ember.as_tensor(boxes), dataformats="HWC", labels="x")
    _, v = one_value(tmp_path)
    assert v.image.colorspace == 4
    np.testing.assert_array_equal(png_pixels(v), torch_boxes_image(img, boxes, ["x"]))


def test_image_with_boxes_rescale(tmp_path):
    img = np.random.default_rng(4).random(size=(3, 40, 60)).astype(np.float32)
    boxes = np.array([[5, 5, 35, 30]], dtype=np.float32)
    with SummaryWriter(tmp_path) as w:
        w.add_image_with_boxes("half", ember.as_tensor(img), ember.as_tensor(boxes), rescale=0.5)
    _, v = one_value(tmp_path)
    hwc = (img.transpose(1, 2, 0) * 255).astype(np.uint8)
    expected = Image.fromarray(torch_boxes_image(hwc, boxes, None)).resize((30, 20), Image.Resampling.LANCZOS)
    np.testing.assert_array_equal(png_pixels(v), np.asarray(expected))


def test_image_with_boxes_errors(tmp_path):
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(ValueError, match=r"\[N, 4\]"):
            w.add_image_with_boxes("b", ember.zeros(3, 8, 8), ember.zeros(4))
        with pytest.raises(ValueError, match="size of input tensor and input format are different"):
            w.add_image_with_boxes("b", ember.zeros(8, 8), ember.zeros(1, 4))
    assert summaries(tmp_path) == []


# ---- PR curve from raw counts ----------------------------------------------------------------

@pytest.mark.parametrize("num_thresholds", [5, 127, 300])
def test_pr_curve_raw(tmp_path, num_thresholds):
    rng = np.random.default_rng(num_thresholds)
    rows = [rng.random(5) * 10 for _ in range(4)] + [rng.random(5), rng.random(5)]
    with SummaryWriter(tmp_path) as w:
        w.add_pr_curve_raw("pr", *[ember.as_tensor(r) for r in rows[:4]], rows[4].tolist(), rows[5],
                           global_step=3, num_thresholds=num_thresholds, walltime=1700000002.0)
    (event,) = [e for e in only_events(tmp_path) if e.HasField("summary")]
    assert event.step == 3 and event.wall_time == 1700000002.0
    (v,) = event.summary.value
    P = pb2()
    data = np.stack(rows)
    expected = P.Summary.Value(
        tag="pr", tensor=P.TensorProto(dtype=P.DT_FLOAT, float_val=data.reshape(-1).tolist(),
                                       tensor_shape=P.TensorShapeProto(dim=[P.TensorShapeProto.Dim(size=6),
                                                                            P.TensorShapeProto.Dim(size=5)])),
        metadata=P.SummaryMetadata(plugin_data=P.SummaryMetadata.PluginData(
            plugin_name="pr_curves",
            content=P.PrCurvePluginData(version=0, num_thresholds=min(num_thresholds, 127)).SerializeToString())))
    assert v.SerializeToString() == expected.SerializeToString()


def test_pr_curve_raw_errors(tmp_path):
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(ValueError, match="all input arrays must have the same shape"):
            w.add_pr_curve_raw("pr", [1, 2], [1, 2], [1, 2], [1, 2], [1, 2], [1, 2, 3])
        with pytest.raises(ValueError, match="1-D"):
            w.add_pr_curve_raw("pr", *[ember.zeros(2, 2)] * 6)
    assert summaries(tmp_path) == []


# ---- custom scalars --------------------------------------------------------------------------

def torch_layout_value(layout):
    """summary.custom_scalars(layout) with the repository's messages."""
    P = pb2()
    categories = []
    for name, charts in layout.items():
        out = []
        for title, (kind, tags) in charts.items():
            if kind == "Margin":
                out.append(P.Chart(title=title, margin=P.MarginChartContent(
                    series=[P.MarginChartContent.Series(value=tags[0], lower=tags[1], upper=tags[2])])))
            else:
                out.append(P.Chart(title=title, multiline=P.MultilineChartContent(tag=tags)))
        categories.append(P.Category(title=name, chart=out))
    tensor = P.TensorProto(dtype=P.DT_STRING, string_val=[P.Layout(category=categories).SerializeToString()],
                           tensor_shape=P.TensorShapeProto())
    return P.Summary.Value(tag="custom_scalars__config__", tensor=tensor, metadata=P.SummaryMetadata(
        plugin_data=P.SummaryMetadata.PluginData(plugin_name="custom_scalars")))


def test_custom_scalars_layout(tmp_path):
    layout = {"Taiwan": {"twse": ["Multiline", ["twse/0050", "twse/2330"]]},
              "USA": {"dow": ["Margin", ["dow/aaa", "dow/bbb", "dow/ccc"]],
                      "nasdaq": ["Margin", ["nasdaq/aaa", "nasdaq/bbb", "nasdaq/ccc"]]}}
    with SummaryWriter(tmp_path) as w:
        w.add_custom_scalars(layout)
        w.add_custom_scalars_multilinechart(["a/.*", "b"])
        w.add_custom_scalars_marginchart(["v", "lo", "hi"], category="cat", title="band")
    events = [e for e in only_events(tmp_path) if e.HasField("summary")]
    assert [e.step for e in events] == [0, 0, 0] and all(not e.HasField("file_version") for e in events)
    got = [e.summary.value[0].SerializeToString() for e in events]
    assert got == [torch_layout_value(layout).SerializeToString(),
                   torch_layout_value({"default": {"untitled": ["Multiline", ["a/.*", "b"]]}}).SerializeToString(),
                   torch_layout_value({"cat": {"band": ["Margin", ["v", "lo", "hi"]]}}).SerializeToString()]
    # The tensor has an (empty) shape: a rank-0 string tensor.
    assert events[0].summary.value[0].tensor.HasField("tensor_shape")
    parsed = pb2().Layout()
    parsed.ParseFromString(events[0].summary.value[0].tensor.string_val[0])
    assert [c.title for c in parsed.category] == ["Taiwan", "USA"]
    assert parsed.category[1].chart[1].margin.series[0].upper == "nasdaq/ccc"


def test_custom_scalars_margin_needs_three_tags(tmp_path):
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(AssertionError):
            w.add_custom_scalars_marginchart(["a", "b"])
        with pytest.raises(AssertionError):
            w.add_custom_scalars({"c": {"t": ["Margin", ["a", "b", "c", "d"]]}})
    assert summaries(tmp_path) == []


# ---- mesh ------------------------------------------------------------------------------------

def torch_mesh_values(tag, parts, config_dict):
    """summary.mesh: vertices, faces, colors (those given), with the mesh plugin's metadata."""
    P = pb2()
    json_config = "{}" if config_dict is None else json.dumps(config_dict, sort_keys=True)
    present = [(array, kind) for array, kind in parts if array is not None]
    components = 0
    for _, kind in present:
        components |= 1 << kind
    values = []
    for array, kind in present:
        content = P.MeshPluginData(version=0, name=tag, content_type=kind, components=components,
                                   shape=list(array.shape), json_config=json_config).SerializeToString()
        values.append(P.Summary.Value(
            tag=f"{tag}_{P.MeshPluginData.ContentType.Name(kind)}",
            tensor=P.TensorProto(dtype=P.DT_FLOAT, float_val=array.reshape(-1).tolist(),
                                 tensor_shape=P.TensorShapeProto(dim=[P.TensorShapeProto.Dim(size=d)
                                                                      for d in array.shape])),
            metadata=P.SummaryMetadata(plugin_data=P.SummaryMetadata.PluginData(plugin_name="mesh",
                                                                                content=content))))
    return [v.SerializeToString() for v in values]


def test_mesh(tmp_path):
    P = pb2()
    vertices = np.array([[[1, 1, 1], [-1, -1, 1], [1, -1, -1], [-1, 1, -1.5]]], dtype=np.float32)
    colors = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 0, 255]]], dtype=np.int32)
    faces = np.array([[[0, 2, 3], [0, 3, 1], [0, 1, 2], [1, 3, 2]]], dtype=np.int32)
    config = {"camera": {"cls": "PerspectiveCamera", "fov": 75}, "lights": [{"cls": "AmbientLight"}]}
    with SummaryWriter(tmp_path) as w:
        w.add_mesh("my_mesh", ember.as_tensor(vertices), colors=ember.as_tensor(colors),
                   faces=ember.as_tensor(faces), config_dict=config, global_step=5)
        w.add_mesh("cloud", ember.as_tensor(vertices), global_step=6)
    events = [e for e in only_events(tmp_path) if e.HasField("summary")]
    assert [e.step for e in events] == [5, 6]
    assert [v.SerializeToString() for v in events[0].summary.value] == torch_mesh_values(
        "my_mesh", [(vertices, P.MeshPluginData.VERTEX), (faces, P.MeshPluginData.FACE),
                    (colors, P.MeshPluginData.COLOR)], config)
    assert [v.SerializeToString() for v in events[1].summary.value] == torch_mesh_values(
        "cloud", [(vertices, P.MeshPluginData.VERTEX)], None)


def test_mesh_shape_error_is_torch_text(tmp_path):
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(ValueError, match=r"^Tensor shape should be of shape BxNx3, but got torch.Size\(\[4, 3\]\).$"):
            w.add_mesh("m", ember.zeros(4, 3))
    assert summaries(tmp_path) == []


# ---- ONNX graphs -----------------------------------------------------------------------------

def test_onnx_graph_without_onnx_is_torch_import_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # absent, whatever this machine has
    with pytest.raises(ImportError) as torch_error:
        import onnx  # noqa: F401 - what PyTorch's add_onnx_graph runs first
    with SummaryWriter(tmp_path) as w, pytest.raises(ImportError) as ember_error:
        w.add_onnx_graph("model.onnx")
    assert type(ember_error.value) is type(torch_error.value)
    assert str(ember_error.value) == str(torch_error.value)


def test_onnx_graph_from_a_model(tmp_path, monkeypatch):
    """A stand-in onnx module: load() returns a ModelProto-like graph."""
    ns = types.SimpleNamespace

    def value_info(name, elem_type, dims):
        return ns(name=name, type=ns(tensor_type=ns(elem_type=elem_type,
                                                     shape=ns(dim=[ns(dim_value=d) for d in dims]))))

    class Attribute:
        def __init__(self, *fields):
            self.fields = fields

        def ListFields(self):
            return [(None, f) for f in self.fields]

    graph = ns(input=[value_info("x", 1, [2, 3])], output=[value_info("y", 1, [2, 4])],
               node=[ns(output=["h"], op_type="Gemm", input=["x", "w", "b"],
                        attribute=[Attribute("alpha", 1.0), Attribute("transB", 1)]),
                     ns(output=["y"], op_type="Relu", input=["h"], attribute=[])])
    loaded = []
    fake = types.ModuleType("onnx")
    fake.load = lambda path: loaded.append(path) or ns(graph=graph)
    monkeypatch.setitem(sys.modules, "onnx", fake)
    with SummaryWriter(tmp_path) as w:
        w.add_onnx_graph("model.onnx")
    assert loaded == ["model.onnx"]
    (event,) = [e for e in only_events(tmp_path) if e.HasField("graph_def")]
    assert event.step == 0 and event.wall_time > 1.7e9
    P = pb2()
    g = P.GraphDef()
    g.ParseFromString(event.graph_def)

    def variable(name, dims):
        return P.NodeDef(name=name, op="Variable", attr={
            "dtype": P.AttrValue(type=1),
            "shape": P.AttrValue(shape=P.TensorShapeProto(dim=[P.TensorShapeProto.Dim(size=d) for d in dims]))})

    expected = P.GraphDef(node=[
        variable("x", [2, 3]), variable("y", [2, 4]),
        P.NodeDef(name="h", op="Gemm", input=["x", "w", "b"],
                  attr={"parameters": P.AttrValue(s=b"alpha = 1.0, transB = 1")}),
        P.NodeDef(name="y", op="Relu", input=["h"], attr={"parameters": P.AttrValue(s=b"")})],
        versions=P.VersionDef(producer=22))
    assert g == expected


# ---- ember-board reads them ------------------------------------------------------------------

def test_board_reader_reads_every_new_record_without_warnings(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_audio("sound", ember.zeros(100), 1)
        w.add_video("clip", ember.zeros(1, 2, 3, 4, 4), 1)
        w.add_custom_scalars_multilinechart(["a"])
        w.add_mesh("m", ember.zeros(1, 3, 3))
        w.add_pr_curve_raw("pr", *[[1.0, 0.5]] * 6)
    (f,) = tb_events.event_files(tmp_path)
    r = ember._C._tensorboard.read_events(str(f), 0)
    assert r["warnings"] == [] and not r["incomplete_tail"]
    kinds = {(o.get("tag"), o["kind"]) for o in r["others"]}
    assert {("sound", "audio"), ("clip", "image"), ("pr", "pr_curve")} <= kinds
    (audio,) = [o for o in r["others"] if o["kind"] == "audio"]
    assert audio["sample_rate"] == 44100 and audio["content_type"] == "audio/wav"
    assert audio["audio"] == torch_wav(np.zeros(100, dtype=np.float32), 44100)
