package manage

import (
	"strings"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/spec"
)

// TagOverrides turns az's --tags KEY=VALUE [KEY=VALUE ...] into overrides
// of tags.KEY, so tags from flags merge with the file's as az merges them.
func TagOverrides(tags []string) ([]spec.Override, error) {
	out := make([]spec.Override, 0, len(tags))
	for _, tok := range tags {
		key, value, ok := strings.Cut(tok, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" || strings.Contains(key, ".") {
			return nil, clierr.Usagef("--tags: %q is not KEY=VALUE; usage: --tags KEY=VALUE [KEY=VALUE ...], e.g. --tags stage=test owner=me", tok)
		}
		out = append(out, spec.Flag("--tags", "tags."+key, value))
	}
	return out, nil
}

// ListView is the asset list view az's --include-archived and
// --archived-only select (at most one of them).
func ListView(includeArchived, archivedOnly bool) (azml.ListView, error) {
	switch {
	case includeArchived && archivedOnly:
		return "", clierr.Usagef("--include-archived and --archived-only cannot be used together; pass one of them")
	case includeArchived:
		return azml.AllAssets, nil
	case archivedOnly:
		return azml.ArchivedOnly, nil
	}
	return azml.ActiveOnly, nil
}

// VersionOrLabel checks az's rule for show: exactly one of --version and
// --label.
func VersionOrLabel(version, label string) error {
	switch {
	case version == "" && label == "":
		return clierr.Usagef("Must provide either version or label: pass --version <version> or --label latest")
	case version != "" && label != "":
		return clierr.Usagef("--version and --label cannot be used together; pass one of them")
	}
	return nil
}
