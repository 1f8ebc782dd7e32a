"""The tutorial's loop: 30,000 single-sample train calls on DNN([784, 1250, 10]).

    python benchmarks/bench_tutorial.py [--samples 30000] [--chunk 3000]

tinynet with its defaults against the tutorial's own algorithm written
directly in NumPy (sigmoid layers, squared error, one outer-product update
per sample), and against PyTorch's per-sample loop for tinynet's defaults,
on the same samples.  They take turns every ``--chunk`` samples, so all see
the same machine state; reported: total time, the ratio of each round
(median and range), and test accuracy on the 10,000 test images.
"""

import argparse
import os

from common import load_mnist_or_exit, machine, report, spread, table, threads, timed, verdict

import numpy as np

from tinynet import DNN


class TutorialNet:
    """The tutorial's algorithm: column vectors, sigmoid everywhere, squared
    error, learning rate 0.1, weights ~ N(0, 1/n_in)."""

    def __init__(self, sizes, lr=0.1, seed=0):
        rng = np.random.default_rng(seed)
        self.w = [rng.normal(0, n_in ** -0.5, (n_out, n_in)) for n_in, n_out in zip(sizes, sizes[1:])]
        self.lr = lr

    @staticmethod
    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    def train(self, x, y):
        a = [np.asarray(x, dtype=float).reshape(-1, 1)]
        for w in self.w:
            a.append(self.sigmoid(w @ a[-1]))
        error = np.asarray(y, dtype=float).reshape(-1, 1) - a[-1]
        for i in reversed(range(len(self.w))):
            delta = error * a[i + 1] * (1.0 - a[i + 1])
            error = self.w[i].T @ error
            self.w[i] += self.lr * (delta @ a[i].T)

    def predict(self, x):
        a = np.asarray(x, dtype=float).reshape(-1, 1)
        for w in self.w:
            a = self.sigmoid(w @ a)
        return a.ravel()


class TorchNet:
    """PyTorch's own per-sample loop for tinynet's defaults: ReLU, softmax
    cross-entropy, plain SGD at 0.02, one optimizer step per sample, each
    sample arriving as a list of floats (as in the tutorial)."""

    def __init__(self, sizes, lr=0.02, seed=0):
        import torch

        torch.manual_seed(seed)
        torch.set_num_threads(threads())
        self.torch = torch
        layers = []
        for n_in, n_out in zip(sizes, sizes[1:]):
            layers += [torch.nn.Linear(n_in, n_out, dtype=torch.float64), torch.nn.ReLU()]
        self.model = torch.nn.Sequential(*layers[:-1])
        self.opt = torch.optim.SGD(self.model.parameters(), lr=lr)
        self.loss = torch.nn.CrossEntropyLoss()

    def train(self, x, y):
        torch = self.torch
        target = torch.tensor([y.index(1.0)])
        self.opt.zero_grad(set_to_none=True)
        self.loss(self.model(torch.tensor([x], dtype=torch.float64)), target).backward()
        self.opt.step()

    def accuracy(self, Xt, yt):
        torch = self.torch
        with torch.no_grad():
            out = self.model(torch.from_numpy(Xt))
        return float((out.argmax(1).numpy() == np.asarray(yt)).mean())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=30000)
    parser.add_argument("--chunk", type=int, default=3000)
    parser.add_argument("--learning-rate", type=float, default=None,
                        help="tinynet's learning rate (default: its default, 0.02)")
    args = parser.parse_args()
    (X, labels), (Xt, yt) = load_mnist_or_exit()
    xs = [X[i] for i in range(args.samples)]  # the tutorial's lists of floats
    targets = []
    for label in labels[:args.samples]:
        t = [0.0] * 10
        t[label] = 1.0
        targets.append(t)
    nets = {"tinynet": DNN([784, 1250, 10], learning_rate=args.learning_rate, seed=0,
                           backend="numpy"),
            "tutorial": TutorialNet([784, 1250, 10])}
    try:
        nets["pytorch"] = TorchNet([784, 1250, 10])
    except ImportError:
        pass
    spent = {name: [] for name in nets}
    for start in range(0, args.samples, args.chunk):
        part = range(start, min(start + args.chunk, args.samples))
        for name, net in nets.items():
            spent[name].append(timed(lambda: [net.train(xs[i], targets[i]) for i in part])[0])
    Xtf = np.frombuffer(bytes(Xt.pixels), np.uint8).reshape(-1, 784) / 255.0
    accuracy = {"tinynet": nets["tinynet"].evaluate(Xt, yt)["accuracy"],
                "tutorial": float(np.mean([nets["tutorial"].predict(x).argmax() == t
                                           for x, t in zip(Xtf, yt)]))}
    if "pytorch" in nets:
        accuracy["pytorch"] = nets["pytorch"].accuracy(Xtf, yt)
    rows = []
    for name in nets:
        ratios = [a / b for a, b in zip(spent["tinynet"], spent[name])]
        rows.append([name, "%.1f" % sum(spent[name]), "%.0f" % (1e6 * sum(spent[name]) / args.samples),
                     "%.2f%%" % (100 * accuracy[name]),
                     "" if name == "tinynet" else spread(ratios),
                     "" if name == "tinynet" else verdict(ratios)])
    lines = machine() + ["", "%d single-sample train calls on [784, 1250, 10], in %d rounds of %d "
                         "samples, each implementation in turn; tinynet with its defaults "
                         "(learning rate %g); the ratio is tinynet's time / the other's, round by "
                         "round: median (lowest-highest)"
                         % (args.samples, len(spent["tinynet"]), args.chunk,
                            nets["tinynet"].learning_rate), "",
                         table(["implementation", "seconds", "us per call", "test accuracy",
                                "tinynet / it", "verdict"], rows)]
    report("The tutorial's loop", lines)


if __name__ == "__main__":
    main()
