package localws

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/localws/datastore"
)

// The workspace's own datastore, workspaceblobstore, is backed by one blob
// container: of the local storage account by default, whose blobs are
// plain files under Dir/blob/<account>/<container>/, or of an existing
// account (Options.StorageConnectionString). Jobs reach its paths through
// s.data (package datastore), never by mapping paths to files themselves.
// Datastores created with ml datastore create are other accounts'
// containers, which batch jobs read inputs from (storeOf).

const defaultDatastore = "workspaceblobstore"

// datastoreFile maps a datastore path ("folder/file.csv", with or without
// a leading slash; a trailing slash names a folder) to its file under the
// container folder. It refuses any path that could leave the container:
// "..", backslashes, NUL, empty segments, and symbolic links leading out
// (the blob service's LocalPath checks the last two).
func (s *Server) datastoreFile(p string) (string, *apiError) {
	if aerr := checkDatastorePath(p); aerr != nil {
		return "", aerr
	}
	trimmed := strings.TrimLeft(p, "/")
	local, err := s.blob.LocalPath(s.account, s.container, trimmed)
	if err != nil {
		return "", errBadRequest("The datastore path '" + p + "' is not valid on datastore " + defaultDatastore + ": " + strings.TrimPrefix(err.Error(), "blob: "))
	}
	return local, nil
}

// checkDatastorePath refuses a datastore path that could leave its
// container: "..", ".", backslashes and NUL.
func checkDatastorePath(p string) *apiError {
	trimmed := strings.TrimLeft(p, "/")
	if strings.ContainsAny(trimmed, "\\\x00") {
		return errBadRequest("The datastore path '" + p + "' contains a backslash or NUL: use forward slashes.")
	}
	for _, seg := range strings.Split(strings.TrimSuffix(trimmed, "/"), "/") {
		if seg == ".." || seg == "." {
			return errBadRequest("The datastore path '" + p + "' contains '" + seg + "': paths may not leave the datastore or its folders.")
		}
	}
	return nil
}

// datastoreURIOn is the short azureml:// URI of path p on datastore ds
// ("" = workspaceblobstore).
func datastoreURIOn(ds, p string) string {
	if ds == "" {
		return datastoreURI(p)
	}
	return "azureml://datastores/" + ds + "/paths/" + strings.TrimPrefix(p, "/")
}

// locatedPath is how a pipeline or command job keeps a data input's
// datastore path: the path itself on workspaceblobstore (ds ""), the short
// URI azureml://datastores/<ds>/paths/<p> on a created datastore.
// workspaceblobstore paths are relative, so the two never collide.
func locatedPath(ds, p string) string {
	if ds == "" {
		return p
	}
	return datastoreURIOn(ds, p)
}

// splitLocated reads a locatedPath on a created datastore (ok false for a
// workspaceblobstore path).
func splitLocated(s string) (ds, p string, ok bool) {
	rest, ok := strings.CutPrefix(s, "azureml://datastores/")
	if !ok {
		return "", "", false
	}
	ds, p, ok = strings.Cut(rest, "/paths/")
	return ds, p, ok && ds != ""
}

// checkCreatedInput checks that path p exists on created datastore ds (a
// folder when wantDir) and returns its store.
func (s *Server) checkCreatedInput(ctx context.Context, ds, p string, wantDir bool, what string) (datastore.Store, *apiError) {
	if aerr := checkDatastorePath(p); aerr != nil {
		return nil, aerr
	}
	store, aerr := s.storeOf(ctx, ds)
	if aerr != nil {
		return nil, aerr
	}
	exists, isDir, err := store.Stat(ctx, strings.TrimLeft(p, "/"))
	uri := datastoreURIOn(ds, p)
	switch {
	case err != nil:
		a := store.Account()
		return nil, errBadRequest("The " + what + " " + uri + " cannot be read from datastore " + ds + " (account " + a.Name + ", container " + a.Container + " at " + a.URL + "): " + err.Error())
	case !exists:
		return nil, errBadRequest("The " + what + " " + uri + " does not exist on datastore " + ds + ".")
	case wantDir && !isDir:
		return nil, errBadRequest("The " + what + " at " + uri + " is a file, not a folder.")
	}
	return store, nil
}

// datastoreURI is the short azureml:// URI of a datastore path.
func datastoreURI(p string) string {
	return "azureml://datastores/" + defaultDatastore + "/paths/" + strings.TrimPrefix(p, "/")
}

// parseDatastoreURI recognises the URIs that name a path on this
// workspace's storage and returns that path (ok=false when uri is not a
// datastore URI at all):
//
//	azureml://datastores/{ds}/paths/{p}
//	azureml://subscriptions/{s}/resourcegroups/{rg}/workspaces/{ws}/datastores/{ds}/paths/{p}
//	[azureml:]/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}/datastores/{ds}/paths/{p}
//	http://<this server>/blob/{account}/{container}/{p}
//
// A datastore created with ml datastore create is refused here, naming it:
// only job inputs are read from such datastores (parseDataLocation), while
// outputs, code and models stay on workspaceblobstore.
func (s *Server) parseDatastoreURI(r *http.Request, uri string) (string, bool, *apiError) {
	ds, p, ok, aerr := s.parseDataLocation(r, uri)
	if aerr != nil || !ok || ds == "" {
		return p, ok, aerr
	}
	if _, _, nerr := s.createdDatastore(r.Context(), ds); nerr != nil {
		return "", true, s.unknownDatastore(uri, ds)
	}
	return "", true, errBadRequest("The URI " + uri + " is on datastore '" + ds + "', created with ml datastore create: the local workspace reads job inputs from it, " +
		"but outputs, code and models must be on " + defaultDatastore + " (azureml://datastores/" + defaultDatastore + "/paths/<path>).")
}

// unknownDatastore is the error for a URI naming a datastore the
// workspace does not have.
func (s *Server) unknownDatastore(uri, ds string) *apiError {
	return errBadRequest("The datastore '" + ds + "' in " + uri + " does not exist in the local workspace: its datastores are " + defaultDatastore +
		" and those created with ml datastore create (ml datastore list).")
}

// parseDataLocation is parseDatastoreURI for data inputs: it also
// returns the datastore a datastore URI names, "" for workspaceblobstore
// (and for blob URLs of its container), else the name as written, which
// the caller checks.
func (s *Server) parseDataLocation(r *http.Request, uri string) (ds, p string, ok bool, aerr *apiError) {
	lower := strings.ToLower(uri)
	var segs []string
	switch {
	case strings.HasPrefix(lower, "azureml://datastores/"):
		segs = strings.Split(uri[len("azureml://"):], "/")
		return datastorePathFrom(uri, segs)
	case strings.HasPrefix(lower, "azureml://subscriptions/"):
		segs = strings.Split(uri[len("azureml://"):], "/")
		// subscriptions/{s}/resourcegroups/{rg}/workspaces/{ws}/datastores/...
		if len(segs) < 6 || !strings.EqualFold(segs[2], "resourcegroups") || !strings.EqualFold(segs[4], "workspaces") {
			return "", "", true, errBadRequest("Invalid AzureML datastore path URI " + uri)
		}
		if aerr := s.checkScope(uri, segs[1], segs[3], segs[5]); aerr != nil {
			return "", "", true, aerr
		}
		return datastorePathFrom(uri, segs[6:])
	case strings.HasPrefix(lower, "azureml:/subscriptions/") || strings.HasPrefix(lower, "/subscriptions/"):
		armID := uri[strings.Index(lower, "/subscriptions/"):]
		segs = strings.Split(strings.TrimPrefix(armID, "/"), "/")
		rest, aerr := s.matchWorkspaceScope(segs)
		if aerr != nil {
			if !strings.Contains(lower, "/datastores/") {
				return "", "", false, nil
			}
			return "", "", true, errBadRequest("The URI " + uri + " is outside the local workspace: " + aerr.Message)
		}
		if len(rest) == 0 || !strings.EqualFold(rest[0], "datastores") {
			return "", "", false, nil
		}
		return datastorePathFrom(uri, rest)
	case strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://"):
		if p, ok := s.remoteBlobPath(uri); ok {
			return "", p, true, nil
		}
		u, err := url.Parse(uri)
		// Any loopback port: a URL stored or sent before a restart on
		// another port still names this storage (see ownBlobPath).
		if err != nil || !s.isOwnHost(r, u.Host) && !isLoopbackHost(u.Host) {
			return "", "", false, nil
		}
		bsegs := strings.SplitN(strings.TrimPrefix(u.Path, "/"), "/", 4)
		if len(bsegs) < 3 || bsegs[0] != "blob" {
			return "", "", false, nil
		}
		if bsegs[1] != s.account || bsegs[2] != s.container {
			return "", "", true, errBadRequest("The URL " + uri + " is not in the container of datastore " + defaultDatastore +
				" (" + s.account + "/" + s.container + ").")
		}
		if len(bsegs) == 3 {
			return "", "", true, nil
		}
		return "", bsegs[3], true, nil
	}
	return "", "", false, nil
}

// remoteBlobPath is the datastore path of a blob URL in the container of
// the existing account the datastore lives on (what clients register code
// and models with, as on Azure).
func (s *Server) remoteBlobPath(uri string) (string, bool) {
	if !s.remote {
		return "", false
	}
	a := s.data.Account()
	rest, ok := strings.CutPrefix(uri, a.URL+"/"+a.Container)
	if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
		return "", false
	}
	p, err := url.PathUnescape(strings.TrimPrefix(rest, "/"))
	if err != nil {
		return "", false
	}
	return p, true
}

// datastorePathFrom reads datastores/{ds}/paths/{p...}; ds is "" for
// workspaceblobstore.
func datastorePathFrom(uri string, segs []string) (string, string, bool, *apiError) {
	if len(segs) < 3 || !strings.EqualFold(segs[0], "datastores") || !strings.EqualFold(segs[2], "paths") || segs[1] == "" {
		return "", "", true, errBadRequest("Invalid AzureML datastore path URI " + uri + ": expected azureml://datastores/<datastore>/paths/<path>")
	}
	ds := segs[1]
	if ds == defaultDatastore {
		ds = ""
	}
	return ds, strings.Join(segs[3:], "/"), true, nil
}

func (s *Server) checkScope(uri, sub, rg, ws string) *apiError {
	if !strings.EqualFold(sub, s.opts.Subscription) || !strings.EqualFold(rg, s.opts.ResourceGroup) || !strings.EqualFold(ws, s.opts.Workspace) {
		return errBadRequest("The URI " + uri + " names subscription/resource group/workspace " + sub + "/" + rg + "/" + ws +
			", not the local workspace " + s.opts.Subscription + "/" + s.opts.ResourceGroup + "/" + s.opts.Workspace + ".")
	}
	return nil
}

// isOwnHost reports whether host (from a URL in a request) is this server.
func (s *Server) isOwnHost(r *http.Request, host string) bool {
	if strings.EqualFold(host, r.Host) {
		return true
	}
	if u := s.URL(); u != "" && strings.EqualFold("http://"+host, u) {
		return true
	}
	// 127.0.0.1:P and localhost:P are the same server.
	h, p, err := net.SplitHostPort(host)
	rh, rp, rerr := net.SplitHostPort(r.Host)
	if err != nil || rerr != nil || p != rp {
		return false
	}
	loop := func(x string) bool { ip := net.ParseIP(x); return x == "localhost" || (ip != nil && ip.IsLoopback()) }
	return loop(h) && loop(rh)
}

// resolvedData is an input or asset location on the datastore.
type resolvedData struct {
	// Datastore is a datastore created with ml datastore create, "" for
	// workspaceblobstore.
	Datastore string
	// Path is the datastore path (relative, slash-separated).
	Path string
	// AssetID is the data version's ARM id when the URI named a data asset.
	AssetID string
}

// resolveDataURI turns an input URI into a datastore path: datastore URIs
// directly, data assets (ARM ids, azureml:name:version, azureml:name@latest,
// azureml://locations/...) through their dataUri. Anything that is not on
// this workspace's storage is a 400 saying how to get the data there.
func (s *Server) resolveDataURI(r *http.Request, uri string) (resolvedData, *apiError) {
	return s.resolveDataURIDepth(r, uri, 0)
}

func (s *Server) resolveDataURIDepth(r *http.Request, uri string, depth int) (resolvedData, *apiError) {
	if strings.TrimSpace(uri) == "" {
		return resolvedData{}, errBadRequest("Input path can't be empty for batch endpoint invoke")
	}
	if ds, p, ok, aerr := s.parseDataLocation(r, uri); ok || aerr != nil {
		if aerr == nil && ds != "" {
			if _, _, nerr := s.createdDatastore(r.Context(), ds); nerr != nil {
				return resolvedData{}, s.unknownDatastore(uri, ds)
			}
			aerr = checkDatastorePath(p)
		}
		return resolvedData{Datastore: ds, Path: p}, aerr
	}
	lower := strings.ToLower(uri)
	isAsset := strings.HasPrefix(lower, "azureml:") || strings.HasPrefix(lower, "/subscriptions/")
	if !isAsset {
		if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") || strings.Contains(lower, "://") {
			return resolvedData{}, errBadRequest("The input " + uri + " is not on the local workspace's storage, and the local workspace cannot read remote storage: " +
				"upload the data first (ml batch-endpoint invoke --input ./local/folder uploads it) or copy it to azureml://datastores/" + defaultDatastore + "/paths/<path>.")
		}
		return resolvedData{}, errBadRequest("The input " + uri + " is not a URI the service can read: local paths are uploaded by the client; " +
			"send azureml://datastores/" + defaultDatastore + "/paths/<path>, a data asset (azureml:<name>:<version>) or its ARM id.")
	}
	if depth > 0 {
		return resolvedData{}, errBadRequest("The data asset's dataUri " + uri + " points at another asset: register data with a datastore URI.")
	}
	ref, aerr := s.parseAssetRef(uri, dataAssets)
	if aerr != nil {
		return resolvedData{}, aerr
	}
	rec, version, aerr := s.resolveAssetRef(r.Context(), ref)
	if aerr != nil {
		return resolvedData{}, aerr
	}
	var doc assetDoc
	if err := json.Unmarshal(rec.Body, &doc); err != nil {
		return resolvedData{}, &apiError{Status: 500, Code: codeInternal, Message: err.Error()}
	}
	dataURI, _ := doc.Properties["dataUri"].(string)
	inner, aerr := s.resolveDataURIDepth(r, dataURI, depth+1)
	if aerr != nil {
		return resolvedData{}, errBadRequest("The data asset " + ref.Name + ":" + version + " cannot be read: " + aerr.Message)
	}
	inner.AssetID = s.versionID(dataAssets, rec.Parent, version)
	return inner, nil
}

// statDatastorePath checks that path p of datastore ds ("" =
// workspaceblobstore) exists with the right kind.
func (s *Server) statDatastorePath(ctx context.Context, ds, p string, wantDir bool, what string) *apiError {
	store, aerr := s.storeOf(ctx, ds)
	if aerr != nil {
		return aerr
	}
	if ds == "" {
		if _, aerr := s.datastoreFile(p); aerr != nil {
			return aerr
		}
	} else if aerr := checkDatastorePath(p); aerr != nil {
		return aerr
	}
	uri, name := datastoreURIOn(ds, p), firstNonEmptyString(ds, defaultDatastore)
	exists, isDir, err := store.Stat(ctx, strings.TrimLeft(p, "/"))
	switch {
	case err != nil && ds != "":
		a := store.Account()
		return errBadRequest("The " + what + " " + uri + " cannot be read from datastore " + ds + " (account " + a.Name + ", container " + a.Container + " at " + a.URL + "): " + err.Error())
	case err != nil:
		return &apiError{Status: 500, Code: codeInternal, Message: "check " + uri + ": " + err.Error()}
	case !exists:
		return errBadRequest("The " + what + " " + uri + " does not exist on datastore " + name + ".")
	case wantDir && !isDir:
		return errBadRequest("There is no folder on target path: " + uri + " (it is a file: use type uri_file).")
	case !wantDir && isDir:
		return errBadRequest("There is no file on target path: " + uri + " (it is a folder: use type uri_folder).")
	}
	return nil
}

// storeOf is where datastore ds keeps its blobs: s.data for
// workspaceblobstore (""), else the account and container of a datastore
// created with ml datastore create, with its secret (anonymous for an
// identity-based one: the local workspace has no identity to use).
func (s *Server) storeOf(ctx context.Context, ds string) (datastore.Store, *apiError) {
	if ds == "" || ds == defaultDatastore {
		return s.data, nil
	}
	_, d, aerr := s.createdDatastore(ctx, ds)
	if aerr != nil {
		return nil, errBadRequest("Datastore " + ds + " no longer exists in the local workspace (was it deleted?): " + aerr.Message)
	}
	blob := d.Properties.(*armmachinelearning.AzureBlobDatastore)
	a := datastore.Account{Name: deref(blob.AccountName),
		URL: datastore.AccountURL(deref(blob.AccountName), deref(blob.Endpoint), deref(blob.Protocol))}
	switch c := blob.Credentials.(type) {
	case *armmachinelearning.AccountKeyDatastoreCredentials:
		a.Key = deref(c.Secrets.Key)
	case *armmachinelearning.SasDatastoreCredentials:
		a.SAS = strings.TrimPrefix(deref(c.Secrets.SasToken), "?")
	}
	r, err := datastore.OpenRemote(a, deref(blob.ContainerName), policy.RetryOptions{MaxRetries: 3})
	if err != nil {
		return nil, errBadRequest("Datastore " + ds + ": " + err.Error())
	}
	return r, nil
}

// assetDatastorePath resolves a code or model URI (codeUri, modelUri) to a
// datastore path, checked to stay inside the container.
func (s *Server) assetDatastorePath(r *http.Request, uri, what string) (string, *apiError) {
	p, ok, aerr := s.parseDatastoreURI(r, uri)
	if aerr != nil {
		return "", aerr
	}
	if !ok {
		return "", errBadRequest("The " + what + " URI '" + uri + "' is not on the local workspace's storage: upload it to datastore " + defaultDatastore + " first.")
	}
	if _, aerr := s.datastoreFile(p); aerr != nil {
		return "", aerr
	}
	return p, nil
}
