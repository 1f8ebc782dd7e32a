"""From PyTorch to a microcontroller: a network trained in PyTorch, run by tinynet on a board.

    pip install torch safetensors      (tinynet itself needs neither)
    python examples/from_pytorch.py --out board

1. PyTorch trains nn.Sequential(Linear(784, 32), ReLU(), Linear(32, 10)) on the
   MNIST sample bundled with tinynet (pixels scaled to [0, 1], as tinynet does);
2. its state_dict is saved as safetensors, the file PyTorch users share
   (never as a .pt pickle: loading one can run code);
3. tinynet imports it (``interop.load``): a state_dict records no activations,
   so they are given, with softmax turning PyTorch's logits into probabilities;
4. both classify the test digits, and the classes are compared;
5. ``python -m tinynet board`` writes what a MicroPython board needs into
   ``--out``: copy it over (``mpremote cp -r board/* :``) and, there,
   ``tinynet.load("digits-float32.tnb").classify(x)``.
"""

import argparse
import os
import sys

import numpy as np
import torch
from safetensors.torch import save_file
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from tinynet import datasets, interop  # noqa: E402
from tinynet.cli import main as tinynet_command  # noqa: E402


def as_arrays(split, limit):
    """The bundled sample's images as float32 rows in [0, 1], and labels."""
    images, labels = datasets.load_sample(split)
    n = min(limit, len(images))
    pixels = np.frombuffer(bytes(images.pixels), np.uint8)[:n * 784].reshape(n, 784)
    return (pixels / np.float32(255)).astype(np.float32), np.array(labels[:n])


def train(X, y, hidden, epochs, seed):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.003)
    data, targets = torch.from_numpy(X), torch.from_numpy(y)
    for epoch in range(epochs):
        order, total = torch.randperm(len(data)), 0.0
        for start in range(0, len(data), 64):
            batch = order[start:start + 64]
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(data[batch]), targets[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        print("PyTorch epoch %d/%d  loss %.4f" % (epoch + 1, epochs, total / len(data)))
    return model.eval()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="board", help="the board folder to write (%(default)s)")
    parser.add_argument("--train", type=int, default=5000, help="training images (%(default)s)")
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    X, y = as_arrays("train", args.train)
    Xt, yt = as_arrays("test", 1000)
    model = train(X, y, args.hidden, args.epochs, args.seed)

    os.makedirs(args.out, exist_ok=True)
    weights = os.path.join(args.out, "digits.safetensors")
    save_file(model.state_dict(), weights)
    print("PyTorch saved its state_dict to %s" % weights)

    net = interop.load(weights, activation="relu", output="softmax")
    print("tinynet imported it: %r" % net)

    with torch.no_grad():
        torch_classes = model(torch.from_numpy(Xt)).argmax(dim=1).numpy()
    tinynet_classes = np.array(net.classify(Xt.astype(np.float64)))
    print("test accuracy: PyTorch %.1f%%, tinynet %.1f%%" % (
        100 * np.mean(torch_classes == yt), 100 * np.mean(tinynet_classes == yt)))
    print("same class for %d of %d test digits" % (
        np.sum(torch_classes == tinynet_classes), len(yt)))

    saved = os.path.join(args.out, "digits.pkl")
    net.save(saved)
    print("\npython -m tinynet board %s %s" % (saved, args.out))
    return tinynet_command(["board", saved, args.out])


if __name__ == "__main__":
    sys.exit(main())
