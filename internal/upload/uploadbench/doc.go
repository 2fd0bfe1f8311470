// Package uploadbench measures ml's uploads against `cp -r` of the same
// data, for `make bench` (issue 5). Its benchmark, BenchmarkUploadComparison,
// uploads three generated data sets — 5,000 files of 4 KiB, 8 files of
// 64 MiB, 500 files of 1 KiB–4 MiB — to Azurite and to the local workspace
// with upload.Execute, and copies each with `cp -r` in the same run:
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
// Every upload and every copy runs in its own process, started through the
// rsslaunch helper, so that its peak RSS is its own (see rsslaunch for why a
// child of the benchmark process cannot be measured directly). The ml side
// is the test binary re-executed in child mode (RunChild): it plans and
// uploads one folder exactly as `ml batch-endpoint invoke` does, so its
// wall time includes hashing the tree and, for the local workspace, the
// datastore look-up.
//
// The non-test code here is the benchmark's machinery: data set generation
// (Dataset), measured child processes (Launcher), the child's upload
// (RunChild) and the check of what landed in the container (VerifyUpload).
package uploadbench
