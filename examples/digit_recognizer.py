"""Kaggle's Digit Recognizer: train on train.csv, predict test.csv, write submission.csv.

    python examples/digit_recognizer.py [train.csv test.csv] [--epochs N] [--out submission.csv]

train.csv has a header "label,pixel0,...,pixel783"; test.csv has the pixels
only.  The submission has a header "ImageId,Label" and one row per test
image, numbered from 1; it goes to submission.csv unless --out says where.
Without the files, the bundled sample stands in for both (its test labels
are then left out, as in Kaggle's test.csv), written into a temporary folder
that is removed at the end, with the submission too unless --out is given.
"""

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from tinynet import DNN, datasets  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="*", help="train.csv test.csv")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--out", help="where to write the submission (default: submission.csv "
                        "with your files; with the sample, a temporary folder)")
    args = parser.parse_args()

    if args.csv:
        if len(args.csv) != 2:
            parser.error("give both files: train.csv test.csv")
        run(args.csv[0], args.csv[1], args.out or "submission.csv", args)
        return
    with tempfile.TemporaryDirectory() as folder:  # removed at the end, whatever happens
        train_csv, test_csv = os.path.join(folder, "train.csv"), os.path.join(folder, "test.csv")
        datasets.save_csv(train_csv, *datasets.load_sample("train"))
        datasets.save_csv(test_csv, datasets.load_sample("test")[0])  # no labels
        print("no CSV files given: using the bundled sample, written to a temporary folder")
        run(train_csv, test_csv, args.out or os.path.join(folder, "submission.csv"), args)
        if not args.out:
            print("(the temporary folder is removed now: give --out PATH to keep the submission)")


def run(train_csv, test_csv, out, args):
    X, labels = datasets.load_csv(train_csv)
    X_test, none = datasets.load_csv(test_csv)
    assert none is None, "test.csv should have no label column"

    # Hold out 10% to see how well it generalises before predicting.
    split = len(X) * 9 // 10
    model = DNN([784, args.hidden, 10], optimizer="momentum", learning_rate=0.05, l2=1e-4, seed=0)
    for record in model.fit(X[:split], labels[:split], epochs=args.epochs, batch_size=64,
                            validation_data=(X[split:], labels[split:])):
        print("epoch %(epoch)d  loss %(loss).4f  held-out accuracy %(val_accuracy).4f" % record)

    predictions = model.classify(X_test)
    with open(out, "w", newline="") as f:
        f.write("ImageId,Label\n")
        for image_id, label in enumerate(predictions, 1):
            f.write("%d,%d\n" % (image_id, label))
    print("wrote %d predictions to %s" % (len(predictions), out))


if __name__ == "__main__":
    main()
