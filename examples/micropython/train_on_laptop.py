"""Step 1 of 2, on a laptop (CPython, NumPy if you have it): train and export.

    python examples/micropython/train_on_laptop.py [--out board] [--epochs N]

Trains a 784-32-10 digit classifier (small enough for a microcontroller's
memory), saves it as JSON, writes a few test digits, and copies the part of
tinynet that MicroPython runs, so that OUT holds everything the board needs:

    OUT/model.json       the trained model (plain JSON)
    OUT/digits.bin       test digits, 784 bytes each, and digits.txt their labels
    OUT/lib/tinynet/     the pure-Python package (no NumPy, no csv, no pickle)

Copy OUT to the board (for example ``mpremote cp -r board/* :``) and run
predict_on_board.py there.
"""

import argparse
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))

from tinynet import DNN, datasets  # noqa: E402
from tinynet.cli.board import PACKAGE, core_files  # noqa: E402

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="board")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--digits", type=int, default=100)
    args = parser.parse_args()

    X, y = datasets.load_sample("train")
    X_test, y_test = datasets.load_sample("test")
    model = DNN([784, 32, 10], optimizer="momentum", learning_rate=0.05, seed=0)
    model.fit(X, y, epochs=args.epochs, batch_size=32)
    print("test accuracy on the laptop: %.2f%%" % (100 * model.evaluate(X_test, y_test)["accuracy"]))

    os.makedirs(args.out, exist_ok=True)
    model.save(os.path.join(args.out, "model.json"), optimizer_state=False)
    with open(os.path.join(args.out, "digits.bin"), "wb") as f:
        f.write(bytes(X_test.pixels[:784 * args.digits]))
    with open(os.path.join(args.out, "digits.txt"), "w") as f:
        f.write(" ".join(map(str, y_test[:args.digits])))
    total = 0
    board_files = core_files()
    for name in board_files:
        target = os.path.join(args.out, "lib", "tinynet", name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(PACKAGE, name), target)
        total += os.path.getsize(target)
    model_size = os.path.getsize(os.path.join(args.out, "model.json"))
    print("wrote %s: lib/tinynet/ (%d files, %d bytes) and model.json (%d bytes)"
          % (args.out, len(board_files), total, model_size))


if __name__ == "__main__":
    main()
