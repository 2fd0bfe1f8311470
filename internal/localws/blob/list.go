package blob

import (
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Listing limits: Azure's default and largest page.
const maxListResults = 5000

// listParams are the paging and filtering parameters of a listing.
type listParams struct {
	prefix, delimiter, marker string
	maxResults                int
	metadata                  bool
}

// includeValues are the include= values Azure defines; only metadata
// changes what this service returns (there are no snapshots, versions,
// uncommitted or deleted blobs to include).
var includeValues = []string{"copy", "deleted", "deletedwithversions", "immutabilitypolicy", "legalhold", "metadata", "permissions", "snapshots", "tags", "uncommittedblobs", "versions"}

func parseListParams(q url.Values) (listParams, error) {
	p := listParams{prefix: q.Get("prefix"), delimiter: q.Get("delimiter"), marker: q.Get("marker"), maxResults: maxListResults}
	if raw := q.Get("maxresults"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n <= 0 {
			return p, newError("OutOfRangeQueryParameterValue", "Query parameter maxresults=%q must be a positive integer.", raw)
		}
		p.maxResults = min(n, maxListResults)
	}
	for _, inc := range strings.Split(q.Get("include"), ",") {
		inc = strings.ToLower(strings.TrimSpace(inc))
		switch {
		case inc == "":
		case inc == "metadata":
			p.metadata = true
		case !slices.Contains(includeValues, inc):
			return p, newError("InvalidQueryParameterValue", "Query parameter include has unknown value %q; use a comma-separated subset of %s.", inc, strings.Join(includeValues, ", "))
		}
	}
	return p, nil
}

// listEntry is one item of a listing: a blob, or a prefix that collapses
// the blobs below a delimiter.
type listEntry struct {
	key      string
	isPrefix bool
}

// collapse turns sorted keys into listing entries: with a delimiter,
// every key whose remainder after the prefix contains the delimiter becomes
// that prefix, once. Sorted input keeps the output sorted, since all keys
// sharing a collapsed prefix are adjacent and follow it.
func collapse(keys []string, prefix, delimiter string) []listEntry {
	out := make([]listEntry, 0, len(keys))
	for _, k := range keys {
		if delimiter != "" {
			if i := strings.Index(k[len(prefix):], delimiter); i >= 0 {
				p := k[:len(prefix)+i+len(delimiter)]
				if n := len(out); n == 0 || out[n-1].key != p {
					out = append(out, listEntry{key: p, isPrefix: true})
				}
				continue
			}
		}
		out = append(out, listEntry{key: k})
	}
	return out
}

// page selects the entries at or after marker, at most max of them, and
// the marker of the next page ("" when this is the last).
func page(entries []listEntry, marker string, max int) ([]listEntry, string) {
	start, _ := slices.BinarySearchFunc(entries, marker, func(e listEntry, m string) int { return strings.Compare(e.key, m) })
	entries = entries[start:]
	if len(entries) <= max {
		return entries, ""
	}
	return entries[:max], entries[max].key
}

// listBlobs answers List Blobs, flat or hierarchical.
func (h *Handler) listBlobs(c *call) error {
	rt := c.route
	p, err := parseListParams(c.r.URL.Query())
	if err != nil {
		return err
	}
	if err := h.requireContainer(rt.account, rt.container); err != nil {
		return err
	}
	keys, err := h.listKeys(rt.account, rt.container, p.prefix, p.delimiter == "/")
	if err != nil {
		return err
	}
	entries, next := page(collapse(keys, p.prefix, p.delimiter), p.marker, p.maxResults)

	res := blobListXML{ServiceEndpoint: h.accountURL(c.r, rt.account), ContainerName: rt.container, NextMarker: next}
	q := c.r.URL.Query()
	if q.Has("prefix") {
		res.Prefix = &p.prefix
	}
	if q.Has("marker") {
		res.Marker = &p.marker
	}
	if q.Has("maxresults") {
		res.MaxResults = &p.maxResults
	}
	if q.Has("delimiter") {
		res.Delimiter = &p.delimiter
	}
	for _, e := range entries {
		if e.isPrefix {
			res.Blobs.Items = append(res.Blobs.Items, &blobPrefixXML{Name: e.key})
			continue
		}
		st, exists, err := h.statBlob(rt.account, rt.container, e.key)
		if err != nil || !exists {
			continue // deleted or replaced since the walk
		}
		res.Blobs.Items = append(res.Blobs.Items, newBlobXML(st.rec, p.metadata))
	}
	return writeXML(c, res)
}

// listKeys returns, sorted, the names of the container's blobs that start
// with prefix. With shallow (delimiter "/"), it reads only the folder the
// prefix ends in and reports each non-empty subfolder as "<name>/", which
// collapse turns into a prefix without walking below it.
func (h *Handler) listKeys(account, container, prefix string, shallow bool) ([]string, error) {
	dir := h.containerDir(account, container)
	startRel := ""
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		startRel = prefix[:i]
		if checkBlobName(startRel) != nil {
			return nil, nil // no blob name can continue such a prefix
		}
	}
	start := filepath.Join(dir, filepath.FromSlash(startRel))
	if confine(dir, start) != nil {
		return nil, nil
	}
	if fi, err := os.Stat(start); err != nil || !fi.IsDir() {
		return nil, nil
	}
	var keys []string
	add := func(key string) {
		if strings.HasPrefix(key, prefix) {
			keys = append(keys, key)
		}
	}
	if shallow {
		entries, err := os.ReadDir(start)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			key := joinKey(startRel, e.Name())
			full := filepath.Join(start, e.Name())
			switch {
			case e.IsDir():
				if checkBlobName(key) == nil && hasBlob(full) {
					add(key + "/")
				}
			case h.isListableFile(dir, full, e) && checkBlobName(key) == nil:
				add(key)
			}
		}
		slices.Sort(keys)
		return keys, nil
	}
	err := filepath.WalkDir(start, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable entries are left out, not fatal
		}
		rel, rerr := filepath.Rel(dir, path)
		if rerr != nil || rel == "." {
			return nil
		}
		key := filepath.ToSlash(rel)
		if e.IsDir() {
			// Skip folders that cannot hold a matching name.
			if !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
				return filepath.SkipDir
			}
			return nil
		}
		if h.isListableFile(dir, path, e) && checkBlobName(key) == nil {
			add(key)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(keys)
	return keys, nil
}

func joinKey(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// isListableFile accepts regular files and links to regular files inside
// the container; links to folders are not followed.
func (h *Handler) isListableFile(containerDir, path string, e fs.DirEntry) bool {
	if e.Type().IsRegular() {
		return true
	}
	if e.Type()&fs.ModeSymlink == 0 {
		return false
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil || !within(target, containerDir) {
		return false
	}
	fi, err := os.Stat(target)
	return err == nil && fi.Mode().IsRegular()
}

// hasBlob reports whether a folder holds at least one regular file below
// it: empty folders (left by the runtime) are not prefixes.
func hasBlob(dir string) bool {
	found := false
	_ = filepath.WalkDir(dir, func(_ string, e fs.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			found = true
			return fs.SkipAll
		}
		return nil
	})
	return found
}
