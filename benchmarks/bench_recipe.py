"""The README's MNIST recipes: test accuracy after 10 epochs.

    python benchmarks/bench_recipe.py [--dtype float64]

Both train with momentum SGD (learning rate 0.1, momentum 0.9), L2 weight
decay 2e-4, batch 128, the learning rate annealed to 0 along a cosine over
10 epochs, seed 0:

- the tutorial's [784, 1250, 10], which ``python -m tinynet mnist`` trains;
- [784, 1024, 512, 10], the configuration for the best accuracy in 10 epochs.
"""

import argparse

from common import load_mnist_or_exit, machine, report, table

from tinynet import DNN

NETWORKS = ([784, 1250, 10], [784, 1024, 512, 10])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", default="float64")
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    (X, y), (Xt, yt) = load_mnist_or_exit()
    rows, final = [], []
    for sizes in NETWORKS:
        model = DNN(sizes, optimizer="momentum", learning_rate=0.1, l2=2e-4, seed=0,
                    backend="numpy", dtype=args.dtype)
        history = model.fit(X, y, epochs=args.epochs, batch_size=128, validation_data=(Xt, yt),
                            schedule="cosine")
        name = "-".join(map(str, sizes))
        final.append("%s %.2f%%" % (name, 100 * history[-1]["val_accuracy"]))
        rows += [[name, h["epoch"], "%.1f" % h["seconds"], "%.2f%%" % (100 * h["accuracy"]),
                  "%.2f%%" % (100 * h["val_accuracy"])] for h in history]
    lines = machine() + ["", "%s, momentum SGD lr 0.1, l2 2e-4, batch 128, cosine annealing over "
                         "%d epochs, seed 0" % (args.dtype, args.epochs), "",
                         table(["network", "epoch", "seconds (incl. test)", "train accuracy",
                                "test accuracy"], rows)]
    report("The MNIST recipes: %s after %d epochs" % (", ".join(final), args.epochs), lines)


if __name__ == "__main__":
    main()
