package localws

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
)

// assetRef names one version of a workspace asset. Latest means "resolve
// through the container's latestVersion" (the @latest / labels/latest forms).
type assetRef struct {
	Kind    *assetKind
	Name    string
	Version string
	Latest  bool
}

func (a assetRef) String() string {
	if a.Latest {
		return a.Kind.Segment + "/" + a.Name + "@latest"
	}
	return a.Kind.Segment + "/" + a.Name + "/versions/" + a.Version
}

// parseAssetRef understands every way clients point at an asset version:
//
//	/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}/{kind}/{name}/versions/{v}
//	azureml:/subscriptions/...                (the same, prefixed)
//	azureml:{name}:{version}   azureml:{name}@latest   azureml:/{name}@latest
//	azureml://locations/{l}/workspaces/{ws}/{kind}/{name}/versions/{v}   (…/versions/labels/latest)
//
// want is the asset kind the caller expects (e.g. "models"); the scope of
// ARM ids must be this workspace.
func (s *Server) parseAssetRef(ref string, want *assetKind) (assetRef, *apiError) {
	bad := func(why string) (assetRef, *apiError) {
		return assetRef{}, errBadRequest("Invalid " + want.Label + " reference '" + ref + "': " + why)
	}
	rest := ref
	if strings.HasPrefix(strings.ToLower(rest), "azureml:") {
		rest = rest[len("azureml:"):]
	}
	switch {
	case strings.HasPrefix(rest, "//registries/"):
		return assetRef{}, &apiError{Status: 400, Code: codeUserError, Message: "The " + want.Label + " '" + ref +
			"' lives in an Azure ML registry, which the local workspace cannot reach: register it in the local workspace and reference it as azureml:<name>:<version>."}
	case strings.HasPrefix(rest, "//locations/"):
		segs := strings.Split(strings.TrimPrefix(rest, "//"), "/")
		// locations/{l}/workspaces/{ws}/{kind}/{name}/versions/{v} or .../versions/labels/latest
		if len(segs) < 8 || !strings.EqualFold(segs[2], "workspaces") || !strings.EqualFold(segs[6], "versions") {
			return bad("expected azureml://locations/{location}/workspaces/{workspace}/" + want.Segment + "/{name}/versions/{version}")
		}
		if !strings.EqualFold(segs[3], s.opts.Workspace) && !strings.EqualFold(segs[3], s.workspaceID) {
			return bad("it names workspace '" + segs[3] + "', not the local workspace '" + s.opts.Workspace + "'")
		}
		if !strings.EqualFold(segs[4], want.Segment) {
			return bad("it is a " + segs[4] + " reference, not " + want.Segment)
		}
		if len(segs) == 9 && segs[7] == "labels" && segs[8] == "latest" {
			return assetRef{Kind: want, Name: segs[5], Latest: true}, nil
		}
		if len(segs) != 8 {
			return bad("unexpected path after the version")
		}
		return assetRef{Kind: want, Name: segs[5], Version: segs[7]}, nil
	case strings.HasPrefix(strings.ToLower(rest), "/subscriptions/"):
		segs := strings.Split(strings.TrimPrefix(rest, "/"), "/")
		scope, aerr := s.matchWorkspaceScope(segs)
		if aerr != nil {
			return bad(aerr.Message)
		}
		if len(scope) != 4 || !strings.EqualFold(scope[0], want.Segment) || !strings.EqualFold(scope[2], "versions") {
			return bad("expected an ARM id ending in /" + want.Segment + "/{name}/versions/{version}")
		}
		return assetRef{Kind: want, Name: scope[1], Version: scope[3]}, nil
	case ref != rest:
		// azureml:name:version, azureml:name@latest, azureml:/name@latest
		body := strings.TrimPrefix(rest, "/")
		if name, label, ok := strings.Cut(body, "@"); ok {
			if label != "latest" {
				return bad("the only label is @latest")
			}
			return assetRef{Kind: want, Name: name, Latest: true}, nil
		}
		name, version, ok := strings.Cut(body, ":")
		if !ok || strings.Contains(version, ":") {
			return bad("use azureml:<name>:<version> or azureml:<name>@latest")
		}
		return assetRef{Kind: want, Name: name, Version: version}, nil
	}
	return bad("use an ARM id, azureml:<name>:<version> or azureml:<name>@latest")
}

// resolveAssetRef loads the referenced version and returns its record and
// concrete version. Missing assets are a 400 naming the reference.
func (s *Server) resolveAssetRef(ctx context.Context, ref assetRef) (resource, string, *apiError) {
	if aerr := checkName(ref.Kind.Label, ref.Name); aerr != nil {
		return resource{}, "", aerr
	}
	version := ref.Version
	if ref.Latest {
		c, err := s.store.GetResource(ctx, ref.Kind.Segment, "", ref.Name)
		if err != nil {
			return resource{}, "", errBadRequest("Asset " + ref.Name + " does not exist in workspace " + s.opts.Workspace + ".")
		}
		var doc struct {
			Properties struct {
				LatestVersion string `json:"latestVersion"`
			} `json:"properties"`
		}
		_ = json.Unmarshal(c.Body, &doc)
		if doc.Properties.LatestVersion == "" {
			return resource{}, "", errBadRequest("Asset " + ref.Name + " with version label latest does not exist in workspace " + s.opts.Workspace + ".")
		}
		version = doc.Properties.LatestVersion
	}
	if aerr := checkVersion(ref.Kind, version); aerr != nil {
		return resource{}, "", aerr
	}
	rec, err := s.store.GetResource(ctx, ref.Kind.versionKind(), ref.Name, version)
	if errors.Is(err, errNoRecord) {
		return resource{}, "", errBadRequest("The " + ref.Kind.Label + " " + ref.Name + ":" + version + " does not exist in workspace " + s.opts.Workspace + ": register it first.")
	}
	if err != nil {
		return resource{}, "", &apiError{Status: 500, Code: codeInternal, Message: err.Error()}
	}
	return rec, version, nil
}

// versionID is the ARM id of an asset version.
func (s *Server) versionID(kind *assetKind, name, version string) string {
	return s.workspacePath() + "/" + kind.Segment + "/" + name + "/versions/" + version
}
