package localtest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlbatch/ml/internal/localws"
	"github.com/mlbatch/ml/internal/upload"
)

// benchLatency is the delay the local workspace adds to every request in
// BenchmarkInvokeRoundTrips: about one round trip to an Azure region from
// the same continent. Only ratios to it are reported.
const benchLatency = 40 * time.Millisecond

// BenchmarkInvokeRoundTrips counts the round trips an invoke waits for one
// after the other, the part of its time that distance to Azure multiplies:
// every request to the local workspace is delayed by benchLatency, so an
// invoke's wall time divided by it is the length of its critical path in
// round trips (plus a fraction for the work itself), while requests/op
// counts every request it sent (from the --debug trace). Their ratio,
// sequential/requests, is 1 for a client that sends one request at a time
// and smaller the more of them overlap.
//
// new-folder invokes a folder whose content is new each time (one upload);
// uploaded-folder re-invokes a folder already on the datastore (the skip
// path); with-deployment names the deployment with -d; large-file invokes
// a folder of one new 64 MiB file, whose hash pass alone is a few round
// trips long (reported as hash-round-trips/op, measured in the same run):
// an invoke that reads beside its workspace checks hides one behind the
// other.
func BenchmarkInvokeRoundTrips(b *testing.B) {
	cases := []struct {
		name  string
		fresh bool
		size  int
		extra []string
	}{
		{"new-folder", true, 0, nil},
		{"uploaded-folder", false, 0, nil},
		{"with-deployment", true, 0, []string{"-d", deploymentName}},
		{"large-file", true, 64 << 20, nil},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			e := newEnv(b)
			if err := e.srv.SetFaults(localws.FaultOptions{Latency: benchLatency}); err != nil {
				b.Fatal(err)
			}
			in := b.TempDir()
			content := make([]byte, tc.size)
			_, _ = rand.NewChaCha8([32]byte{}).Read(content) // incompressible, like real data
			write := func(i int) {
				row := fmt.Appendf(nil, "row,%d\n", i)
				if err := os.WriteFile(filepath.Join(in, "rows.csv"), append(row, content...), 0o644); err != nil {
					b.Fatal(err)
				}
			}
			write(0)
			args := append([]string{"--debug", "batch-endpoint", "invoke", "-n", endpointName, "--input", in, "--no-cache", "--query", "name", "-o", "tsv"}, tc.extra...)
			if !tc.fresh {
				e.run(args...) // the upload the measured invokes then find
			}
			var elapsed time.Duration
			requests := 0
			b.ResetTimer()
			for i := range b.N {
				if tc.fresh {
					write(i + 1)
				}
				start := time.Now()
				r := e.ml(nil, args...)
				elapsed += time.Since(start)
				if r.code != 0 {
					b.Fatalf("invoke: %s", r)
				}
				requests += strings.Count(r.stderr, "DEBUG: Request: ")
			}
			sequential := float64(elapsed) / float64(benchLatency) / float64(b.N)
			perOp := float64(requests) / float64(b.N)
			b.ReportMetric(sequential, "sequential-round-trips/op")
			b.ReportMetric(perOp, "requests/op")
			b.ReportMetric(sequential/perOp, "sequential/requests")
			if tc.size > 0 {
				b.ReportMetric(float64(hashTime(b, in))/float64(benchLatency), "hash-round-trips/op")
			}
		})
	}
}

// hashTime is the mean time of the hash pass over the folder in, without
// the hash cache (the invokes ran with --no-cache).
func hashTime(b *testing.B, in string) time.Duration {
	const runs = 3
	start := time.Now()
	for range runs {
		if _, err := upload.NewPlan(b.Context(), in); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start) / runs
}
