package localws

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// assetKind describes one family of versioned assets (codes, models,
// environments, components, data): a container with versions under it.
// Bodies are decoded into and re-encoded from the armmachinelearning types,
// which both validates their shape and keeps the wire form the SDK's.
type assetKind struct {
	Segment string // URL segment and store kind of containers
	Label   string // singular noun for messages
	// normalizeContainer / normalizeVersion round-trip a body through the
	// SDK type.
	normalizeContainer func([]byte) ([]byte, error)
	normalizeVersion   func([]byte) ([]byte, error)
	// contentKeys are the version properties that define its content; a
	// re-PUT of an existing version may not change them (assets are
	// immutable on Azure).
	contentKeys []string
	// hasProvisioningState: the SDK type carries provisioningState.
	hasProvisioningState bool
}

func (k *assetKind) versionKind() string { return k.Segment + "/versions" }

func roundTrip[T any](body []byte) ([]byte, error) {
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

var (
	codeAssets = &assetKind{Segment: "codes", Label: "code",
		normalizeContainer: roundTrip[armmachinelearning.CodeContainer], normalizeVersion: roundTrip[armmachinelearning.CodeVersion],
		contentKeys: []string{"codeUri"}, hasProvisioningState: true}
	modelAssets = &assetKind{Segment: "models", Label: "model",
		normalizeContainer: roundTrip[armmachinelearning.ModelContainer], normalizeVersion: roundTrip[armmachinelearning.ModelVersion],
		contentKeys: []string{"modelUri", "modelType"}, hasProvisioningState: true}
	environmentAssets = &assetKind{Segment: "environments", Label: "environment",
		normalizeContainer: roundTrip[armmachinelearning.EnvironmentContainer], normalizeVersion: roundTrip[armmachinelearning.EnvironmentVersion],
		contentKeys: []string{"image", "condaFile", "build"}, hasProvisioningState: true}
	componentAssets = &assetKind{Segment: "components", Label: "component",
		normalizeContainer: roundTrip[armmachinelearning.ComponentContainer], normalizeVersion: roundTrip[armmachinelearning.ComponentVersion],
		contentKeys: []string{"componentSpec"}, hasProvisioningState: true}
	dataAssets = &assetKind{Segment: "data", Label: "data",
		normalizeContainer: roundTrip[armmachinelearning.DataContainer], normalizeVersion: roundTrip[armmachinelearning.DataVersionBase],
		contentKeys: []string{"dataUri", "dataType"}}

	assetKinds = []*assetKind{codeAssets, modelAssets, environmentAssets, componentAssets, dataAssets}
)

func assetKindBySegment(seg string) *assetKind {
	for _, k := range assetKinds {
		if strings.EqualFold(k.Segment, seg) {
			return k
		}
	}
	return nil
}

// assetDoc is the generic view of a stored container or version.
type assetDoc struct {
	Properties map[string]any `json:"properties"`
}

func (s *Server) serveAssets(w http.ResponseWriter, r *http.Request, kind *assetKind, rest []string) {
	switch {
	case len(rest) == 0 && r.Method == http.MethodGet:
		s.listContainers(w, r, kind)
	case len(rest) == 0:
		methodNotAllowed(w, r, http.MethodGet)
	case len(rest) == 1 && r.Method == http.MethodGet:
		s.getContainer(w, r, kind, rest[0])
	case len(rest) == 1 && r.Method == http.MethodPut:
		s.putContainer(w, r, kind, rest[0])
	case len(rest) == 1:
		methodNotAllowed(w, r, http.MethodGet, http.MethodPut)
	case !strings.EqualFold(rest[1], "versions"):
		writeError(w, errNotFound("no route for "+r.URL.Path))
	case len(rest) == 2 && r.Method == http.MethodGet:
		s.listVersions(w, r, kind, rest[0])
	case len(rest) == 2:
		methodNotAllowed(w, r, http.MethodGet)
	case len(rest) == 3 && r.Method == http.MethodGet:
		s.getVersion(w, r, kind, rest[0], rest[2])
	case len(rest) == 3 && r.Method == http.MethodPut:
		s.putVersion(w, r, kind, rest[0], rest[2])
	case len(rest) == 3:
		methodNotAllowed(w, r, http.MethodGet, http.MethodPut)
	default:
		writeError(w, errNotFound("no route for "+r.URL.Path))
	}
}

// renderAsset adds id, name, type and systemData and re-encodes through the
// SDK type; serve, when set, renders stored properties for the answer.
func (s *Server) renderAsset(rec resource, id, typ string, normalize func([]byte) ([]byte, error), withState bool, serve func(map[string]any)) (json.RawMessage, error) {
	var doc assetDoc
	if err := json.Unmarshal(rec.Body, &doc); err != nil {
		return nil, err
	}
	if doc.Properties == nil {
		doc.Properties = map[string]any{}
	}
	if serve != nil {
		serve(doc.Properties)
	}
	if withState {
		doc.Properties["provisioningState"] = "Succeeded"
	}
	sd, err := json.Marshal(systemData(rec.Created, rec.Updated))
	if err != nil {
		return nil, err
	}
	full, err := json.Marshal(map[string]any{
		"id": id, "name": rec.Name, "type": typ, "properties": doc.Properties, "systemData": json.RawMessage(sd),
	})
	if err != nil {
		return nil, err
	}
	return normalize(full)
}

func (s *Server) renderContainer(kind *assetKind, rec resource) (json.RawMessage, error) {
	return s.renderAsset(rec, s.workspacePath()+"/"+kind.Segment+"/"+rec.Name, resourceType(kind.Segment),
		kind.normalizeContainer, kind.hasProvisioningState, nil)
}

// renderVersion renders a version for a client that reached the server at
// base: its storage locations become addresses there (locations.go).
func (s *Server) renderVersion(kind *assetKind, rec resource, base string) (json.RawMessage, error) {
	return s.renderAsset(rec, s.versionID(kind, rec.Parent, rec.Name), resourceType(kind.versionKind()),
		kind.normalizeVersion, kind.hasProvisioningState, func(props map[string]any) { s.servedLocations(kind, props, base) })
}

// listView reads listViewType (ActiveOnly, the default, ArchivedOnly or
// All) and returns whether a stored asset is listed.
func listView(r *http.Request) (func(rec resource) bool, *apiError) {
	view := r.URL.Query().Get("listViewType")
	var want func(archived bool) bool
	switch {
	case view == "" || strings.EqualFold(view, string(armmachinelearning.ListViewTypeActiveOnly)):
		want = func(archived bool) bool { return !archived }
	case strings.EqualFold(view, string(armmachinelearning.ListViewTypeArchivedOnly)):
		want = func(archived bool) bool { return archived }
	case strings.EqualFold(view, string(armmachinelearning.ListViewTypeAll)):
		want = func(bool) bool { return true }
	default:
		return nil, errBadRequest("listViewType '" + view + "' is not supported: use ActiveOnly, ArchivedOnly or All.")
	}
	return func(rec resource) bool {
		var doc struct {
			Properties struct {
				IsArchived bool `json:"isArchived"`
			} `json:"properties"`
		}
		_ = json.Unmarshal(rec.Body, &doc)
		return want(doc.Properties.IsArchived)
	}, nil
}

func (s *Server) listContainers(w http.ResponseWriter, r *http.Request, kind *assetKind) {
	listed, aerr := listView(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	recs, err := s.store.ListResources(r.Context(), kind.Segment, "")
	if err != nil {
		writeError(w, err)
		return
	}
	items := make([]json.RawMessage, 0, len(recs))
	for _, rec := range recs {
		if !listed(rec) {
			continue
		}
		out, err := s.renderContainer(kind, rec)
		if err != nil {
			writeError(w, err)
			return
		}
		items = append(items, out)
	}
	writePage(w, r, items)
}

func (s *Server) getContainer(w http.ResponseWriter, r *http.Request, kind *assetKind, name string) {
	rec, err := s.store.GetResource(r.Context(), kind.Segment, "", name)
	if errors.Is(err, errNoRecord) {
		writeError(w, errNotFound("The "+kind.Label+" container '"+name+"' was not found in workspace '"+s.opts.Workspace+"'."))
		return
	}
	if err != nil {
		writeError(w, err)
		return
	}
	out, err := s.renderContainer(kind, rec)
	if err != nil {
		writeError(w, err)
		return
	}
	writeRawJSON(w, http.StatusOK, out)
}

// decodeAssetBody validates a PUT body and returns its properties.
func decodeAssetBody(body []byte, normalize func([]byte) ([]byte, error), label string) (map[string]any, *apiError) {
	norm, err := normalize(body)
	if err != nil {
		return nil, errBadRequest("The request body is not a valid " + label + ": " + err.Error())
	}
	var doc assetDoc
	if err := json.Unmarshal(norm, &doc); err != nil || doc.Properties == nil {
		return nil, errBadRequest("The " + label + " has no 'properties'.")
	}
	// Read-only fields are the server's to set.
	for _, k := range []string{"provisioningState", "latestVersion", "nextVersion"} {
		delete(doc.Properties, k)
	}
	return doc.Properties, nil
}

// canonicalDataType accepts the spellings clients use (uri_folder, UriFolder).
func canonicalDataType(props map[string]any) *apiError {
	v, _ := props["dataType"].(string)
	switch strings.ToLower(strings.ReplaceAll(v, "_", "")) {
	case "urifile":
		props["dataType"] = "uri_file"
	case "urifolder":
		props["dataType"] = "uri_folder"
	case "mltable":
		props["dataType"] = "mltable"
	case "":
		return errBadRequest("properties.dataType is required: use uri_file, uri_folder or mltable.")
	default:
		return errBadRequest("properties.dataType '" + v + "' is not supported: use uri_file, uri_folder or mltable.")
	}
	return nil
}

func (s *Server) putContainer(w http.ResponseWriter, r *http.Request, kind *assetKind, name string) {
	if aerr := checkName(kind.Label, name); aerr != nil {
		writeError(w, aerr)
		return
	}
	body, err := s.readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if kind == dataAssets {
		// Fix the discriminator spelling before the SDK type sees it.
		body, err = fixDataType(body)
		if err != nil {
			writeError(w, err)
			return
		}
	}
	props, aerr := decodeAssetBody(body, kind.normalizeContainer, kind.Label+" container")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	existing, err := s.store.GetResource(r.Context(), kind.Segment, "", name)
	creating := errors.Is(err, errNoRecord)
	if err != nil && !creating {
		writeError(w, err)
		return
	}
	if !creating {
		var old assetDoc
		_ = json.Unmarshal(existing.Body, &old)
		for _, k := range []string{"latestVersion", "nextVersion"} {
			if v, ok := old.Properties[k]; ok {
				props[k] = v
			}
		}
		name = existing.Name
	}
	if _, ok := props["nextVersion"]; !ok {
		props["nextVersion"] = "1"
	}
	rec := resource{Kind: kind.Segment, Name: name, Created: existing.Created}
	if rec.Body, err = json.Marshal(assetDoc{Properties: props}); err != nil {
		writeError(w, err)
		return
	}
	if err := s.store.PutResource(r.Context(), rec); err != nil {
		writeError(w, err)
		return
	}
	s.writeStored(w, r, kind.Segment, "", name, creating, func(rec resource) (json.RawMessage, error) { return s.renderContainer(kind, rec) })
}

// writeStored answers a PUT with the resource as stored (read back, so
// server-side fields are filled): 201 when it was created, else 200.
func (s *Server) writeStored(w http.ResponseWriter, r *http.Request, kind, parent, name string, created bool, render func(resource) (json.RawMessage, error)) {
	rec, err := s.store.GetResource(r.Context(), kind, parent, name)
	if err != nil {
		writeError(w, err)
		return
	}
	out, err := render(rec)
	if err != nil {
		writeError(w, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeRawJSON(w, status, out)
}

// fixDataType canonicalises properties.dataType in a raw data body.
func fixDataType(body []byte) ([]byte, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, errBadRequest("The request body is not valid JSON: " + err.Error())
	}
	var props map[string]any
	if p, ok := raw["properties"]; ok {
		if err := json.Unmarshal(p, &props); err != nil {
			return nil, errBadRequest("properties is not an object: " + err.Error())
		}
	}
	if props == nil {
		return nil, errBadRequest("The data asset has no 'properties'.")
	}
	if aerr := canonicalDataType(props); aerr != nil {
		return nil, aerr
	}
	p, err := json.Marshal(props)
	if err != nil {
		return nil, err
	}
	raw["properties"] = p
	return json.Marshal(raw)
}

func (s *Server) listVersions(w http.ResponseWriter, r *http.Request, kind *assetKind, name string) {
	listed, aerr := listView(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	recs, err := s.store.ListResources(r.Context(), kind.versionKind(), name)
	if err != nil {
		writeError(w, err)
		return
	}
	if order := strings.ToLower(r.URL.Query().Get("$orderBy")); strings.Contains(order, "desc") {
		slices.Reverse(recs)
	}
	items := make([]json.RawMessage, 0, len(recs))
	for _, rec := range recs {
		if !listed(rec) {
			continue
		}
		out, err := s.renderVersion(kind, rec, baseURL(r))
		if err != nil {
			writeError(w, err)
			return
		}
		items = append(items, out)
	}
	writePage(w, r, items)
}

func (s *Server) getVersion(w http.ResponseWriter, r *http.Request, kind *assetKind, name, version string) {
	if aerr := checkVersion(kind, version); aerr != nil {
		writeError(w, aerr)
		return
	}
	rec, err := s.store.GetResource(r.Context(), kind.versionKind(), name, version)
	if errors.Is(err, errNoRecord) {
		writeError(w, errNotFound("The "+kind.Label+" version '"+name+":"+version+"' was not found in workspace '"+s.opts.Workspace+"'."))
		return
	}
	if err != nil {
		writeError(w, err)
		return
	}
	out, err := s.renderVersion(kind, rec, baseURL(r))
	if err != nil {
		writeError(w, err)
		return
	}
	writeRawJSON(w, http.StatusOK, out)
}

func (s *Server) putVersion(w http.ResponseWriter, r *http.Request, kind *assetKind, name, version string) {
	if aerr := checkName(kind.Label, name); aerr != nil {
		writeError(w, aerr)
		return
	}
	if aerr := checkVersion(kind, version); aerr != nil {
		writeError(w, aerr)
		return
	}
	body, err := s.readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if kind == dataAssets {
		if body, err = fixDataType(body); err != nil {
			writeError(w, err)
			return
		}
	}
	props, aerr := decodeAssetBody(body, kind.normalizeVersion, kind.Label+" version")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if kind == dataAssets {
		if uri, _ := props["dataUri"].(string); uri == "" {
			writeError(w, errBadRequest("properties.dataUri is required: point it at the data, e.g. azureml://datastores/workspaceblobstore/paths/<folder>/."))
			return
		}
	}
	// Locations, not addresses: a blob URL of this server is stored as
	// its datastore URI, so a restart on another port changes nothing.
	s.storedLocations(kind, props)
	ctx := r.Context()
	// The container lock keeps latestVersion/nextVersion consistent when
	// two versions are registered at once.
	s.createMu.Lock()
	defer s.createMu.Unlock()

	if c, err := s.store.GetResource(ctx, kind.Segment, "", name); err == nil {
		name = c.Name // versions carry their container's spelling
	}
	existing, err := s.store.GetResource(ctx, kind.versionKind(), name, version)
	creating := errors.Is(err, errNoRecord)
	if err != nil && !creating {
		writeError(w, err)
		return
	}
	if !creating {
		var old assetDoc
		_ = json.Unmarshal(existing.Body, &old)
		for _, k := range kind.contentKeys {
			if !sameJSON(old.Properties[k], props[k]) {
				writeError(w, errConflict("The "+kind.Label+" "+name+":"+version+" already exists and its "+k+" cannot be changed: register a new version instead."))
				return
			}
		}
		name, version = existing.Parent, existing.Name
	}
	rec := resource{Kind: kind.versionKind(), Parent: name, Name: version, Created: existing.Created}
	if rec.Body, err = json.Marshal(assetDoc{Properties: props}); err != nil {
		writeError(w, err)
		return
	}
	if err := s.store.PutResource(ctx, rec); err != nil {
		writeError(w, err)
		return
	}
	if err := s.updateContainer(r, kind, name, version, props, creating); err != nil {
		writeError(w, err)
		return
	}
	s.writeStored(w, r, kind.versionKind(), name, version, creating, func(rec resource) (json.RawMessage, error) { return s.renderVersion(kind, rec, baseURL(r)) })
}

// updateContainer creates the container of a new version when missing (as
// Azure does) and maintains latestVersion and nextVersion.
func (s *Server) updateContainer(r *http.Request, kind *assetKind, name, version string, versionProps map[string]any, created bool) error {
	ctx := r.Context()
	c, err := s.store.GetResource(ctx, kind.Segment, "", name)
	if err != nil && !errors.Is(err, errNoRecord) {
		return err
	}
	var doc assetDoc
	if err == nil {
		if err := json.Unmarshal(c.Body, &doc); err != nil {
			return err
		}
	} else {
		c = resource{Kind: kind.Segment, Name: name}
	}
	if doc.Properties == nil {
		doc.Properties = map[string]any{}
	}
	if kind == dataAssets {
		if _, ok := doc.Properties["dataType"]; !ok {
			doc.Properties["dataType"] = versionProps["dataType"]
		}
	}
	if created {
		doc.Properties["latestVersion"] = version
	}
	versions, err := s.store.ListResources(ctx, kind.versionKind(), name)
	if err != nil {
		return err
	}
	next := 1
	for _, v := range versions {
		if n, err := strconv.Atoi(v.Name); err == nil && n >= next {
			next = n + 1
		}
	}
	doc.Properties["nextVersion"] = strconv.Itoa(next)
	if c.Body, err = json.Marshal(doc); err != nil {
		return err
	}
	return s.store.PutResource(ctx, c)
}

func sameJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// checkVersion applies the service's rule for version strings, with its
// message (seen for `--input azureml:name:1@latest`).
func checkVersion(kind *assetKind, version string) *apiError {
	if !versionPattern.MatchString(version) {
		return errBadRequest(kind.Label + "Version is invalid. It can only contain alphanumeric characters, dashes, underscores, and periods, with a limit of 50 characters.")
	}
	return nil
}
