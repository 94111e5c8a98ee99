"""torchvision's `weights=` / legacy `pretrained=` arguments. ember never downloads: a
pretrained model is a local checkpoint loaded with `model.load_state_dict(ember.load(path))`
(a torchvision `.pth` file works), so asking for weights by name is a clear error."""


def _no_weights(name, weights=None, pretrained=False):
    if pretrained or weights is not None:
        asked = f"weights={weights!r}" if weights is not None else "pretrained=True"
        raise RuntimeError(
            f"{name}({asked}): ember cannot download pretrained weights. Build the model with weights=None and "
            f"load a local checkpoint: model.load_state_dict(ember.load('{name}.pth')) (torchvision's .pth files "
            "load as they are).")


def _pop_legacy(name, weights, kwargs):
    _no_weights(name, weights, kwargs.pop("pretrained", False))
    kwargs.pop("progress", None)
    return kwargs
