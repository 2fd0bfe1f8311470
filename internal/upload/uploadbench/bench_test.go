package uploadbench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/mlbatch/ml/internal/testutil/azurite"
)

// EnvScale multiplies the file count of every data set (see
// StandardDatasets); unset means 1.
const EnvScale = "ML_UPLOADBENCH_SCALE"

// BenchmarkUploadComparison is issue 5's `make bench`: for each data set
// (5,000 × 4 KiB, 8 × 64 MiB, 500 × 1 KiB–4 MiB) and each target (Azurite,
// the local workspace) it runs
//
//   - cp-r: `cp -r` of the data set to a new folder (the baseline), and
//   - ml: an upload of it with upload.Execute, in a child process, to a new
//     container or a new local workspace, then a re-upload to the same
//     place, which must be skipped.
//
// Both sides report files/s, MiB/s (from each process's own wall time) and
// peak-RSS-MiB; ml also reports x-cp, its time over cp's in the same
// target group, and rerun-s, the time of the skipped re-upload (hashing
// plus one probe). ns/op is the whole measured process, launcher included;
// B/op and allocs/op (-benchmem) count this process, which serves the local
// workspace, not the measured ones.
// After every upload the container is listed (count, bytes, marker) and
// every copy walked; the benchmark fails when an ml upload's peak RSS is
// above MaxPeakRSS (64 MiB).
//
// Each data set is generated once per run and deleted after its cases.
// Defaults of make bench: -benchtime=1x. Larger: -benchtime=5x, or
// ML_UPLOADBENCH_SCALE=4.
func BenchmarkUploadComparison(b *testing.B) {
	scale := scaleFromEnv(b)
	work := b.TempDir()
	r := newRunner(b)
	targets := []struct {
		name string
		// start prepares the target for one group and returns how to get
		// a fresh destination on it.
		start func(b *testing.B) func(context.Context) (*Destination, error)
	}{
		{"azurite", func(b *testing.B) func(context.Context) (*Destination, error) {
			// One Azurite per group: its folder, with every upload of the
			// group, goes when the group ends.
			inst := azurite.Start(b)
			return func(ctx context.Context) (*Destination, error) {
				return NewContainerDestination(ctx, inst.ServiceURL, inst.Account, inst.Key)
			}
		}},
		{"local", func(b *testing.B) func(context.Context) (*Destination, error) {
			return func(ctx context.Context) (*Destination, error) { return NewLocalDestination(ctx, work) }
		}},
	}
	for _, ds := range StandardDatasets(scale) {
		b.Run(ds.Name, func(b *testing.B) {
			tree, err := ds.Generate(filepath.Join(work, ds.Name))
			if err != nil {
				b.Fatal(err)
			}
			defer os.RemoveAll(tree.Root)
			for _, tgt := range targets {
				b.Run(tgt.name, func(b *testing.B) {
					fresh := tgt.start(b)
					cp := &stats{} // the group's cp -r runs, for x-cp
					b.Run("cp-r", func(b *testing.B) { benchCopy(b, r, tree, work, cp) })
					b.Run("ml", func(b *testing.B) { benchUpload(b, r, tree, fresh, work, cp) })
				})
			}
		})
	}
}

// benchCopy measures `cp -r` of tree into a new folder per iteration.
func benchCopy(b *testing.B, r *Runner, tree *Tree, work string, cp *stats) {
	var s stats
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		m := copyOnce(b, r, tree, work)
		s.add(m)
		cp.add(m)
	}
	s.report(b, tree)
}

// copyOnce copies tree, checks the copy and deletes it. The timer must be
// stopped; it runs during the copy only.
func copyOnce(b *testing.B, r *Runner, tree *Tree, work string) *Measurement {
	dest, err := os.MkdirTemp(work, "copy-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dest)
	dest = filepath.Join(dest, "data")
	settle()
	b.StartTimer()
	m, err := r.Copy(b.Context(), tree, dest)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if err := CheckCopy(tree, dest); err != nil {
		b.Fatal(err)
	}
	return m
}

// benchUpload measures one ml upload per iteration into a fresh
// destination, checks it, and measures the skipped re-upload (untimed).
func benchUpload(b *testing.B, r *Runner, tree *Tree, fresh func(context.Context) (*Destination, error), work string, cp *stats) {
	ctx := b.Context()
	var up, rerun stats
	var planned, executed time.Duration
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		dst, err := fresh(ctx)
		if err != nil {
			b.Fatal(err)
		}
		settle()
		b.StartTimer()
		m, rep, err := r.Upload(ctx, tree, dst)
		b.StopTimer()
		if err == nil {
			err = CheckUpload(ctx, tree, dst, rep)
		}
		var again *ChildReport
		var m2 *Measurement
		if err == nil {
			m2, again, err = r.Upload(ctx, tree, dst)
		}
		if err == nil {
			err = CheckRerun(tree, again)
		}
		if cerr := dst.Close(context.Background()); err == nil && cerr != nil {
			err = fmt.Errorf("delete the destination: %w", cerr)
		}
		if err != nil {
			b.Fatal(err)
		}
		up.add(m)
		rerun.add(m2)
		planned += time.Duration(rep.PlanNanos)
		executed += time.Duration(rep.UploadNanos)
	}
	if cp.runs == 0 {
		// cp-r was filtered out (-bench): measure the baseline here.
		cp.add(copyOnce(b, r, tree, work))
	}
	up.report(b, tree)
	xcp := up.mean().Seconds() / cp.mean().Seconds()
	b.ReportMetric(xcp, "x-cp")
	b.ReportMetric(rerun.mean().Seconds(), "rerun-s")
	// The same figures in the log: a failed benchmark prints no metrics.
	b.Logf("%d files, %.1f MiB: %.0f files/s, %.1f MiB/s, %.2fx cp -r (%.2fs); hash %.2fs + upload %.2fs; re-upload %.2fs; peak RSS %.1f MiB (re-upload %.1f MiB)",
		tree.Files, float64(tree.Bytes)/MiB, up.filesPerSecond(tree), up.mibPerSecond(tree), xcp, cp.mean().Seconds(),
		(planned / time.Duration(b.N)).Seconds(), (executed / time.Duration(b.N)).Seconds(), rerun.mean().Seconds(),
		float64(up.peak)/MiB, float64(rerun.peak)/MiB)
	if peak := max(up.peak, rerun.peak); peak > MaxPeakRSS {
		b.Errorf("peak RSS of ml %.1f MiB is above the %d MiB target", float64(peak)/MiB, MaxPeakRSS/MiB)
	}
}

// stats sums the measurements of one case.
type stats struct {
	wall time.Duration
	peak int64
	runs int
}

func (s *stats) add(m *Measurement) {
	s.wall += m.Wall
	s.peak = max(s.peak, m.PeakRSS)
	s.runs++
}

func (s *stats) mean() time.Duration { return s.wall / time.Duration(s.runs) }

// filesPerSecond and mibPerSecond are over the processes' own wall times.
func (s *stats) filesPerSecond(tree *Tree) float64 {
	return float64(tree.Files*s.runs) / s.wall.Seconds()
}

func (s *stats) mibPerSecond(tree *Tree) float64 {
	return float64(tree.Bytes) * float64(s.runs) / MiB / s.wall.Seconds()
}

// report emits files/s, MiB/s and peak-RSS-MiB.
func (s *stats) report(b *testing.B, tree *Tree) {
	b.ReportMetric(s.filesPerSecond(tree), "files/s")
	b.ReportMetric(s.mibPerSecond(tree), "MiB/s")
	b.ReportMetric(float64(s.peak)/MiB, "peak-RSS-MiB")
}

// settle flushes dirty pages (sync) before a measured run, so the
// write-back of the previous case — hundreds of MiB of copies and uploads,
// and deleting them — is not charged to the next one.
func settle() {
	_ = exec.Command("sync").Run()
}

func scaleFromEnv(b *testing.B) int {
	v := os.Getenv(EnvScale)
	if v == "" {
		return 1
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100 {
		b.Fatalf("%s=%q: want a whole number from 1 to 100 (it multiplies every data set's file count); unset it for 1", EnvScale, v)
	}
	return n
}
