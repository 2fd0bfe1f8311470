"""Write expected_predictions.csv by calling the scoring script directly.

This is the oracle for ml's batch runtime tests: it lays out
AZUREML_MODEL_DIR as Azure does, calls init() once and run() on every
unlabeled file in sorted order, and writes each returned row as Azure's
append_row does (values joined by single spaces, no header).

    python3 expected.py
"""

import importlib.util
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    with tempfile.TemporaryDirectory() as model_root:
        os.symlink(os.path.join(HERE, "model"), os.path.join(model_root, "model"))
        os.environ["AZUREML_MODEL_DIR"] = model_root
        spec = importlib.util.spec_from_file_location("batch_driver", os.path.join(HERE, "code", "batch_driver.py"))
        driver = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(driver)
        driver.init()
        data = os.path.join(HERE, "data", "unlabeled")
        files = sorted(os.path.join(data, name) for name in os.listdir(data))
        rows = driver.run(files)
    with open(os.path.join(HERE, "expected_predictions.csv"), "w") as out:
        for row in rows:
            out.write(" ".join(str(v) for v in row) + "\n")
    print("%d rows -> expected_predictions.csv" % len(rows), file=sys.stderr)


if __name__ == "__main__":
    main()
