"""NumPy backend vs PyTorch (CPU) and scikit-learn's MLPClassifier.

    python benchmarks/bench_numpy.py [--repeats 3] [--accuracy] [--sizes 1250,256]

Seconds per epoch of full MNIST for 784-H-10 (ReLU, softmax cross-entropy,
SGD with momentum 0.9, batch 128), float32 and float64, each framework timed
on the same data in the same run, interleaved; and, as the floor under them
all, the epoch's two big matrix products alone.  tinynet is timed twice,
from the byte-backed Images that load_mnist returns and from an ndarray of
the model's dtype.  The first epoch of each framework is a warm-up (fresh
arrays page-fault) and is reported separately; the ratios are per round.
``--accuracy`` also trains each for 10 epochs and reports test accuracy.
Needs ``pip install torch==2.13.0 scikit-learn``; a missing reference is
skipped.
"""

import argparse
import os

from common import (interleaved, load_mnist_or_exit, machine, report, round_ratios, spread,
                    table, threads, verdict)

import numpy as np

from tinynet import DNN

LR, MOMENTUM, BATCH = 0.05, 0.9, 128


def tinynet_runner(X, y, hidden, dtype):
    model = DNN([784, hidden, 10], optimizer="momentum", learning_rate=LR, momentum=MOMENTUM,
                seed=0, backend="numpy", dtype=dtype)
    return lambda: model.fit(X, y, epochs=1, batch_size=BATCH), model


def torch_runner(Xf, y, hidden, dtype):
    import torch

    torch.set_num_threads(threads())
    torch.manual_seed(0)
    tdtype = torch.float32 if dtype == "float32" else torch.float64
    data = torch.from_numpy(Xf).to(tdtype)
    target = torch.from_numpy(np.asarray(y, dtype=np.int64))
    model = torch.nn.Sequential(torch.nn.Linear(784, hidden), torch.nn.ReLU(),
                                torch.nn.Linear(hidden, 10)).to(tdtype)
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(0)

    def epoch():
        order = torch.randperm(len(data), generator=generator)
        for start in range(0, len(data), BATCH):
            index = order[start:start + BATCH]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(data[index]), target[index])
            loss.backward()
            opt.step()

    def accuracy(Xt, yt):
        with torch.no_grad():
            out = model(torch.from_numpy(Xt).to(tdtype))
        return float((out.argmax(1).numpy() == np.asarray(yt)).mean())

    return epoch, accuracy


def sklearn_runner(Xf, y, hidden, dtype):
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(hidden_layer_sizes=(hidden,), solver="sgd", learning_rate_init=LR,
                          momentum=MOMENTUM, nesterovs_momentum=False, batch_size=BATCH, alpha=0.0,
                          max_iter=1, random_state=0)
    classes = np.arange(10)
    data = Xf.astype(dtype)
    labels = np.asarray(y)
    return lambda: model.partial_fit(data, labels, classes=classes), model


def gemms_runner(n, hidden, dtype):
    """The two big matrix products of an epoch alone, on dense random data:
    ``A @ W1`` forward and ``A.T @ D`` for W1's gradient, one pair per batch.
    Every framework above does at least these; the issue's reference figures
    for them (1.07 s float32, 2.3 s float64 at 784-1250-10) show how this
    machine compares with the one the targets were set on."""
    rng = np.random.default_rng(0)
    a, w, d = (rng.random(shape).astype(dtype)
               for shape in ((BATCH, 784), (784, hidden), (BATCH, hidden)))
    batches = -(-n // BATCH)

    def epoch():
        for _ in range(batches):
            a @ w
            a.T @ d
    return epoch


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds (at least 3)")
    parser.add_argument("--sizes", default="1250,256")
    parser.add_argument("--dtypes", default="float32,float64")
    parser.add_argument("--accuracy", action="store_true", help="also 10 epochs to test accuracy")
    parser.add_argument("--images", type=int, default=60000,
                        help="training images per epoch (fewer: shorter rounds, same ratios)")
    args = parser.parse_args()
    (X, y), (Xt, yt) = load_mnist_or_exit()
    X, y = X[:args.images], y[:args.images]
    Xf = np.frombuffer(bytes(X.pixels), np.uint8).reshape(-1, 784) / 255.0
    Xtf = np.frombuffer(bytes(Xt.pixels), np.uint8).reshape(-1, 784) / 255.0
    rows, ratio_rows, accuracy_rows = [], [], []
    for hidden in [int(h) for h in args.sizes.split(",")]:
        network = "784-%d-10" % hidden
        for dtype in args.dtypes.split(","):
            runs, models = {}, {}
            ours = {"Images": "tinynet, Images", "ndarray": "tinynet, %s ndarray" % dtype}
            runs[ours["Images"]], models[ours["Images"]] = tinynet_runner(X, y, hidden, dtype)
            runs[ours["ndarray"]], models[ours["ndarray"]] = tinynet_runner(
                Xf.astype(dtype), y, hidden, dtype)
            try:
                runs["pytorch"], models["pytorch"] = torch_runner(Xf, y, hidden, dtype)
            except ImportError:
                pass
            if dtype == "float64":  # scikit-learn computes in float64
                try:
                    runs["sklearn"], models["sklearn"] = sklearn_runner(Xf, y, hidden, dtype)
                except ImportError:
                    pass
            runs["2 GEMMs alone"] = gemms_runner(len(X), hidden, dtype)
            warm = interleaved(runs, 1)
            times = interleaved(runs, args.repeats)
            for name in runs:
                rows.append([network, dtype, name, "%.2f" % warm[name][0], spread(times[name])])
            for kind, ours_name in ours.items():
                for name in runs:
                    if name in ours.values():
                        continue
                    ratios = round_ratios(times, ours_name, name)
                    ratio_rows.append([network, dtype, kind, name, spread(ratios),
                                       "(the floor)" if name == "2 GEMMs alone" else verdict(ratios)])
            if args.accuracy:
                for _ in range(9 - args.repeats):
                    for name, run in runs.items():
                        if name in models:
                            run()
                for name in ours.values():
                    accuracy_rows.append([network, dtype, name, "%.2f%%" % (
                        100 * models[name].evaluate(Xt, yt)["accuracy"])])
                if "pytorch" in models:
                    accuracy_rows.append([network, dtype, "pytorch", "%.2f%%" % (
                        100 * models["pytorch"](Xtf, yt))])
                if "sklearn" in models:
                    accuracy_rows.append([network, dtype, "sklearn", "%.2f%%" % (
                        100 * models["sklearn"].score(Xtf, yt))])
    lines = machine() + [
        "", "seconds per epoch of %d MNIST images%s, batch %d, SGD momentum %.1f, lr %g; "
        "a warm-up epoch, then %d rounds, each framework one epoch per round in turn; tinynet "
        "trained from its byte-backed Images (as load_mnist gives) and from an ndarray of the "
        "model's dtype (as a NumPy user has); PyTorch with %d threads"
        % (len(X), " (all of them)" if len(X) == 60000 else "", BATCH, MOMENTUM, LR, args.repeats,
           threads()), "",
        table(["network", "dtype", "framework", "first epoch s", "epoch s, median (range)"], rows),
        "", "tinynet's time / the other's, round by round: median (lowest-highest); \"faster\" "
        "only if every round was below 1", "",
        table(["network", "dtype", "tinynet input", "against", "time ratio", "verdict"],
              ratio_rows)]
    if accuracy_rows:
        lines += ["", "test accuracy after 10 epochs of %d images" % len(X), "",
                  table(["network", "dtype", "framework", "test accuracy"], accuracy_rows)]
    report("NumPy backend vs PyTorch and scikit-learn", lines)


if __name__ == "__main__":
    main()
