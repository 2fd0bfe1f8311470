package localws

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

const providerNamespace = "Microsoft.MachineLearningServices"

// apiVersionPattern accepts every api-version the SDKs send (2022-05-01 …
// 2025-12-01 and the -preview ones): the server answers with one shape.
var apiVersionPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(-[A-Za-z]+)?$`)

// workspacePath is the ARM id of the workspace.
func (s *Server) workspacePath() string {
	return "/subscriptions/" + s.opts.Subscription + "/resourceGroups/" + s.opts.ResourceGroup +
		"/providers/" + providerNamespace + "/workspaces/" + s.opts.Workspace
}

// resourceType is the ARM type string of a workspace child, e.g.
// "batchEndpoints/deployments".
func resourceType(sub string) string {
	if sub == "" {
		return providerNamespace + "/workspaces"
	}
	return providerNamespace + "/workspaces/" + sub
}

// matchWorkspaceScope checks segs against
// subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}
// (keywords case-insensitive, like ARM) and returns what follows.
func (s *Server) matchWorkspaceScope(segs []string) ([]string, *apiError) {
	if len(segs) < 2 || !strings.EqualFold(segs[0], "subscriptions") {
		return nil, errNotFound("not an ARM path: expected /subscriptions/{subscription}/resourceGroups/{group}/providers/" + providerNamespace + "/workspaces/{workspace}/...")
	}
	if !strings.EqualFold(segs[1], s.opts.Subscription) {
		return nil, &apiError{Status: http.StatusNotFound, Code: "SubscriptionNotFound",
			Message: "The subscription '" + segs[1] + "' could not be found: the local workspace serves subscription '" + s.opts.Subscription + "'."}
	}
	if len(segs) < 4 || !strings.EqualFold(segs[2], "resourceGroups") {
		return nil, errNotFound("no route: expected /subscriptions/" + segs[1] + "/resourceGroups/{group}/...")
	}
	if !strings.EqualFold(segs[3], s.opts.ResourceGroup) {
		return nil, &apiError{Status: http.StatusNotFound, Code: "ResourceGroupNotFound",
			Message: "Resource group '" + segs[3] + "' could not be found: the local workspace serves resource group '" + s.opts.ResourceGroup + "'."}
	}
	if len(segs) < 7 || !strings.EqualFold(segs[4], "providers") || !strings.EqualFold(segs[5], providerNamespace) || !strings.EqualFold(segs[6], "workspaces") {
		return nil, errNotFound("no route: expected .../providers/" + providerNamespace + "/workspaces/{workspace}/...")
	}
	if len(segs) == 7 {
		return nil, nil // the workspace list
	}
	if !strings.EqualFold(segs[7], s.opts.Workspace) {
		return nil, errNotFound("Workspace '" + segs[7] + "' not found: the local workspace is named '" + s.opts.Workspace + "'.")
	}
	return segs[8:], nil
}

// serveARM handles /subscriptions/... : operation status, the workspace and
// everything under it.
func (s *Server) serveARM(w http.ResponseWriter, r *http.Request, segs []string) {
	apiVersion := r.URL.Query().Get("api-version")
	if apiVersion == "" {
		writeError(w, &apiError{Status: http.StatusBadRequest, Code: codeMissingAPIVersion,
			Message: "The api-version query parameter (?api-version=) is required for all requests."})
		return
	}
	if !apiVersionPattern.MatchString(apiVersion) {
		writeError(w, &apiError{Status: http.StatusBadRequest, Code: codeBadAPIVersion,
			Message: "The api-version '" + apiVersion + "' is invalid: use a date such as 2024-04-01 or 2024-01-01-preview."})
		return
	}
	// /subscriptions/{s}/providers/Microsoft.MachineLearningServices/locations/{l}/{mfeOperationsStatus|mfeOperationResults}/{id}
	if len(segs) == 8 && strings.EqualFold(segs[2], "providers") && strings.EqualFold(segs[4], "locations") {
		if !strings.EqualFold(segs[1], s.opts.Subscription) {
			writeError(w, errNotFound("The subscription '"+segs[1]+"' could not be found."))
			return
		}
		s.serveOperation(w, r, segs[6], segs[7])
		return
	}
	rest, aerr := s.matchWorkspaceScope(segs)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if len(segs) == 7 {
		s.serveWorkspaceList(w, r)
		return
	}
	if len(rest) == 0 {
		s.serveWorkspace(w, r)
		return
	}
	switch kind := strings.ToLower(rest[0]); {
	case kind == "batchendpoints":
		s.serveBatchEndpoints(w, r, rest[1:])
	case assetKindBySegment(kind) != nil:
		s.serveAssets(w, r, assetKindBySegment(kind), rest[1:])
	case kind == "datastores":
		s.serveDatastores(w, r, rest[1:])
	case kind == "computes":
		s.serveComputes(w, r, rest[1:])
	case kind == "jobs":
		s.serveJobs(w, r, rest[1:])
	default:
		writeError(w, errNotFound("the local workspace has no '"+rest[0]+"' resources (supported: batchEndpoints, codes, models, environments, components, data, datastores, computes, jobs)"))
	}
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request, allowed ...string) {
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	writeError(w, &apiError{Status: http.StatusMethodNotAllowed, Code: codeMethodNotAllowed,
		Message: "The local workspace does not support " + r.Method + " on " + r.URL.Path + " (allowed: " + strings.Join(allowed, ", ") + ")."})
}

// checkName validates a resource name from the path.
func checkName(label, name string) *apiError {
	if !armNamePattern.MatchString(name) {
		return errBadRequest("The " + label + " name '" + name + "' is invalid: it must start with a letter or digit and contain only letters, digits, '-' and '_' (at most 255 characters).")
	}
	return nil
}

// systemData renders a stored resource's timestamps as ARM systemData.
func systemData(created, updated time.Time) *armmachinelearning.SystemData {
	return &armmachinelearning.SystemData{
		CreatedAt:          to.Ptr(created.UTC()),
		CreatedBy:          to.Ptr(localUser),
		CreatedByType:      to.Ptr(armmachinelearning.CreatedByTypeUser),
		LastModifiedAt:     to.Ptr(updated.UTC()),
		LastModifiedBy:     to.Ptr(localUser),
		LastModifiedByType: to.Ptr(armmachinelearning.CreatedByTypeUser),
	}
}

// localUser is who "created" every resource: the local workspace has one user.
const localUser = "local user"

// listPage is the ARM list envelope.
type listPage[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"nextLink,omitempty"`
}

// defaultPageSize bounds ARM and data-plane lists; clients follow nextLink.
const defaultPageSize = 100

// paginate cuts items by $skipToken (an offset) and count/$top, and builds
// the nextLink from the request URL.
// writePage answers a list request with the page of items the request's
// count/$top and $skipToken select, in ARM's {value, nextLink} shape.
func writePage[T any](w http.ResponseWriter, r *http.Request, items []T) {
	page, aerr := paginate(r, items)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func paginate[T any](r *http.Request, items []T) (listPage[T], *apiError) {
	q := r.URL.Query()
	size := defaultPageSize
	for _, key := range []string{"count", "$top", "top"} {
		if v := q.Get(key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return listPage[T]{}, errBadRequest("query parameter " + key + "=" + v + " must be a positive integer")
			}
			size = n
			break
		}
	}
	offset := 0
	if v := q.Get("$skipToken"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return listPage[T]{}, errBadRequest("$skipToken " + v + " is not one this server issued: restart the listing without it")
		}
		offset = n
	}
	page := listPage[T]{Value: []T{}}
	if offset < len(items) {
		end := min(offset+size, len(items))
		page.Value = items[offset:end]
		if end < len(items) {
			next := *r.URL
			nq := next.Query()
			nq.Set("$skipToken", strconv.Itoa(end))
			next.RawQuery = nq.Encode()
			page.NextLink = baseURL(r) + next.RequestURI()
		}
	}
	return page, nil
}

// queryBool reads an optional boolean query parameter.
func queryBool(q url.Values, key string) (value, set bool, err *apiError) {
	v := q.Get(key)
	if v == "" {
		return false, false, nil
	}
	b, perr := strconv.ParseBool(v)
	if perr != nil {
		return false, false, errBadRequest("query parameter " + key + "=" + v + " must be true or false")
	}
	return b, true, nil
}
