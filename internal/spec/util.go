package spec

import (
	"errors"
	"path/filepath"

	"github.com/mlbatch/ml/internal/clierr"
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
