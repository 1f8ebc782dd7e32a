"""The classic tutorial, on tinynet: MNIST from CSV, one sample at a time.

    python examples/tutorial.py [mnist_train.csv mnist_test.csv] [--limit N]

The tutorial this library grew out of reads the Kaggle "MNIST in CSV" files,
builds DNN([784, 1250, 10]), calls model.train(x, y) once per training image
and counts how often model.predict(x) is right on the test file.  It reached
93.5% after about 10 minutes; tinynet's defaults reach about 95.7% on the
first 30,000 images, several times faster.

Without CSV files this writes the bundled sample out as CSV first, so it runs
anywhere (and shows that the CSV files are read the tutorial's way).
"""

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from tinynet import DNN, datasets  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="*", help="mnist_train.csv mnist_test.csv")
    parser.add_argument("--limit", type=int, default=30000, help="training images (30000)")
    parser.add_argument("--hidden", type=int, default=1250, help="hidden units (1250)")
    parser.add_argument("--backend", default=None, help="numpy or python")
    args = parser.parse_args()

    if args.csv:
        train_csv, test_csv = args.csv
    else:  # write the bundled sample as the Kaggle CSV files
        folder = tempfile.mkdtemp()
        train_csv, test_csv = (os.path.join(folder, "mnist_%s.csv" % s) for s in ("train", "test"))
        for split, path in (("train", train_csv), ("test", test_csv)):
            datasets.save_csv(path, *datasets.load_sample(split))
        print("no CSV files given: using the bundled sample, written to", folder)

    X, labels = datasets.load_csv(train_csv, limit=args.limit)
    X_test, labels_test = datasets.load_csv(test_csv)

    model = DNN([784, args.hidden, 10], seed=0, backend=args.backend)
    print(model)
    start = time.time()
    for i in range(len(X)):
        target = [0.0] * 10          # the tutorial's one-hot target
        target[labels[i]] = 1.0
        err = model.train(X[i], target)   # one gradient step, returns the loss
        if (i + 1) % 5000 == 0:
            print("%6d images  loss %.4f  %.0fs" % (i + 1, err, time.time() - start))
    print("trained on %d images in %.1fs" % (len(X), time.time() - start))

    correct = 0
    for x, label in zip(X_test, labels_test):
        out = model.predict(x)                                # the 10 outputs
        guess = max(range(len(out)), key=lambda k: out[k])    # or np.argmax(out)
        correct += guess == label
    print("test accuracy: %.2f%% (%d of %d)" % (100 * correct / len(X_test), correct, len(X_test)))


if __name__ == "__main__":
    main()
