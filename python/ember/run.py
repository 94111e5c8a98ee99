"""python3 -m ember.run script.py [args]: run an unmodified PyTorch script on ember.

Inside this process only, `import torch` and `import torch.nn as nn` (any torch.X) resolve
to ember's modules, and `import torchvision` (any torchvision.X) to ember.vision's. It is opt-in: nothing else changes what `import torch` means, so the
real PyTorch stays importable everywhere else. A module ember lacks fails with
ModuleNotFoundError naming it, an attribute ember lacks with AttributeError naming it; never
a silent fallback to the real torch."""
import importlib
import importlib.abc
import importlib.machinery
import runpy
import sys


# The top-level names that resolve to ember's packages under ember.run.
_ALIASES = {"torch": "ember", "torchvision": "ember.vision"}


def _alias_of(fullname):
    top = fullname.split(".", 1)[0]
    return _ALIASES.get(top)


class _TorchToEmber(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path, target=None):
        alias = _alias_of(fullname)
        if alias is None:
            return None
        target_name = alias + fullname[len(fullname.split(".", 1)[0]):]
        try:
            module = importlib.import_module(target_name)
        except ModuleNotFoundError:
            raise ModuleNotFoundError(f"No module named '{fullname}': ember has no '{target_name}' "
                                      "(running under ember.run)", name=fullname) from None
        spec = importlib.machinery.ModuleSpec(fullname, self)
        spec.ember_module = module
        return spec

    def create_module(self, spec):
        self._saved_spec = spec.ember_module.__spec__
        return spec.ember_module

    def exec_module(self, module):
        # The import system stamped the torch name's spec on ember's module: put its own back.
        module.__spec__ = self._saved_spec


def install():
    """Makes torch.* resolve to ember.* in this process."""
    if not any(isinstance(f, _TorchToEmber) for f in sys.meta_path):
        for name in [n for n in sys.modules if _alias_of(n) is not None]:
            del sys.modules[name]
        sys.meta_path.insert(0, _TorchToEmber())


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    install()
    script = argv[0]
    sys.argv = argv
    if script == "-m":
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
