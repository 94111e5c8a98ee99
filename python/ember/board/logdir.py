"""The runs under a log directory and what their event files hold, read incrementally.

A run is a directory holding files whose name contains "tfevents" (as TensorBoard decides);
its name is its path relative to the log directory ("." for the log directory itself).
Each file remembers the offset after its last complete record, so a refresh reads only
what was appended since (ember._C._tensorboard.read_events, Note [Reading untrusted event
files]). Corrupt or truncated records are skipped with a warning naming the file and the
offset, through the `warnings` module and the `warnings` list the API serves."""
import array
import os
import threading
import time
import warnings as _warnings

from .. import _C

_read_events = _C._tensorboard.read_events


class EventFileWarning(UserWarning):
    """A record of an event file was skipped (corrupt, truncated, not an Event)."""


class Series:
    """The scalars of one tag of one run: steps, wall times, values (float64 columns)."""

    __slots__ = ("steps", "wall_times", "values")

    def __init__(self):
        self.steps, self.wall_times, self.values = array.array("d"), array.array("d"), array.array("d")

    def extend(self, steps, walls, values):
        self.steps.frombytes(steps)
        self.wall_times.frombytes(walls)
        self.values.frombytes(values)

    def __len__(self):
        return len(self.values)


class Run:
    def __init__(self, name, path):
        self.name, self.path = name, path
        self.offsets = {}  # file path -> offset of its next unread record
        self.warned_tails = set()
        self.scalars = {}  # tag -> Series
        self.images = {}  # tag -> [(step, wall_time, width, height, [png or gif bytes, ...])]
        self.audio = {}  # tag -> [(step, wall_time, sample_rate, length_frames, content_type, bytes)]
        self.histograms = {}  # tag -> [dict]
        self.texts = {}  # tag -> [(step, wall_time, text)]
        self.pr_curves = {}  # tag -> [(step, wall_time, rows of 6 lists)]
        self.hparams = {}  # name -> value (session start info)
        self.hparam_names, self.metric_tags = [], []
        self.graph = None  # [(name, op, inputs, shape)]
        self.records = 0

    def tags(self):
        return {"scalars": sorted(self.scalars), "images": sorted(self.images), "audio": sorted(self.audio),
                "histograms": sorted(self.histograms), "text": sorted(self.texts),
                "pr_curves": sorted(self.pr_curves), "graph": self.graph is not None,
                "hparams": bool(self.hparams)}

    def refresh(self, messages):
        files = sorted(f for f in os.listdir(self.path) if "tfevents" in f)
        for f in files:
            full = os.path.join(self.path, f)
            if not os.path.isfile(full):
                continue
            offset = self.offsets.get(full, 0)
            try:
                if os.path.getsize(full) <= offset:
                    continue
                r = _read_events(full, offset)
            except (OSError, RuntimeError) as e:
                messages.append(f"{full}: cannot read: {e}")
                continue
            self.offsets[full] = r["end_offset"]
            messages.extend(r["warnings"])
            if r["incomplete_tail"] and (full, r["end_offset"]) not in self.warned_tails:
                # A writer may still be writing it: read again next time, warn once.
                self.warned_tails.add((full, r["end_offset"]))
                messages.append(f"{full}: truncated record at offset {r['end_offset']} "
                                "(incomplete; will be read if the rest arrives)")
            self.records += r["records"]
            for tag, (steps, walls, values) in r["scalars"].items():
                self.scalars.setdefault(tag, Series()).extend(steps, walls, values)
            for o in r["others"]:
                self._add_other(o)

    def _add_other(self, o):
        kind, step, wall = o["kind"], o["step"], o["wall_time"]
        if kind == "graph":
            self.graph = o["nodes"]
        elif kind == "image":
            self.images.setdefault(o["tag"], []).append((step, wall, o["width"], o["height"], list(o["images"])))
        elif kind == "audio":
            self.audio.setdefault(o["tag"], []).append((step, wall, o["sample_rate"], o["length_frames"],
                                                        o["content_type"], o["audio"]))
        elif kind == "histogram":
            self.histograms.setdefault(o["tag"], []).append(
                {"step": step, "wall_time": wall, "min": o["min"], "max": o["max"], "num": o["num"],
                 "limits": o["limits"], "counts": o["counts"]})
        elif kind == "text":
            self.texts.setdefault(o["tag"], []).append((step, wall, o["text"]))
        elif kind == "pr_curve":
            n = o["rows"]
            data = o["data"]
            if n and len(data) == 6 * n:
                self.pr_curves.setdefault(o["tag"], []).append((step, wall, [data[i * n:(i + 1) * n]
                                                                            for i in range(6)]))
        elif kind == "hparams":
            if "hparams" in o:
                self.hparams.update(o["hparams"])
            if "hparam_names" in o:
                self.hparam_names, self.metric_tags = o["hparam_names"], o["metric_tags"]


class LogDir:
    """Every run under `path`; refresh() picks up new runs, files and records."""

    def __init__(self, path, min_interval=1.0):
        self.path = os.path.abspath(path)
        self.runs = {}
        self.warnings = []
        self.min_interval = min_interval
        self._last = 0.0
        self._lock = threading.Lock()

    def refresh(self, force=False):
        with self._lock:
            now = time.monotonic()
            if not force and now - self._last < self.min_interval:
                return
            self._last = now
            messages = []
            for root, dirs, files in os.walk(self.path):
                dirs.sort()
                if any("tfevents" in f for f in files):
                    rel = os.path.relpath(root, self.path)
                    run = self.runs.get(rel)
                    if run is None:
                        run = self.runs[rel] = Run(rel, root)
                    run.refresh(messages)
            for m in messages:
                _warnings.warn(m, EventFileWarning, stacklevel=2)
            self.warnings.extend(messages)

    def run(self, name):
        run = self.runs.get(name)
        if run is None:
            raise KeyError(name)
        return run
