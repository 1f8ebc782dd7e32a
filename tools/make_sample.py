"""Make the MNIST sample bundled in tinynet/datasets/data from the full dataset.

    python tools/make_sample.py [MNIST_DIR [OUT_DIR]]

MNIST_DIR holds the four original IDX files (default: ../shared/mnist next to
the repository).  The sample is the first 500 training images of each digit
and the first 100 test images of each, in their original order, written as
gzipped IDX files with no timestamp, so the output is byte-for-byte the same
on every run.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from tinynet import datasets  # noqa: E402

PER_CLASS = {"train": 500, "test": 100}


def main(source, out=os.path.join(os.path.dirname(HERE), "tinynet", "datasets", "data")):
    for split, per_class in PER_CLASS.items():
        images, labels = datasets.FILES[split]
        X, y = datasets.load_idx(os.path.join(source, images), os.path.join(source, labels))
        X, y = datasets.stratified(X, y, per_class)
        datasets.save_idx(os.path.join(out, "sample-" + images), X,
                          os.path.join(out, "sample-" + labels), y)
        print("%s: %d images -> %s" % (split, len(X), out))


if __name__ == "__main__":
    main(*(sys.argv[1:] or [os.path.join(os.path.dirname(os.path.dirname(HERE)), "shared", "mnist")]))
