package batchrun

import (
	"strconv"
	"testing"
	"time"
)

// timeJob runs a job of files one-file mini-batches of script and returns
// its wall time.
func timeJob(b *testing.B, script string, files, concurrency int) time.Duration {
	b.Helper()
	names := make([]string, files)
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	d := deployment(b, script)
	d.MiniBatchSize = 1
	d.MaxConcurrencyPerInstance = concurrency
	job := newJob(b, inputDir(b, names...))
	start := time.Now()
	res, err, _ := runJob(b, d, job)
	elapsed := time.Since(start)
	if err != nil || res.MiniBatchesSucceeded != files {
		b.Fatalf("Run = %v, %d of %d mini-batches succeeded", err, res.MiniBatchesSucceeded, files)
	}
	return elapsed
}

const emptyScript = "def init():\n    pass\n\ndef run(mini_batch):\n    return mini_batch\n"

// BenchmarkMiniBatchOverhead measures the runtime's cost per mini-batch
// (Go scheduling, the pipe protocol, the driver's bookkeeping, the output
// write) with an empty run(). Worker start-up is measured in the same run
// with a one-mini-batch job and taken out.
func BenchmarkMiniBatchOverhead(b *testing.B) {
	const batches = 200
	var perBatch, startup time.Duration
	for b.Loop() {
		one := timeJob(b, emptyScript, 1, 1)
		many := timeJob(b, emptyScript, batches+1, 1)
		startup += one
		perBatch += (many - one) / batches
	}
	b.ReportMetric(float64(perBatch.Microseconds())/float64(b.N), "µs/mini-batch")
	b.ReportMetric(float64(startup.Milliseconds())/float64(b.N), "ms-job-with-1-batch")
}

// cpuBoundScript spends a fixed amount of CPU on every file (about 0.2 s in
// CPython), well above a worker's start-up time.
const cpuBoundScript = `
def init():
    pass

def run(mini_batch):
    total = 0
    for _ in mini_batch:
        for i in range(4000000):
            total += i * i
    return mini_batch
`

// BenchmarkConcurrency runs 8 CPU-bound one-file mini-batches with
// max_concurrency_per_instance 1 and then 2 in the same run, and reports
// the speed-up of 2 over 1 (ideal 2.0 on an idle 2-core machine).
func BenchmarkConcurrency(b *testing.B) {
	var one, two time.Duration
	for b.Loop() {
		one += timeJob(b, cpuBoundScript, 8, 1)
		two += timeJob(b, cpuBoundScript, 8, 2)
	}
	b.ReportMetric(one.Seconds()/float64(b.N), "s-concurrency-1")
	b.ReportMetric(two.Seconds()/float64(b.N), "s-concurrency-2")
	b.ReportMetric(one.Seconds()/two.Seconds(), "speedup-2-over-1")
}
