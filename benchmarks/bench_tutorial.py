"""The tutorial's loop: 30,000 single-sample train calls on DNN([784, 1250, 10]).

    python benchmarks/bench_tutorial.py [--samples 30000] [--chunk 3000]

tinynet with its defaults against the tutorial's own algorithm written
directly in NumPy (sigmoid layers, squared error, one outer-product update
per sample), on the same samples.  The two alternate every ``--chunk``
samples so both see the same machine state; reported: total time, the
ratio, and test accuracy on the 10,000 test images.
"""

import argparse

from common import load_mnist_or_exit, machine, report, table, timed

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
    ours = DNN([784, 1250, 10], learning_rate=args.learning_rate, seed=0, backend="numpy")
    theirs = TutorialNet([784, 1250, 10])
    spent = {"tinynet": 0.0, "tutorial": 0.0}
    for start in range(0, args.samples, args.chunk):
        part = range(start, min(start + args.chunk, args.samples))
        spent["tinynet"] += timed(lambda: [ours.train(xs[i], targets[i]) for i in part])[0]
        spent["tutorial"] += timed(lambda: [theirs.train(xs[i], targets[i]) for i in part])[0]
    Xtf = np.frombuffer(bytes(Xt.pixels), np.uint8).reshape(-1, 784) / 255.0
    accuracy = {"tinynet": ours.evaluate(Xt, yt)["accuracy"],
                "tutorial": float(np.mean([theirs.predict(x).argmax() == t for x, t in zip(Xtf, yt)]))}
    rows = [[name, "%.1f" % spent[name], "%.0f" % (1e6 * spent[name] / args.samples),
             "%.2f%%" % (100 * accuracy[name])] for name in spent]
    lines = machine() + ["", "%d single-sample train calls on [784, 1250, 10], alternating every %d; "
                         "tinynet (learning rate %g) / tutorial time = %.2f"
                         % (args.samples, args.chunk, ours.learning_rate,
                            spent["tinynet"] / spent["tutorial"]), "",
                         table(["implementation", "seconds", "us per call", "test accuracy"], rows)]
    report("The tutorial's loop", lines)


if __name__ == "__main__":
    main()
