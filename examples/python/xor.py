#!/usr/bin/env python3
"""The continuous XOR task from the notes (the Python twin of examples/xor.cpp):
SimpleClassifier = Linear(2, 4) -> Tanh -> Linear(4, 1), BCEWithLogitsLoss, SGD lr 0.1,
batches of 128 from a shuffled DataLoader over XORDataset(2500), tested on fresh data.

    PYTHONPATH=build/release/python /usr/bin/python3 examples/python/xor.py [--epochs 100]
"""
import argparse

import ember as torch
import ember.nn as nn
import ember.utils.data as data
# --- end of the import lines ---
from tqdm import tqdm


class XORDataset(data.Dataset):
    def __init__(self, size, std=0.1):
        super().__init__()
        self.size = size
        self.data = torch.randint(low=0, high=2, size=(size, 2), dtype=torch.float32)
        self.labels = (self.data.sum(dim=1) == 1).int()
        self.data += std * torch.randn(self.data.shape)

    def __len__(self):
        return self.size

    def __getitem__(self, idx):
        return self.data[idx], self.labels[idx]


class SimpleClassifier(nn.Module):
    def __init__(self, num_inputs, num_hidden, num_outputs):
        super().__init__()
        self.linear1 = nn.Linear(num_inputs, num_hidden)
        self.act_fn = nn.Tanh()
        self.linear2 = nn.Linear(num_hidden, num_outputs)

    def forward(self, x):
        return self.linear2(self.act_fn(self.linear1(x)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--train-size", type=int, default=2500)
    p.add_argument("--test-size", type=int, default=500)
    a = p.parse_args()
    torch.manual_seed(42)
    model = SimpleClassifier(2, 4, 1)
    print(model)
    for name, param in model.named_parameters():
        print(f"parameter {name}, shape {param.shape}")
    loader = data.DataLoader(XORDataset(a.train_size), batch_size=128, shuffle=True)
    loss_module = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    model.train()
    for epoch in tqdm(range(a.epochs), desc="training"):
        total, seen = 0.0, 0
        for inputs, labels in loader:
            preds = model(inputs).squeeze(dim=1)
            loss = loss_module(preds, labels.float())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * inputs.shape[0]
            seen += inputs.shape[0]
        if (epoch + 1) % 10 == 0 or epoch + 1 == a.epochs:
            print(f"\nepoch {epoch + 1}: loss {total / seen:.4f}")
    model.eval()
    test = XORDataset(a.test_size)
    correct = total = 0
    with torch.no_grad():
        for inputs, labels in data.DataLoader(test, batch_size=128):
            predicted = (model(inputs).squeeze(dim=1) > 0).int()
            correct += (predicted == labels).sum().item()
            total += labels.shape[0]
    print(f"accuracy of the model: {100.0 * correct / total:.2f}% ({correct} of {total})")


if __name__ == "__main__":
    main()
