package spec

import (
	"errors"
	"path/filepath"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/yamlnode"
)

// wrapUsage appends suffix to a usage error's message, keeping its type.
func wrapUsage(err error, suffix string) error {
	var u *clierr.UsageError
	if errors.As(err, &u) {
		return clierr.Usagef("%s%s", u.Err.Error(), suffix)
	}
	return err
}

// joinInside joins rel (a slash-separated path from the YAML) under base.
func joinInside(base, rel string) string {
	return filepath.Join(base, filepath.FromSlash(rel))
}

// usageAt returns a usage error located at at ("FILE:LINE").
func usageAt(at, format string, args ...any) error {
	return yamlnode.Usagef(at, format, args...)
}

// absPath is path made absolute, for the stack of files being read.
func absPath(path string) (string, error) { return filepath.Abs(path) }
