package localws

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Assets store locations, not addresses. A client registers code with the
// blob URL of the file (az does on Azure, where the URL is the storage
// account's and never changes), but the local workspace's URL changes
// whenever it starts on another port. So a blob URL of this workspace's
// storage is stored as the datastore URI of the same path
// (azureml://datastores/workspaceblobstore/paths/<p>), which is what Azure
// stores for models and data, and fields that Azure answers as blob URLs
// (codeUri, build.contextUri) are rendered as blob URLs of the address the
// client used. State written before this (with http://127.0.0.1:<port>/blob/…
// URIs) is rewritten at start by migrateLocations.

// locationField is where an asset kind keeps a storage location.
type locationField struct {
	// path is the property path: "codeUri", or "build.contextUri".
	path []string
	// servedAsBlobURL: answered as a blob URL of the current address.
	servedAsBlobURL bool
}

var locationFields = map[*assetKind][]locationField{
	codeAssets:        {{path: []string{"codeUri"}, servedAsBlobURL: true}},
	modelAssets:       {{path: []string{"modelUri"}}},
	dataAssets:        {{path: []string{"dataUri"}}},
	environmentAssets: {{path: []string{"build", "contextUri"}, servedAsBlobURL: true}},
}

// ownBlobPath recognises a blob URL of this workspace's storage and returns
// the datastore path it names ("" for the container itself). Any loopback
// address counts, whatever the port: the container name carries the
// workspace id, so no other workspace's URL can match.
func (s *Server) ownBlobPath(uri string) (p string, ok bool) {
	lower := strings.ToLower(uri)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		return "", false
	}
	u, err := url.Parse(uri)
	if err != nil || !isLoopbackHost(u.Host) {
		return "", false
	}
	segs := strings.SplitN(strings.TrimPrefix(u.Path, "/"), "/", 4)
	if len(segs) < 3 || segs[0] != "blob" || segs[1] != s.account || segs[2] != s.container {
		return "", false
	}
	if len(segs) == 3 {
		return "", true
	}
	return segs[3], true
}

func isLoopbackHost(hostport string) bool {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return strings.EqualFold(h, "localhost") || ip != nil && ip.IsLoopback()
}

// storedLocations rewrites, in a version's properties, every blob URL of
// this workspace's storage as its datastore URI; it reports whether it
// changed anything.
func (s *Server) storedLocations(kind *assetKind, props map[string]any) bool {
	changed := false
	for _, f := range locationFields[kind] {
		parent, key := locate(props, f.path)
		uri, _ := parent[key].(string)
		if p, ok := s.ownBlobPath(uri); ok {
			parent[key] = datastoreURI(p)
			changed = true
		}
	}
	return changed
}

// servedLocations renders stored locations for an answer to a client that
// reached the server at base (http://host:port).
func (s *Server) servedLocations(kind *assetKind, props map[string]any, base string) {
	for _, f := range locationFields[kind] {
		if !f.servedAsBlobURL {
			continue
		}
		parent, key := locate(props, f.path)
		uri, _ := parent[key].(string)
		if p, ok := shortDatastorePath(uri); ok {
			parent[key] = base + "/blob/" + s.account + "/" + s.container + "/" + p
		}
	}
}

// locate returns the map holding the last key of path (nil when a map on
// the way is missing) and that key.
func locate(props map[string]any, path []string) (map[string]any, string) {
	m := props
	for _, k := range path[:len(path)-1] {
		next, _ := m[k].(map[string]any)
		if next == nil {
			return nil, path[len(path)-1]
		}
		m = next
	}
	return m, path[len(path)-1]
}

// shortDatastorePath reads the datastore URI storedLocations writes.
func shortDatastorePath(uri string) (string, bool) {
	const prefix = "azureml://datastores/" + defaultDatastore + "/paths/"
	if !strings.HasPrefix(uri, prefix) {
		return "", false
	}
	return uri[len(prefix):], true
}

// migrateLocations rewrites the blob URLs that earlier versions stored in
// asset versions (with the address of the server that stored them) as
// datastore URIs, so that a workspace started on another port still finds
// its code and models. It is idempotent and returns how many versions it
// rewrote.
func (s *Server) migrateLocations(ctx context.Context) (int, error) {
	n := 0
	for kind := range locationFields {
		containers, err := s.store.ListResources(ctx, kind.Segment, "")
		if err != nil {
			return n, err
		}
		for _, c := range containers {
			versions, err := s.store.ListResources(ctx, kind.versionKind(), c.Name)
			if err != nil {
				return n, err
			}
			for _, v := range versions {
				var doc assetDoc
				if err := json.Unmarshal(v.Body, &doc); err != nil {
					return n, fmt.Errorf("%s %s:%s: %w", kind.Label, c.Name, v.Name, err)
				}
				if doc.Properties == nil || !s.storedLocations(kind, doc.Properties) {
					continue
				}
				if v.Body, err = json.Marshal(doc); err != nil {
					return n, err
				}
				if err := s.store.PutResource(ctx, v); err != nil {
					return n, err
				}
				n++
			}
		}
	}
	return n, nil
}
