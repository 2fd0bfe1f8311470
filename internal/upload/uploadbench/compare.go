package uploadbench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
)

// MaxPeakRSS is issue 12's memory target for one ml upload at default
// settings, whatever the data size: 64 MiB.
const MaxPeakRSS = 64 * MiB

// Runner measures the two sides of the comparison: ml uploads (the test
// binary re-executed as a child, see RunChild) and `cp -r`.
type Runner struct {
	// Launcher starts and measures every process.
	Launcher *Launcher
	// Child is the program that runs RunChild when EnvChild is set: the
	// test binary (os.Executable()).
	Child string
	// Env is the children's base environment; nil means os.Environ(), so
	// ML_UPLOAD_* settings reach the upload.
	Env []string
}

// Upload uploads tree into dst in a child process. It only runs and
// measures; CheckUpload checks the result.
func (r *Runner) Upload(ctx context.Context, tree *Tree, dst *Destination) (*Measurement, *ChildReport, error) {
	req := dst.Request
	req.Source = tree.Root
	env, err := ChildEnv(r.env(), req)
	if err != nil {
		return nil, nil, err
	}
	// -test.run=^$: should the child mode ever not be intercepted, the test
	// binary runs nothing (and prints no report) rather than the suite.
	m, err := r.Launcher.Run(ctx, env, r.Child, "-test.run=^$")
	if err != nil {
		return nil, nil, err
	}
	var rep ChildReport
	if err := json.Unmarshal(m.Stdout, &rep); err != nil {
		return nil, nil, fmt.Errorf("upload child printed %q, not a ChildReport: %v (does the test binary's TestMain call RunChild?)", m.Stdout, err)
	}
	return m, &rep, nil
}

// CheckUpload checks a first upload of tree into dst: nothing skipped,
// every file and byte sent, and the container holding exactly the tree
// with its completion marker (VerifyUpload).
func CheckUpload(ctx context.Context, tree *Tree, dst *Destination, rep *ChildReport) error {
	if rep.Skipped || rep.Files != tree.Files || rep.Bytes != tree.Bytes {
		return fmt.Errorf("upload of %s: sent %d files and %d bytes (skipped=%t), want %d and %d", tree.Root, rep.Files, rep.Bytes, rep.Skipped, tree.Files, tree.Bytes)
	}
	return VerifyUpload(ctx, dst.Client, rep.RemotePath, tree.Files, tree.Bytes)
}

// CheckRerun checks a second upload of the same tree to the same place:
// the content is there, so the child must only hash, probe and skip.
func CheckRerun(tree *Tree, rep *ChildReport) error {
	if !rep.Skipped || rep.Files != 0 {
		return fmt.Errorf("re-upload of %s: sent %d files (skipped=%t), want it skipped", tree.Root, rep.Files, rep.Skipped)
	}
	return nil
}

// Copy runs `cp -r tree.Root dest`; dest must not exist. It only runs and
// measures; CheckCopy checks the copy.
func (r *Runner) Copy(ctx context.Context, tree *Tree, dest string) (*Measurement, error) {
	return r.Launcher.Run(ctx, r.env(), "cp", "-r", tree.Root, dest)
}

// DurableCopy is Copy followed by `sync -f dest`: the time until the copy
// is on disk, which is what the local workspace's blob store waits for
// before an upload counts as done (plain cp -r ends while its data is
// still in the page cache, and takes from 0.3 to 1.9 s for 512 MiB here
// depending on how much write-back is pending).
func (r *Runner) DurableCopy(ctx context.Context, tree *Tree, dest string) (*Measurement, error) {
	return r.Launcher.Run(ctx, r.env(), "sh", "-c", `cp -r "$1" "$2" && sync -f "$2"`, "sh", tree.Root, dest)
}

// CheckCopy checks that dest holds as many files and bytes as tree.
func CheckCopy(tree *Tree, dest string) error {
	got, err := CountTree(dest)
	if err != nil {
		return fmt.Errorf("check the copy: %w", err)
	}
	if got.Files != tree.Files || got.Bytes != tree.Bytes {
		return fmt.Errorf("cp -r %s: the copy holds %d files of %d bytes, want %d of %d", tree.Root, got.Files, got.Bytes, tree.Files, tree.Bytes)
	}
	return nil
}

func (r *Runner) env() []string {
	if r.Env != nil {
		return r.Env
	}
	return os.Environ()
}
