// Package uploadbench measures ml's uploads for `make bench` (issues 5 and
// 12). Its benchmark, BenchmarkUploadComparison, takes three generated data
// sets (5,000 files of 4 KiB, 8 files of 64 MiB, 500 files of 1 KiB–4 MiB)
// and measures, in the same run, ml's real CLI (`ml data create --path`)
// into Azurite and into the local workspace's own store, a plain-azblob
// baseline into Azurite, `cp -r` of the same data, and the floor az's
// layout sets (one MD5 stream over the data):
//
//	make bench                                   # everything, -benchtime=1x
//	go test -run '^$' -bench UploadComparison ./internal/upload/uploadbench
//
// Larger runs: more iterations per case with BENCHTIME (make bench
// BENCHTIME=5x, or -benchtime=5x), bigger data sets with
// ML_UPLOADBENCH_SCALE=N, which multiplies every data set's file count
// (N=4: 20,000 small files, 32 × 64 MiB = 2 GiB, 2,000 mixed files; see
// StandardDatasets). Disk: each data set exists once per run, plus one
// copy per destination while its case runs. Upload settings
// come from the ML_UPLOAD_* variables, as in ml itself.
//
// Every upload, copy and hash runs in its own process, started through the
// rsslaunch helper, so that its peak RSS is its own (see rsslaunch for why a
// child of the benchmark process cannot be measured directly). The ml side
// is the ml binary built from ./cmd/ml, against an `ml local serve` of its
// own; the baseline and the hash floor are the test binary re-executed in
// a child mode (RunBaseline, RunHash), as is RunChild, which plans and
// uploads one folder as invoke does, for the tests of this machinery.
//
// The non-test code here is the benchmark's machinery: data set generation
// (Dataset), measured child processes (Launcher), the children (RunChild,
// RunBaseline, RunHash), the workspace (StartWorkspace) and the check of
// what landed in the container (VerifyUpload).
package uploadbench
