package uploadbench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/testutil/azurite"
)

// EnvScale multiplies the file count of every data set (see
// StandardDatasets); unset means 1.
const EnvScale = "ML_UPLOADBENCH_SCALE"

// BenchmarkUploadComparison is `make bench`'s upload comparison (issues 5
// and 12). For each data set (5,000 × 4 KiB, 8 × 64 MiB, 500 × 1 KiB–4 MiB)
// it measures, each in its own process and in the same run:
//
//   - hash/md5 and hash/plan: the floor of any upload that keeps az's
//     LocalUpload/<hash>/ layout, one MD5 stream over every byte
//     (md5-s), and ml's own hash pass (plan-s, plan-x-md5 against the
//     floor). On the ml sides x-azblob-bound is the baseline's time over
//     the floor plus the baseline's time (what an az-compatible upload
//     reaches when it sends as fast as the baseline), and md5-x-cp the
//     floor over `cp -r`;
//   - azurite/azblob: the baseline, every file uploaded with plain azblob
//     (blockblob.UploadFile, its defaults, 16 files at a time) into a
//     fresh Azurite (freshAzurite says why);
//   - azurite/ml: ml's real CLI, `ml data create --path <tree>`, against a
//     local workspace started with --storage-connection-string of a fresh
//     Azurite (so the upload goes to Azurite), with an empty hash cache;
//     then the same command again (the unchanged re-upload); then the
//     baseline again, and x-azblob is against the mean of both baselines
//     (azblob-after-ratio: the second baseline's time over the first's);
//   - local/cp-r: `cp -r` of the tree; local/cp-r-sync: the same and
//     `sync -f` (until the copy is on disk, as ml's local store waits);
//   - local/ml: `ml data create --path` into the local workspace's own blob
//     store, and again.
//
// Metrics: MiB/s and peak-RSS-MiB of each side; on the ml sides x-azblob
// (ml's throughput over the baseline's) or x-cp and x-cp-sync (ml's time
// over cp's),
// rerun-ratio (re-upload time over first upload time) and rerun-s. Every
// upload is checked (blob count, bytes, marker). The benchmark fails when an
// ml process peaks above MaxPeakRSS.
//
// Defaults of make bench: -benchtime=1x. Larger: -benchtime=5x, or
// ML_UPLOADBENCH_SCALE=4.
func BenchmarkUploadComparison(b *testing.B) {
	scale := scaleFromEnv(b)
	ctx := b.Context()
	work := b.TempDir()
	r := newRunner(b)
	ml, err := BuildML(ctx, work)
	if err != nil {
		b.Fatal(err)
	}
	for _, ds := range StandardDatasets(scale) {
		b.Run(ds.Name, func(b *testing.B) {
			tree, err := ds.Generate(filepath.Join(work, ds.Name))
			if err != nil {
				b.Fatal(err)
			}
			defer os.RemoveAll(tree.Root)
			floor, plan := &stats{}, &stats{}
			b.Run("hash", func(b *testing.B) { benchHash(b, r, tree, floor, plan) })
			b.Run("azurite", func(b *testing.B) {
				base := &stats{}
				b.Run("azblob", func(b *testing.B) { benchBaseline(b, r, tree, base) })
				b.Run("ml", func(b *testing.B) {
					benchCLI(b, r, tree, ml, work, freshAzurite, func(up *stats) {
						// The baseline again after ml (A-B-A): the ratio is
						// against the mean of the baseline before and after,
						// so a drift of Azurite or of the machine's load
						// over the case is not charged to either side.
						after := baselineOnce(b, r, tree, false)
						b.ReportMetric(after.Wall.Seconds()/base.mean().Seconds(), "azblob-after-ratio")
						base.add(after)
						b.ReportMetric(base.mean().Seconds()/up.mean().Seconds(), "x-azblob")
						// What an upload under az's LocalUpload/<hash>/ name
						// reaches against this baseline when it sends as
						// fast as azblob: the MD5 stream first, then the
						// baseline's own time.
						if floor.runs > 0 { // not when -bench leaves the hash out
							b.ReportMetric(base.mean().Seconds()/(base.mean()+floor.mean()).Seconds(), "x-azblob-bound")
						}
					})
				})
			})
			b.Run("local", func(b *testing.B) {
				cp, cpSync := &stats{}, &stats{}
				b.Run("cp-r", func(b *testing.B) { benchCopy(b, r.Copy, tree, work, cp) })
				b.Run("cp-r-sync", func(b *testing.B) { benchCopy(b, r.DurableCopy, tree, work, cpSync) })
				b.Run("ml", func(b *testing.B) {
					benchCLI(b, r, tree, ml, work, nil, func(up *stats) {
						b.ReportMetric(up.mean().Seconds()/cp.mean().Seconds(), "x-cp")
						b.ReportMetric(up.mean().Seconds()/cpSync.mean().Seconds(), "x-cp-sync")
						// az's hash alone against cp -r: the least x-cp
						// any az-compatible upload can have.
						if floor.runs > 0 && cp.runs > 0 {
							b.ReportMetric(floor.mean().Seconds()/cp.mean().Seconds(), "md5-x-cp")
						}
					})
				})
			})
		})
	}
}

// benchHash measures, each in its own process, the floor of an
// az-compatible upload (one MD5 stream over the tree, HashMD5) and ml's own
// hash pass (HashPlan, no cache), and reports the second over the first
// (plan-x-md5: 1 when ml's pass costs no more than az's hash alone).
func benchHash(b *testing.B, r *Runner, tree *Tree, floor, plan *stats) {
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		for _, side := range []struct {
			kind string
			s    *stats
		}{{HashMD5, floor}, {HashPlan, plan}} {
			settle()
			m, err := r.Hash(b.Context(), tree, side.kind)
			if err != nil {
				b.Fatal(err)
			}
			side.s.add(m)
		}
	}
	b.ReportMetric(floor.mean().Seconds(), "md5-s")
	b.ReportMetric(plan.mean().Seconds(), "plan-s")
	b.ReportMetric(plan.mean().Seconds()/floor.mean().Seconds(), "plan-x-md5")
	b.Logf("%d files, %.1f MiB: one MD5 stream %.3fs (%.0f MiB/s); ml's hash pass %.3fs",
		tree.Files, float64(tree.Bytes)/MiB, floor.mean().Seconds(), floor.mibPerSecond(tree), plan.mean().Seconds())
}

// benchBaseline measures the plain-azblob upload into a new container per
// iteration and checks what landed.
func benchBaseline(b *testing.B, r *Runner, tree *Tree, base *stats) {
	b.StopTimer()
	var s stats
	for i := 0; i < b.N; i++ {
		m := baselineOnce(b, r, tree, true)
		s.add(m)
		base.add(m)
	}
	s.report(b, tree)
}

// baselineOnce uploads tree with plain azblob into a fresh Azurite and
// checks it. The timer must be stopped; when timed, it runs during the
// upload (not for the second baseline of an ml case, which would add it to
// ml's ns/op).
func baselineOnce(b *testing.B, r *Runner, tree *Tree, timed bool) *Measurement {
	ctx := b.Context()
	az := azurite.StartLoose(b)
	dst, err := NewContainerDestination(ctx, az.ServiceURL, az.Account, az.Key)
	if err != nil {
		b.Fatal(err)
	}
	settle()
	if timed {
		b.StartTimer()
	}
	m, err := r.Baseline(ctx, tree, dst, "baseline")
	b.StopTimer()
	if err == nil {
		var n int
		var bytes int64
		if n, bytes, err = CountBlobs(ctx, dst.Client, "baseline"); err == nil && (n != tree.Files || bytes != tree.Bytes) {
			err = fmt.Errorf("baseline uploaded %d files of %d bytes, want %d of %d", n, bytes, tree.Files, tree.Bytes)
		}
	}
	if cerr := dst.Close(context.Background()); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// benchCLI measures `ml data create --path` into a new workspace per
// iteration (datastore in a fresh account from storage, or the local
// store when storage is nil),
// with a new, empty hash cache, checks the upload, and measures the same
// command again (unchanged tree: the cache decides and the upload is
// skipped). ratio reports the comparison with the group's baseline.
func benchCLI(b *testing.B, r *Runner, tree *Tree, ml, work string, storage func(testing.TB) string, ratio func(*stats)) {
	ctx := b.Context()
	b.StopTimer()
	var up, rerun stats
	for i := 0; i < b.N; i++ {
		conn := ""
		if storage != nil {
			conn = storage(b)
		}
		w, err := StartWorkspace(ctx, ml, work, conn)
		if err != nil {
			b.Fatal(err)
		}
		cache, err := os.MkdirTemp(work, "cache-")
		if err != nil {
			b.Fatal(err)
		}
		settle()
		b.StartTimer()
		m, remote, err := r.DataCreate(ctx, w, tree, cache)
		b.StopTimer()
		if err == nil {
			var ds *azml.Datastore
			if ds, err = w.Datastore(ctx); err == nil {
				err = VerifyUpload(ctx, ds.Client, remote, tree.Files, tree.Bytes)
			}
		}
		var m2 *Measurement
		if err == nil {
			m2, _, err = r.DataCreate(ctx, w, tree, cache)
		}
		err = errors.Join(err, w.Close(), os.RemoveAll(cache))
		if err != nil {
			b.Fatal(err)
		}
		up.add(m)
		rerun.add(m2)
	}
	up.report(b, tree)
	ratio(&up)
	rr := rerun.mean().Seconds() / up.mean().Seconds()
	b.ReportMetric(rr, "rerun-ratio")
	b.ReportMetric(rerun.mean().Seconds(), "rerun-s")
	b.Logf("%d files, %.1f MiB: %.1f MiB/s, %.2fs; re-upload %.3fs (%.1f%% of the first); peak RSS %.1f MiB (re-upload %.1f MiB)",
		tree.Files, float64(tree.Bytes)/MiB, up.mibPerSecond(tree), up.mean().Seconds(), rerun.mean().Seconds(), 100*rr,
		float64(up.peak)/MiB, float64(rerun.peak)/MiB)
	if peak := max(up.peak, rerun.peak); peak > MaxPeakRSS {
		b.Errorf("peak RSS of ml %.1f MiB is above the %d MiB target", float64(peak)/MiB, MaxPeakRSS/MiB)
	}
}

// freshAzurite starts an Azurite for one measurement and returns its
// connection string. Every measurement gets its own: Azurite slows down as
// it holds more blobs (it saves its whole metadata database every few
// seconds on its one thread): plain azblob uploads of the same 5,000 × 4 KiB
// into one instance took 13, 25, 31 and 55 s one after the other, so in a
// shared instance whatever runs later is charged for what ran before.
func freshAzurite(tb testing.TB) string {
	az := azurite.StartLoose(tb)
	return "DefaultEndpointsProtocol=http;AccountName=" + az.Account + ";AccountKey=" + az.Key + ";BlobEndpoint=" + az.ServiceURL
}

// copier copies a tree to dest and measures it (Runner.Copy, DurableCopy).
type copier func(ctx context.Context, tree *Tree, dest string) (*Measurement, error)

// benchCopy measures copy of tree into a new folder per iteration.
func benchCopy(b *testing.B, copy copier, tree *Tree, work string, cp *stats) {
	var s stats
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		m := copyOnce(b, copy, tree, work)
		s.add(m)
		cp.add(m)
	}
	s.report(b, tree)
}

// copyOnce copies tree, checks the copy and deletes it. The timer must be
// stopped; it runs during the copy only.
func copyOnce(b *testing.B, copy copier, tree *Tree, work string) *Measurement {
	dest, err := os.MkdirTemp(work, "copy-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dest)
	dest = filepath.Join(dest, "data")
	settle()
	b.StartTimer()
	m, err := copy(b.Context(), tree, dest)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if err := CheckCopy(tree, dest); err != nil {
		b.Fatal(err)
	}
	return m
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
