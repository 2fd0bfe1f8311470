package blob

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// createContainer makes a container's folder (Create Container).
func (h *Handler) createContainer(c *call) error {
	rt := c.route
	if c.r.Header.Get("x-ms-blob-public-access") != "" {
		return newError("UnsupportedHeader", "x-ms-blob-public-access: the local workspace has no anonymous access; every request must be signed.")
	}
	md, err := metadataFromHeaders(c.r.Header)
	if err != nil {
		return err
	}
	rec, err := h.makeContainer(rt.account, rt.container, md)
	if err != nil {
		return err
	}
	if err := h.durable(c); err != nil {
		return err
	}
	out := c.w.Header()
	out.Set("ETag", rec.ETag)
	out.Set("Last-Modified", httpDate(rec.LastModified))
	c.w.WriteHeader(http.StatusCreated)
	return nil
}

// makeContainer creates the folder and sidecar of a new container;
// ContainerAlreadyExists if the folder exists.
func (h *Handler) makeContainer(account, container string, md map[string]string) (containerRecord, error) {
	dir := h.containerDir(account, container)
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return containerRecord{}, newError("ContainerAlreadyExists", "")
		}
		return containerRecord{}, err
	}
	now := h.now()
	rec := containerRecord{ETag: h.etags.next(now), LastModified: now, Metadata: md}
	if err := h.writeJSON(h.containerRecordPath(account, container), rec); err != nil {
		return containerRecord{}, err
	}
	return rec, nil
}

// containerProps is a container's sidecar, or properties derived from its
// folder when it was made outside the service.
func (h *Handler) containerProps(account, container string) (containerRecord, error) {
	if err := h.requireContainer(account, container); err != nil {
		return containerRecord{}, err
	}
	var rec containerRecord
	ok, err := readJSON(h.containerRecordPath(account, container), &rec)
	if ok && err == nil {
		return rec, nil
	}
	fi, err := os.Stat(h.containerDir(account, container))
	if err != nil {
		return containerRecord{}, newError("ContainerNotFound", "")
	}
	return containerRecord{ETag: fileETag(fi), LastModified: fi.ModTime()}, nil
}

// getContainerProperties answers Get Container Properties.
func (h *Handler) getContainerProperties(c *call) error {
	rec, err := h.containerProps(c.route.account, c.route.container)
	if err != nil {
		return err
	}
	out := c.w.Header()
	out.Set("ETag", rec.ETag)
	out.Set("Last-Modified", httpDate(rec.LastModified))
	writeMetadataHeaders(out, rec.Metadata)
	out.Set("x-ms-lease-state", "available")
	out.Set("x-ms-lease-status", "unlocked")
	out.Set("x-ms-has-immutability-policy", "false")
	out.Set("x-ms-has-legal-hold", "false")
	out.Set("x-ms-default-encryption-scope", "$account-encryption-key")
	out.Set("x-ms-deny-encryption-scope-override", "false")
	out.Set("Content-Length", "0")
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// deleteContainer removes a container with all its blobs, properties and
// staged blocks (Delete Container); 202 like Azure.
func (h *Handler) deleteContainer(c *call) error {
	rt := c.route
	if err := h.requireContainer(rt.account, rt.container); err != nil {
		return err
	}
	// RemoveAll deletes links, never what they point to.
	for _, dir := range []string{
		h.containerDir(rt.account, rt.container),
		h.containerMetaDir(rt.account, rt.container),
		filepath.Join(h.stageRoot(), rt.account, rt.container),
	} {
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	if err := h.durable(c); err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusAccepted)
	return nil
}

// EnsureContainer creates a container unless it exists, for the server to
// provision the workspace's datastore container at start.
func (h *Handler) EnsureContainer(account, container string) error {
	if _, ok := h.accounts[account]; !ok {
		return errors.New("blob: account " + quote(account) + " is not served (add it to Options.Accounts)")
	}
	if err := checkContainerName(container); err != nil {
		return err
	}
	_, err := h.makeContainer(account, container, nil)
	var se *storageError
	if errors.As(err, &se) && se.code == "ContainerAlreadyExists" {
		return h.requireContainer(account, container)
	}
	return err
}

// listContainers answers List Containers for the account.
func (h *Handler) listContainers(c *call) error {
	rt := c.route
	p, err := parseListParams(c.r.URL.Query())
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(filepath.Join(h.root, rt.account))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	var keys []listEntry
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() && checkContainerName(name) == nil && strings.HasPrefix(name, p.prefix) {
			keys = append(keys, listEntry{key: name})
		}
	}
	// ReadDir sorts by name already.
	items, next := page(keys, p.marker, p.maxResults)
	res := containerListXML{ServiceEndpoint: h.accountURL(c.r, rt.account), NextMarker: next}
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
	for _, e := range items {
		rec, err := h.containerProps(rt.account, e.key)
		if err != nil {
			continue // removed since ReadDir
		}
		var x containerXML
		x.Name = e.key
		x.Properties.LastModified = httpDate(rec.LastModified)
		x.Properties.Etag = unquote(rec.ETag)
		x.Properties.LeaseStatus, x.Properties.LeaseState = "unlocked", "available"
		if p.metadata {
			md := metadataXML(rec.Metadata)
			x.Metadata = &md
		}
		res.Containers.Items = append(res.Containers.Items, x)
	}
	return writeXML(c, res)
}
