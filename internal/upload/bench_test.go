package upload

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
)

// BenchmarkUpload measures Execute against Azurite with the options from
// the environment (ML_UPLOAD_* overrides, else the defaults), so settings
// can be compared:
//
//	ML_UPLOAD_FILE_CONCURRENCY=8 go test -run '^$' -bench Upload ./internal/upload
//
// Each iteration uploads into a fresh container (otherwise the second one
// would be skipped). MB/s is over the plan's bytes; files/s is reported too.
// Azurite is a single Node.js process on loopback: absolute numbers say
// little about Azure, relative ones show client-side overhead.
func BenchmarkUpload(b *testing.B) {
	inst := startAzurite(b)
	opts, err := OptionsFromEnv()
	if err != nil {
		b.Fatal(err)
	}
	shapes := []struct {
		name  string
		files int
		size  int
	}{
		{"small-files-300x4KiB", 300, 4 << 10},
		{"big-files-3x16MiB", 3, 16 << 20},
	}
	for _, s := range shapes {
		b.Run(s.name, func(b *testing.B) {
			root := filepath.Join(b.TempDir(), "data")
			tree := map[string]string{}
			for i := range s.files {
				tree[fmt.Sprintf("d%02d/f%04d.bin", i%10, i)] = string(pseudoRandom(s.size + i))
			}
			writeTree(b, root, tree)
			plan, err := NewPlan(b.Context(), root)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(plan.Bytes)
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				c, _ := newContainer(b, inst, &recorder{})
				b.StartTimer()
				res, err := Execute(context.Background(), c, plan, opts)
				if err != nil {
					b.Fatal(err)
				}
				if res.Skipped || res.Files != s.files {
					b.Fatalf("result %+v", res)
				}
			}
			b.ReportMetric(float64(s.files*b.N)/b.Elapsed().Seconds(), "files/s")
		})
	}
}

// BenchmarkUploadClientOnly measures the client alone: the same Execute
// against an in-process server that reads and discards every body and
// answers like Blob storage (HEAD 404, PUT 201, metadata 200). It shows
// what ml itself can push, which Azurite hides. (Both share the CPU, so it
// understates the client on a busy machine.)
func BenchmarkUploadClientOnly(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		switch {
		case r.Method == http.MethodHead:
			w.Header().Set("x-ms-error-code", "BlobNotFound")
			w.WriteHeader(http.StatusNotFound)
		case r.URL.Query().Get("comp") == "metadata":
			w.WriteHeader(http.StatusOK)
		default:
			w.WriteHeader(http.StatusCreated)
		}
	}))
	defer srv.Close()
	opts, err := OptionsFromEnv()
	if err != nil {
		b.Fatal(err)
	}
	c, err := container.NewClientWithNoCredential(srv.URL+"/acct/c", &container.ClientOptions{
		ClientOptions: azcore.ClientOptions{Retry: testRetry()},
	})
	if err != nil {
		b.Fatal(err)
	}
	shapes := []struct {
		name  string
		files int
		size  int
	}{
		{"small-files-1000x4KiB", 1000, 4 << 10},
		{"big-files-2x32MiB", 2, 32 << 20},
	}
	for _, s := range shapes {
		b.Run(s.name, func(b *testing.B) {
			root := filepath.Join(b.TempDir(), "data")
			tree := map[string]string{}
			for i := range s.files {
				tree[fmt.Sprintf("d%02d/f%04d.bin", i%10, i)] = string(pseudoRandom(s.size + i))
			}
			writeTree(b, root, tree)
			plan, err := NewPlan(b.Context(), root)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(plan.Bytes)
			for b.Loop() {
				if _, err := Execute(context.Background(), c, plan, opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(s.files*b.N)/b.Elapsed().Seconds(), "files/s")
		})
	}
}

// BenchmarkPlan measures hashing a tree (the pass before any upload).
func BenchmarkPlan(b *testing.B) {
	root := filepath.Join(b.TempDir(), "data")
	tree := map[string]string{}
	for i := range 200 {
		tree[fmt.Sprintf("d%02d/f%04d.bin", i%10, i)] = string(pseudoRandom(64<<10 + i))
	}
	tree["big.bin"] = string(pseudoRandom(32 << 20))
	writeTree(b, root, tree)
	plan, err := NewPlan(b.Context(), root)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(plan.Bytes)
	for b.Loop() {
		if _, err := NewPlan(b.Context(), root); err != nil {
			b.Fatal(err)
		}
	}
}
