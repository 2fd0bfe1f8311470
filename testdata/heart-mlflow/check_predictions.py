"""Check a batch job's predictions against the model's own predictions.

    /usr/bin/python3 check_predictions.py MODEL_DIR DATA_DIR PREDICTIONS [--sep SEP]

Reads PREDICTIONS as Azure's MLflow sample does,
pd.read_csv(path, names=["row", "prediction", "file"]) (--sep " " for a
scoring script's space-separated append_row output), loads MODEL_DIR/model.pkl
with pickle, predicts every CSV file of DATA_DIR directly and compares every
row: the same files, each row index 0..n-1 once and in order, the same
prediction. Prints one line and exits 0 when all match, else lists the first
differences and exits 1.
"""

import argparse
import glob
import os
import pickle
import sys

import pandas as pd

sys.dont_write_bytecode = True  # no __pycache__ in testdata
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_model  # noqa: E402  (the signature's column types)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir")
    parser.add_argument("data_dir")
    parser.add_argument("predictions")
    parser.add_argument("--sep", default=",")
    args = parser.parse_args()

    with open(os.path.join(args.model_dir, "model.pkl"), "rb") as f:
        model = pickle.load(f)
    got = pd.read_csv(args.predictions, names=["row", "prediction", "file"], sep=args.sep)

    problems, checked = [], 0
    files = sorted(glob.glob(os.path.join(args.data_dir, "*.csv")))
    names = [os.path.basename(p) for p in files]
    if sorted(set(got["file"])) != names:
        problems.append("files %s, want %s" % (sorted(set(got["file"])), names))
    for path, name in zip(files, names):
        want = model.predict(make_model.inputs(make_model.read_frame(path))).tolist()
        rows = got[got["file"] == name]
        if rows["row"].tolist() != list(range(len(want))):
            problems.append("%s: row indexes %s..., want 0..%d in order" % (name, rows["row"].tolist()[:5], len(want) - 1))
            continue
        for index, (g, w) in enumerate(zip(rows["prediction"].tolist(), want)):
            checked += 1
            if g != w:
                problems.append("%s row %d: prediction %r, want %r" % (name, index, g, w))
    if len(got) != checked and not problems:
        problems.append("%d output rows, %d input rows" % (len(got), checked))
    if problems:
        print("\n".join(problems[:20]))
        sys.exit(1)
    print("all %d predictions match the model's" % checked)


if __name__ == "__main__":
    main()
