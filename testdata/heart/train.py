"""Train the heart-disease demo model: logistic regression, standard library only.

Reads the labeled UCI Cleveland data (data/labeled/heart.csv), where target is
UCI's diagnosis 0-4 and the model predicts target > 0 (disease present). Rows
with missing values ("?") are left out of training; the model records the
values the scoring script uses to fill them in.

Numeric columns are standardised, categorical ones (cp, restecg, slope, thal)
one-hot encoded. Training is plain full-batch gradient descent from zero
weights, so it is deterministic: running it again reproduces model/model.json.

    python3 train.py [--data data/labeled/heart.csv] [--out model/model.json]
"""

import argparse
import csv
import json
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))

NUMERIC = ["age", "sex", "trestbps", "chol", "fbs", "thalach", "exang", "oldpeak", "ca"]
CATEGORICAL = {
    "cp": ["1", "2", "3", "4"],
    "restecg": ["0", "1", "2"],
    "slope": ["1", "2", "3"],
    "thal": ["3", "6", "7"],
}
ITERATIONS = 1500
LEARNING_RATE = 0.1
L2 = 0.01
THRESHOLD = 0.5
DIGITS = 12  # significant digits kept in model.json


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def category_value(raw):
    # "3.0" and "3" name the same level.
    return str(int(float(raw)))


def fit_scaling(rows):
    numeric = []
    for name in NUMERIC:
        values = [float(r[name]) for r in rows]
        mean = sum(values) / len(values)
        std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) or 1.0
        numeric.append({"name": name, "mean": mean, "std": std, "impute": mean})
    categorical = []
    for name, levels in CATEGORICAL.items():
        counts = {level: 0 for level in levels}
        for r in rows:
            counts[category_value(r[name])] += 1
        mode = max(levels, key=lambda level: counts[level])
        categorical.append({"name": name, "levels": levels, "impute": mode})
    return numeric, categorical


def features(record, numeric, categorical):
    x = []
    for col in numeric:
        raw = record[col["name"]]
        value = col["impute"] if raw in ("", "?") else float(raw)
        x.append((value - col["mean"]) / col["std"])
    for col in categorical:
        raw = record[col["name"]]
        level = col["impute"] if raw in ("", "?") else category_value(raw)
        x.extend(1.0 if level == candidate else 0.0 for candidate in col["levels"])
    return x


def feature_names(numeric, categorical):
    names = [col["name"] for col in numeric]
    for col in categorical:
        names.extend("%s=%s" % (col["name"], level) for level in col["levels"])
    return names


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def train(xs, ys):
    n, d = len(xs), len(xs[0])
    weights, bias = [0.0] * d, 0.0
    for _ in range(ITERATIONS):
        grad_w, grad_b = [0.0] * d, 0.0
        for x, y in zip(xs, ys):
            err = sigmoid(bias + sum(w * v for w, v in zip(weights, x))) - y
            grad_b += err
            for j, v in enumerate(x):
                grad_w[j] += err * v
        weights = [w - LEARNING_RATE * (g / n + L2 * w) for w, g in zip(weights, grad_w)]
        bias -= LEARNING_RATE * grad_b / n
    return weights, bias


def accuracy(xs, ys, weights, bias):
    hits = 0
    for x, y in zip(xs, ys):
        p = sigmoid(bias + sum(w * v for w, v in zip(weights, x)))
        hits += int((p >= THRESHOLD) == (y == 1))
    return hits / len(xs)


def rounded(value):
    return float("%.*g" % (DIGITS, value))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(HERE, "data", "labeled", "heart.csv"))
    parser.add_argument("--out", default=os.path.join(HERE, "model", "model.json"))
    args = parser.parse_args()

    rows = read_rows(args.data)
    complete = [r for r in rows if "?" not in r.values()]
    numeric, categorical = fit_scaling(complete)
    xs = [features(r, numeric, categorical) for r in complete]
    ys = [1 if int(r["target"]) > 0 else 0 for r in complete]
    weights, bias = train(xs, ys)

    for col in numeric:
        for key in ("mean", "std", "impute"):
            col[key] = rounded(col[key])
    model = {
        "format": "heart-logistic-regression/1",
        "predicts": "target > 0 (heart disease present)",
        "numeric": numeric,
        "categorical": categorical,
        "features": feature_names(numeric, categorical),
        "weights": [rounded(w) for w in weights],
        "bias": rounded(bias),
        "threshold": THRESHOLD,
        "training": {
            "rows": len(complete),
            "rows_skipped_missing": len(rows) - len(complete),
            "iterations": ITERATIONS,
            "learning_rate": LEARNING_RATE,
            "l2": L2,
            "accuracy": round(accuracy(xs, ys, weights, bias), 4),
        },
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(model, f, indent=2)
        f.write("\n")
    print("trained on %d rows, accuracy %.4f -> %s" % (len(complete), model["training"]["accuracy"], args.out))


if __name__ == "__main__":
    main()
