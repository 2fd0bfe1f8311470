"""Batch scoring script of the heart-disease demo, in Azure ML's style.

init() loads the logistic-regression model from AZUREML_MODEL_DIR; run()
scores every row of every CSV file in the mini-batch and returns one
[file, row index, prediction, probability] row per record. Standard library
only, so it runs wherever Python 3 does.
"""

import csv
import glob
import json
import logging
import math
import os

model = None


def init():
    global model
    # AZUREML_MODEL_DIR holds the registered model's folder under its own name.
    model_path = glob.glob(os.environ["AZUREML_MODEL_DIR"] + "/*/")[0]
    with open(os.path.join(model_path, "model.json")) as f:
        model = json.load(f)
    logging.info("loaded %s with %d features", model["format"], len(model["features"]))


def features(record):
    x = []
    for col in model["numeric"]:
        raw = (record.get(col["name"]) or "").strip()
        value = col["impute"] if raw in ("", "?") else float(raw)
        x.append((value - col["mean"]) / col["std"])
    for col in model["categorical"]:
        raw = (record.get(col["name"]) or "").strip()
        level = col["impute"] if raw in ("", "?") else str(int(float(raw)))
        x.extend(1.0 if level == candidate else 0.0 for candidate in col["levels"])
    return x


def probability(record):
    z = model["bias"] + sum(w * v for w, v in zip(model["weights"], features(record)))
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def run(mini_batch):
    print("run method start: %s, run(%d files)" % (__file__, len(mini_batch)))
    results = []
    for file_path in mini_batch:
        with open(file_path, newline="") as f:
            for index, record in enumerate(csv.DictReader(f)):
                p = probability(record)
                prediction = 1 if p >= model["threshold"] else 0
                results.append([os.path.basename(file_path), index, prediction, "%.6f" % p])
    return results
