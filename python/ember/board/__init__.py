"""ember-board: TensorBoard's dashboard for the event files under a log directory, served on
localhost with nothing else installed (docs/tensorboard.md).

    ember-board --logdir runs            # or: python3 -m ember.board --logdir runs

The server (server.py) is Python's standard library http.server; event files are read
incrementally by ember's C++ reader (logdir.py, Note [Reading untrusted event files]); the
page is one self-contained HTML file built from board/web with uPlot (static/index.html)."""
from .logdir import LogDir  # noqa: F401
from .server import make_server, main  # noqa: F401
