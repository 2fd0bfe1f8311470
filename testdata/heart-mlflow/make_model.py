"""Train the heart-disease MLflow demo model and save it in MLflow's on-disk format.

A scikit-learn pipeline (one-hot encoding of the categorical columns, scaling
of the numeric ones, logistic regression) trained on the labeled UCI
Cleveland data in ../heart/data/labeled/heart.csv to predict target > 0.

mlflow itself is not needed (Debian does not package it): the folder written
is what mlflow.sklearn.save_model(model, path, signature=...,
serialization_format="pickle") writes with MLflow 2.x:

    model/MLmodel            flavors python_function (loader mlflow.sklearn) and sklearn, signature
    model/model.pkl          the pickled pipeline
    model/conda.yaml         the conda environment
    model/python_env.yaml    the virtualenv environment
    model/requirements.txt   the pip requirements

Needs scikit-learn and pandas (Debian: python3-sklearn, python3-pandas):

    /usr/bin/python3 make_model.py [--out model]

Training is deterministic; the model's uuid is derived from model.pkl and its
creation time is SOURCE_DATE_EPOCH when set, so a rerun with the same
scikit-learn reproduces the folder.
"""

import argparse
import datetime
import hashlib
import json
import os
import pickle
import platform

import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
LABELED = os.path.join(HERE, "..", "heart", "data", "labeled", "heart.csv")

# The model's input signature, in column order. ca and thal are strings: the
# data marks missing values with "?", which becomes a category of its own.
SIGNATURE = [
    ("age", "long"),
    ("sex", "long"),
    ("cp", "long"),
    ("trestbps", "long"),
    ("chol", "long"),
    ("fbs", "long"),
    ("restecg", "long"),
    ("thalach", "long"),
    ("exang", "long"),
    ("oldpeak", "double"),
    ("slope", "long"),
    ("ca", "string"),
    ("thal", "string"),
]
NUMERIC = ["age", "sex", "trestbps", "chol", "fbs", "thalach", "exang", "oldpeak"]
CATEGORICAL = ["cp", "restecg", "slope", "ca", "thal"]
PANDAS_TYPES = {"long": "int64", "double": "float64", "string": "str"}


def read_frame(path):
    """Reads a CSV file with the signature's column types, as the batch runtime does."""
    return pd.read_csv(path, dtype={name: PANDAS_TYPES[kind] for name, kind in SIGNATURE})


def inputs(frame):
    """The signature's columns, in its order."""
    return frame[[name for name, _ in SIGNATURE]]


def train(labeled):
    frame = read_frame(labeled)
    target = (frame["target"] > 0).astype("int64")
    model = Pipeline(
        [
            (
                "preprocess",
                ColumnTransformer(
                    [
                        ("numeric", StandardScaler(), NUMERIC),
                        ("categorical", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
                    ]
                ),
            ),
            ("classifier", LogisticRegression(max_iter=1000)),
        ]
    )
    model.fit(inputs(frame), target)
    return model, model.score(inputs(frame), target)


def write_text(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def save(model, out):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "model.pkl"), "wb") as f:
        pickle.dump(model, f)
    with open(os.path.join(out, "model.pkl"), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()

    python = platform.python_version()
    requirements = ["mlflow", "scikit-learn==%s" % sklearn.__version__]
    write_text(os.path.join(out, "requirements.txt"), "".join(r + "\n" for r in requirements))
    write_text(
        os.path.join(out, "conda.yaml"),
        "channels:\n- conda-forge\ndependencies:\n- python=%s\n- pip\n- pip:\n%sname: mlflow-env\n"
        % (python, "".join("  - %s\n" % r for r in requirements)),
    )
    write_text(
        os.path.join(out, "python_env.yaml"),
        "python: %s\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n" % python,
    )

    signature_inputs = json.dumps([{"type": kind, "name": name, "required": True} for name, kind in SIGNATURE])
    signature_outputs = json.dumps([{"type": "long", "required": True}])
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    created = (
        datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
        if epoch
        else datetime.datetime.now(datetime.timezone.utc)
    ).strftime("%Y-%m-%d %H:%M:%S.%f")
    # The layout mlflow.models.Model.save writes (yaml.safe_dump, keys sorted).
    write_text(
        os.path.join(out, "MLmodel"),
        """artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    predict_fn: predict
    python_version: {python}
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: pickle
    sklearn_version: {sklearn}
model_uuid: {uuid}
signature:
  inputs: '{inputs}'
  outputs: '{outputs}'
  params: null
utc_time_created: '{created}'
""".format(
            python=python,
            sklearn=sklearn.__version__,
            uuid=digest[:32],
            inputs=signature_inputs,
            outputs=signature_outputs,
            created=created,
        ),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=LABELED)
    parser.add_argument("--out", default=os.path.join(HERE, "model"))
    args = parser.parse_args()
    model, accuracy = train(args.data)
    save(model, args.out)
    print("trained on %s (training accuracy %.4f), saved to %s" % (args.data, accuracy, args.out))


if __name__ == "__main__":
    main()
