"""pytest set-up: ember comes from the build tree (EMBER_PYTHONPATH, default
build/release/python), torch from Debian (the oracle). A test names each library by its
own name; nothing here aliases one to the other."""
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
_path = os.environ.get("EMBER_PYTHONPATH", str(ROOT / "build" / "release" / "python"))
if _path not in sys.path:
    sys.path.insert(0, _path)
