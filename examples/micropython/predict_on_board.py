"""Step 2 of 2, on the board (MicroPython; CPython works too): load and predict.

    micropython predict_on_board.py        (from the folder train_on_laptop.py wrote)

Loads model.json with the pure-Python backend, classifies the digits in
digits.bin and reports the accuracy and the time per digit.
"""

import sys
import time

sys.path.insert(0, "lib")

import tinynet  # noqa: E402


def ms():
    if hasattr(time, "ticks_ms"):  # MicroPython
        return time.ticks_ms()
    return int(time.time() * 1000)


start = ms()
model = tinynet.load("model.json", backend="python")
print("loaded %s in %d ms" % (model, ms() - start))

with open("digits.bin", "rb") as f:
    pixels = f.read()
with open("digits.txt") as f:
    labels = [int(v) for v in f.read().split()]

correct = 0
start = ms()
for i, label in enumerate(labels):
    x = [p / 255.0 for p in pixels[i * 784:(i + 1) * 784]]
    correct += model.classify(x) == label
elapsed = ms() - start
print("%d of %d right (%.1f%%), %.1f ms per digit"
      % (correct, len(labels), 100.0 * correct / len(labels), elapsed / len(labels)))
try:
    import gc

    gc.collect()
    print("heap in use: %d bytes" % gc.mem_alloc())
except (ImportError, AttributeError):
    pass
