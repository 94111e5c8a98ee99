#!/usr/bin/env python3
"""FizzBuzz as classification, the notes' FizBuzNet (the Python twin of examples/fizzbuzz.cpp):
10-bit binary inputs, Linear -> sigmoid -> Linear over four classes, cross-entropy, trained on
101..1023 and tested on 1..100.

    PYTHONPATH=build/release/python /usr/bin/python3 examples/python/fizzbuzz.py [--epochs 1000]
"""
import argparse

import ember as torch
import ember.nn as nn
# --- end of the import lines ---

DIGITS = 10


def encode(n):
    return [float((n >> d) & 1) for d in range(DIGITS)]


def label(n):
    return 3 if n % 15 == 0 else 2 if n % 5 == 0 else 1 if n % 3 == 0 else 0


class FizBuzNet(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super(FizBuzNet, self).__init__()
        self.hidden = nn.Linear(input_size, hidden_size)
        self.out = nn.Linear(hidden_size, output_size)

    def forward(self, batch):
        return self.out(torch.sigmoid(self.hidden(batch)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=1000)
    p.add_argument("--hidden", type=int, default=100)
    p.add_argument("--lr", type=float, default=0.02)
    p.add_argument("--batch-size", type=int, default=64)
    a = p.parse_args()
    torch.manual_seed(0)
    x = torch.tensor([encode(n) for n in range(101, 1024)])
    y = torch.tensor([label(n) for n in range(101, 1024)])
    net = FizBuzNet(DIGITS, a.hidden, 4)
    optimizer = torch.optim.Adam(net.parameters(), lr=a.lr)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(a.epochs):
        perm = torch.randperm(x.shape[0])
        for start in range(0, x.shape[0], a.batch_size):
            idx = perm[start:start + a.batch_size]
            optimizer.zero_grad()
            loss = loss_fn(net(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
        if (epoch + 1) % max(1, a.epochs // 5) == 0:
            print(f"epoch {epoch + 1}: loss {loss.item():.4f}")
    test = list(range(1, 101))
    with torch.no_grad():
        predicted = net(torch.tensor([encode(n) for n in test])).argmax(1).tolist()
    words = [str(n) if c == 0 else ["", "fizz", "buzz", "fizzbuzz"][c] for n, c in zip(test, predicted)]
    print(" ".join(words))
    correct = sum(int(c == label(n)) for n, c in zip(test, predicted))
    print(f"test accuracy on 1..100: {correct}%")


if __name__ == "__main__":
    main()
