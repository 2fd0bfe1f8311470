package spec

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// isURL reports whether s is a remote location (https://, azureml://,
// wasbs://, abfss://...) rather than a local path, as the SDK's is_url
// decides: a scheme and a host. A Windows drive letter ("C:\x") has no
// host and stays local.
func isURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && u.Host != ""
}

// pathKind is what a local path must be.
type pathKind int

const (
	anyPath pathKind = iota
	dirPath
	filePath
)

// localPath resolves raw against the YAML file's folder (an absolute path
// stays as is) and checks that it exists with the wanted kind. key names
// the field in messages; n locates it.
func (d *decoder) localPath(n *yaml.Node, key, raw string, want pathKind) (string, error) {
	if d.stored {
		// What the service stores names registered assets, never files of
		// this machine.
		return "", d.errf(n, "%s %q is a local path, which a stored document cannot name; register it and use its azureml: id", key, raw)
	}
	p := raw
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[2:])
		}
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(d.baseDir, p)
	}
	p = filepath.Clean(p)
	fi, err := os.Stat(p)
	if err != nil {
		hint := ""
		if !filepath.IsAbs(raw) {
			hint = " (relative paths start from " + d.relativeRoot() + ")"
		}
		if os.IsNotExist(err) {
			return "", d.errf(n, "%s: no such file or directory: %s%s; fix the path", key, p, hint)
		}
		return "", d.errf(n, "%s: cannot read %s: %v", key, p, err)
	}
	switch {
	case want == dirPath && !fi.IsDir():
		return "", d.errf(n, "%s: %s is a file; give a folder", key, p)
	case want == filePath && fi.IsDir():
		return "", d.errf(n, "%s: %s is a folder; give a file", key, p)
	}
	return p, nil
}

// relativeRoot says where relative paths start, for messages.
func (d *decoder) relativeRoot() string {
	if d.file == commandLine {
		return "the current directory " + d.baseDir
	}
	return "the YAML file's folder " + d.baseDir
}
