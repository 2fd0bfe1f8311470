"""Worker driver of ml's local batch runtime (embedded in the ml binary).

One driver process is one batch worker. It imports the deployment's scoring
script, calls init() once, then calls run(mini_batch) for every mini-batch the
Go side sends, until told to exit.

The protocol is JSON lines over two inherited file descriptors: commands arrive
on --cmd-fd and events leave on --event-fd. The script's own stdout and stderr
are the worker's log files and never carry protocol lines, so print() in a
scoring script cannot corrupt the protocol. Standard library only.
"""

import argparse
import importlib.util
import json
import logging
import os
import sys
import traceback

LOG_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}


def parse_args():
    parser = argparse.ArgumentParser(description="ml batch worker driver")
    parser.add_argument("--cmd-fd", type=int, required=True)
    parser.add_argument("--event-fd", type=int, required=True)
    parser.add_argument("--code-dir", required=True)
    parser.add_argument("--scoring-script", required=True)
    parser.add_argument("--output-action", required=True)
    parser.add_argument("--logging-level", required=True)
    return parser.parse_args()


class Channel:
    """The two protocol pipes."""

    def __init__(self, cmd_fd, event_fd):
        # The scoring script may start subprocesses; they must not hold the
        # protocol pipes open, or the Go side would never see this worker end.
        os.set_inheritable(cmd_fd, False)
        os.set_inheritable(event_fd, False)
        self.commands = os.fdopen(cmd_fd, "r", encoding="utf-8")
        self.events = os.fdopen(event_fd, "w", encoding="utf-8")

    def emit(self, event):
        # ensure_ascii keeps every line valid UTF-8 whatever run() returned.
        self.events.write(json.dumps(event, ensure_ascii=True) + "\n")
        self.events.flush()


def error_event(kind, exc, **extra):
    if getattr(exc, "batchrun_plain", False):
        # The exception's text is a complete message for the user (the
        # built-in MLflow scoring script's "install mlflow" advice): a
        # traceback would only bury it.
        event = {"ev": kind, "error": str(exc), "traceback": ""}
        sys.stderr.write(event["error"] + "\n")
    else:
        event = {
            "ev": kind,
            "error": "".join(traceback.format_exception_only(type(exc), exc)).strip(),
            "traceback": traceback.format_exc(),
        }
        # The traceback also goes to the worker's stderr log, as on Azure.
        sys.stderr.write(event["traceback"])
    sys.stderr.flush()
    event.update(extra)
    return event


def configure_logging(level_name):
    level = LOG_LEVELS.get(level_name.lower(), logging.INFO)
    # Azure sends scoring-script logging to the worker's stdout log.
    logging.basicConfig(
        level=level,
        stream=sys.stdout,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return logging.getLevelName(level)


def load_scoring_script(code_dir, scoring_script):
    path = os.path.join(code_dir, scoring_script)
    name = os.path.splitext(os.path.basename(path))[0]
    # Replace the driver's own folder (sys.path[0]) with the code folders so
    # the script imports its sibling modules the way it does on Azure.
    search = [os.path.dirname(path), code_dir]
    sys.path[0:1] = [p for i, p in enumerate(search) if p not in search[:i]]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError("cannot import scoring script %s" % path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    for func in ("init", "run"):
        if not callable(getattr(module, func, None)):
            raise AttributeError(
                "scoring script %s has no %s() function; a batch scoring script "
                "must define init() and run(mini_batch)" % (scoring_script, func)
            )
    return module


def format_value(value):
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def format_row(element):
    """One element returned by run() becomes one output line.

    Sequences (list, tuple, numpy row, pandas Series) are joined by single
    spaces, as Azure's append_row does; anything else is written as str().
    """
    if isinstance(element, (str, bytes)):
        return format_value(element)
    if isinstance(element, (list, tuple)):
        return " ".join(format_value(v) for v in element)
    if hasattr(element, "tolist") and getattr(element, "ndim", 0) >= 1:
        return " ".join(format_value(v) for v in element.tolist())
    return format_value(element)


def is_dataframe(result):
    return hasattr(result, "itertuples") and hasattr(result, "columns")


def result_rows(result, want_rows):
    """Returns (count, rows) for what run() returned.

    count is the number of returned elements: each one stands for one
    successfully processed input, as Azure counts them. rows are the output
    lines, only built when the output action appends them.
    """
    if result is None:
        return 0, []
    if is_dataframe(result):
        if not want_rows:
            return len(result), []
        rows = [
            " ".join(format_value(v) for v in row)
            for row in result.itertuples(index=False, name=None)
        ]
        return len(rows), rows
    if isinstance(result, (str, bytes, dict)):
        raise TypeError(
            "run() returned a %s; return a list (one element per processed input) "
            "or a pandas DataFrame" % type(result).__name__
        )
    try:
        elements = list(result)
    except TypeError:
        raise TypeError(
            "run() must return a list or a pandas DataFrame, got %s"
            % type(result).__name__
        ) from None
    if not want_rows:
        return len(elements), []
    return len(elements), [format_row(e) for e in elements]


def serve(channel, module, want_rows):
    for line in channel.commands:
        command = json.loads(line)
        op = command.get("op")
        if op == "exit":
            return
        if op != "run":
            continue
        batch_id = command["id"]
        try:
            result = module.run(list(command["files"]))
            count, rows = result_rows(result, want_rows)
        except BaseException as exc:  # a failing run() must not end the worker
            channel.emit(error_event("run_error", exc, id=batch_id))
            continue
        event = {"ev": "result", "id": batch_id, "count": count}
        if want_rows:
            event["rows"] = rows
        channel.emit(event)


def main():
    args = parse_args()
    channel = Channel(args.cmd_fd, args.event_fd)
    level = configure_logging(args.logging_level)
    script_path = os.path.join(args.code_dir, args.scoring_script)
    # Azure passes the logging level to the entry script on its command line.
    sys.argv = [script_path, "--logging_level", level]

    phase = "import"
    try:
        module = load_scoring_script(args.code_dir, args.scoring_script)
        phase = "init"
        module.init()
    except BaseException as exc:
        channel.emit(error_event("init_error", exc, phase=phase))
        return 1
    channel.emit({"ev": "ready", "pid": os.getpid()})

    serve(channel, module, args.output_action == "append_row")

    shutdown = getattr(module, "shutdown", None)
    if callable(shutdown):
        shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
