package upload

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
)

// Result is what Execute did.
type Result struct {
	// Skipped is set when a completed upload of the same content already
	// existed; nothing was sent.
	Skipped bool
	// Files and Bytes count what was uploaded (0 when Skipped).
	Files int
	Bytes int64
	// Duration is the wall time of Execute, probe included.
	Duration time.Duration
	// RemotePath is where the content is: the plan's LocalUpload path, or
	// the legacy az-ml-artifacts path when an old upload was reused.
	RemotePath string
	// AssetName and AssetVersion are those in the completion marker: the
	// ones written now, or the existing upload's when Skipped.
	AssetName    string
	AssetVersion string
}

// MiBPerSecond is the upload throughput (0 when nothing was sent).
func (r *Result) MiBPerSecond() float64 {
	if r.Bytes == 0 || r.Duration <= 0 {
		return 0
	}
	return float64(r.Bytes) / mib / r.Duration.Seconds()
}

// URI is the azureml:// URI of RemotePath on datastore (see DatastoreURI).
func (r *Result) URI(datastore string, asFolder bool) string {
	return DatastoreURI(datastore, r.RemotePath, asFolder)
}

// Execute uploads plan's files into the container c, az-compatibly:
//
//  1. It HEADs the indicator blob under LocalUpload/ and az-ml-artifacts/;
//     if either carries upload_status=completed the upload is skipped.
//  2. Otherwise every file is uploaded (overwriting any partial upload),
//     FileConcurrency files (and requests) at a time, as the plan's Layout
//     says: one Put Blob, or blocks staged BlockConcurrency at a time and
//     committed. Every request carries the CRC-64 the plan computed, which
//     the service verifies (as az's validate_content has it verify MD5s),
//     and a committed blob gets the whole file's MD5 as its Content-MD5.
//  3. Only after every file succeeded is the marker (upload_status,
//     name, version) written on the indicator blob. A plan of one file
//     writes it with the file's own Put Blob or commit, which stores the
//     bytes and the marker together or neither.
//
// Failed requests are retried by c's pipeline (build c with RetryOptions).
// On any error or cancellation Execute stops the other uploads, writes no
// marker, and returns an error naming the file. Errors never contain the
// SAS token of a SAS-authenticated client.
func Execute(ctx context.Context, c *container.Client, plan *Plan, opts Options) (*Result, error) {
	start := time.Now()
	if c == nil || plan == nil || len(plan.Files) == 0 {
		return nil, errors.New("upload: Execute needs a container client and a plan with files")
	}
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	prog := newProgress(opts.Progress, plan, start)

	found, err := probe(ctx, c, plan)
	if err != nil {
		return nil, err
	}
	if found.complete {
		prog.emit(EventSkipped, File{}, 0, found.remotePath)
		return &Result{
			Skipped:      true,
			Duration:     time.Since(start),
			RemotePath:   found.remotePath,
			AssetName:    found.name,
			AssetVersion: found.version,
		}, nil
	}

	name, version := opts.AssetName, opts.AssetVersion
	if name == "" {
		name = uuid.NewString()
	}
	if version == "" {
		version = uuid.NewString()
	}

	u := &uploader{
		c:        c,
		opts:     opts,
		prog:     prog,
		requests: semaphore.NewWeighted(int64(opts.FileConcurrency)),
	}
	marker := completionMarker(name, version)
	single := len(plan.Files) == 1 && plan.Files[0].BlobName == plan.IndicatorBlob
	if single {
		u.marker = marker
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.FileConcurrency)
	for _, f := range plan.Files {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return u.uploadFile(gctx, f) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("upload of %s stopped before it finished: %w", plan.Source, err)
	}
	if !single {
		if err := markComplete(ctx, c, plan, marker); err != nil {
			return nil, err
		}
	}
	files, bytes := prog.totals()
	return &Result{
		Files:        files,
		Bytes:        bytes,
		Duration:     time.Since(start),
		RemotePath:   plan.RemotePath,
		AssetName:    name,
		AssetVersion: version,
	}, nil
}
