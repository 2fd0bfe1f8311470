// Package batchrun is ml's batch runtime: it runs an Azure ML model batch
// deployment's scoring script over a job's input files the way Azure's batch
// inference does, with local Python worker processes and no HTTP.
//
// # What a job does
//
// The job's inputs (files, or folders walked recursively) become a sorted
// list of absolute file paths, cut into mini-batches of MiniBatchSize files.
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
// mini-batch order whatever order the workers finish in. Like Azure, the file
// has no header: a list, tuple, numpy row or pandas row is written as its
// values' str() joined by single spaces, and any other element as its str().
// So the default predictions.csv is space separated, as on Azure, where
// notebooks read it with pd.read_csv(path, sep=" ", header=None). Like Azure,
// the runtime never overwrites an existing output file. summary_only writes no
// output file. Scripts may write their own files to AZUREML_BI_OUTPUT_PATH.
//
// # Environment of the scoring script
//
//   - AZUREML_MODEL_DIR is <JobDir>/azureml-models/<ModelName>/<ModelVersion>,
//     which holds the registered model under its own file or folder name (a
//     symlink to ModelDir), so both os.path.join(AZUREML_MODEL_DIR, "model")
//     (for a model registered from a folder named model) and
//     glob.glob(AZUREML_MODEL_DIR + "/*/")[0] find it, as on Azure.
//   - AZUREML_BI_OUTPUT_PATH is OutputDir.
//   - AZUREML_LOG_LEVEL and the Python root logger follow LoggingLevel, and the
//     script sees "--logging_level LEVEL" in sys.argv, as on Azure.
//   - the deployment's EnvironmentVariables, PYTHONUNBUFFERED=1 and
//     PYTHONDONTWRITEBYTECODE=1 (the code folder stays untouched).
//   - the working directory is CodeDir, and sys.path starts with the scoring
//     script's folder and CodeDir.
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
//	azureml-models/<ModelName>/<ModelVersion>/   AZUREML_MODEL_DIR
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
