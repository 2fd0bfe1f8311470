"""A scoring script for the MLflow model that finds it the way many do on Azure:
by walking AZUREML_MODEL_DIR with os.walk (which follows no symbolic links).

init() also checks that glob("**"), pathlib's rglob and os.listdir see the
same files, then unpickles the scikit-learn pipeline; run() returns
[row, prediction, file] per input row (space separated by append_row).
"""

import glob
import logging
import os
import pathlib
import pickle

import pandas as pd

model = None
TYPES = {"ca": str, "thal": str}


def init():
    global model
    model_dir = os.environ["AZUREML_MODEL_DIR"]
    walked = sorted(os.path.relpath(os.path.join(root, f), model_dir) for root, _, files in os.walk(model_dir) for f in files)
    globbed = sorted(os.path.relpath(p, model_dir) for p in glob.glob(os.path.join(model_dir, "**"), recursive=True) if os.path.isfile(p))
    rglobbed = sorted(str(p.relative_to(model_dir)) for p in pathlib.Path(model_dir).rglob("*") if p.is_file())
    if not walked or walked != globbed or walked != rglobbed:
        raise RuntimeError("AZUREML_MODEL_DIR listings differ: os.walk %s, glob %s, rglob %s" % (walked, globbed, rglobbed))
    (folder,) = os.listdir(model_dir)
    pickled = [p for p in walked if os.path.basename(p) == "model.pkl"]
    logging.info("AZUREML_MODEL_DIR holds %s: %s", folder, ", ".join(walked))
    with open(os.path.join(model_dir, pickled[0]), "rb") as f:
        model = pickle.load(f)


def run(mini_batch):
    rows = []
    for path in mini_batch:
        frame = pd.read_csv(path, dtype=TYPES)
        for index, prediction in enumerate(model.predict(frame)):
            rows.append([index, int(prediction), os.path.basename(path)])
    return rows
