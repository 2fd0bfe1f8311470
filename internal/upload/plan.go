package upload

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mlbatch/ml/internal/clierr"
)

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
}

// NewPlan hashes localPath (a file or a directory; relative paths are
// resolved from the current directory) and lists what to upload. For a
// directory, .amlignore in its root (else .gitignore) excludes paths from
// both the hash and the upload, and excluded directories are not walked.
//
// Errors for a missing path, an empty directory (after exclusions), a
// special file or a symlink cycle are clierr.UsageError.
func NewPlan(localPath string) (*Plan, error) {
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

	p := &Plan{Source: source, Name: name}
	switch {
	case info.Mode().IsRegular():
		if err := p.planFile(); err != nil {
			return nil, err
		}
	case info.IsDir():
		if err := p.planDir(); err != nil {
			return nil, err
		}
	default:
		return nil, clierr.Usagef("%s is not a regular file or directory (%s); give a file or a directory", source, info.Mode().Type())
	}

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

// planFile hashes a single file: the seed, then its content (its name is
// not hashed).
func (p *Plan) planFile() error {
	h := newObjectHash()
	n, err := hashFileInto(h, p.Source, make([]byte, hashBufferSize))
	if err != nil {
		return err
	}
	p.Hash = hex.EncodeToString(h.Sum(nil))
	p.Files = []File{{LocalPath: p.Source, RelPath: p.Name, Size: n}}
	return nil
}

// planDir walks the directory once, hashing in az's order and collecting
// the files to upload.
func (p *Plan) planDir() error {
	p.IsDir = true
	rules, err := loadIgnore(p.Source)
	if err != nil {
		return err
	}
	p.IgnoreFile = rules.File
	w := newDirWalker(p.Source, rules)
	if err := w.walk(); err != nil {
		return err
	}
	if len(w.files) == 0 {
		msg := fmt.Sprintf("Directory %s is empty. path or local_path must be a non-empty directory.", p.Source)
		if w.excluded > 0 {
			msg += fmt.Sprintf(" (%d entries are excluded by %s; change it to upload them)", w.excluded, rules.File)
		}
		return &clierr.UsageError{Err: errors.New(msg)}
	}
	p.Hash = hex.EncodeToString(w.hash.Sum(nil))
	// az sorts its upload list by local path; with a common root that is
	// the relative path in byte (code point) order.
	sort.Slice(w.files, func(i, j int) bool { return w.files[i].RelPath < w.files[j].RelPath })
	p.Files = w.files
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
