package datastore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"golang.org/x/sync/errgroup"
)

// transferConcurrency bounds the blobs a Remote downloads or uploads at
// once for one job.
const transferConcurrency = 8

// Remote is a container of an existing storage account.
type Remote struct {
	client  *container.Client
	details Account
}

// NewRemote opens container of the account a and creates the container
// when it does not exist yet.
func NewRemote(ctx context.Context, a Account, containerName string, retry policy.RetryOptions) (*Remote, error) {
	r, err := OpenRemote(a, containerName, retry)
	if err != nil {
		return nil, err
	}
	if _, err := r.client.Create(ctx, nil); err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		return nil, fmt.Errorf("storage account %s (%s): create container %s: %w", a.Name, a.URL, containerName, redactErr(err))
	}
	return r, nil
}

// OpenRemote opens container of the account a as it is (nothing is
// created or checked): with the account key, else the SAS, else
// anonymously (a public container; an identity-based datastore has no
// secret the local workspace could use).
func OpenRemote(a Account, containerName string, retry policy.RetryOptions) (*Remote, error) {
	a.Container = containerName
	opts := &container.ClientOptions{ClientOptions: azcore.ClientOptions{Retry: retry}}
	var c *container.Client
	var err error
	switch {
	case a.Key != "":
		cred, cerr := container.NewSharedKeyCredential(a.Name, a.Key)
		if cerr != nil {
			return nil, fmt.Errorf("storage account %s: the account key is not usable: %w", a.Name, cerr)
		}
		c, err = container.NewClientWithSharedKeyCredential(a.URL+"/"+containerName, cred, opts)
	case a.SAS != "":
		c, err = container.NewClientWithNoCredential(a.URL+"/"+containerName+"?"+a.SAS, opts)
	default:
		c, err = container.NewClientWithNoCredential(a.URL+"/"+containerName, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("storage account %s: %w", a.Name, redactErr(err))
	}
	return &Remote{client: c, details: a}, nil
}

// Account implements Store.
func (r *Remote) Account() Account { return r.details }

// Stat implements Store: a blob named p, else blobs below p/.
func (r *Remote) Stat(ctx context.Context, p string) (bool, bool, error) {
	p = strings.Trim(p, "/")
	if p != "" {
		_, err := r.client.NewBlobClient(p).GetProperties(ctx, nil)
		if err == nil {
			return true, false, nil
		}
		if !bloberror.HasCode(err, bloberror.BlobNotFound) {
			var re *azcore.ResponseError
			if !errors.As(err, &re) || re.StatusCode != 404 {
				return false, false, redactErr(err)
			}
		}
	}
	prefix := folderPrefix(p)
	one := int32(1)
	pager := r.client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: &prefix, MaxResults: &one})
	if !pager.More() {
		return false, false, nil
	}
	page, err := pager.NextPage(ctx)
	if err != nil {
		return false, false, redactErr(err)
	}
	found := len(page.Segment.BlobItems) > 0
	return found, found, nil
}

func folderPrefix(p string) string {
	if p == "" {
		return ""
	}
	return p + "/"
}

// List implements Store.
func (r *Remote) List(ctx context.Context, p string) ([]Entry, error) {
	prefix := folderPrefix(strings.Trim(p, "/"))
	var out []Entry
	pager := r.client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: &prefix})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, redactErr(err)
		}
		for _, b := range page.Segment.BlobItems {
			if b.Name == nil {
				continue
			}
			var size int64
			if b.Properties != nil && b.Properties.ContentLength != nil {
				size = *b.Properties.ContentLength
			}
			out = append(out, Entry{Name: strings.TrimPrefix(*b.Name, prefix), Size: size})
		}
	}
	sort.Slice(out, func(i, k int) bool { return out[i].Name < out[k].Name })
	return out, nil
}

// Materialize implements Store: it downloads p (a blob, or every blob
// below folder p) into a new folder below stage and returns the copy.
func (r *Remote) Materialize(ctx context.Context, p, stage string) (string, error) {
	p = strings.Trim(p, "/")
	exists, isDir, err := r.Stat(ctx, p)
	if err != nil {
		return "", err
	}
	if !exists {
		return "", fmt.Errorf("%s does not exist in container %s of account %s", p, r.details.Container, r.details.Name)
	}
	if err := os.MkdirAll(stage, 0o700); err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(stage, "in-")
	if err != nil {
		return "", err
	}
	name := path.Base(p)
	if p == "" {
		name = "root"
	}
	local := filepath.Join(dir, name)
	if !isDir {
		return local, r.download(ctx, p, local)
	}
	entries, err := r.List(ctx, p)
	if err != nil {
		return "", err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(transferConcurrency)
	for _, e := range entries {
		dst := filepath.Join(local, filepath.FromSlash(e.Name))
		if !within(local, dst) {
			return "", fmt.Errorf("blob %s/%s would be written outside the staging folder", p, e.Name)
		}
		g.Go(func() error { return r.download(gctx, path.Join(p, e.Name), dst) })
	}
	return local, g.Wait()
}

func (r *Remote) download(ctx context.Context, name, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = r.client.NewBlobClient(name).DownloadFile(ctx, f, nil)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("download %s: %w", name, redactErr(err))
	}
	return nil
}

// OutputDir implements Store: the job writes into a staging folder, and
// publish uploads every file in it below p.
func (r *Remote) OutputDir(ctx context.Context, p, stage string) (string, func(context.Context) error, error) {
	p = strings.Trim(p, "/")
	if err := os.MkdirAll(stage, 0o700); err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp(stage, "out-")
	if err != nil {
		return "", nil, err
	}
	publish := func(ctx context.Context) error { return r.Publish(ctx, dir, p) }
	return dir, publish, nil
}

// Publish implements Store: every file below dir is uploaded below p.
func (r *Remote) Publish(ctx context.Context, dir, p string) error {
	p = strings.Trim(p, "/")
	entries, err := listFiles(dir)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(transferConcurrency)
	for _, e := range entries {
		g.Go(func() error {
			f, err := os.Open(filepath.Join(dir, filepath.FromSlash(e.Name)))
			if err != nil {
				return err
			}
			defer f.Close()
			name := path.Join(p, e.Name)
			if _, err := r.client.NewBlockBlobClient(name).UploadFile(gctx, f, &blockblob.UploadFileOptions{}); err != nil {
				return fmt.Errorf("upload output %s: %w", name, redactErr(err))
			}
			return nil
		})
	}
	return g.Wait()
}

// within reports whether p is dir or below it.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// redactErr drops the query string (a SAS) from URLs in err's message.
func redactErr(err error) error {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return fmt.Errorf("%d %s", re.StatusCode, re.ErrorCode)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return err
	}
	msg := err.Error()
	if i := strings.Index(msg, "?"); i >= 0 {
		return errors.New(msg[:i] + "?…")
	}
	return err
}
