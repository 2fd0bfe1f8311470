package uploadbench

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/mlbatch/ml/internal/upload"
)

// EnvHash holds a HashRequest: the test binary then hashes a folder
// (RunHash) instead of running its tests.
const EnvHash = "ML_UPLOADBENCH_HASH"

// Hash kinds of a HashRequest.
const (
	// HashMD5 is the floor of any az-compatible upload: one MD5 stream
	// over every byte of the folder in order, which az's
	// LocalUpload/<hash>/ name needs before the first byte can be sent.
	// Nothing else is computed and nothing is cached.
	HashMD5 = "md5"
	// HashPlan is ml's own hash pass (upload.NewPlanWith with the
	// ML_UPLOAD_* layout, no cache): az's hash plus the checksums of every
	// request body, from one read.
	HashPlan = "plan"
)

// HashRequest asks a child to hash Source the way Kind says.
type HashRequest struct {
	Source string `json:"source"`
	Kind   string `json:"kind"`
}

// RunHash performs $ML_UPLOADBENCH_HASH, prints the hash and returns the
// exit code.
func RunHash(ctx context.Context, stdout io.Writer) int {
	sum, err := runHash(ctx, os.Getenv(EnvHash))
	if err != nil {
		fmt.Fprintf(os.Stderr, "uploadbench hash: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, sum)
	return 0
}

func runHash(ctx context.Context, raw string) (string, error) {
	var req HashRequest
	if err := json.Unmarshal([]byte(raw), &req); err != nil {
		return "", fmt.Errorf("%s is not a JSON HashRequest: %v", EnvHash, err)
	}
	switch req.Kind {
	case HashMD5:
		return md5Stream(req.Source)
	case HashPlan:
		opts, err := upload.OptionsFromEnv()
		if err != nil {
			return "", err
		}
		p, err := upload.NewPlanWith(ctx, req.Source, upload.PlanOptions{Layout: opts.Layout})
		if err != nil {
			return "", err
		}
		return p.Hash, nil
	default:
		return "", fmt.Errorf("HashRequest.kind %q: want %q or %q", req.Kind, HashMD5, HashPlan)
	}
}

// md5Stream reads every regular file below root in walk order into one
// MD5 with a 1 MiB buffer, as az reads a folder for its content hash.
func md5Stream(root string) (string, error) {
	h := md5.New()
	buf := make([]byte, MiB)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		io.WriteString(h, d.Name())
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.CopyBuffer(h, f, buf)
		return err
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

// Hash hashes tree in a measured child process (kind: HashMD5 or
// HashPlan).
func (r *Runner) Hash(ctx context.Context, tree *Tree, kind string) (*Measurement, error) {
	data, err := json.Marshal(HashRequest{Source: tree.Root, Kind: kind})
	if err != nil {
		return nil, err
	}
	env := append(r.env()[:len(r.env()):len(r.env())], EnvHash+"="+string(data))
	m, err := r.Launcher.Run(ctx, env, r.Child, "-test.run=^$")
	if err == nil && len(m.Stdout) < 32 {
		err = fmt.Errorf("hash child (%s) printed %q, not a hash (does TestMain call RunHash?)", kind, m.Stdout)
	}
	return m, err
}
