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
	invoke := func(extra ...string) func(in string, i int) []string {
		return func(in string, _ int) []string {
			return append([]string{"--debug", "batch-endpoint", "invoke", "-n", endpointName, "--input", in, "--no-cache", "--query", "name", "-o", "tsv"}, extra...)
		}
	}
	benchRoundTrips(b, []roundTripCase{
		{"new-folder", true, 0, invoke()},
		{"uploaded-folder", false, 0, invoke()},
		{"with-deployment", true, 0, invoke("-d", deploymentName)},
		{"large-file", true, 64 << 20, invoke()},
	})
}

// BenchmarkAssetCreateRoundTrips is BenchmarkInvokeRoundTrips for `ml data
// create` and `ml model create` of a new local folder (a new version each
// time): their hash pass and datastore opening run beside the version
// look-up, so large-file's sequential round trips are below its
// hash-round-trips plus the small folder's.
func BenchmarkAssetCreateRoundTrips(b *testing.B) {
	create := func(noun string) func(in string, i int) []string {
		return func(in string, i int) []string {
			args := []string{"--debug", noun, "create", "-n", "bench-" + noun, "--path", in, "--no-cache", "--query", "name", "-o", "tsv"}
			if noun == "data" {
				args = append(args, "--type", "uri_folder")
			}
			return args
		}
	}
	// A deployment whose inline model is the folder: the model is
	// registered (a new version each time) with a code folder beside it.
	deployment := func(in string, _ int) []string {
		dir := filepath.Dir(in)
		code := filepath.Join(dir, "src")
		if err := os.MkdirAll(code, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(code, "score.py"), []byte("def init():\n    pass\n\ndef run(mini_batch):\n    return mini_batch\n"), 0o644); err != nil {
			b.Fatal(err)
		}
		yml := filepath.Join(dir, "deployment.yml")
		body := "name: bench\nendpoint_name: " + endpointName + "\nmodel:\n  name: bench-model\n  path: " + in +
			"\ncode_configuration:\n  code: src\n  scoring_script: score.py\n"
		if err := os.WriteFile(yml, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
		return []string{"--debug", "batch-deployment", "create", "-f", yml, "--no-cache", "--query", "name", "-o", "tsv"}
	}
	benchRoundTrips(b, []roundTripCase{
		{"deployment-new-model", true, 0, deployment},
		{"deployment-large-model", true, 64 << 20, deployment},
		{"data-new-folder", true, 0, create("data")},
		{"data-large-file", true, 64 << 20, create("data")},
		{"model-new-folder", true, 0, create("model")},
		{"model-large-file", true, 64 << 20, create("model")},
	})
}

// roundTripCase is one command of a round-trip benchmark: args gives its
// arguments for the input folder and iteration; fresh writes new content
// before each run (else the content is uploaded once before the runs);
// size is the input file's size beyond its one-line header.
type roundTripCase struct {
	name  string
	fresh bool
	size  int
	args  func(in string, i int) []string
}

func benchRoundTrips(b *testing.B, cases []roundTripCase) {
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
			if !tc.fresh {
				e.run(tc.args(in, 0)...) // the upload the measured runs then find
			}
			var elapsed time.Duration
			requests := 0
			b.ResetTimer()
			for i := range b.N {
				if tc.fresh {
					write(i + 1)
				}
				start := time.Now()
				r := e.ml(nil, tc.args(in, i)...)
				elapsed += time.Since(start)
				if r.code != 0 {
					b.Fatalf("%s: %s", tc.name, r)
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
