"""ember.optim (torch.optim): torch's optimiser classes over ember's fused C++ steps."""
from .optimizer import Optimizer  # noqa: F401
from .sgd import SGD  # noqa: F401
from .adam import Adam, AdamW  # noqa: F401
from .misc import RMSprop, Adagrad, Adadelta  # noqa: F401
from .lookahead import Lookahead  # noqa: F401
from .lbfgs import LBFGS  # noqa: F401
from . import lr_scheduler  # noqa: F401
