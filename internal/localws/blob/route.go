package blob

import (
	"net/http"
	"strings"
)

// operation is a Blob REST operation this service implements.
type operation int

const (
	opListContainers operation = iota
	opCreateContainer
	opGetContainerProperties
	opDeleteContainer
	opListBlobs
	opPutBlob
	opPutBlock
	opPutBlockList
	opGetBlob
	opGetBlobProperties
	opGetBlobMetadata
	opSetBlobMetadata
	opSetBlobHTTPHeaders
	opDeleteBlob
)

// level is what an operation acts on, which account SAS resource types
// (srt) and service SAS resources (sr) are checked against.
type level int

const (
	levelService level = iota
	levelContainer
	levelObject
)

func (op operation) level() level {
	switch op {
	case opListContainers:
		return levelService
	case opCreateContainer, opGetContainerProperties, opDeleteContainer, opListBlobs:
		return levelContainer
	default:
		return levelObject
	}
}

// route is where a request points: account, container and blob name (all
// percent-decoded, not yet validated) and, once known, the operation.
type route struct {
	account   string
	container string
	blob      string
	op        operation
}

// parseRoute splits the request path below the prefix into account,
// container and blob. The blob name is everything after the container, so
// "a%2Fb" (azblob's escaping) and "a/b" (Python's) name the same blob.
func (h *Handler) parseRoute(r *http.Request) (route, error) {
	path := r.URL.Path
	if !strings.HasPrefix(path, h.prefix+"/") {
		return route{}, newError("InvalidUri", "Blob URLs have the form %s/<account>/<container>/<blob>.", h.prefix)
	}
	rest := path[len(h.prefix)+1:]
	var rt route
	rt.account, rest, _ = strings.Cut(rest, "/")
	rt.container, rt.blob, _ = strings.Cut(rest, "/")
	if rt.account == "" {
		return route{}, newError("InvalidUri", "The path names no account: use %s/<account>/<container>/<blob>.", h.prefix)
	}
	return rt, nil
}

// checkNames validates the container and blob names an operation uses.
func (rt route) checkNames() error {
	if rt.op.level() == levelService {
		return nil
	}
	if err := checkContainerName(rt.container); err != nil {
		return err
	}
	if rt.op.level() == levelObject {
		return checkBlobName(rt.blob)
	}
	return nil
}

// selectOperation picks the operation from the method, the route's depth
// and the restype/comp query parameters, refusing what is not implemented.
func selectOperation(r *http.Request, rt route) (operation, error) {
	q := r.URL.Query()
	for _, p := range []string{"snapshot", "versionid"} {
		if q.Has(p) {
			return 0, newError("UnsupportedQueryParameter", "The local workspace keeps no snapshots or versions (query parameter %q).", p)
		}
	}
	restype, comp := q.Get("restype"), q.Get("comp")
	unsupported := func() (operation, error) {
		what := r.Method
		if restype != "" {
			what += " restype=" + restype
		}
		if comp != "" {
			what += " comp=" + comp
		}
		return 0, newError("InvalidQueryParameterValue", "The local workspace does not implement %s on this resource.", what)
	}
	switch {
	case rt.container == "": // the account itself
		if r.Method == http.MethodGet && comp == "list" {
			return opListContainers, nil
		}
		return unsupported()
	case rt.blob == "": // a container
		if restype != "container" {
			return 0, newError("MissingRequiredQueryParameter", "Container operations need the query parameter restype=container (a blob URL names a blob after the container).")
		}
		switch {
		case r.Method == http.MethodPut && comp == "":
			return opCreateContainer, nil
		case (r.Method == http.MethodGet || r.Method == http.MethodHead) && comp == "":
			return opGetContainerProperties, nil
		case r.Method == http.MethodDelete && comp == "":
			return opDeleteContainer, nil
		case r.Method == http.MethodGet && comp == "list":
			return opListBlobs, nil
		}
		return unsupported()
	}
	if restype != "" {
		return unsupported()
	}
	switch r.Method {
	case http.MethodPut:
		switch comp {
		case "":
			return opPutBlob, nil
		case "block":
			return opPutBlock, nil
		case "blocklist":
			return opPutBlockList, nil
		case "metadata":
			return opSetBlobMetadata, nil
		case "properties":
			return opSetBlobHTTPHeaders, nil
		}
	case http.MethodGet, http.MethodHead:
		switch comp {
		case "":
			if r.Method == http.MethodHead {
				return opGetBlobProperties, nil
			}
			return opGetBlob, nil
		case "metadata":
			return opGetBlobMetadata, nil
		}
	case http.MethodDelete:
		if comp == "" {
			return opDeleteBlob, nil
		}
	default:
		return 0, newError("UnsupportedHttpVerb", "Use GET, HEAD, PUT or DELETE.")
	}
	return unsupported()
}

// run dispatches the call to its operation.
func (h *Handler) run(c *call) error {
	switch c.route.op {
	case opListContainers:
		return h.listContainers(c)
	case opCreateContainer:
		return h.createContainer(c)
	case opGetContainerProperties:
		return h.getContainerProperties(c)
	case opDeleteContainer:
		return h.deleteContainer(c)
	case opListBlobs:
		return h.listBlobs(c)
	case opPutBlob:
		return h.putBlob(c)
	case opPutBlock:
		return h.putBlock(c)
	case opPutBlockList:
		return h.putBlockList(c)
	case opGetBlob:
		return h.getBlob(c)
	case opGetBlobProperties, opGetBlobMetadata:
		return h.getBlobProperties(c)
	case opSetBlobMetadata:
		return h.setBlobMetadata(c)
	case opSetBlobHTTPHeaders:
		return h.setBlobHTTPHeaders(c)
	case opDeleteBlob:
		return h.deleteBlob(c)
	}
	return newError("InternalError", "")
}
