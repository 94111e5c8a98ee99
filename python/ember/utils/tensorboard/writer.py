"""torch.utils.tensorboard.SummaryWriter over ember._C._tensorboard.SummaryWriter.

This layer only shapes arguments as torch accepts them (tensors, NumPy arrays, Python
numbers, lists, modules) into tensors, floats and strings; encoding, PNG and GIF compression
and writing happen in C++ on a background thread (Note [Event writer thread] in
ember/utils/tensorboard/event_file_writer.h). What only Python libraries can do (rendering
matplotlib figures, Pillow's box drawing, reading ONNX files) is in _inputs.py."""
import json
import os
import socket
from datetime import datetime

from ... import _C
from . import _inputs

_Writer = _C._tensorboard.SummaryWriter


def _tensor(x, name):
    import ember
    if isinstance(x, ember.Tensor):
        return x.detach()
    try:
        return ember.as_tensor(x)
    except Exception as e:  # noqa: BLE001 - reworded below with the argument's name
        raise TypeError(f"{name} should be a Tensor, a NumPy array or a sequence of numbers, "
                        f"got {type(x).__name__}") from e


def _step(global_step):
    return None if global_step is None else int(global_step)


class SummaryWriter:
    """Writes entries to event files in `log_dir` for TensorBoard (and ember-board) to show.

    Same constructor and methods as torch.utils.tensorboard.SummaryWriter; every add_*
    returns as soon as its event is queued."""

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=""):
        if not log_dir:
            current_time = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", current_time + "_" + socket.gethostname() + comment)
        log_dir = os.fspath(log_dir)
        # torch creates the directory with os.makedirs: an unwritable place raises its OSError
        # (PermissionError, NotADirectoryError, ...) here, at construction.
        os.makedirs(log_dir, exist_ok=True)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self._w = _Writer(log_dir, comment, None if purge_step is None else int(purge_step), int(max_queue),
                          float(flush_secs), filename_suffix)
        # Bound once: add_scalar is the call that sits in training loops.
        self._add_scalar = self._w.add_scalar

    def get_logdir(self):
        """Returns the directory where event files will be written."""
        return self.log_dir

    # ---- scalars -------------------------------------------------------------------------
    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """Adds scalar data to summary (non-finite values are written as they are)."""
        if global_step is not None and not isinstance(global_step, int):
            global_step = int(global_step)
        self._add_scalar(tag, float(scalar_value), global_step, walltime, new_style, double_precision)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Adds many scalars to one chart: one run per key, in <log_dir>/<main_tag>_<key>."""
        self._w.add_scalars(main_tag, [(str(k), float(v)) for k, v in tag_scalar_dict.items()], _step(global_step),
                            walltime)

    # ---- histograms ----------------------------------------------------------------------
    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None, max_bins=None):
        """Adds a histogram; bins is 'tensorflow' (TensorBoard's default edges) or a bin count."""
        if isinstance(bins, str):
            if bins != "tensorflow":
                raise ValueError(f"add_histogram: bins must be 'tensorflow' or a number of bins, got '{bins}' "
                                 "(NumPy's named rules are not supported)")
            count = None
        else:
            count = int(bins)
        self._w.add_histogram(tag, _tensor(values, "values"), _step(global_step), count, walltime, max_bins)

    def add_histogram_raw(self, tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts,  # noqa: A002
                          global_step=None, walltime=None):
        """Adds a histogram from precomputed statistics and buckets."""
        if len(bucket_limits) != len(bucket_counts):
            raise ValueError("len(bucket_limits) != len(bucket_counts), see the document.")
        self._w.add_histogram_raw(tag, float(min), float(max), float(num), float(sum), float(sum_squares),
                                  [float(x) for x in bucket_limits], [float(x) for x in bucket_counts],
                                  _step(global_step), walltime)

    # ---- images and text -----------------------------------------------------------------
    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """Adds an image: float in [0, 1] or uint8, laid out as `dataformats` (CHW, HWC, HW)."""
        self._w.add_image(tag, _tensor(img_tensor, "img_tensor"), _step(global_step), walltime, dataformats)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        """Adds a batch of images, tiled in a grid of up to 8 columns."""
        self._w.add_image(tag, _tensor(img_tensor, "img_tensor"), _step(global_step), walltime, dataformats)

    def add_image_with_boxes(self, tag, img_tensor, box_tensor, global_step=None, walltime=None, rescale=1,
                             dataformats="CHW", labels=None):
        """Adds an image with boxes [N, 4] (x1, y1, x2, y2 in pixels) drawn on it in red, each
        with its label if `labels` has one string per box; the image is then scaled by `rescale`."""
        image = _C._tensorboard.image_to_hwc_uint8(_tensor(img_tensor, "img_tensor"), dataformats)
        boxes = _tensor(box_tensor, "box_tensor")
        if boxes.dim() != 2 or boxes.shape[1] != 4:
            raise ValueError(f"add_image_with_boxes: box_tensor must be [N, 4] (x1, y1, x2, y2), got shape "
                             f"{list(boxes.shape)}")
        if labels is not None:
            if isinstance(labels, str):
                labels = [labels]
            if len(labels) != boxes.shape[0]:  # as PyTorch: labels that do not fit are dropped
                labels = None
        image = _inputs.draw_boxes(image, boxes.tolist(), labels, rescale)
        self._w.add_image(tag, image, _step(global_step), walltime, "HWC")

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """Adds a matplotlib figure (or a list of them, tiled) rendered to an image; `close`
        closes them with matplotlib.pyplot.close."""
        import ember
        if isinstance(figure, list):
            images = ember.stack([_inputs.figure_to_chw(f, close) for f in figure])
            self._w.add_image(tag, images, _step(global_step), walltime, "NCHW")
        else:
            self._w.add_image(tag, _inputs.figure_to_chw(figure, close), _step(global_step), walltime, "CHW")

    def add_video(self, tag, vid_tensor, global_step=None, fps=4, walltime=None):
        """Adds videos [N, T, C, H, W] (float in [0, 1] or uint8) as one animated GIF, the N
        videos tiled in a grid, at `fps` frames per second."""
        self._w.add_video(tag, _tensor(vid_tensor, "vid_tensor"), _step(global_step), float(fps), walltime)

    def add_audio(self, tag, snd_tensor, global_step=None, sample_rate=44100, walltime=None):
        """Adds mono audio: samples in [-1, 1] (shape [1, L] or [L]) as 16-bit PCM WAV."""
        snd = _tensor(snd_tensor, "snd_tensor")
        if snd.numel() > 0:
            assert sum(1 for d in snd.shape if d != 1) == 1, "input tensor should be 1 dimensional."
        if self._w.add_audio(tag, snd, _step(global_step), float(sample_rate), walltime):
            print("warning: audio amplitude out of range, auto clipped.")

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Adds text (TensorBoard renders it as Markdown)."""
        self._w.add_text(tag, text_string, _step(global_step), walltime)

    def add_pr_curve(self, tag, labels, predictions, global_step=None, num_thresholds=127, weights=None,
                     walltime=None):
        """Adds a precision-recall curve from 0/1 labels and predictions in [0, 1]."""
        self._w.add_pr_curve(tag, _tensor(labels, "labels"), _tensor(predictions, "predictions"),
                             _step(global_step), int(num_thresholds),
                             None if weights is None else _tensor(weights, "weights"), walltime)

    def add_pr_curve_raw(self, tag, true_positive_counts, false_positive_counts, true_negative_counts,
                         false_negative_counts, precision, recall, global_step=None, num_thresholds=127,
                         weights=None, walltime=None):
        """Adds a precision-recall curve from precomputed counts, precision and recall (1-D, one
        length); `weights` is accepted and unused, as in PyTorch."""
        rows = [_tensor(x, name) for x, name in ((true_positive_counts, "true_positive_counts"),
                                                  (false_positive_counts, "false_positive_counts"),
                                                  (true_negative_counts, "true_negative_counts"),
                                                  (false_negative_counts, "false_negative_counts"),
                                                  (precision, "precision"), (recall, "recall"))]
        self._w.add_pr_curve_raw(tag, *rows, _step(global_step), int(num_thresholds), walltime)

    # ---- custom scalars and meshes -------------------------------------------------------
    def add_custom_scalars(self, layout):
        """Lays out charts of scalar tags for TensorBoard's Custom Scalars tab:
        {category: {title: ["Multiline", [tag regexes]] or ["Margin", [value, lower, upper]]}}."""
        categories = []
        for category, charts in layout.items():
            entries = []
            for title, chart in charts.items():
                kind, tags = chart[0], chart[1]
                if kind == "Margin":
                    assert len(tags) == 3
                entries.append((title, kind == "Margin", list(tags)))
            categories.append((category, entries))
        self._w.add_custom_scalars(categories)

    def add_custom_scalars_multilinechart(self, tags, category="default", title="untitled"):
        """One Multiline chart of the given tags."""
        self.add_custom_scalars({category: {title: ["Multiline", tags]}})

    def add_custom_scalars_marginchart(self, tags, category="default", title="untitled"):
        """One Margin chart: tags are the value, lower bound and upper bound."""
        assert len(tags) == 3
        self.add_custom_scalars({category: {title: ["Margin", tags]}})

    def add_mesh(self, tag, vertices, colors=None, faces=None, config_dict=None, global_step=None, walltime=None):
        """Adds a mesh or point cloud: vertices, colors, faces each [B, N, 3]; config_dict is
        the ThreeJS configuration (camera, lights, material)."""
        json_config = "{}" if config_dict is None else json.dumps(config_dict, sort_keys=True)

        def opt(x, name):
            return None if x is None else _tensor(x, name)

        self._w.add_mesh(tag, opt(vertices, "vertices"), opt(colors, "colors"), opt(faces, "faces"), json_config,
                         _step(global_step), walltime)

    # ---- hparams, embeddings, graph ------------------------------------------------------
    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None):
        """Adds hyperparameters and their metrics, as a run of its own under log_dir."""
        import ember
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        hparam_domain_discrete = hparam_domain_discrete or {}
        for k, v in hparam_domain_discrete.items():
            if k not in hparam_dict or not isinstance(v, list) or not all(isinstance(d, type(hparam_dict[k]))
                                                                             for d in v):
                raise TypeError(f"parameter: hparam_domain_discrete[{k}] should be a list of same type as "
                                f"hparam_dict[{k}].")

        def value(v):
            if isinstance(v, (int, float)):  # bool too: torch logs it as a number
                return float(v)
            if isinstance(v, str):
                return v
            if isinstance(v, ember.Tensor):
                return float(v.reshape(-1)[0])
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")

        hparams = [(k, value(v)) for k, v in hparam_dict.items() if v is not None]
        metrics = [(k, float(v)) for k, v in metric_dict.items()]
        domains = {k: [value(d) for d in v] for k, v in hparam_domain_discrete.items()}
        self._w.add_hparams(hparams, metrics, domains, run_name or "")

    def add_embedding(self, mat, metadata=None, label_img=None, global_step=None, tag="default",
                      metadata_header=None):
        """Adds points for the projector: mat [N, D], optional labels and label images."""
        mat = _tensor(mat, "mat")
        rows = []
        if metadata is not None:
            if metadata_header:
                rows = [[str(e) for e in row] for row in metadata]
            else:
                rows = [[str(x)] for x in metadata]
        self._w.add_embedding(mat, rows, [str(h) for h in (metadata_header or [])],
                              None if label_img is None else _tensor(label_img, "label_img"), _step(global_step),
                              tag)

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """Adds the graph of one forward pass of `model`, from its autograd history, with the
        nodes grouped by submodule (Note [Graph from autograd history])."""
        import ember
        if input_to_model is None:
            raise ValueError("add_graph needs input_to_model: the graph is recorded from a forward pass")
        inputs = input_to_model if isinstance(input_to_model, (tuple, list)) else (input_to_model,)
        inputs = [x.detach().requires_grad_(x.is_floating_point()) if isinstance(x, ember.Tensor) else x
                  for x in inputs]
        outputs, module_inputs, handles = [], [], []
        for path, module in model.named_modules():
            if not path:
                continue
            handles.append(module.register_forward_pre_hook(
                lambda m, args, path=path: module_inputs.append(
                    (path, [a for a in args if isinstance(a, ember.Tensor)]))))
            handles.append(module.register_forward_hook(
                lambda m, args, out, path=path: outputs.append((path, out))
                if isinstance(out, ember.Tensor) else None))
        try:
            with ember.enable_grad():
                result = model(*inputs)
        finally:
            for h in handles:
                h.remove()
        results = list(result) if isinstance(result, (tuple, list)) else [result]
        self._w.add_graph_trace(type(model).__name__, list(model.named_parameters()), outputs, module_inputs,
                                [x for x in inputs if isinstance(x, ember.Tensor)],
                                [r for r in results if isinstance(r, ember.Tensor)])

    def add_onnx_graph(self, prototxt):
        """Adds the graph of an ONNX model file (needs the onnx package, as PyTorch's)."""
        self._w.add_onnx_graph(_inputs.onnx_nodes(prototxt))

    # ---- lifetime ------------------------------------------------------------------------
    def flush(self):
        """Writes every pending event to disk."""
        self._w.flush()

    def close(self):
        """Flushes and closes the event files; a later add_* opens a new file."""
        self._w.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()

    def __del__(self):
        w = getattr(self, "_w", None)
        if w is not None:
            try:
                w.close()
            except Exception:  # noqa: BLE001 - interpreter shutdown
                pass
