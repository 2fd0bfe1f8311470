package upload

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// Environment variables read by OptionsFromEnv.
const (
	EnvFileConcurrency  = "ML_UPLOAD_FILE_CONCURRENCY"
	EnvBlockConcurrency = "ML_UPLOAD_BLOCK_CONCURRENCY"
	EnvBlockSize        = "ML_UPLOAD_BLOCK_SIZE"
)

const (
	kib = 1 << 10
	mib = 1 << 20
	gib = 1 << 30

	// Limits accepted from options and the environment.
	minBlockSize        = 64 * kib
	maxBlockSize        = 4000 * mib // Put Block's limit
	maxFileConcurrency  = 1024
	maxBlockConcurrency = 256
	maxBlocksPerBlob    = 50000 // committed blocks per blob
)

// Default tuning, on azcopy's side rather than az's.
//
// Measured with BenchmarkUpload (Azurite) and BenchmarkUploadClientOnly (a
// server that discards bodies), on a shared 2-core machine, so only the shape of the
// numbers means something. Azurite tops out near 250 small files/s and
// 40 MB/s whatever the settings (it is the bottleneck, as its README
// warns). Against the discarding server the client reached ~2,000 small
// files/s with 16-32 files in flight but ~1,000 with 4, and 120-280 MB/s on
// large files with 8 MiB blocks × 8; block sizes from 4 to 16 MiB were
// within noise of each other. On Azure each request costs a round trip of
// tens of milliseconds, so concurrency matters more there, not less.
const (
	// DefaultBlockSize is azcopy's default block size (8 MiB,
	// DefaultBlockBlobBlockSize). az uses the Python storage SDK's 4 MiB;
	// larger blocks halve the request count on big files. Files up to one
	// block go in a single Put Blob.
	DefaultBlockSize = 8 * mib

	// DefaultBlockConcurrency is how many blocks of one file are in flight.
	// 8 × 8 MiB = 64 MiB per file, the same as az's 16 × 4 MiB, without one
	// file taking the whole buffer budget.
	DefaultBlockConcurrency = 8

	// DefaultBufferBytes is the default cap on block buffers across all
	// files: 16 blocks of 8 MiB, two big files at full block concurrency.
	// It keeps ml's peak RSS under 200 MiB whatever the data size (measured
	// by uploadbench: 256 MiB of buffers peaked at ~280 MiB RSS, 128 MiB at
	// ~150 MiB) at no measurable cost in MiB/s on these machines.
	DefaultBufferBytes = 128 * mib
)

// Options tune Execute. The zero value means the defaults; OptionsFromEnv
// applies the ML_UPLOAD_* environment overrides.
//
// Memory is bounded whatever the file sizes: read buffers never exceed
// MaxBufferBytes (or one block, if that is larger), nor FileConcurrency ×
// BlockConcurrency × BlockSize. The budget is per Execute call.
type Options struct {
	// FileConcurrency is how many files upload at once. 0 means
	// DefaultFileConcurrency().
	FileConcurrency int
	// BlockConcurrency is how many blocks of one large file upload at once.
	// 0 means DefaultBlockConcurrency.
	BlockConcurrency int
	// BlockSize is the size of each staged block; files no larger go in a
	// single request. 0 means DefaultBlockSize. It is raised for files that
	// would otherwise need more than 50,000 blocks.
	BlockSize int64
	// MaxBufferBytes caps the bytes held in read buffers across all files.
	// 0 means the larger of DefaultBufferBytes and one file's worth of
	// blocks (BlockConcurrency × BlockSize).
	MaxBufferBytes int64
	// AssetName and AssetVersion are written in the completion marker, as
	// az writes its data asset's name and version. Empty means a random
	// UUID, as az uses.
	AssetName    string
	AssetVersion string
	// Progress, when set, receives events. Calls are serialized: it is
	// never called from two goroutines at once, so it need not lock. It
	// must return quickly; it runs while uploads wait.
	Progress func(Event)
}

// DefaultFileConcurrency is max(16, 4 × NumCPU), capped at 64. Small files
// are latency-bound (one request each), so the count is set by round trips
// rather than cores: azcopy runs 32 connections on 4 CPUs or fewer. Big
// files are held back by MaxBufferBytes, not by this number.
func DefaultFileConcurrency() int {
	return min(max(16, 4*runtime.NumCPU()), 64)
}

// DefaultOptions returns the defaults spelled out (the zero Options means
// the same).
func DefaultOptions() Options {
	return Options{}.withDefaults()
}

// OptionsFromEnv returns DefaultOptions with ML_UPLOAD_FILE_CONCURRENCY,
// ML_UPLOAD_BLOCK_CONCURRENCY and ML_UPLOAD_BLOCK_SIZE applied. A block
// size is bytes ("8388608") or a number with a unit ("8MiB", "512KiB",
// "1GiB"; also KB/MB/GB in powers of 1000). Unset or empty variables keep
// the default; an invalid value is an error that names the variable.
func OptionsFromEnv() (Options, error) {
	o := DefaultOptions()
	if v := strings.TrimSpace(os.Getenv(EnvFileConcurrency)); v != "" {
		n, err := parseCount(EnvFileConcurrency, v, maxFileConcurrency)
		if err != nil {
			return Options{}, err
		}
		o.FileConcurrency = n
	}
	if v := strings.TrimSpace(os.Getenv(EnvBlockConcurrency)); v != "" {
		n, err := parseCount(EnvBlockConcurrency, v, maxBlockConcurrency)
		if err != nil {
			return Options{}, err
		}
		o.BlockConcurrency = n
	}
	if v := strings.TrimSpace(os.Getenv(EnvBlockSize)); v != "" {
		n, err := parseSize(v)
		if err != nil {
			return Options{}, fmt.Errorf("%s=%q: %v", EnvBlockSize, v, err)
		}
		if n < minBlockSize || n > maxBlockSize {
			return Options{}, fmt.Errorf("%s=%q: block size must be between 64KiB and 4000MiB; unset it for the default 8MiB", EnvBlockSize, v)
		}
		o.BlockSize = n
	}
	// The buffer budget follows the block settings unless set in code.
	o.MaxBufferBytes = 0
	return o.withDefaults(), nil
}

func parseCount(name, v string, limit int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > limit {
		return 0, fmt.Errorf("%s=%q: want a whole number from 1 to %d; unset it for the default", name, v, limit)
	}
	return n, nil
}

// parseSize reads "8388608", "8MiB", "8 mib", "512KiB", "1GiB", "8MB".
func parseSize(v string) (int64, error) {
	s := strings.TrimSpace(v)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("want bytes or a size like 8MiB (units B, KiB, MiB, GiB, KB, MB, GB)")
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("want bytes or a size like 8MiB: %v", err)
	}
	units := map[string]int64{
		"": 1, "b": 1,
		"k": kib, "kib": kib, "kb": 1000,
		"m": mib, "mib": mib, "mb": 1000 * 1000,
		"g": gib, "gib": gib, "gb": 1000 * 1000 * 1000,
	}
	unit, ok := units[strings.ToLower(strings.TrimSpace(s[i:]))]
	if !ok {
		return 0, fmt.Errorf("unknown unit %q: use B, KiB, MiB, GiB, KB, MB or GB", strings.TrimSpace(s[i:]))
	}
	if n > (1<<62)/unit {
		return 0, fmt.Errorf("size too large")
	}
	return n * unit, nil
}

// withDefaults fills zero fields.
func (o Options) withDefaults() Options {
	if o.FileConcurrency == 0 {
		o.FileConcurrency = DefaultFileConcurrency()
	}
	if o.BlockConcurrency == 0 {
		o.BlockConcurrency = DefaultBlockConcurrency
	}
	if o.BlockSize == 0 {
		o.BlockSize = DefaultBlockSize
	}
	if o.MaxBufferBytes == 0 {
		o.MaxBufferBytes = max(DefaultBufferBytes, int64(o.BlockConcurrency)*o.BlockSize)
	}
	return o
}

// validate rejects values the defaults cannot repair.
func (o Options) validate() error {
	switch {
	case o.FileConcurrency < 1 || o.FileConcurrency > maxFileConcurrency:
		return fmt.Errorf("upload: FileConcurrency %d must be from 1 to %d", o.FileConcurrency, maxFileConcurrency)
	case o.BlockConcurrency < 1 || o.BlockConcurrency > maxBlockConcurrency:
		return fmt.Errorf("upload: BlockConcurrency %d must be from 1 to %d", o.BlockConcurrency, maxBlockConcurrency)
	case o.BlockSize < minBlockSize || o.BlockSize > maxBlockSize:
		return fmt.Errorf("upload: BlockSize %d must be from 64KiB to 4000MiB", o.BlockSize)
	case o.MaxBufferBytes < 0:
		return fmt.Errorf("upload: MaxBufferBytes %d must not be negative", o.MaxBufferBytes)
	}
	return nil
}

// RetryOptions are the azcore retry settings meant for the container client
// Execute is given: failed requests (each block and each single-request
// file) are retried by the pipeline, rewinding the in-memory body, on
// timeouts, 408, 429 and 5xx responses and connection errors.
//
// MaxRetries is 5 (azcore's default is 3): a multi-gigabyte upload makes
// thousands of requests, and one transient failure should not cost the whole
// run. TryTimeout of 10 minutes bounds a stalled connection; it fits an
// 8 MiB block at 14 KB/s (raise it with very large ML_UPLOAD_BLOCK_SIZE
// values on slow links).
func RetryOptions() policy.RetryOptions {
	return policy.RetryOptions{
		MaxRetries:    5,
		TryTimeout:    10 * time.Minute,
		RetryDelay:    time.Second,
		MaxRetryDelay: 30 * time.Second,
	}
}
