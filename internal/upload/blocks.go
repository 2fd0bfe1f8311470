package upload

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
)

// uploader sends files for one Execute.
//
// Every request body is a section of the file, streamed from disk by the
// HTTP transport (and re-read on a retry), with the checksum the plan
// computed when it hashed the file: the upload pass only reads and sends,
// and no block is ever held in memory, so memory does not grow with block
// size or concurrency. The checksums are CRC-64 (x-ms-content-crc64),
// twice as fast as MD5 here (BenchmarkChecksums) and verified by Azure
// Storage on Put Blob and Put Block alike; a block upload also records the
// file's MD5 as the blob's Content-MD5 (Put Blob gets it from the service).
// Blocks are staged here rather than by blockblob.UploadFile because
// UploadFile computes its checksums while sending, which needs the block
// in memory, and cannot record the whole file's MD5.
//
// A storage that does not implement CRC-64 (Azurite unless started with
// --loose answers 500 FeatureNotSupported) gets transactional MD5 instead,
// read from disk for each body, from its first refusal on (noCRC64).
type uploader struct {
	c    *container.Client
	opts Options
	prog *progress
	// requests bounds requests in flight across all files.
	requests *semaphore.Weighted
	// noCRC64 is set once the storage refused a CRC-64 header.
	noCRC64 atomic.Bool
	// marker, when set, is the completion marker to write with the blob
	// itself: a plan of one file has nothing else to wait for, so the
	// marker rides on its Put Blob or commit instead of costing a request
	// (and a round trip) of its own afterwards.
	marker map[string]*string
}

// uploadFile uploads one file and names it in any error.
func (u *uploader) uploadFile(ctx context.Context, f File) error {
	if err := u.send(ctx, f); err != nil {
		if checksumRefused(err) {
			return redact(fmt.Errorf("upload %s to blob %s: the storage refused the content %d times because it does not match the checksum taken when the file was hashed: the file changed since, or the data is damaged on the way; run the command again", f.LocalPath, f.BlobName, checksumAttempts))
		}
		return storageErr(fmt.Sprintf("upload %s to blob %s", f.LocalPath, f.BlobName), err)
	}
	return nil
}

func (u *uploader) send(ctx context.Context, f File) error {
	file, err := os.Open(f.LocalPath)
	if err != nil {
		return err
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		return err
	}
	if st.Size() != f.Size {
		// The destination is named after the content hash: sending other
		// content would store it under the wrong hash.
		return fmt.Errorf("the file changed since it was hashed (%d bytes then, %d now); run the command again", f.Size, st.Size())
	}
	want := 1
	if f.BlockSize > 0 {
		want = int((f.Size + f.BlockSize - 1) / f.BlockSize)
	}
	if len(f.CRC64) != want {
		return fmt.Errorf("upload: the plan has %d checksums for %d requests (make plans with NewPlan or NewPlanWith)", len(f.CRC64), want)
	}
	u.prog.emit(EventFileStarted, f, 0, "")
	bb := u.c.NewBlockBlobClient(f.BlobName)
	if f.BlockSize == 0 {
		err = u.putWhole(ctx, bb, file, f)
	} else {
		err = u.putBlocks(ctx, bb, file, f)
	}
	if err != nil {
		return err
	}
	u.prog.emit(EventFileDone, f, 0, "")
	return nil
}

// checksumAttempts is how often a request the storage refuses for a
// checksum mismatch is sent. The pipeline does not retry a 400; sending
// again re-reads the section from disk, so data damaged on the way gets
// through, while a file that changed since it was hashed keeps failing and
// is reported.
const checksumAttempts = 3

// sendVerified runs send until it succeeds, fails otherwise than by a
// checksum mismatch, or has been refused checksumAttempts times.
func sendVerified(send func() error) error {
	var err error
	for range checksumAttempts {
		if err = send(); err == nil || !checksumRefused(err) {
			return err
		}
	}
	return err
}

func checksumRefused(err error) bool {
	return bloberror.HasCode(err, "Crc64Mismatch", bloberror.MD5Mismatch)
}

// featureNotSupported is the storage's answer to a header it does not
// implement (RetryOptions does not retry it).
const featureNotSupported bloberror.Code = "FeatureNotSupported"

// sendChecked sends one request body (n bytes of file from off, whose
// CRC-64 the plan computed) with the transactional checksum the storage
// accepts: CRC-64, or MD5 once the storage refused CRC-64. A refused
// checksum is sent again (sendVerified).
func (u *uploader) sendChecked(file *os.File, off, n int64, crc uint64, send func(body io.ReadSeekCloser, check blob.TransferValidationType) error) error {
	return sendVerified(func() error {
		if !u.noCRC64.Load() {
			err := send(section(file, off, n), blob.TransferValidationTypeCRC64(crc))
			if !bloberror.HasCode(err, featureNotSupported) {
				return err
			}
			u.noCRC64.Store(true)
		}
		sum, err := sectionMD5(file, off, n)
		if err != nil {
			return err
		}
		return send(section(file, off, n), blob.TransferValidationTypeMD5(sum))
	})
}

// sectionMD5 is the MD5 of n bytes of file from off.
func sectionMD5(file *os.File, off, n int64) ([]byte, error) {
	h := md5.New()
	if _, err := io.Copy(h, io.NewSectionReader(file, off, n)); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// section is a body that reads n bytes of file from off.
func section(file *os.File, off, n int64) io.ReadSeekCloser {
	return streaming.NopCloser(io.NewSectionReader(file, off, n))
}

// putWhole sends a file in a single Put Blob.
func (u *uploader) putWhole(ctx context.Context, bb *blockblob.Client, file *os.File, f File) error {
	if err := u.requests.Acquire(ctx, 1); err != nil {
		return err
	}
	defer u.requests.Release(1)
	err := u.sendChecked(file, 0, f.Size, f.CRC64[0], func(body io.ReadSeekCloser, check blob.TransferValidationType) error {
		_, err := bb.Upload(ctx, body, &blockblob.UploadOptions{TransactionalValidation: check, Metadata: u.marker})
		return err
	})
	if err != nil {
		return err
	}
	u.prog.emit(EventBytes, f, f.Size, "")
	return nil
}

// commitAttempts is how often putBlocks stages and commits a file whose
// commit the storage refuses with InvalidBlockList. Committing a block list
// (or a Put Blob) discards every uncommitted block of the blob, so when two
// uploads of the same folder run at once, one's commit throws away the
// blocks the other has staged. The blob is named after the content hash, so
// the winner stored the same bytes: the loser finds them (sameContent) and
// is done; otherwise it stages again.
const commitAttempts = 3

// putBlocks stages the file's blocks and commits them (stageAndCommit),
// again with fresh blocks when another upload of the same blob discarded
// them (commitAttempts).
func (u *uploader) putBlocks(ctx context.Context, bb *blockblob.Client, file *os.File, f File) error {
	var err error
	for attempt := range commitAttempts {
		if err = u.stageAndCommit(ctx, bb, file, f, attempt > 0); err == nil || !bloberror.HasCode(err, bloberror.InvalidBlockList) {
			return err
		}
		if same, perr := sameContent(ctx, bb, f); perr != nil {
			return errors.Join(err, perr)
		} else if same {
			// The other upload's commit holds this file's bytes; the marker
			// this one was to commit with them is written on its own.
			if u.marker != nil {
				if _, merr := bb.SetMetadata(ctx, u.marker, nil); merr != nil {
					return merr
				}
			}
			return nil
		}
	}
	return err
}

// sameContent reports whether the blob already holds f: its length and
// Content-MD5 (which a commit sets from the plan, and Put Blob from the
// content) are f's. A missing blob is not an error.
func sameContent(ctx context.Context, bb *blockblob.Client, f File) (bool, error) {
	props, err := bb.GetProperties(ctx, nil)
	if bloberror.HasCode(err, bloberror.BlobNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return props.ContentLength != nil && *props.ContentLength == f.Size &&
		len(f.ContentMD5) > 0 && bytes.Equal(props.ContentMD5, f.ContentMD5), nil
}

// stageAndCommit stages the file's blocks, up to BlockConcurrency at once,
// then commits the list with the file's MD5. again says the bytes were
// counted in the progress by an earlier attempt.
func (u *uploader) stageAndCommit(ctx context.Context, bb *blockblob.Client, file *os.File, f File, again bool) error {
	count := int64(len(f.CRC64))
	ids := make([]string, count)
	// A fresh prefix per attempt: blocks staged by another uploader of the
	// same blob are never committed by this one.
	prefix := uuid.NewString()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(u.opts.BlockConcurrency)
	for i := range count {
		ids[i] = blockID(prefix, i)
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := u.requests.Acquire(gctx, 1); err != nil {
				return err
			}
			defer u.requests.Release(1)
			off := i * f.BlockSize
			n := min(f.BlockSize, f.Size-off)
			err := u.sendChecked(file, off, n, f.CRC64[i], func(body io.ReadSeekCloser, check blob.TransferValidationType) error {
				_, err := bb.StageBlock(gctx, ids[i], body, &blockblob.StageBlockOptions{TransactionalValidation: check})
				return err
			})
			if err != nil {
				return fmt.Errorf("block %d of %d: %w", i+1, count, err)
			}
			if !again {
				u.prog.emit(EventBytes, f, n, "")
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := bb.CommitBlockList(ctx, ids, &blockblob.CommitBlockListOptions{
		HTTPHeaders: &blob.HTTPHeaders{BlobContentMD5: f.ContentMD5},
		Metadata:    u.marker,
	})
	return err
}

// blockSizeFor raises size so that a file of fileSize bytes needs at most
// 50,000 blocks (the service's limit), in whole MiB like azcopy.
func blockSizeFor(fileSize, size int64) (int64, error) {
	if fileSize <= size*maxBlocksPerBlob {
		return size, nil
	}
	need := (fileSize + maxBlocksPerBlob - 1) / maxBlocksPerBlob
	need = (need + mib - 1) / mib * mib
	if need > maxBlockSize {
		return 0, fmt.Errorf("the file is %d bytes, more than a block blob can hold (50,000 blocks of 4000 MiB)", fileSize)
	}
	return need, nil
}

// blockID is the base64 of "<uuid>-<index>": the same length for every
// block of a blob, as the service requires.
func blockID(prefix string, i int64) string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "%s-%06d", prefix, i))
}
