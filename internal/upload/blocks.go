package upload

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
)

// uploader sends files for one Execute.
//
// Why blocks are staged here rather than by blockblob's UploadFile or
// UploadStream: az sends Content-MD5 on every request (validate_content),
// and azblob v1.8.3 cannot compute that for a multi-block upload — its MD5
// validation takes one precomputed sum and UploadFile/UploadStream reject it
// (bloberror.UnsupportedChecksum); the validation type is sealed, and a
// pipeline policy would have to be installed in the caller's client. So the
// chunking is ours (read a block, MD5 it, StageBlock it) and everything else
// — requests, auth, retries with body rewind — is the SDK's. It also lets
// the whole-file MD5 be computed on the sequential read and stored as the
// blob's Content-MD5, which UploadFile/UploadStream leave empty.
type uploader struct {
	c       *container.Client
	opts    Options
	prog    *progress
	budget  *semaphore.Weighted // bytes of read buffers in use
	buffers *bufferPool
}

// uploadFile uploads one file and names it in any error.
func (u *uploader) uploadFile(ctx context.Context, f File) error {
	if err := u.send(ctx, f); err != nil {
		return redact(fmt.Errorf("upload %s to blob %s: %w", f.LocalPath, f.BlobName, err))
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
	blockSize, err := blockSizeFor(f.Size, u.opts.BlockSize)
	if err != nil {
		return err
	}
	u.prog.emit(EventFileStarted, f, 0, "")
	bb := u.c.NewBlockBlobClient(f.BlobName)
	if f.Size <= blockSize {
		err = u.putWhole(ctx, bb, file, f)
	} else {
		err = u.putBlocks(ctx, bb, file, f, blockSize)
	}
	if err != nil {
		return err
	}
	u.prog.emit(EventFileDone, f, 0, "")
	return nil
}

// putWhole sends a file that fits in one block with a single Put Blob.
func (u *uploader) putWhole(ctx context.Context, bb *blockblob.Client, file *os.File, f File) error {
	charge := min(f.Size, u.opts.MaxBufferBytes)
	if err := u.budget.Acquire(ctx, charge); err != nil {
		return err
	}
	defer u.budget.Release(charge)
	buf := make([]byte, f.Size)
	if _, err := io.ReadFull(file, buf); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	sum := md5.Sum(buf)
	_, err := bb.Upload(ctx, streaming.NopCloser(bytes.NewReader(buf)), &blockblob.UploadOptions{
		TransactionalValidation: blob.TransferValidationTypeMD5(sum[:]),
		HTTPHeaders:             &blob.HTTPHeaders{BlobContentMD5: sum[:]},
	})
	if err != nil {
		return err
	}
	u.prog.emit(EventBytes, f, f.Size, "")
	return nil
}

// putBlocks reads the file sequentially in blockSize blocks, stages up to
// BlockConcurrency of them at once, then commits the list.
func (u *uploader) putBlocks(ctx context.Context, bb *blockblob.Client, file *os.File, f File, blockSize int64) error {
	count := (f.Size + blockSize - 1) / blockSize
	ids := make([]string, count)
	// A fresh prefix per attempt: blocks staged by another uploader of the
	// same blob are never committed by this one.
	prefix := uuid.NewString()
	whole := md5.New()
	charge := min(blockSize, u.opts.MaxBufferBytes)

	// slots bounds this file's blocks in flight, counted from before the
	// read, so a file never holds more than BlockConcurrency buffers.
	slots := semaphore.NewWeighted(int64(u.opts.BlockConcurrency))
	g, gctx := errgroup.WithContext(ctx)
	var readErr error
	for i := range count {
		if err := slots.Acquire(gctx, 1); err != nil {
			readErr = err
			break
		}
		if err := u.budget.Acquire(gctx, charge); err != nil {
			slots.Release(1)
			readErr = err
			break
		}
		buf := u.buffers.get(blockSize)[:min(blockSize, f.Size-i*blockSize)]
		release := func() {
			u.buffers.put(buf)
			u.budget.Release(charge)
			slots.Release(1)
		}
		if _, err := io.ReadFull(file, buf); err != nil {
			release()
			readErr = fmt.Errorf("read block %d: %w", i+1, err)
			break
		}
		whole.Write(buf)
		ids[i] = blockID(prefix, i)
		g.Go(func() error {
			defer release()
			// The block's MD5 is computed here, in parallel across
			// blocks; the reader only keeps the whole-file MD5.
			sum := md5.Sum(buf)
			_, err := bb.StageBlock(gctx, ids[i], streaming.NopCloser(bytes.NewReader(buf)), &blockblob.StageBlockOptions{
				TransactionalValidation: blob.TransferValidationTypeMD5(sum[:]),
			})
			if err != nil {
				return fmt.Errorf("block %d of %d: %w", i+1, count, err)
			}
			u.prog.emit(EventBytes, f, int64(len(buf)), "")
			return nil
		})
	}
	// A staging error cancels gctx, which also stops the reader: report
	// the staging error, not the cancellation it caused.
	if err := g.Wait(); err != nil {
		return err
	}
	if readErr != nil {
		return readErr
	}
	_, err := bb.CommitBlockList(ctx, ids, &blockblob.CommitBlockListOptions{
		HTTPHeaders: &blob.HTTPHeaders{BlobContentMD5: whole.Sum(nil)},
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

// bufferPool recycles block buffers of one size, so a large upload does not
// allocate (and collect) a block per request.
type bufferPool struct {
	size int64
	pool sync.Pool
}

func newBufferPool(size int64) *bufferPool {
	return &bufferPool{size: size}
}

// get returns a buffer of length n (a pooled one when n is the pool size).
func (p *bufferPool) get(n int64) []byte {
	if n == p.size {
		if b, ok := p.pool.Get().(*[]byte); ok {
			return (*b)[:n]
		}
	}
	return make([]byte, n)
}

func (p *bufferPool) put(b []byte) {
	if int64(cap(b)) == p.size {
		b = b[:cap(b)]
		p.pool.Put(&b)
	}
}
