"""ember.nn (torch.nn): modules, functional, init, parameters. Module bookkeeping is
Python (as torch's is); every layer's forward is one call into ember's C++."""
from .parameter import Parameter, UninitializedParameter  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import Module  # noqa: F401
from . import functional, init, parallel, utils  # noqa: F401
