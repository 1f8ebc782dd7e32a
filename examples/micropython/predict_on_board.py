"""Step 2 of 2, on the board (MicroPython; CPython works too): classify digits.

    micropython predict_on_board.py [MODEL [IMAGES [LABELS [COUNT [CLASSES]]]]]

Run it in the folder train_on_laptop.py wrote (defaults: the .tnb file there,
digits-images.idx, digits-labels.idx, every digit).  It loads the compact
model, then reads the IDX files one digit at a time into one reused buffer,
classifies each and reports the accuracy, the time per digit and the heap
it used: written to fit a microcontroller's heap, so nothing here grows
with the number of digits.  With CLASSES, it also writes each predicted
class there, one byte per digit; CLASSES ``-`` prints them instead, as one
line of digits 0-9 (for a board with no writable filesystem).
"""

import gc
import sys
import time

if sys.implementation.name == "micropython":
    sys.path.insert(0, "lib")
else:  # CPython, from the repository (lib/tinynet may hold .mpy files)
    sys.path.insert(0, __file__.rpartition("/")[0] + "/../..")
# Allocated before anything else, while the heap is still in one piece.
pixels = bytearray(784)
label = bytearray(1)
SCALE = 1 / 255  # raw pixels 0..255 to MNIST's inputs 0..1, inside classify


if hasattr(time, "ticks_us"):  # MicroPython: a counter that wraps around

    def now():
        return time.ticks_us()

    def ms_since(then):
        # ticks_diff, not a subtraction: on a 32-bit board (and build) the
        # counter wraps every 2**30 microseconds, about 18 minutes, and
        # ticks_diff is right for intervals of up to half that, so the loop
        # below times each digit, not the whole run.
        return time.ticks_diff(time.ticks_us(), then) / 1000

else:

    def now():
        return time.time()

    def ms_since(then):
        return (time.time() - then) * 1000


def heap_used():
    gc.collect()
    return gc.mem_alloc() if hasattr(gc, "mem_alloc") else 0


def big_endian(data):
    n = 0
    for b in data:
        n = n * 256 + b
    return n


args = sys.argv[1:] if len(sys.argv) > 1 else []
if not args:
    import os

    args = [sorted(name for name in os.listdir() if name.endswith(".tnb"))[0]]
model_path, images_path, labels_path = (args + ["", "digits-images.idx",
                                                "digits-labels.idx"][len(args):])[:3]
count = int(args[3]) if len(args) > 3 else None
classes, first_class = None, 0
if len(args) > 4 and args[4] == "-":  # printed, as the characters "0" to "9"
    classes, first_class = sys.stdout.buffer, ord("0")
elif len(args) > 4:
    classes = open(args[4], "wb")

start_heap = heap_used()
import tinynet  # noqa: E402  (after the buffers, on purpose)

imported = heap_used()
start = now()
model = tinynet.load(model_path)
loaded = heap_used()
print("imported tinynet: %d bytes of heap; loaded %s in %d ms: %d bytes more"
      % (imported - start_heap, model_path, ms_since(start), loaded - imported))

images = open(images_path, "rb")
labels = open(labels_path, "rb")
header = images.read(16)
if big_endian(header[:4]) != 2051 or big_endian(labels.read(8)[:4]) != 2049:
    raise ValueError("%s, %s: not MNIST IDX images and labels" % (images_path, labels_path))
n = big_endian(header[4:8])
if count is not None:
    n = min(n, count)
correct = 0
most = 0
spent = elapsed = 0.0  # in classify alone; in the whole loop
for i in range(n):
    begun = now()
    images.readinto(pixels)
    labels.readinto(label)
    # Garbage first: a small heap then keeps a free block for the next digit
    # (without it, the small objects each digit leaves scatter through the
    # heap until no block of a few KB is left, however much is free).
    gc.collect()
    started = now()
    guess = model.classify(pixels, scale=SCALE)  # the raw bytes: no list of floats
    spent += ms_since(started)
    correct += guess == label[0]
    if classes:
        label[0] = first_class + guess  # (reused: no new bytes object per digit)
        classes.write(label)
    elapsed += ms_since(begun)
    if i % 1000 == 0:
        most = max(most, heap_used())
images.close()
labels.close()
if classes is sys.stdout.buffer:
    print()
elif classes:
    classes.close()
print("%d of %d right (%.2f%%), %.2f ms per digit in classify (%.2f ms with reading and "
      "garbage collection)" % (correct, n, 100.0 * correct / n, spent / n, elapsed / n))
print("heap in use while classifying: %d bytes (tinynet, model and this script)" % most)
