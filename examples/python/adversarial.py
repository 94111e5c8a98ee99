#!/usr/bin/env python3
"""Adversarial examples from the notes (the Python twin of examples/adversarial.cpp):
gradients tell us not only how to change the weights but also how the loss changes with the
*input*. The fast gradient sign method (FGSM) adds a small perturbation in the direction
that increases the loss, x_adv = clamp(x + eps * sign(dL/dx), 0, 1), which changes each
pixel by at most eps yet flips many predictions. A small classifier is trained on a subset
of Fashion-MNIST, then attacked on test images.

    PYTHONPATH=build/release/python /usr/bin/python3 examples/python/adversarial.py \\
        [--train 10000] [--test 1000] [--epochs 3] [--data DIR]
"""
import argparse

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, TensorDataset
from ember.vision import datasets
# --- end of the import lines ---


def predict(model, image):
    with torch.no_grad():
        p = F.softmax(model(image.unsqueeze(0)), dim=1)[0]
    label = p.argmax().item()
    return label, p[label].item()


def fgsm(model, images, labels, eps):
    """The gradient of the loss with respect to the images, not the weights."""
    x = images.detach().requires_grad_()
    loss = F.cross_entropy(model(x), labels)
    (grad,) = torch.autograd.grad(loss, x)  # leaves the weights' .grad untouched
    return (x.detach() + eps * grad.sign()).clamp(0, 1)


def accuracy(model, images, labels):
    with torch.no_grad():
        return (model(images).argmax(1) == labels).float().mean().item()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--train", type=int, default=10000)
    p.add_argument("--test", type=int, default=1000)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = p.parse_args()
    torch.manual_seed(0)

    train_set = datasets.FashionMNIST(args.data, train=True)
    test_set = datasets.FashionMNIST(args.data, train=False)
    classes = train_set.classes
    # Images as float [N, 1, 28, 28] in [0, 1], as ToTensor makes them.
    train_x = train_set.data[:args.train].unsqueeze(1).float() / 255
    train_y = train_set.targets[:args.train]
    test_x = test_set.data[:args.test].unsqueeze(1).float() / 255
    test_y = test_set.targets[:args.test]

    model = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=64, shuffle=True)
    for epoch in range(1, args.epochs + 1):
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: test accuracy {accuracy(model, test_x, test_y):.3f}")

    # One correctly classified image, attacked with growing eps until the prediction flips.
    index = 0
    while index < args.test - 1 and predict(model, test_x[index])[0] != test_y[index].item():
        index += 1
    image, label = test_x[index], test_y[index:index + 1]
    clean_label, clean_confidence = predict(model, image)
    print(f"\ntest image {index}, a {classes[label.item()]}: predicted {classes[clean_label]} "
          f"with confidence {clean_confidence:.3f}")
    for eps in (0.01, 0.02, 0.05, 0.1):
        adv = fgsm(model, image.unsqueeze(0), label, eps)[0]
        adv_label, adv_confidence = predict(model, adv)
        change = (adv - image).abs().max().item()
        flipped = "  <- prediction flipped" if adv_label != clean_label else ""
        print(f"  eps {eps:.2f} (max pixel change {change:.3f}): predicted {classes[adv_label]} "
              f"with confidence {adv_confidence:.3f}{flipped}")

    # The whole test subset.
    print(f"\naccuracy on {args.test} test images")
    print(f"  clean: {accuracy(model, test_x, test_y):.3f}")
    for eps in (0.01, 0.02, 0.05, 0.1):
        print(f"  FGSM eps {eps:.2f}: {accuracy(model, fgsm(model, test_x, test_y, eps), test_y):.3f}")


if __name__ == "__main__":
    main()
