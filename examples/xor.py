"""XOR, the smallest problem a network needs a hidden layer for.

    python examples/xor.py [--backend python]
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from tinynet import DNN  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--backend", default=None)
parser.add_argument("--epochs", type=int, default=500)
args = parser.parse_args()

X = [[0, 0], [0, 1], [1, 0], [1, 1]]
y = [0, 1, 1, 0]

model = DNN([2, 8, 2], activation="tanh", learning_rate=0.5, seed=3, backend=args.backend)
history = model.fit(X, y, epochs=args.epochs, batch_size=4)
print("loss %.4f after %d epoch%s" % (history[-1]["loss"], len(history),
                                     "" if len(history) == 1 else "s"))
for x in X:
    print("%s -> %d   (probabilities %s)" % (x, model.classify(x),
                                             ", ".join("%.3f" % p for p in model.predict(x))))
