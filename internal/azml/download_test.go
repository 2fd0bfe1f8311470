package azml

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/testutil/azurite"
)

// transport sends requests to Azurite, counts blob GETs in flight, and can
// fail the requests fail picks (with a transport error quoting the URL, as
// net/http's errors do).
type transport struct {
	client   http.Client
	inFlight atomic.Int64
	mu       sync.Mutex
	maxSeen  int64
	fail     func(*http.Request) bool
}

func (tr *transport) Do(req *http.Request) (*http.Response, error) {
	if tr.fail != nil && tr.fail(req) {
		return nil, fmt.Errorf("Get %q: connection reset by peer", req.URL.String())
	}
	isBlobGet := req.Method == http.MethodGet && req.URL.Query().Get("comp") == ""
	if isBlobGet {
		n := tr.inFlight.Add(1)
		tr.mu.Lock()
		tr.maxSeen = max(tr.maxSeen, n)
		tr.mu.Unlock()
		defer tr.inFlight.Add(-1)
	}
	resp, err := tr.client.Do(req)
	if err == nil && isBlobGet {
		// Count the request as in flight until its body is read, like a
		// real download.
		var buf bytes.Buffer
		_, err = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		resp.Body = nopCloser{&buf}
	}
	return resp, err
}

type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }

// storage is one Azurite instance shared by the subtests of a test.
type storage struct {
	inst *azurite.Instance
	cred *container.SharedKeyCredential
}

func startStorage(t *testing.T) *storage {
	t.Helper()
	inst := azurite.Start(t)
	cred, err := container.NewSharedKeyCredential(inst.Account, inst.Key)
	if err != nil {
		t.Fatal(err)
	}
	return &storage{inst: inst, cred: cred}
}

var containerCount atomic.Int64

// container creates a new container holding files (blob name → content)
// and returns a client for it whose traffic goes through tr.
func (s *storage) container(t *testing.T, tr *transport, files map[string][]byte) *container.Client {
	t.Helper()
	name := fmt.Sprintf("dl%04d", containerCount.Add(1))
	c, err := container.NewClientWithSharedKeyCredential(s.inst.ServiceURL+"/"+name, s.cred, &container.ClientOptions{
		ClientOptions: azcore.ClientOptions{
			Transport: tr,
			Retry:     policy.RetryOptions{MaxRetries: 1, RetryDelay: time.Millisecond, MaxRetryDelay: time.Millisecond},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Create(ctx, nil); err != nil {
		t.Fatalf("create container: %v", err)
	}
	for blobName, content := range files {
		// One Put Blob each, so the service records a Content-MD5.
		_, err := c.NewBlockBlobClient(blobName).UploadBuffer(ctx, content, &blockblob.UploadBufferOptions{BlockSize: 64 << 20})
		if err != nil {
			t.Fatalf("upload %s: %v", blobName, err)
		}
	}
	return c
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31 + i/251)
	}
	return b
}

// tree reads every file under dir, and fails on leftover partial files.
func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasSuffix(p, partialSuffix) {
			t.Errorf("partial file left behind: %s", p)
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	return out
}

func TestDownloadFolder(t *testing.T) {
	s := startStorage(t)
	files := map[string][]byte{
		"azureml/job1/score/predictions.csv":    []byte("a.csv,1\nb.csv,0\n"),
		"azureml/job1/score/details/rows.txt":   []byte("2 rows\n"),
		"azureml/job1/score/empty.txt":          {},
		"azureml/job1/score/big.bin":            pattern(300 << 10), // several 64 KiB ranges
		"azureml/job1/scores-of-another/x.txt":  []byte("not under score/"),
		"azureml/job2/score/predictions.csv":    []byte("other job"),
		"azureml/job1/score/deep/a/b/c/d/e.txt": []byte("deep"),
	}

	t.Run("every blob under the folder, byte for byte", func(t *testing.T) {
		tr := &transport{}
		c := s.container(t, tr, files)
		dir := filepath.Join(t.TempDir(), "new", "folder")
		var seen []string
		res, err := DownloadFolder(context.Background(), c, "azureml/job1/score", dir, DownloadOptions{
			BlockSize: 64 << 10,
			OnFile:    func(f DownloadedFile) { seen = append(seen, f.Blob) },
		})
		if err != nil {
			t.Fatal(err)
		}
		got := tree(t, dir)
		var wantBytes int64
		for name, content := range files {
			rel, ok := strings.CutPrefix(name, "azureml/job1/score/")
			if !ok {
				continue
			}
			wantBytes += int64(len(content))
			if !bytes.Equal(got[rel], content) {
				t.Errorf("%s: got %d bytes, want %d identical bytes", rel, len(got[rel]), len(content))
			}
			delete(got, rel)
		}
		if len(got) != 0 {
			t.Errorf("files from outside the folder were downloaded: %v", got)
		}
		if len(res.Files) != 5 || len(seen) != 5 || res.Bytes != wantBytes {
			t.Errorf("result: %d files (%d reported), %d bytes; want 5 files, %d bytes", len(res.Files), len(seen), res.Bytes, wantBytes)
		}
		for i := 1; i < len(res.Files); i++ {
			if res.Files[i-1].Path > res.Files[i].Path {
				t.Errorf("files not sorted by path: %s before %s", res.Files[i-1].Path, res.Files[i].Path)
			}
		}
		for _, f := range res.Files {
			if f.Bytes > 0 && !f.MD5Checked {
				t.Errorf("%s: Azurite recorded a Content-MD5 but it was not checked", f.Blob)
			}
		}
	})

	t.Run("empty folder is no files, not an error", func(t *testing.T) {
		c := s.container(t, &transport{}, files)
		res, err := DownloadFolder(context.Background(), c, "azureml/job3/score/", t.TempDir(), DownloadOptions{})
		if err != nil || len(res.Files) != 0 {
			t.Errorf("got %d files, err %v; want none and no error", len(res.Files), err)
		}
	})

	t.Run("concurrency is bounded", func(t *testing.T) {
		many := map[string][]byte{}
		for i := range 24 {
			many[fmt.Sprintf("out/f%02d.txt", i)] = pattern(1000 + i)
		}
		for _, limit := range []int{1, 3} {
			tr := &transport{}
			c := s.container(t, tr, many)
			res, err := DownloadFolder(context.Background(), c, "out/", t.TempDir(), DownloadOptions{Concurrency: limit, BlockConcurrency: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Files) != len(many) {
				t.Errorf("limit %d: %d files, want %d", limit, len(res.Files), len(many))
			}
			if tr.maxSeen < 1 || tr.maxSeen > int64(limit) {
				t.Errorf("limit %d: %d blob GETs were in flight at once", limit, tr.maxSeen)
			}
		}
	})

	t.Run("content that does not match Content-MD5 is not kept", func(t *testing.T) {
		for _, size := range []int{100, 200 << 10} { // one GET, and ranged
			t.Run(fmt.Sprint(size), func(t *testing.T) {
				c := s.container(t, &transport{}, map[string][]byte{"out/data.bin": pattern(size)})
				wrong := md5.Sum([]byte("something else"))
				if _, err := c.NewBlobClient("out/data.bin").SetHTTPHeaders(context.Background(), blob.HTTPHeaders{BlobContentMD5: wrong[:]}, nil); err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				_, err := DownloadFolder(context.Background(), c, "out/", dir, DownloadOptions{BlockSize: 64 << 10})
				if err == nil || !strings.Contains(err.Error(), "Content-MD5") || !strings.Contains(err.Error(), "out/data.bin") {
					t.Fatalf("error = %v, want a Content-MD5 mismatch naming the blob", err)
				}
				if got := tree(t, dir); len(got) != 0 {
					t.Errorf("files kept after a mismatch: %v", got)
				}
			})
		}
	})

	t.Run("a failing blob leaves no partial file and no secret in the error", func(t *testing.T) {
		tr := &transport{}
		c := s.container(t, tr, files)
		// A SAS client, as for a datastore whose secret is a SAS token.
		sasURL, err := c.GetSASURL(sas.ContainerPermissions{Read: true, List: true}, time.Now().Add(time.Hour), nil)
		if err != nil {
			t.Fatal(err)
		}
		sasClient, err := container.NewClientWithNoCredential(sasURL, &container.ClientOptions{ClientOptions: azcore.ClientOptions{
			Transport: tr, Retry: policy.RetryOptions{MaxRetries: 1, RetryDelay: time.Millisecond, MaxRetryDelay: time.Millisecond},
		}})
		if err != nil {
			t.Fatal(err)
		}
		tr.fail = func(r *http.Request) bool {
			return strings.HasSuffix(r.URL.Path, "/big.bin") && r.Method == http.MethodGet
		}
		dir := t.TempDir()
		_, err = DownloadFolder(context.Background(), sasClient, "azureml/job1/score/", dir, DownloadOptions{BlockSize: 64 << 10})
		if err == nil || !strings.Contains(err.Error(), "big.bin") {
			t.Fatalf("error = %v, want one naming big.bin", err)
		}
		sig := sasURL[strings.Index(sasURL, "sig=")+4:]
		if strings.Contains(err.Error(), sig) || !strings.Contains(err.Error(), "REDACTED") {
			t.Errorf("the error does not hide the SAS signature: %v", err)
		}
		if _, statErr := os.Stat(filepath.Join(dir, "big.bin")); !errors.Is(statErr, fs.ErrNotExist) {
			t.Errorf("big.bin exists after its download failed")
		}
		tree(t, dir) // no partial files
	})

	t.Run("canceled context stops the download", func(t *testing.T) {
		c := s.container(t, &transport{}, files)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		dir := t.TempDir()
		_, err := DownloadFolder(ctx, c, "azureml/job1/score/", dir, DownloadOptions{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want context.Canceled", err)
		}
		tree(t, dir)
	})
}

func TestDownloadFolderRefusesNamesOutsideTheFolder(t *testing.T) {
	s := startStorage(t)
	c := s.container(t, &transport{}, map[string][]byte{"out/../../escape.txt": []byte("x"), "out/ok.txt": []byte("ok")})
	parent := t.TempDir()
	dir := filepath.Join(parent, "dl")
	_, err := DownloadFolder(context.Background(), c, "out/", dir, DownloadOptions{})
	// Azurite keeps the name as given (so does Azure); it must be refused.
	if err == nil || !strings.Contains(err.Error(), "outside the download folder") {
		t.Fatalf("error = %v, want the escaping name refused", err)
	}
	if _, statErr := os.Stat(filepath.Join(parent, "escape.txt")); !errors.Is(statErr, fs.ErrNotExist) {
		t.Errorf("a blob was written outside the download folder")
	}
	if _, statErr := os.Stat(filepath.Join(filepath.Dir(parent), "escape.txt")); !errors.Is(statErr, fs.ErrNotExist) {
		t.Errorf("a blob was written outside the download folder")
	}
}

func TestDownloadConcurrency(t *testing.T) {
	tests := []struct {
		value string
		want  int
		ok    bool
	}{
		{"", DefaultDownloadConcurrency, true},
		{"  ", DefaultDownloadConcurrency, true},
		{"1", 1, true},
		{" 64 ", 64, true},
		{"256", 256, true},
		{"0", 0, false},
		{"257", 0, false},
		{"-4", 0, false},
		{"many", 0, false},
		{"8.5", 0, false},
	}
	for _, tt := range tests {
		got, err := DownloadConcurrency(func(k string) string {
			if k == EnvDownloadConcurrency {
				return tt.value
			}
			return ""
		})
		if tt.ok {
			if err != nil || got != tt.want {
				t.Errorf("%q: got %d, %v; want %d", tt.value, got, err, tt.want)
			}
			continue
		}
		if err == nil || !clierr.IsUsage(err) || !strings.Contains(err.Error(), EnvDownloadConcurrency) {
			t.Errorf("%q: error = %v, want a usage error naming %s", tt.value, err, EnvDownloadConcurrency)
		}
	}
}

// BenchmarkDownloadFolder downloads 64 files of 16 KiB from Azurite per
// iteration at the default concurrency; Azurite, not the client, is the
// bottleneck (see internal/upload's benchmarks), so only compare runs on
// the same machine.
func BenchmarkDownloadFolder(b *testing.B) {
	inst := azurite.Start(b)
	cred, err := container.NewSharedKeyCredential(inst.Account, inst.Key)
	if err != nil {
		b.Fatal(err)
	}
	c, err := container.NewClientWithSharedKeyCredential(inst.ServiceURL+"/bench", cred, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Create(ctx, nil); err != nil {
		b.Fatal(err)
	}
	const files, size = 64, 16 << 10
	for i := range files {
		if _, err := c.NewBlockBlobClient(fmt.Sprintf("out/f%03d.bin", i)).UploadBuffer(ctx, pattern(size), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(files * size)
	b.ResetTimer()
	for range b.N {
		res, err := DownloadFolder(ctx, c, "out/", b.TempDir(), DownloadOptions{})
		if err != nil || len(res.Files) != files {
			b.Fatalf("%d files, %v", len(res.Files), err)
		}
	}
}
