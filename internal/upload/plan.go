package upload

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/upload/hashcache"
)

// hashPattern is the shape of az's content hash.
var hashPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Blob prefixes of local uploads (azure-ai-ml _artifacts/_constants.py).
const (
	// ArtifactPrefix is where uploads go: <prefix>/<hash>/<name>.
	ArtifactPrefix = "LocalUpload"
	// LegacyArtifactPrefix is where old SDKs put them; a completed upload
	// found there is reused.
	LegacyArtifactPrefix = "az-ml-artifacts"
)

// Plan is what uploading one local file or directory will do, computed
// without any network call: which files go to which blobs, under the
// content-addressed folder az would use.
type Plan struct {
	// Source is the absolute local path with symlinks resolved.
	Source string
	// Name is the last component of Source; the blobs live under
	// RemotePath, which ends in Name.
	Name string
	// IsDir is set when Source is a directory.
	IsDir bool
	// Hash is az's content hash of Source: 32 lowercase hex digits.
	Hash string
	// Files are the files to upload, sorted like az sorts its upload list
	// (by local path, byte order). Never empty.
	Files []File
	// Bytes is the sum of Files' sizes.
	Bytes int64
	// RemotePath is LocalUpload/<Hash>/<Name>, relative to the container.
	RemotePath string
	// IndicatorBlob is the blob that carries the upload-complete marker:
	// the single file's blob, or the first blob of Files.
	IndicatorBlob string
	// IgnoreFile is the .amlignore or .gitignore that was applied ("" when
	// none was).
	IgnoreFile string
	// Layout is the request shape the checksums in Files were computed for.
	Layout Layout
	// Cached is set when the hash and checksums came from the hash cache
	// (the tree was unchanged since they were computed): no content was
	// read.
	Cached bool
}

// File is one local file and the blob it goes to.
type File struct {
	// LocalPath is the file's absolute path (inside Source; opening it
	// follows any symlink).
	LocalPath string
	// RelPath is the path below Source with forward slashes; for a
	// single-file upload it is the file name.
	RelPath string
	// BlobName is the destination blob, relative to the container.
	BlobName string
	// Size is the file's size in bytes when it was hashed.
	Size int64
	// BlockSize is the size of the file's blocks, 0 when it goes in a
	// single Put Blob.
	BlockSize int64
	// CRC64 holds the CRC-64 of each request body, computed when the file
	// was hashed: one for a single Put Blob, else one per block. The
	// service checks each (x-ms-content-crc64), so content that changed
	// after hashing is refused rather than stored under the old hash.
	CRC64 []uint64
	// ContentMD5 is the file's MD5 for a block upload (stored as the
	// blob's Content-MD5; the service computes it for a single Put Blob).
	ContentMD5 []byte
}

// PlanOptions tune NewPlanWith. The zero value plans with the default
// layout and no cache.
type PlanOptions struct {
	// Layout is the request shape (single Put Blob limit, block size).
	Layout Layout
	// Cache, when set, lets an unchanged tree skip reading its content.
	Cache *hashcache.Cache

	// now is the clock of the racy-entry rule (tests); nil means time.Now.
	now func() time.Time
	// afterRead is called after each read of the hash pass with its byte
	// count (tests act at a point of the pass with it).
	afterRead func(int)
}

// DefaultPlanOptions plans with layout and the user's hash cache, or no
// cache when noCache or ML_UPLOAD_NO_CACHE is set. A cache that cannot be
// opened is not fatal: the options come back without one, with the reason
// (to print as a warning).
func DefaultPlanOptions(layout Layout, noCache bool, getenv func(string) string) (PlanOptions, error) {
	o := PlanOptions{Layout: layout}
	if noCache {
		return o, nil
	}
	c, err := hashcache.Default(getenv)
	if err != nil {
		return o, fmt.Errorf("%v; hashing every file", err)
	}
	o.Cache = c
	return o, nil
}

// NewPlan hashes localPath (a file or a directory; relative paths are
// resolved from the current directory) and lists what to upload. For a
// directory, .amlignore in its root (else .gitignore) excludes paths from
// both the hash and the upload, and excluded directories are not walked.
//
// Errors for a missing path, an empty directory (after exclusions), a
// special file or a symlink cycle are clierr.UsageError. A canceled ctx
// stops the walk and the hash between reads.
func NewPlan(ctx context.Context, localPath string) (*Plan, error) {
	return NewPlanWith(ctx, localPath, PlanOptions{})
}

// NewPlanWith is NewPlan with a layout and a hash cache: List, then Hash.
func NewPlanWith(ctx context.Context, localPath string, o PlanOptions) (*Plan, error) {
	l, err := List(ctx, localPath, o)
	if err != nil {
		return nil, err
	}
	return l.Hash(ctx)
}

// Listing is a plan whose tree has been listed (names and stat, no
// content) and checked: every error a path can have except a read error
// has been reported. Hash completes it. Splitting the two lets a command
// report a bad path at once and read the content while it waits for the
// network.
type Listing struct {
	plan  *Plan
	steps []walkStep
	cache *hashcache.Cache
	start time.Time
	// afterRead is PlanOptions.afterRead.
	afterRead func(int)
	// hashed is set once Hash has run.
	hashed bool
}

// List walks localPath and checks it, without reading any content.
func List(ctx context.Context, localPath string, o PlanOptions) (*Listing, error) {
	o.Layout = o.Layout.withDefaults()
	if err := o.Layout.validate(); err != nil {
		return nil, err
	}
	if localPath == "" {
		return nil, clierr.Usagef("No such file or directory: %q; give the path of a local file or directory to upload", localPath)
	}
	abs, err := filepath.Abs(localPath)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", localPath, err)
	}
	source, err := filepath.EvalSymlinks(abs)
	if errors.Is(err, os.ErrNotExist) {
		hint := ""
		if abs != localPath {
			hint = fmt.Sprintf(" (looked for %s)", abs)
		}
		return nil, clierr.Usagef("No such file or directory: %s%s; check the path (relative paths start from the current directory)", localPath, hint)
	}
	if err != nil {
		return nil, clierr.Usagef("cannot resolve %s: %v; check the path and its permissions", localPath, err)
	}
	info, err := os.Stat(source)
	if err != nil {
		return nil, clierr.Usagef("cannot read %s: %v; check the path and its permissions", source, err)
	}
	name := filepath.Base(source)
	if name == string(filepath.Separator) || name == "." {
		return nil, clierr.Usagef("cannot upload the filesystem root %s; give a directory below it", source)
	}

	p := &Plan{Source: source, Name: name, Layout: o.Layout}
	if o.now == nil {
		o.now = time.Now
	}
	l := &Listing{plan: p, cache: o.Cache, start: o.now(), afterRead: o.afterRead}
	switch {
	case info.Mode().IsRegular():
		st := hashcache.StatOf(info)
		p.Files = []File{{LocalPath: p.Source, RelPath: p.Name, Size: st.Size}}
		l.steps = []walkStep{{item: hashcache.Item{Path: p.Name, Stat: st}, file: 0}}
	case info.IsDir():
		if l.steps, err = p.listDir(ctx); err != nil {
			return nil, err
		}
	default:
		return nil, clierr.Usagef("%s is not a regular file or directory (%s); give a file or a directory", source, info.Mode().Type())
	}
	return l, nil
}

// Source is the absolute, symlink-free path the listing is of.
func (l *Listing) Source() string { return l.plan.Source }

// Hash reads every listed file once, computing az's hash and each
// request's checksums together, unless the hash cache holds a result for
// exactly this listing (then no file is read). The result is cached unless
// a file was modified too recently to trust its timestamps
// (hashcache.Racy). Hash runs once per listing.
func (l *Listing) Hash(ctx context.Context) (*Plan, error) {
	if l.hashed {
		return nil, errors.New("upload: a listing is hashed once")
	}
	l.hashed = true
	p := l.plan
	if err := p.hash(ctx, l); err != nil {
		return nil, err
	}
	// az sorts its upload list by local path; with a common root that is
	// the relative path in byte (code point) order.
	sort.Slice(p.Files, func(i, j int) bool { return p.Files[i].RelPath < p.Files[j].RelPath })

	p.RemotePath = ArtifactPrefix + "/" + p.Hash + "/" + p.Name
	for i := range p.Files {
		if p.IsDir {
			p.Files[i].BlobName = p.RemotePath + "/" + p.Files[i].RelPath
		} else {
			p.Files[i].BlobName = p.RemotePath
		}
		p.Bytes += p.Files[i].Size
	}
	p.IndicatorBlob = p.Files[0].BlobName
	return p, nil
}

// listDir walks the directory once, listing in az's order what its hash
// covers, and collects the files to upload.
func (p *Plan) listDir(ctx context.Context) ([]walkStep, error) {
	p.IsDir = true
	rules, err := loadIgnore(p.Source)
	if err != nil {
		return nil, err
	}
	p.IgnoreFile = rules.File
	w := newDirWalker(ctx, p.Source, rules)
	if err := w.walk(); err != nil {
		return nil, err
	}
	if len(w.files) == 0 {
		msg := fmt.Sprintf("Directory %s is empty. path or local_path must be a non-empty directory.", p.Source)
		if w.excluded > 0 {
			msg += fmt.Sprintf(" (%d entries are excluded by %s; change it to upload them)", w.excluded, rules.File)
		}
		return nil, &clierr.UsageError{Err: errors.New(msg)}
	}
	p.Files = w.files
	return w.steps, nil
}

// cachedPlan is what the hash cache keeps for a tree.
type cachedPlan struct {
	Hash  string       `json:"hash"`
	Files []cachedFile `json:"files"`
}

type cachedFile struct {
	BlockSize int64    `json:"blockSize,omitempty"`
	CRC64     []uint64 `json:"crc64"`
	MD5       []byte   `json:"md5,omitempty"`
}

// cacheKey names everything besides the listing that the result depends
// on: the tree and the layout.
func (p *Plan) cacheKey() string {
	return fmt.Sprintf("plan/v1\x00%s\x00dir=%t\x00put=%d\x00block=%d", p.Source, p.IsDir, p.Layout.PutLimit, p.Layout.BlockSize)
}

// hash computes az's content hash over the listing (each name, then each
// file's content; a single file's name is not hashed) and every file's
// checksums, or takes them from the cache when the listing is unchanged.
func (p *Plan) hash(ctx context.Context, l *Listing) error {
	steps, cache, start := l.steps, l.cache, l.start
	items := make([]hashcache.Item, len(steps))
	for i, s := range steps {
		items[i] = s.item
	}
	key := p.cacheKey()
	if raw, ok := cache.Get(key, items); ok {
		var c cachedPlan
		if err := json.Unmarshal(raw, &c); err == nil && len(c.Files) == len(p.Files) && hashPattern.MatchString(c.Hash) {
			p.Hash, p.Cached = c.Hash, true
			for i, f := range c.Files {
				p.Files[i].BlockSize, p.Files[i].CRC64, p.Files[i].ContentMD5 = f.BlockSize, f.CRC64, f.MD5
			}
			return nil
		}
	}
	tree := newObjectHash()
	fh := newFileHasher(ctx, tree, p.Layout, l.afterRead)
	// cacheable stays set while every file read is the one listed.
	cacheable := true
	for _, s := range steps {
		if p.IsDir {
			tree.Write([]byte(s.name))
		}
		if s.file < 0 {
			continue
		}
		f := &p.Files[s.file]
		n, sums, st, err := fh.hashFile(f.LocalPath)
		if err != nil {
			return err
		}
		if st != s.item.Stat {
			cacheable = false
		}
		f.Size, f.BlockSize, f.CRC64, f.ContentMD5 = n, sums.blockSize, sums.crc64, sums.md5
	}
	p.Hash = hex.EncodeToString(tree.Sum(nil))
	if cacheable && cache != nil {
		c := cachedPlan{Hash: p.Hash, Files: make([]cachedFile, len(p.Files))}
		for i, f := range p.Files {
			c.Files[i] = cachedFile{BlockSize: f.BlockSize, CRC64: f.CRC64, MD5: f.ContentMD5}
		}
		// A failed write only costs the next run a hash pass.
		_, _ = cache.Put(key, items, start, c)
	}
	return nil
}

// URI is the azureml:// URI of the upload on datastore, as az sends it in
// an invoke: azureml://datastores/<datastore>/paths/LocalUpload/<hash>/<name>,
// with a trailing "/" when asFolder (uri_folder inputs).
func (p *Plan) URI(datastore string, asFolder bool) string {
	return DatastoreURI(datastore, p.RemotePath, asFolder)
}

// DatastoreURI builds azureml://datastores/<datastore>/paths/<remotePath>,
// with a trailing "/" when asFolder. Like az, it does not escape the path.
func DatastoreURI(datastore, remotePath string, asFolder bool) string {
	uri := "azureml://datastores/" + datastore + "/paths/" + strings.TrimSuffix(remotePath, "/")
	if asFolder {
		uri += "/"
	}
	return uri
}
