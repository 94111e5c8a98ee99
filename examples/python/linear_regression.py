#!/usr/bin/env python3
"""Linear regression as a one-layer network (the Python twin of examples/linear_regression.cpp):
nn.Linear is the model, MSE the loss, SGD the update, shuffled mini-batches from a DataLoader
over a TensorDataset; the data are y = X w + b + noise, so the learned weights can be checked.

    PYTHONPATH=build/release/python /usr/bin/python3 examples/python/linear_regression.py [--epochs 20]
"""
import argparse

import ember as torch
import ember.nn as nn
from ember.utils.data import DataLoader, TensorDataset
# --- end of the import lines ---


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--lr", type=float, default=0.03)
    p.add_argument("--samples", type=int, default=1000)
    a = p.parse_args()
    torch.manual_seed(0)
    w_true = torch.tensor([[2.0], [-3.4]])
    b_true = 4.2
    X = torch.randn(a.samples, 2)
    y = X @ w_true + b_true + 0.01 * torch.randn(a.samples, 1)
    loader = DataLoader(TensorDataset(X, y), batch_size=10, shuffle=True)
    model = nn.Linear(2, 1)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=a.lr)
    for epoch in range(a.epochs):
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            print(f"epoch {epoch + 1}: loss {loss_fn(model(X), y).item():.6f}")
    print("learned weight", model.weight.data.view(-1).tolist(), "true", w_true.view(-1).tolist())
    print("learned bias", round(model.bias.item(), 4), "true", b_true)
    error = (model.weight.data.view(-1) - w_true.view(-1)).abs().max().item()
    print(f"largest weight error {error:.4f}")


if __name__ == "__main__":
    main()
