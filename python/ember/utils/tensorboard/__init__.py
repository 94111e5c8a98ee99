"""ember.utils.tensorboard (torch.utils.tensorboard): SummaryWriter writes TensorBoard event
files through ember's C++ writer (docs/tensorboard.md); `ember-board` / `python3 -m
ember.board` shows them in a browser without TensorBoard installed."""
from .writer import SummaryWriter  # noqa: F401

__all__ = ["SummaryWriter"]
