"""Save a trained model, load it back (with either backend), keep training.

    python examples/save_load.py [--dir DIR]

The files go into DIR, or into a temporary folder removed at the end.
"""

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import tinynet  # noqa: E402
from tinynet import DNN, datasets  # noqa: E402


def main(folder, epochs):
    X, y = datasets.load_sample("train")
    X_test, y_test = datasets.load_sample("test")
    model = DNN([784, 64, 10], optimizer="adam", seed=0)
    model.fit(X, y, epochs=epochs, batch_size=32)
    print("trained:", model.evaluate(X_test, y_test))

    pickle_path = os.path.join(folder, "digits.pkl")
    json_path = os.path.join(folder, "digits.json")
    model.save(pickle_path)          # a pickle of plain data: loading it runs no code
    tinynet.save(model, json_path)   # JSON, for MicroPython or other languages
    print("saved %s (%d bytes) and %s (%d bytes)" % (pickle_path, os.path.getsize(pickle_path),
                                                     json_path, os.path.getsize(json_path)))

    for backend in ["python"] + (["numpy"] if tinynet.backends.numpy_available() else []):
        loaded = tinynet.load(pickle_path, backend=backend)
        same = loaded.classify(X_test[:200]) == model.classify(X_test[:200])
        print("loaded with the %s backend: same predictions: %s" % (backend, same))

    # The optimizer's state was saved too, so training resumes where it stopped.
    resumed = tinynet.load(json_path)
    resumed.fit(X, y, epochs=1, batch_size=32)
    print("one more epoch after loading:", resumed.evaluate(X_test, y_test))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", help="where to save (default: a temporary folder, removed at "
                        "the end)")
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    if args.dir:
        main(args.dir, args.epochs)
    else:
        with tempfile.TemporaryDirectory() as folder:
            main(folder, args.epochs)
