#!/usr/bin/env python3
"""Builds ember-board's page: src/index.html with uPlot's CSS and script (from
node_modules, installed by `npm ci` from package-lock.json) and the page's own style.css and
app.js inlined, written as one self-contained file (no request leaves the server).

    bundle.py NODE_MODULES_DIR OUTPUT_HTML
"""
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent


def main(modules, out):
    modules = pathlib.Path(modules)
    html = (HERE / "src" / "index.html").read_text()
    parts = {
        "/*UPLOT_CSS*/": modules / "uplot" / "dist" / "uPlot.min.css",
        "/*UPLOT_JS*/": modules / "uplot" / "dist" / "uPlot.iife.min.js",
        "/*APP_CSS*/": HERE / "src" / "style.css",
        "/*APP_JS*/": HERE / "src" / "app.js",
    }
    for marker, path in parts.items():
        text = path.read_text()
        if "</script" in text.lower() and marker.endswith("JS*/"):
            raise SystemExit(f"{path} contains '</script': cannot inline it")
        html = html.replace(marker, text)
    out = pathlib.Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
