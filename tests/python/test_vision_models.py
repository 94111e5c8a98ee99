"""ember.vision.models against torchvision 0.14.1: the same module tree (repr, state_dict
keys and shapes), the same initial weights after the same seed, and, with torchvision's
weights loaded through load_state_dict, the same logits and gradients."""
import numpy as np
import pytest
import torch
import torchvision.models as tv_models

import ember
import ember.vision.models as models

from helpers import assert_same

# (name, input height/width): inputs small enough to keep the suite short.
MODELS = [("resnet18", 64), ("resnet34", 64), ("resnet50", 64), ("mobilenet_v2", 64), ("squeezenet1_1", 64),
          ("squeezenet1_0", 64), ("alexnet", 64), ("vgg11", 32)]
# Deep batch-normalised models train-step in float64: batch statistics over a batch of two
# are badly conditioned, and float32 rounding differences grow to percents in the first
# layers' gradients, while float64 shows the computations are the same. The others (and
# VGG's 4096-wide classifier, 0.8 GB in float64) compare in float32.
FLOAT64_STEP = {"resnet18", "resnet34", "resnet50", "mobilenet_v2"}


def _to_ember(state_dict):
    return {k: ember.tensor(v.numpy()) for k, v in state_dict.items()}


@pytest.mark.parametrize("name,size", MODELS)
def test_module_tree_and_initial_weights_match_torchvision(name, size):
    ember.manual_seed(0)
    torch.manual_seed(0)
    e = getattr(models, name)(num_classes=10)
    t = getattr(tv_models, name)(num_classes=10)
    assert repr(e) == repr(t)
    es, ts = e.state_dict(), t.state_dict()
    assert list(es) == list(ts)
    for k in es:
        assert_same(ts[k], es[k], 0, 0, k)


@pytest.mark.parametrize("name,size", MODELS)
def test_logits_and_gradients_match_with_torchvisions_weights(name, size):
    torch.manual_seed(1)
    t = getattr(tv_models, name)(num_classes=10)
    e = getattr(models, name)(num_classes=10)
    e.load_state_dict(_to_ember(t.state_dict()))
    x = np.random.default_rng(0).standard_normal((2, 3, size, size)).astype("float32")
    y = np.array([3, 7])
    t.eval()
    e.eval()
    with torch.no_grad():
        expected = t(torch.tensor(x))
    with ember.no_grad():
        got = e(ember.tensor(x))
    assert_same(expected, got, 1e-4, 1e-4, "eval logits")
    # One training-mode step (dropout off so both compute the same function).
    t.train()
    e.train()
    tol = (2e-4, 2e-3, 1e-5)
    if name in FLOAT64_STEP:
        t.double()
        e.double()
        x = x.astype("float64")
        tol = (1e-9, 1e-7, 1e-12)
    for m in list(t.modules()) + list(e.modules()):
        if type(m).__name__ == "Dropout":
            m.p = 0.0
    torch.nn.functional.cross_entropy(t(torch.tensor(x)), torch.tensor(y)).backward()
    ember.nn.functional.cross_entropy(e(ember.tensor(x)), ember.tensor(y)).backward()
    for (k, tp), ep in zip(t.named_parameters(), e.parameters()):
        assert_same(tp.grad, ep.grad, tol[0], tol[1], f"grad of {k}")
    for k, v in t.state_dict().items():
        if "running" in k:
            assert_same(v, e.state_dict()[k], tol[2], tol[2], k)


def test_vgg_layouts_match_torchvision():
    from ember.vision.models.vgg import cfgs, make_layers
    from torchvision.models.vgg import cfgs as tv_cfgs, make_layers as tv_make_layers
    assert cfgs == tv_cfgs
    for cfg in "ABDE":
        for bn in (False, True):
            assert repr(make_layers(cfgs[cfg], bn)) == repr(tv_make_layers(tv_cfgs[cfg], bn))


def test_transfer_learning_recipe():
    """Freeze everything, replace the head: only the new head trains."""
    ember.manual_seed(0)
    model = models.resnet18(num_classes=5)
    for p in model.parameters():
        p.requires_grad = False
    model.fc = ember.nn.Linear(model.fc.in_features, 3)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable == ["fc.weight", "fc.bias"]
    before = {k: v.clone() for k, v in model.state_dict().items()}
    opt = ember.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    model.train()
    loss = ember.nn.functional.cross_entropy(model(ember.randn(4, 3, 32, 32)), ember.tensor([0, 1, 2, 0]))
    loss.backward()
    opt.step()
    after = model.state_dict()
    for k in before:
        if k.startswith("fc."):
            assert not ember.equal(before[k], after[k]), k
        elif "running" not in k and "num_batches" not in k:
            assert ember.equal(before[k], after[k]), k


def test_pretrained_weights_are_a_clear_error():
    for call in (lambda: models.resnet18(weights="IMAGENET1K_V1"), lambda: models.resnet18(pretrained=True)):
        with pytest.raises(RuntimeError, match="cannot download pretrained weights.*load_state_dict"):
            call()
