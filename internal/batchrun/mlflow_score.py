"""Built-in scoring script of ml's local batch runtime (embedded in the ml binary).

It scores an MLflow model deployed without code_configuration, as the scoring
script Azure generates for such a deployment does:

* init() loads the model: with mlflow.pyfunc.load_model when mlflow is
  importable (Azure's own semantics), otherwise straight from the
  python_function flavor for the loader modules in LOADERS.
* run(mini_batch) reads each file as a table (.csv; .parquet and .pqt when
  pyarrow is importable), with the signature's column types, calls the
  model's predict() once per file and returns one "row,prediction,file" CSV
  line per input row: the row's index in its file, the prediction as
  predict() returned it, and the file's name. append_row writes the lines as
  they are, so pd.read_csv(path, names=["row", "prediction", "file"]) reads
  the output, as Azure's samples read it.

What the Go side read from the MLmodel file is in mlflow_model.json next to
this script. Standard library only until init() has found the model loadable.
"""

import csv
import json
import logging
import os
import pickle
import sys

SPEC_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mlflow_model.json")
TABLE_TYPES = (".csv", ".parquet", ".pqt")

# MLflow's DataType -> the dtype a column is read as (mlflow.types.DataType).
COLUMN_DTYPES = {
    "boolean": "bool",
    "integer": "int32",
    "long": "int64",
    "float": "float32",
    "double": "float64",
    "string": "str",
}

log = logging.getLogger("mlflow_score")

spec = None
model = None
pd = None
with_mlflow = False


class ModelError(Exception):
    """A complete message for the user: the driver reports it without its traceback."""

    batchrun_plain = True


def init():
    global spec, model, pd, with_mlflow
    with open(SPEC_FILE, encoding="utf-8") as f:
        spec = json.load(f)
    pyfunc = import_mlflow_pyfunc()
    loader = None
    if pyfunc is None:
        loader = LOADERS.get(spec["loader_module"])
        if loader is None:
            raise ModelError(unsupported_flavor())
    pd = import_or_explain("pandas", "the built-in MLflow scoring script reads the input files with it", "pandas", "python3-pandas")
    if pyfunc is not None:
        with_mlflow = True
        model = load_with_mlflow(pyfunc)
        how = "mlflow.pyfunc.load_model (mlflow %s)" % getattr(sys.modules.get("mlflow"), "__version__", "?")
    else:
        model = loader()
        how = "the built-in %s loader (mlflow is not importable)" % spec["loader_module"]
    log.info("loaded MLflow model %s (flavors %s) from %s with %s", spec["model"], ", ".join(spec["flavors"]), spec["path"], how)


def run(mini_batch):
    lines = []
    for path in mini_batch:
        frame = read_table(path)
        data = frame if with_mlflow else apply_signature(frame, path)
        values = prediction_values(model.predict(data), len(frame), path)
        name = os.path.basename(path)
        writer = csv.writer(LineCollector(lines), lineterminator="")
        for index, value in enumerate(values):
            writer.writerow([index, value, name])
    return lines


class LineCollector:
    """A file for csv.writer that keeps each written row as one string."""

    def __init__(self, lines):
        self.lines = lines

    def write(self, text):
        self.lines.append(text)


# ---- loading the model ------------------------------------------------------


def import_mlflow_pyfunc():
    """mlflow.pyfunc, or None when mlflow is not installed."""
    try:
        import mlflow.pyfunc
    except ImportError as exc:
        if (exc.name or "").split(".")[0] == "mlflow":
            return None
        raise ModelError(
            "mlflow is installed in %s but cannot be imported: %s; repair the installation "
            "(pip install --force-reinstall mlflow) or uninstall it" % (sys.executable, exc)
        ) from None
    return mlflow.pyfunc


def load_with_mlflow(pyfunc):
    try:
        return pyfunc.load_model(spec["path"])
    except ImportError as exc:
        raise ModelError(
            "mlflow.pyfunc.load_model could not load model %s (flavor %s, loader module %s): %s. "
            "Install the model's requirements into %s (%s)"
            % (spec["model"], model_flavor(), spec["loader_module"], exc, sys.executable, install_hint())
        ) from None


def load_sklearn():
    """mlflow.sklearn's _load_pyfunc: the pickled estimator itself."""
    if spec.get("data"):
        # Models saved by MLflow <= 1.9.1 name the pickle in the pyfunc flavor's
        # data and were always written with pickle.
        path, fmt = os.path.join(spec["path"], spec["data"]), "pickle"
    else:
        sklearn_conf = spec.get("sklearn") or {}
        path = os.path.join(spec["path"], spec.get("model_path") or sklearn_conf.get("pickled_model") or "model.pkl")
        fmt = sklearn_conf.get("serialization_format") or "pickle"
    if fmt not in ("pickle", "cloudpickle"):
        raise ModelError(
            "model %s: the sklearn flavor's serialization_format %r is not one MLflow writes "
            "(pickle or cloudpickle)" % (spec["model"], fmt)
        )
    import_or_explain("sklearn", "model %s is a scikit-learn model" % spec["model"], requirement("scikit-learn"), "python3-sklearn")
    loads = pickle.load
    if fmt == "cloudpickle":
        try:
            import cloudpickle

            loads = cloudpickle.load
        except ImportError:
            # cloudpickle.load is pickle.load; only objects cloudpickle saved by
            # value need the module itself, which unpickling then reports.
            pass
    try:
        with open(path, "rb") as f:
            return loads(f)
    except ModuleNotFoundError as exc:
        raise ModelError(
            "model %s: unpickling %s (serialization_format %s) needs the module %s, which %s cannot import. "
            "Install the model's requirements into it (%s), or set ML_LOCAL_PYTHON to a Python that has them"
            % (spec["model"], os.path.basename(path), fmt, exc.name, sys.executable, install_hint())
        ) from None


# Loader modules the runtime can load without mlflow.
LOADERS = {"mlflow.sklearn": load_sklearn}


def model_flavor():
    flavors = [f for f in spec["flavors"] if f != "python_function"]
    return ", ".join(flavors) or "python_function"


def requirement(package):
    """The model's requirement line for package, else the package name."""
    for line in spec.get("requirements") or []:
        if line.lower().replace("_", "-").startswith(package):
            return line
    return package


def install_hint():
    reqs = spec.get("requirements") or []
    if not reqs:
        return "the model folder has no requirements.txt; see its conda.yaml"
    shown = " ".join(reqs[:8]) + (" ..." if len(reqs) > 8 else "")
    return "pip install %s, from the model's requirements.txt" % shown


def unsupported_flavor():
    return (
        "model %s has flavor %s (python_function loader module %s), which %s cannot load: mlflow is not "
        "importable there, and without mlflow the local runtime loads only %s models. Install mlflow and the "
        "model's requirements into that Python (%s), or set ML_LOCAL_PYTHON to a Python that has them; "
        "or deploy the model with a scoring script (code_configuration)"
        % (
            spec["model"],
            model_flavor(),
            spec["loader_module"],
            sys.executable,
            ", ".join(sorted(LOADERS)),
            install_hint(),
        )
    )


def import_or_explain(module, why, pip_name, debian_name):
    try:
        return __import__(module)
    except ImportError as exc:
        raise ModelError(
            "%s needs the Python package %s, which %s cannot import (%s): install it "
            "(pip install %s; on Debian or Ubuntu: apt install %s), or set ML_LOCAL_PYTHON to a Python that has it"
            % (why, module, sys.executable, exc, pip_name, debian_name)
        ) from None


# ---- reading input files ----------------------------------------------------


def column_types():
    """Column name -> dtype from the signature; datetime columns listed apart."""
    dtypes, dates = {}, []
    columns = (spec.get("inputs") or {}).get("columns") or []
    for col in columns:
        name, kind = col.get("name"), col.get("type")
        if not name:
            continue
        if kind == "datetime":
            dates.append(name)
        elif kind in COLUMN_DTYPES:
            dtypes[name] = COLUMN_DTYPES[kind]
    return dtypes, dates


def read_table(path):
    ext = os.path.splitext(path)[1].lower()
    if ext not in TABLE_TYPES:
        raise ValueError(
            "Error processing input file: '%s'. File type '%s' is not supported: the built-in MLflow scoring "
            "script reads %s files (.parquet and .pqt when pyarrow is importable); deploy the model with a "
            "scoring script to read other types" % (path, ext.lstrip(".") or "(none)", ", ".join(TABLE_TYPES))
        )
    dtypes, dates = column_types()
    try:
        if ext == ".csv":
            # Typed as the signature says, as Azure reads the file (pandas
            # ignores types of columns the file does not have).
            if dates:
                header = pd.read_csv(path, nrows=0).columns
                dates = [d for d in dates if d in header]
            return pd.read_csv(path, dtype=dtypes, parse_dates=dates or None)
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ValueError(
                "Error processing input file: '%s'. Reading Parquet files needs pyarrow, which %s cannot "
                "import: install it (pip install pyarrow; on Debian or Ubuntu: apt install python3-pyarrow)"
                % (path, sys.executable)
            ) from None
        frame = pd.read_parquet(path)
        present = {k: v for k, v in dtypes.items() if k in frame.columns}
        for name in dates:
            if name in frame.columns:
                frame[name] = pd.to_datetime(frame[name])
        return frame.astype(present) if present else frame
    except ValueError as exc:
        if str(exc).startswith("Error processing input file"):
            raise
        raise ValueError("Error processing input file: '%s'. Exception: %s" % (path, exc)) from exc


def apply_signature(frame, path):
    """What mlflow.pyfunc does with the signature before predict(), without mlflow."""
    inputs = spec.get("inputs")
    if not inputs:
        return frame
    columns = inputs.get("columns")
    if columns:
        if not all(c.get("name") for c in columns):
            if len(frame.columns) != len(columns):
                raise ValueError(
                    "Error processing input file: '%s'. Exception: the model's signature has %d unnamed "
                    "columns, the file has %d" % (path, len(columns), len(frame.columns))
                )
            return frame
        missing = [c["name"] for c in columns if c.get("required", True) and c["name"] not in frame.columns]
        if missing:
            raise ValueError(
                "Error processing input file: '%s'. Exception: Model is missing inputs %s (the file has columns %s)"
                % (path, missing, list(frame.columns))
            )
        # Only the signature's columns, in its order, as mlflow enforces them.
        return frame[[c["name"] for c in columns if c["name"] in frame.columns]]
    tensors = inputs.get("tensors") or []
    if len(tensors) != 1:
        raise ValueError(
            "Error processing input file: '%s'. Exception: the model takes %d input tensors; without mlflow "
            "the local runtime feeds a file to a model with one input tensor only" % (path, len(tensors))
        )
    tensor = tensors[0]
    data = frame.to_numpy(dtype=tensor["dtype"])
    shape = tensor.get("shape") or []
    if len(shape) == 2 and shape[1] not in (-1, data.shape[1]):
        raise ValueError(
            "Error processing input file: '%s'. Exception: the model's input tensor has shape %s, the file "
            "has %d columns" % (path, shape, data.shape[1])
        )
    return data


# ---- writing predictions ----------------------------------------------------


def prediction_values(pred, rows, path):
    """One printable value per input row, from whatever predict() returned."""
    if hasattr(pred, "columns") and hasattr(pred, "to_dict"):  # DataFrame
        if len(pred.columns) == 1:
            values = pred.iloc[:, 0].tolist()
        else:
            values = [json.dumps(r, default=str) for r in pred.to_dict(orient="records")]
    elif hasattr(pred, "tolist"):  # numpy array, pandas Series
        values = pred.tolist()
    else:
        values = list(pred)
    if len(values) != rows:
        raise ValueError(
            "predict() returned %d predictions for the %d rows of %s; the output needs one per row"
            % (len(values), rows, path)
        )
    return [printable(v) for v in values]


def printable(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, default=str)
    return str(value)
