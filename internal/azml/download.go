package azml

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"golang.org/x/sync/errgroup"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/httptrace"
)

// Downloads of job outputs (`ml job download`): every blob under a folder
// of a datastore, several at a time, each streamed to a temporary file next
// to its destination and renamed into place only once complete and checked.

const (
	// DefaultDownloadConcurrency is how many blobs are downloaded at once.
	// Output files are mostly small, so the count is set by round trips, as
	// for uploads (internal/upload), not by cores.
	DefaultDownloadConcurrency = 16
	// MaxDownloadConcurrency caps EnvDownloadConcurrency.
	MaxDownloadConcurrency = 256
	// EnvDownloadConcurrency overrides DefaultDownloadConcurrency with a
	// whole number from 1 to MaxDownloadConcurrency.
	EnvDownloadConcurrency = "ML_DOWNLOAD_CONCURRENCY"

	// DefaultDownloadBlockSize is the size of the ranges a blob is fetched
	// in: one GET for blobs up to this size, parallel ranged GETs beyond.
	DefaultDownloadBlockSize = 8 << 20
	// DefaultDownloadBlockConcurrency is how many ranges of one blob are in
	// flight; with DefaultDownloadConcurrency that bounds the connections.
	DefaultDownloadBlockConcurrency = 4

	// partialSuffix marks a file still being downloaded.
	partialSuffix = ".mlpartial"
)

// DownloadConcurrency returns EnvDownloadConcurrency read through getenv,
// or DefaultDownloadConcurrency when it is unset or empty. A value that is
// not a whole number from 1 to MaxDownloadConcurrency is a usage error
// naming the variable.
func DownloadConcurrency(getenv func(string) string) (int, error) {
	v := strings.TrimSpace(getenv(EnvDownloadConcurrency))
	if v == "" {
		return DefaultDownloadConcurrency, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxDownloadConcurrency {
		return 0, clierr.Usagef("%s=%q: want a whole number from 1 to %d; unset it for the default %d", EnvDownloadConcurrency, v, MaxDownloadConcurrency, DefaultDownloadConcurrency)
	}
	return n, nil
}

// DownloadOptions tune DownloadFolder. The zero value selects the defaults.
type DownloadOptions struct {
	// Concurrency is how many blobs are downloaded at once; 0 means
	// DefaultDownloadConcurrency.
	Concurrency int
	// BlockSize is the size of one ranged GET; 0 means
	// DefaultDownloadBlockSize.
	BlockSize int64
	// BlockConcurrency is how many ranges of one blob are in flight; 0
	// means DefaultDownloadBlockConcurrency.
	BlockConcurrency int
	// OnFile, when set, is called after each file is in place. Calls are
	// serialized.
	OnFile func(DownloadedFile)
}

func (o DownloadOptions) withDefaults() DownloadOptions {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultDownloadConcurrency
	}
	if o.BlockSize <= 0 {
		o.BlockSize = DefaultDownloadBlockSize
	}
	if o.BlockConcurrency <= 0 {
		o.BlockConcurrency = DefaultDownloadBlockConcurrency
	}
	return o
}

// DownloadedFile is one file written by a download.
type DownloadedFile struct {
	// Blob is the blob name on the datastore.
	Blob string `json:"blob"`
	// Path is the local file written.
	Path  string `json:"path"`
	Bytes int64  `json:"bytes"`
	// MD5Checked is set when the blob had a Content-MD5 and the file
	// matched it.
	MD5Checked bool `json:"md5Checked"`
}

// DownloadResult lists what a download wrote, sorted by Path.
type DownloadResult struct {
	Files []DownloadedFile `json:"files"`
	Bytes int64            `json:"bytes"`
}

// DownloadOutput downloads every file of a job output (see JobOutputs)
// from its datastore into dir, keeping the paths below out.Path. An output
// without a path is an error: it would mean the whole datastore.
func (c *Client) DownloadOutput(ctx context.Context, out JobOutput, dir string, o DownloadOptions) (*DownloadResult, error) {
	if strings.Trim(out.Path, "/") == "" {
		return nil, fmt.Errorf("output %s has no datastore path; nothing to download", out.Name)
	}
	name := out.Datastore
	if name == "" {
		name = DefaultDatastore
	}
	ds, err := c.OpenDatastore(ctx, name)
	if err != nil {
		return nil, err
	}
	var res *DownloadResult
	if strings.HasSuffix(out.Path, "/") {
		res, err = DownloadFolder(ctx, ds.Client, out.Path, dir, o)
	} else {
		res, err = downloadFileOrFolder(ctx, ds.Client, out.Path, dir, o)
	}
	var resp *azcore.ResponseError
	if errors.As(err, &resp) && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
		err = &clierr.Error{Kind: clierr.KindAuth, Err: fmt.Errorf("datastore %s (account %s, %s credentials) refused the download: %w; next step: give the signed-in identity Storage Blob Data Reader on the account, or use a datastore with an account key or SAS", ds.Name, ds.Account, ds.Auth, err)}
	}
	return res, err
}

// downloadFileOrFolder downloads a path written without a trailing "/":
// the blob of that name (a uri_file output) into dir under its base name,
// as the SDK's download names a blob that is the whole prefix; else the
// folder of that name. Unlike the SDK's bare prefix match, "out" never
// takes in "output/".
func downloadFileOrFolder(ctx context.Context, cc *container.Client, name, dir string, o DownloadOptions) (*DownloadResult, error) {
	bc := cc.NewBlobClient(name)
	props, err := bc.GetProperties(ctx, nil)
	var resp *azcore.ResponseError
	if errors.As(err, &resp) && resp.StatusCode == http.StatusNotFound {
		return DownloadFolder(ctx, cc, name, dir, o)
	}
	if err != nil {
		return nil, fmt.Errorf("blob %q: %w", name, storageError{err})
	}
	base := path.Base(name)
	if !filepath.IsLocal(base) {
		return nil, fmt.Errorf("blob %q: its name leads outside the download folder; refusing to write it", name)
	}
	f, err := downloadBlob(ctx, bc, filepath.Join(dir, base), props.ContentMD5, o.withDefaults())
	if err != nil {
		return nil, fmt.Errorf("download blob %q: %w", name, err)
	}
	f.Blob = name
	if o.OnFile != nil {
		o.OnFile(f)
	}
	return &DownloadResult{Files: []DownloadedFile{f}, Bytes: f.Bytes}, nil
}

// DownloadFolder downloads every blob whose name starts with the folder
// prefix into dir: blob <prefix>a/b.csv becomes dir/a/b.csv. prefix is a
// folder ("" for the whole container; a missing trailing "/" is added, so
// "out" never matches "output/"). Blobs are listed and downloaded
// concurrently; each is written to a hidden temporary file in its
// destination folder, checked against its Content-MD5 when it has one, and
// renamed into place, so no partial file ever carries a final name. A blob
// name that would land outside dir is refused. On error nothing more is
// started, temporary files are removed, and files already in place stay.
// An empty folder is not an error: the result has no files.
func DownloadFolder(ctx context.Context, cc *container.Client, prefix, dir string, o DownloadOptions) (*DownloadResult, error) {
	o = o.withDefaults()
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	res := &DownloadResult{Files: []DownloadedFile{}}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.Concurrency)

	pager := cc.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: &prefix})
list:
	for pager.More() {
		page, err := pager.NextPage(gctx)
		if err != nil {
			if gctx.Err() != nil {
				break // a download failed; its error is the one to report
			}
			_ = g.Wait()
			return res, fmt.Errorf("list blobs under %q: %w", prefix, storageError{err})
		}
		for _, item := range page.Segment.BlobItems {
			if item.Name == nil || strings.HasSuffix(*item.Name, "/") {
				continue // folder markers (hierarchical namespace)
			}
			name := *item.Name
			rel := strings.TrimPrefix(name, prefix)
			local := filepath.FromSlash(rel)
			if rel == "" || !filepath.IsLocal(local) {
				_ = g.Wait()
				return res, fmt.Errorf("blob %q: its name leads outside the download folder; refusing to write it", name)
			}
			var wantMD5 []byte
			if item.Properties != nil {
				wantMD5 = item.Properties.ContentMD5
			}
			if gctx.Err() != nil {
				break list
			}
			g.Go(func() error {
				f, err := downloadBlob(gctx, cc.NewBlobClient(name), filepath.Join(dir, local), wantMD5, o)
				if err != nil {
					return fmt.Errorf("download blob %q: %w", name, err)
				}
				f.Blob = name
				mu.Lock()
				defer mu.Unlock()
				res.Files = append(res.Files, f)
				res.Bytes += f.Bytes
				if o.OnFile != nil {
					o.OnFile(f)
				}
				return nil
			})
		}
	}
	err := g.Wait()
	sort.Slice(res.Files, func(i, k int) bool { return res.Files[i].Path < res.Files[k].Path })
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return res, err
}

// downloadBlob fetches one blob into a temporary file beside final (ranged
// and parallel beyond one block, streamed to disk either way), checks its
// MD5 when want has one, and renames it to final.
func downloadBlob(ctx context.Context, bc *blob.Client, final string, want []byte, o DownloadOptions) (DownloadedFile, error) {
	out := DownloadedFile{Path: final}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return out, err
	}
	tmp, err := createPartial(final)
	if err != nil {
		return out, err
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	n, err := bc.DownloadFile(ctx, tmp, &blob.DownloadFileOptions{
		BlockSize:   o.BlockSize,
		Concurrency: uint16(o.BlockConcurrency),
	})
	if err != nil {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		return out, storageError{err}
	}
	out.Bytes = n
	if len(want) == md5.Size {
		got, err := fileMD5(tmp)
		if err != nil {
			return out, err
		}
		if !bytes.Equal(got, want) {
			return out, fmt.Errorf("content does not match the blob's Content-MD5 (blob %s, downloaded %s); the file was not kept, download again", hex.EncodeToString(want), hex.EncodeToString(got))
		}
		out.MD5Checked = true
	}
	if err := tmp.Close(); err != nil {
		return out, err
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return out, err
	}
	done = true
	return out, nil
}

// createPartial creates a new hidden file beside final. It is opened like
// os.Create (mode 0666 before umask), unlike os.CreateTemp's 0600, so the
// renamed file has the permissions any other new file would.
func createPartial(final string) (*os.File, error) {
	var rnd [6]byte
	for range 10 {
		if _, err := rand.Read(rnd[:]); err != nil {
			return nil, err
		}
		name := filepath.Join(filepath.Dir(final), "."+filepath.Base(final)+"."+hex.EncodeToString(rnd[:])+partialSuffix)
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, os.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("cannot create a temporary file beside %s", final)
}

func fileMD5(f *os.File) ([]byte, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// storageError shows a storage error on one line without credentials: the
// service's error code and status for a response, else the error text with
// SAS signatures and keys redacted (transport errors quote the full URL).
// It unwraps to the original, so ClassifyAuth still sees a 403.
type storageError struct{ err error }

func (e storageError) Error() string {
	var resp *azcore.ResponseError
	if errors.As(e.err, &resp) {
		return fmt.Sprintf("%s (HTTP %d)", resp.ErrorCode, resp.StatusCode)
	}
	return httptrace.RedactText(e.err.Error())
}

func (e storageError) Unwrap() error { return e.err }
