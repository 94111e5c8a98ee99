"""torch.utils.tensorboard.SummaryWriter over ember._C._tensorboard.SummaryWriter.

This layer only shapes arguments as torch accepts them (tensors, NumPy arrays, Python
numbers, lists, modules) into tensors, floats and strings; encoding, PNG compression and
writing happen in C++ on a background thread (Note [Event writer thread] in
ember/utils/tensorboard/event_file_writer.h)."""
import os
import socket
from datetime import datetime

from ... import _C

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

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Adds text (TensorBoard renders it as Markdown)."""
        self._w.add_text(tag, text_string, _step(global_step), walltime)

    def add_pr_curve(self, tag, labels, predictions, global_step=None, num_thresholds=127, weights=None,
                     walltime=None):
        """Adds a precision-recall curve from 0/1 labels and predictions in [0, 1]."""
        self._w.add_pr_curve(tag, _tensor(labels, "labels"), _tensor(predictions, "predictions"),
                             _step(global_step), int(num_thresholds),
                             None if weights is None else _tensor(weights, "weights"), walltime)

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
