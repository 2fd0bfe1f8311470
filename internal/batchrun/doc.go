// Package batchrun is ml's batch runtime: it runs an Azure ML model batch
// deployment's scoring script over a job's input files the way Azure's batch
// inference does, with local Python worker processes and no HTTP.
//
// # What a job does
//
// The job's inputs (files, or folders walked recursively) become a sorted
// list of absolute file paths, cut into mini-batches of MiniBatchSize files.
// The paths are in read-only views of the inputs, <JobDir>/inputs/<index>/
// <the input's own name>, built like AZUREML_MODEL_DIR (below) and removed
// when the job ends: Azure mounts batch inputs read-only, so a script that
// writes to a mini-batch file fails, here as there, and the data on the
// datastore stays as it was uploaded.
// InstanceCount × MaxConcurrencyPerInstance worker processes (never more than
// there are mini-batches) each import the scoring script, call init() once,
// then call run(mini_batch) for the mini-batches they are handed.
//
// A run() that raises, outlives Timeout or kills its worker is tried again, up
// to MaxRetries more times. A timed-out or crashed worker is killed and
// replaced by a fresh one, which calls init() again. A mini-batch that fails
// every try counts all its files as failed items.
//
// Each element that run() returns stands for one successfully processed input,
// as Azure documents ("each returned output element indicates one successful
// run of input element"). When run() returns fewer elements than it was given
// files, the difference counts as failed items; more elements are fine (a CSV
// file may yield a row per record).
//
// With ErrorThreshold -1 failures are only counted. With a threshold of zero
// or more the job fails as soon as more items have failed than the threshold.
// A job in which no item succeeded fails whatever the threshold, with Azure's
// message "No succeeded mini batch item returned from run()".
//
// # Output
//
// With output action append_row, every element that run() returns becomes one
// line of OutputDir/OutputFileName (predictions.csv by default), written in
// mini-batch order whatever order the workers finish in. A job that ends
// Failed or Canceled without a single row leaves no output file. Like Azure, the file
// has no header: a list, tuple, numpy row or pandas row is written as its
// values' str() joined by single spaces, and any other element as its str().
// So the default predictions.csv is space separated, as on Azure, where
// notebooks read it with pd.read_csv(path, sep=" ", header=None). Like Azure,
// the runtime never overwrites an existing output file. summary_only writes no
// output file. Scripts may write their own files to AZUREML_BI_OUTPUT_PATH.
//
// # MLflow models without a scoring script
//
// A deployment with ModelType mlflow_model and no CodeDir is scored by the
// runtime's built-in scoring script (mlflow_score.py, written to the job's
// driver folder and run by the same workers, so every setting above
// applies), as Azure scores a no-code MLflow deployment. The MLmodel file is
// read first (package mlmodel): a model without one, or without a
// python_function flavor, fails the job before any worker starts. init()
// loads the model with mlflow.pyfunc.load_model when mlflow is importable;
// otherwise it loads the python_function flavor itself, for mlflow.sklearn
// (pickle and cloudpickle); any other flavor fails the job with one message
// naming the flavor, its loader module and what to install. run() reads each
// file as a table (.csv; .parquet and .pqt when pyarrow is importable; other
// types fail their mini-batch, naming the file and the supported types) with
// the signature's column types, keeps the signature's columns in its order
// (without mlflow; mlflow enforces the signature itself), calls predict()
// once per file and returns one line per input row, "row,prediction,file":
// the row's index in its file, the prediction as predict() returned it
// (several values as a JSON list or object), and the file's name, CSV-quoted
// where needed. Azure's samples read that output with
// pd.read_csv(path, names=["row", "prediction", "file"]).
//
// # Environment of the scoring script
//
//   - AZUREML_MODEL_DIR is <JobDir>/azureml-models/<ModelName>/<ModelVersion>,
//     which holds the registered model under its own file or folder name, so
//     both os.path.join(AZUREML_MODEL_DIR, "model") (for a model registered
//     from a folder named model) and glob.glob(AZUREML_MODEL_DIR + "/*/")[0]
//     find it, as on Azure. It is a real, read-only folder tree, like Azure's
//     read-only mount, so os.walk, glob("**"), Path.rglob and os.listdir
//     see the model's files: read-only files of ModelDir are hard-linked (no
//     byte copied, and a script cannot write through the link), other files
//     are read-only copies, and so is every file when the runtime runs as
//     root, whom permission bits do not stop. The tree is removed when the
//     job ends.
//   - AZUREML_BI_OUTPUT_PATH is OutputDir.
//   - AZUREML_LOG_LEVEL and the Python root logger follow LoggingLevel, and the
//     script sees "--logging_level LEVEL" in sys.argv, as on Azure.
//   - the deployment's EnvironmentVariables, PYTHONUNBUFFERED=1 and
//     PYTHONDONTWRITEBYTECODE=1 (the code folder stays untouched).
//   - the working directory is a copy of CodeDir in the job folder (code/),
//     as Azure runs a snapshot of the code: what a script writes next to
//     itself never reaches the registered code; sys.path starts with the
//     scoring script's folder and that copy.
//
// # Job folder
//
// JobDir mirrors the log layout of an Azure batch job:
//
//	logs/job_progress_overview.txt               status and mini-batch counts
//	logs/sys/master_role.txt                     the orchestrator's view
//	logs/sys/node/<node>/process<NNN>.txt        one line per mini-batch
//	logs/user/stdout/<node>/process<NNN>.stdout.txt
//	logs/user/stderr/<node>/process<NNN>.stderr.txt
//	logs/user/error.txt                          the first user error
//	logs/user/error/<node>/process<NNN>.txt      every user error's traceback
//	driver/batchrun_driver.py                    the embedded worker driver
//	driver/mlflow_score.py, mlflow_model.json    the built-in MLflow scoring script (no-code MLflow)
//	azureml-models/<ModelName>/<ModelVersion>/   AZUREML_MODEL_DIR, while the job runs
//
// <node> is the instance index (0 … InstanceCount-1) and NNN the worker's
// index within it. A worker that replaces a killed one appends to the same
// files.
//
// # Worker protocol
//
// Each worker runs "python -u batchrun_driver.py" with two extra inherited
// pipes (fds 3 and 4): the Go side writes JSON-line commands to fd 3
// ({"op":"run","id":N,"files":[…]}, {"op":"exit"}) and reads JSON-line events
// from fd 4 (ready, init_error, result, run_error). The worker's stdout and
// stderr are its log files, so nothing the script prints can be mistaken for
// a protocol line. Workers run in their own process group, which is killed
// on timeout, on cancel and at the end of the job.
package batchrun
