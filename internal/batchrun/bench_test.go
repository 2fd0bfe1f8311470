package batchrun

import (
	"fmt"
	"strconv"
	"testing"
	"time"
)

// BenchmarkMiniBatchOverhead measures the runtime's cost per mini-batch: an
// empty run() over b.N one-file mini-batches on one worker, worker start
// included.
func BenchmarkMiniBatchOverhead(b *testing.B) {
	names := make([]string, b.N)
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	d := deployment(b, "def init():\n    pass\n\ndef run(mini_batch):\n    return mini_batch\n")
	d.MiniBatchSize = 1
	job := newJob(b, inputDir(b, names...))
	b.ResetTimer()
	start := time.Now()
	res, err, _ := runJob(b, d, job)
	elapsed := time.Since(start)
	if err != nil || res.MiniBatchesSucceeded != b.N {
		b.Fatalf("Run = %v, %d of %d mini-batches succeeded", err, res.MiniBatchesSucceeded, b.N)
	}
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N), "ns/mini-batch")
}

// cpuBoundScript spends a fixed amount of CPU on every file.
const cpuBoundScript = `
def init():
    pass

def run(mini_batch):
    total = 0
    for _ in mini_batch:
        for i in range(300000):
            total += i * i
    return mini_batch
`

// BenchmarkConcurrency runs 8 CPU-bound one-file mini-batches with
// max_concurrency_per_instance 1 and 2; compare the two ns/op.
func BenchmarkConcurrency(b *testing.B) {
	in := inputDir(b, "0", "1", "2", "3", "4", "5", "6", "7")
	for _, procs := range []int{1, 2} {
		b.Run(fmt.Sprintf("max_concurrency_per_instance=%d", procs), func(b *testing.B) {
			d := deployment(b, cpuBoundScript)
			d.MiniBatchSize = 1
			d.MaxConcurrencyPerInstance = procs
			for b.Loop() {
				b.StopTimer()
				job := newJob(b, in)
				b.StartTimer()
				if res, err, _ := runJob(b, d, job); err != nil || res.MiniBatchesSucceeded != 8 {
					b.Fatalf("Run = %v, %d mini-batches succeeded", err, res.MiniBatchesSucceeded)
				}
			}
		})
	}
}
