package upload

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
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
	EnvPutLimit         = "ML_UPLOAD_PUT_LIMIT"
)

const (
	kib = 1 << 10
	mib = 1 << 20
	gib = 1 << 30

	// Limits accepted from options and the environment.
	minBlockSize        = 64 * kib
	maxBlockSize        = 4000 * mib // Put Block's limit
	maxPutLimit         = 5000 * mib // Put Blob's limit
	maxFileConcurrency  = 1024
	maxBlockConcurrency = 256
	maxBlocksPerBlob    = 50000 // committed blocks per blob
)

// Default tuning. Each value is chosen from BenchmarkUploadComparison
// (make bench) on a shared 2-core machine against Azurite and the local
// workspace; docs/environment.md (Tuning) has the figures behind them.
//
// Bodies are streamed from the file (never held in memory), so none of
// these settings costs memory: peak RSS stays near 30 MiB whatever the
// data. What they trade is request count against parallelism.
const (
	// DefaultPutLimit: files up to 64 MiB go in one Put Blob. A Put Blob
	// needs neither a commit nor ml's own MD5 of the file (the service
	// computes Content-MD5 for it), so the plan's read computes one hash
	// less, which on a 2-core machine is most of the difference: 8 × 64 MiB
	// went 1.3 to 1.9 times faster into Azurite and 1.2 to 1.8 times
	// faster into the local workspace than with 8 MiB blocks (make bench,
	// December 2026). Above 64 MiB blocks go in parallel, which one request
	// cannot; azblob's UploadFile sends up to 256 MiB in one request. On a
	// slow or distant link a lone large file may go faster in blocks:
	// ML_UPLOAD_PUT_LIMIT=8MiB.
	DefaultPutLimit = 64 * mib

	// DefaultBlockSize is azcopy's default block size (8 MiB,
	// DefaultBlockBlobBlockSize). az uses the Python storage SDK's 4 MiB;
	// larger blocks halve the request count on big files; 4 to 16 MiB
	// were within noise of each other.
	DefaultBlockSize = 8 * mib

	// DefaultBlockConcurrency is how many blocks of one file are in flight,
	// az's 16 × 4 MiB in 8 MiB blocks.
	DefaultBlockConcurrency = 8
)

// Layout is how each file is sent. It is fixed when the plan is made,
// because the plan's read computes the checksum of every request body.
type Layout struct {
	// PutLimit is the largest file sent in a single Put Blob; larger ones
	// are staged in blocks. 0 means DefaultPutLimit.
	PutLimit int64
	// BlockSize is the size of each staged block. 0 means
	// DefaultBlockSize. It is raised for files that would otherwise need
	// more than 50,000 blocks.
	BlockSize int64
}

func (l Layout) withDefaults() Layout {
	if l.PutLimit == 0 {
		l.PutLimit = DefaultPutLimit
	}
	if l.BlockSize == 0 {
		l.BlockSize = DefaultBlockSize
	}
	return l
}

func (l Layout) validate() error {
	switch {
	case l.BlockSize < minBlockSize || l.BlockSize > maxBlockSize:
		return fmt.Errorf("upload: BlockSize %d must be from 64KiB to 4000MiB", l.BlockSize)
	case l.PutLimit < 0 || l.PutLimit > maxPutLimit:
		return fmt.Errorf("upload: PutLimit %d must be from 0 to 5000MiB", l.PutLimit)
	}
	return nil
}

// blockSize is the block size of a file of size bytes, or 0 when it goes
// in a single Put Blob.
func (l Layout) blockSize(size int64) (int64, error) {
	if size <= l.PutLimit {
		return 0, nil
	}
	return blockSizeFor(size, l.BlockSize)
}

// Options tune Execute. The zero value means the defaults; OptionsFromEnv
// applies the ML_UPLOAD_* environment overrides.
type Options struct {
	// FileConcurrency is how many files upload at once, and also the most
	// requests in flight in all. 0 means DefaultFileConcurrency().
	FileConcurrency int
	// BlockConcurrency is how many blocks of one large file upload at once.
	// 0 means DefaultBlockConcurrency.
	BlockConcurrency int
	// Layout is the request shape to plan with (see NewPlanWith); Execute
	// follows the plan's.
	Layout Layout
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
// rather than cores: azcopy runs 32 connections on 4 CPUs or fewer.
func DefaultFileConcurrency() int {
	return min(max(16, 4*runtime.NumCPU()), 64)
}

// DefaultOptions returns the defaults spelled out (the zero Options means
// the same).
func DefaultOptions() Options {
	return Options{}.withDefaults()
}

// OptionsFromEnv returns DefaultOptions with ML_UPLOAD_FILE_CONCURRENCY,
// ML_UPLOAD_BLOCK_CONCURRENCY, ML_UPLOAD_BLOCK_SIZE and ML_UPLOAD_PUT_LIMIT
// applied. A size is bytes ("8388608") or a number with a unit ("8MiB",
// "512KiB", "1GiB"; also KB/MB/GB in powers of 1000). Unset or empty
// variables keep the default; an invalid value is an error that names the
// variable.
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
		o.Layout.BlockSize = n
	}
	if v := strings.TrimSpace(os.Getenv(EnvPutLimit)); v != "" {
		n, err := parseSize(v)
		if err != nil {
			return Options{}, fmt.Errorf("%s=%q: %v", EnvPutLimit, v, err)
		}
		if n < 1 || n > maxPutLimit {
			return Options{}, fmt.Errorf("%s=%q: a single Put Blob takes from 1 byte to 5000MiB; unset it for the default %dMiB", EnvPutLimit, v, DefaultPutLimit/mib)
		}
		o.Layout.PutLimit = n
	}
	return o, nil
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
	o.Layout = o.Layout.withDefaults()
	return o
}

// validate rejects values the defaults cannot repair.
func (o Options) validate() error {
	switch {
	case o.FileConcurrency < 1 || o.FileConcurrency > maxFileConcurrency:
		return fmt.Errorf("upload: FileConcurrency %d must be from 1 to %d", o.FileConcurrency, maxFileConcurrency)
	case o.BlockConcurrency < 1 || o.BlockConcurrency > maxBlockConcurrency:
		return fmt.Errorf("upload: BlockConcurrency %d must be from 1 to %d", o.BlockConcurrency, maxBlockConcurrency)
	}
	return o.Layout.validate()
}

// Transport is the HTTP client meant for the container client Execute is
// given. Bodies are file sections, and azcore's retry policy hides their
// io.WriterTo, so net/http copies them through its write buffer, 4 KiB by
// default: a syscall per 4 KiB read and written. 256 KiB buffers (16 MiB
// at most, over 64 connections) keep large uploads at the speed of the
// disk; idle connections are kept for every request in flight so none is
// re-dialled between files.
func Transport() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.WriteBufferSize = 256 * kib
	t.MaxIdleConnsPerHost = maxFileConcurrency
	return &http.Client{Transport: t}
}

// RetryOptions are the azcore retry settings meant for the container client
// Execute is given: failed requests (each block and each single-request
// file) are retried by the pipeline, rewinding the in-memory body, on
// timeouts, 408, 429 and 5xx responses and connection errors, except a 500
// FeatureNotSupported: a storage without CRC-64 (a plain Azurite) answers
// it at once and always, and the uploader falls back to MD5 rather than
// waiting out the retries.
//
// MaxRetries is 5 (azcore's default is 3): a multi-gigabyte upload makes
// thousands of requests, and one transient failure should not cost the whole
// run. Bodies are sections of the file, so a retry re-reads them from disk. TryTimeout of 10 minutes bounds a stalled connection; it fits a
// 64 MiB Put Blob (DefaultPutLimit) at 110 KB/s and an 8 MiB block at
// 14 KB/s (on slower links, lower ML_UPLOAD_PUT_LIMIT).
func RetryOptions() policy.RetryOptions {
	return policy.RetryOptions{
		MaxRetries:    5,
		TryTimeout:    10 * time.Minute,
		RetryDelay:    time.Second,
		MaxRetryDelay: 30 * time.Second,
		ShouldRetry:   shouldRetry,
	}
}

// retriedStatus is azcore's default list of statuses to retry.
var retriedStatus = []int{
	http.StatusRequestTimeout,
	http.StatusTooManyRequests,
	http.StatusInternalServerError,
	http.StatusBadGateway,
	http.StatusServiceUnavailable,
	http.StatusGatewayTimeout,
}

// shouldRetry is azcore's default decision (a transport error, or a status
// in retriedStatus) less FeatureNotSupported, which no retry changes.
func shouldRetry(resp *http.Response, err error) bool {
	if err != nil {
		return true
	}
	if resp.Header.Get("x-ms-error-code") == string(featureNotSupported) {
		return false
	}
	return slices.Contains(retriedStatus, resp.StatusCode)
}
