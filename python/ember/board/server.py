"""ember-board's HTTP server: Python's standard library (http.server), bound to 127.0.0.1
by default. The page (static/index.html, one self-contained file) asks the JSON and binary
API below; each API call first refreshes the log directory (at most once a second, reading
only what was appended: logdir.py).

    GET /                                   the page
    GET /api/runs                           runs, their tags per kind, recent warnings
    GET /api/scalars?run=R&tag=T&since=K    float64 little-endian: steps, wall times, values
                                            of points K.. (header X-Total: the point count)
        &max_points=N&stride=B              the display sample instead (sampling.py): headers
                                            X-Start (K, or 0 when the sample was reset) and
                                            X-Stride
    GET /api/scalars_batch?tag=T&runs=["R1",...]&since=[K1,...]
                                            one tag for several runs in one response: float64
                                            little-endian, first the runs' new point counts,
                                            then each run's steps, wall times and values
        &max_points=N&strides=[B1,...]      the display sample (what the page asks): first
                                            [count, start, total, stride] per run, then each
                                            run's steps, wall times and values
    GET /api/scalars.json?run=R&tag=T       [[wall_time, step, value], ...] (TensorBoard's JSON)
    GET /api/scalars.csv?run=R&tag=T        "Wall time,Step,Value" rows (TensorBoard's CSV)
    GET /api/images?run=R&tag=T             [{step, wall_time, width, height, count}]
    GET /api/image?run=R&tag=T&index=I&sample=S   the PNG (or GIF: add_video)
    GET /api/audio?run=R&tag=T              [{step, wall_time, sample_rate, length_frames, content_type}]
    GET /api/audio_clip?run=R&tag=T&index=I the WAV file
    GET /api/histograms?run=R&tag=T         [{step, wall_time, min, max, num, limits, counts}]
    GET /api/text?run=R&tag=T               [{step, wall_time, text}]
    GET /api/pr_curves?run=R&tag=T          [{step, wall_time, thresholds, precision, recall, tp, fp, tn, fn}]
    GET /api/hparams                        [{run, hparams, metrics}]
    GET /api/graph?run=R                    {nodes: [{name, op, inputs, shape}]}
"""
import argparse
import http.server
import json
import math
import os
import struct
import sys
import urllib.parse

from .logdir import LogDir
from .sampling import sample, stride_for

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")


def _json_default(o):
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _finite(x):
    # JSON has no NaN/Infinity; the page gets null and TensorBoard's downloads keep Python's.
    return x if math.isfinite(x) else None


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "ember-board"
    protocol_version = "HTTP/1.1"  # keep-alive: the page makes hundreds of small requests
    # Headers and body leave in one segment: without this, Nagle's algorithm holds the body
    # until the client's delayed ACK (40 ms per request on loopback).
    disable_nagle_algorithm = True
    wbufsize = 1 << 16
    logdir = None  # set by make_server
    samples_per_plugin = {}  # plugin -> points the page shows per series (0: all); make_server

    def log_message(self, fmt, *args):  # quiet: the page polls
        pass

    # ---- plumbing -------------------------------------------------------------------
    def _send(self, status, body, content_type, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _json(self, obj, status=200, headers=None):
        self._send(status, json.dumps(obj, default=_json_default).encode(), "application/json", headers)

    def _error(self, status, message):
        self._json({"error": message}, status)

    def do_GET(self):  # noqa: N802 - http.server's name
        url = urllib.parse.urlsplit(self.path)
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        try:
            if url.path in ("/", "/index.html"):
                return self._page()
            route = ROUTES.get(url.path)
            if route is None:
                return self._error(404, f"no such path: {url.path}")
            self.logdir.refresh()
            return route(self, q)
        except KeyError as e:
            return self._error(404, f"unknown run or tag: {e.args[0]}")
        except (ValueError, IndexError) as e:
            return self._error(400, str(e))
        except BrokenPipeError:
            return None

    def _page(self):
        path = os.path.join(STATIC, "index.html")
        try:
            with open(path, "rb") as f:
                body = f.read()
        except OSError:
            return self._error(500, f"the page is not built ({path}); build the ember_board_page target")
        self._send(200, body, "text/html; charset=utf-8")

    def _run_tag(self, q, kind):
        run = self.logdir.run(q.get("run", ""))
        table = getattr(run, kind)
        tag = q.get("tag", "")
        if tag not in table:
            raise KeyError(f"{run.name}/{tag}")
        return run, table[tag]

    # ---- API ------------------------------------------------------------------------
    def api_runs(self, q):
        runs = [{"name": name, "records": r.records, "tags": r.tags()} for name, r in sorted(self.logdir.runs.items())]
        self._json({"logdir": self.logdir.path, "runs": runs, "warnings": self.logdir.warnings[-50:],
                    "samples_per_plugin": {"scalars": self.samples_per_plugin.get("scalars", 0)}})

    def api_scalars(self, q):
        _, s = self._run_tag(q, "scalars")
        since = max(0, int(q.get("since", 0)))
        if "max_points" in q:
            start, stride, *cols = sample(s, since, int(q.get("stride", 0)), int(q["max_points"]))
            self._send(200, b"".join(c.tobytes() for c in cols), "application/octet-stream",
                       {"X-Total": str(len(s)), "X-Start": str(start), "X-Stride": str(stride)})
            return
        body = s.steps[since:].tobytes() + s.wall_times[since:].tobytes() + s.values[since:].tobytes()
        self._send(200, body, "application/octet-stream", {"X-Total": str(len(s))})

    def api_scalars_batch(self, q):
        # One request per chart instead of one per (run, tag): the page's first paint of 20
        # runs x 10 tags made 200 requests.
        tag = q.get("tag", "")
        runs = json.loads(q.get("runs", "[]"))
        since = json.loads(q.get("since", "[]")) or [0] * len(runs)
        sampled = "max_points" in q
        strides = json.loads(q.get("strides", "[]")) or [0] * len(runs)
        if not all(isinstance(x, list) for x in (runs, since, strides)) or not len(runs) == len(since) == len(strides):
            raise ValueError("runs, since and strides must be JSON lists of the same length")
        max_points = int(q["max_points"]) if sampled else 0
        parts, head = [], []
        for name, k, b in zip(runs, since, strides):
            run = self.logdir.run(str(name))
            if tag not in run.scalars:
                raise KeyError(f"{run.name}/{tag}")
            s, k = run.scalars[tag], max(0, int(k))
            if sampled:
                start, stride, *cols = sample(s, k, int(b), max_points)
                head += [len(cols[0]), start, len(s), stride]
            else:
                cols = (s.steps[k:], s.wall_times[k:], s.values[k:])
                head.append(len(cols[0]))
            parts += [c.tobytes() for c in cols]
        self._send(200, struct.pack(f"<{len(head)}d", *head) + b"".join(parts), "application/octet-stream")

    def api_scalars_json(self, q):
        _, s = self._run_tag(q, "scalars")
        rows = [[w, int(st), v] for st, w, v in zip(s.steps, s.wall_times, s.values)]
        self._send(200, json.dumps(rows).encode(), "application/json",
                   {"Content-Disposition": f'attachment; filename="{_fname(q)}.json"'})

    def api_scalars_csv(self, q):
        _, s = self._run_tag(q, "scalars")
        lines = ["Wall time,Step,Value"] + [f"{w!r},{int(st)},{v!r}" for st, w, v in zip(s.steps, s.wall_times,
                                                                                         s.values)]
        self._send(200, ("\n".join(lines) + "\n").encode(), "text/csv",
                   {"Content-Disposition": f'attachment; filename="{_fname(q)}.csv"'})

    def api_images(self, q):
        _, items = self._run_tag(q, "images")
        self._json([{"step": st, "wall_time": w, "width": wd, "height": h, "count": len(pngs)}
                    for st, w, wd, h, pngs in items])

    def api_image(self, q):
        _, items = self._run_tag(q, "images")
        step, wall, w, h, pngs = items[int(q.get("index", 0))]
        data = pngs[int(q.get("sample", 0))]
        self._send(200, data, _image_type(data))

    def api_audio(self, q):
        _, items = self._run_tag(q, "audio")
        self._json([{"step": st, "wall_time": w, "sample_rate": rate, "length_frames": n, "content_type": ct}
                    for st, w, rate, n, ct, _ in items])

    def api_audio_clip(self, q):
        _, items = self._run_tag(q, "audio")
        *_, content_type, data = items[int(q.get("index", 0))]
        self._send(200, data, content_type)

    def api_histograms(self, q):
        _, items = self._run_tag(q, "histograms")
        self._json([{**h, "min": _finite(h["min"]), "max": _finite(h["max"]),
                     "limits": [_finite(x) for x in h["limits"]]} for h in items])

    def api_text(self, q):
        _, items = self._run_tag(q, "texts")
        self._json([{"step": st, "wall_time": w, "text": t} for st, w, t in items])

    def api_pr_curves(self, q):
        _, items = self._run_tag(q, "pr_curves")
        out = []
        for st, w, rows in items:
            n = len(rows[0])
            out.append({"step": st, "wall_time": w, "thresholds": [i / max(n - 1, 1) for i in range(n)],
                        "tp": rows[0], "fp": rows[1], "tn": rows[2], "fn": rows[3],
                        "precision": rows[4], "recall": rows[5]})
        self._json(out)

    def api_hparams(self, q):
        out = []
        for name, r in sorted(self.logdir.runs.items()):
            if not r.hparams:
                continue
            metrics = {}
            for tag in r.metric_tags or sorted(r.scalars):
                s = r.scalars.get(tag)
                if s is not None and len(s):
                    metrics[tag] = _finite(s.values[-1])
            out.append({"run": name, "hparams": r.hparams, "metrics": metrics})
        self._json(out)

    def api_graph(self, q):
        run = self.logdir.run(q.get("run", ""))
        if run.graph is None:
            raise KeyError(f"{run.name}/graph")
        self._json({"nodes": [{"name": n, "op": op, "inputs": list(i), "shape": sh} for n, op, i, sh in run.graph]})


def _image_type(data):
    # The Image summary does not say its format: PNG (add_image) or GIF (add_video), by magic.
    if data.startswith(b"GIF8"):
        return "image/gif"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return "image/png"


def _fname(q):
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{q.get('run', '')}_{q.get('tag', '')}")


ROUTES = {
    "/api/runs": Handler.api_runs,
    "/api/scalars": Handler.api_scalars,
    "/api/scalars_batch": Handler.api_scalars_batch,
    "/api/scalars.json": Handler.api_scalars_json,
    "/api/scalars.csv": Handler.api_scalars_csv,
    "/api/images": Handler.api_images,
    "/api/image": Handler.api_image,
    "/api/audio": Handler.api_audio,
    "/api/audio_clip": Handler.api_audio_clip,
    "/api/histograms": Handler.api_histograms,
    "/api/text": Handler.api_text,
    "/api/pr_curves": Handler.api_pr_curves,
    "/api/hparams": Handler.api_hparams,
    "/api/graph": Handler.api_graph,
}


def make_server(logdir, host="127.0.0.1", port=6006, reload_interval=1.0, samples_per_plugin=None):
    """A ThreadingHTTPServer over `logdir` (not yet serving: call serve_forever()).
    samples_per_plugin: {"scalars": N}, the points per series the page's charts show
    (default 1000, TensorBoard's default; 0: every point); see sampling.py."""
    samples = {"scalars": DEFAULT_SCALAR_SAMPLES, **(samples_per_plugin or {})}
    stride_for(0, samples["scalars"])  # a bad count is an error here, not on every request
    handler = type("BoundHandler", (Handler,), {"logdir": LogDir(logdir, reload_interval),
                                                "samples_per_plugin": samples})
    handler.logdir.refresh(force=True)
    server = http.server.ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


# TensorBoard's scalar plugin keeps 1,000 points per tag unless --samples_per_plugin says
# otherwise.
DEFAULT_SCALAR_SAMPLES = 1000


def parse_samples_per_plugin(text):
    """TensorBoard's --samples_per_plugin syntax, "scalars=500,images=10": {plugin: N}.
    ember-board samples scalars only; other plugins' counts are accepted (so TensorBoard
    command lines work) and reported as ignored by main()."""
    out = {}
    for item in filter(None, (x.strip() for x in text.split(","))):
        name, eq, value = item.partition("=")
        if not eq or not name.strip() or not value.strip().isdigit():
            raise ValueError(f"--samples_per_plugin: expected PLUGIN=COUNT, got {item!r}")
        out[name.strip()] = int(value)
    if out.get("scalars", 0) == 1:
        raise ValueError("--samples_per_plugin: scalars must be 0 (every point) or at least 2 (the first and last)")
    return out


def main(argv=None):
    p = argparse.ArgumentParser(prog="ember-board", description="TensorBoard-style dashboard for event files")
    p.add_argument("--logdir", default="runs", help="directory with runs of event files (default: runs)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=6006, help="port (default: 6006; 0 picks a free one)")
    p.add_argument("--reload_interval", type=float, default=1.0, help="seconds between reads of new records")
    p.add_argument("--samples_per_plugin", "--samples-per-plugin", default="",
                   help="TensorBoard's syntax, e.g. scalars=500: points per series the charts show "
                        f"(default {DEFAULT_SCALAR_SAMPLES}; 0: every point; downloads always have every point)")
    args = p.parse_args(argv)
    if not os.path.isdir(args.logdir):
        p.error(f"--logdir {args.logdir}: no such directory")
    try:
        samples = parse_samples_per_plugin(args.samples_per_plugin)
    except ValueError as e:
        p.error(str(e))
    ignored = sorted(set(samples) - {"scalars"})
    if ignored:
        print(f"ember-board: --samples_per_plugin: {', '.join(ignored)} ignored (only scalars are sampled; "
              "the other tabs show every record)", file=sys.stderr)
    server = make_server(args.logdir, args.host, args.port, args.reload_interval, samples)
    host, port = server.server_address[:2]
    print(f"ember-board: serving {os.path.abspath(args.logdir)} at http://{host}:{port}/ (Ctrl+C to stop)",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
