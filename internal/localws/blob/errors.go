package blob

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"time"
)

// storageError is a Blob service error: an HTTP status, the service's error
// code (sent as x-ms-error-code and <Code>) and its message. detail is our
// own explanation of what to fix, appended to the message; it never contains
// keys or signatures.
type storageError struct {
	status  int
	code    string
	message string
	detail  string
	// authDetail fills <AuthenticationErrorDetail>, as Azure does for 403s.
	authDetail string
	// header holds extra response headers (Content-Range on 416).
	header http.Header
}

func (e *storageError) Error() string {
	if e.detail != "" {
		return e.code + ": " + e.message + " " + e.detail
	}
	return e.code + ": " + e.message
}

// errorKinds maps each error code we send to Azure's status and message
// (Blob service and common REST API error code tables).
var errorKinds = map[string]struct {
	status  int
	message string
}{
	"AuthenticationFailed":              {http.StatusForbidden, "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature."},
	"AuthorizationPermissionMismatch":   {http.StatusForbidden, "This request is not authorized to perform this operation using this permission."},
	"AuthorizationResourceTypeMismatch": {http.StatusForbidden, "This request is not authorized to perform this operation using this resource type."},
	"AuthorizationServiceMismatch":      {http.StatusForbidden, "This request is not authorized to perform this operation using this service."},
	"AuthorizationProtocolMismatch":     {http.StatusForbidden, "This request is not authorized to perform this operation using this protocol."},
	"AuthorizationSourceIPMismatch":     {http.StatusForbidden, "This request is not authorized to perform this operation using this source IP."},
	"BlobAlreadyExists":                 {http.StatusConflict, "The specified blob already exists."},
	"BlobNotFound":                      {http.StatusNotFound, "The specified blob does not exist."},
	"ConditionNotMet":                   {http.StatusPreconditionFailed, "The condition specified using HTTP conditional header(s) is not met."},
	"ContainerAlreadyExists":            {http.StatusConflict, "The specified container already exists."},
	"ContainerNotFound":                 {http.StatusNotFound, "The specified container does not exist."},
	"Crc64Mismatch":                     {http.StatusBadRequest, "The CRC64 value specified in the request did not match with the CRC64 value calculated by the server."},
	"EmptyMetadataKey":                  {http.StatusBadRequest, "The key for one of the metadata key-value pairs is empty."},
	"InternalError":                     {http.StatusInternalServerError, "The server encountered an internal error. Please retry the request."},
	"InvalidBlobType":                   {http.StatusBadRequest, "The blob type is invalid for this operation."},
	"InvalidBlockId":                    {http.StatusBadRequest, "The specified block ID is invalid. The block ID must be Base64-encoded."},
	"InvalidBlockList":                  {http.StatusBadRequest, "The specified block list is invalid."},
	"InvalidHeaderValue":                {http.StatusBadRequest, "The value for one of the HTTP headers is not in the correct format."},
	"InvalidMd5":                        {http.StatusBadRequest, "The MD5 value specified in the request is invalid. The MD5 value must be 128 bits and Base64-encoded."},
	"InvalidMetadata":                   {http.StatusBadRequest, "The metadata specified is invalid. It has characters that are not permitted."},
	"InvalidQueryParameterValue":        {http.StatusBadRequest, "Value for one of the query parameters specified in the request URI is invalid."},
	"InvalidRange":                      {http.StatusRequestedRangeNotSatisfiable, "The range specified is invalid for the current size of the resource."},
	"InvalidResourceName":               {http.StatusBadRequest, "The specified resource name contains invalid characters."},
	"InvalidUri":                        {http.StatusBadRequest, "The requested URI does not represent any resource on the server."},
	"InvalidXmlDocument":                {http.StatusBadRequest, "XML specified is not syntactically valid."},
	"LeaseNotPresentWithBlobOperation":  {http.StatusPreconditionFailed, "There is currently no lease on the blob."},
	"Md5Mismatch":                       {http.StatusBadRequest, "The MD5 value specified in the request did not match with the MD5 value calculated by the server."},
	"MissingContentLengthHeader":        {http.StatusLengthRequired, "Content-Length HTTP header is missing."},
	"MissingRequiredHeader":             {http.StatusBadRequest, "An HTTP header that's mandatory for this request is not specified."},
	"MissingRequiredQueryParameter":     {http.StatusBadRequest, "A query parameter that's mandatory for this request is not specified."},
	"NotModified":                       {http.StatusNotModified, "The condition specified using HTTP conditional header(s) is not met."},
	"OutOfRangeInput":                   {http.StatusBadRequest, "One of the request inputs is out of range."},
	"OutOfRangeQueryParameterValue":     {http.StatusBadRequest, "One of the query parameters specified in the request URI is outside the permissible range."},
	"PathConflict":                      {http.StatusConflict, "The specified path, or an element of the path, conflicts with an existing blob."},
	"RequestBodyTooLarge":               {http.StatusRequestEntityTooLarge, "The request body is too large and exceeds the maximum permissible limit."},
	"UnsupportedHttpVerb":               {http.StatusMethodNotAllowed, "The resource doesn't support specified Http Verb."},
	"UnsupportedQueryParameter":         {http.StatusBadRequest, "One of the query parameters specified in the request URI is not supported."},
	"UnsupportedHeader":                 {http.StatusBadRequest, "One of the HTTP headers specified in the request is not supported."},
}

// newError builds the error for code with an optional explanation of what
// went wrong and how to fix it.
func newError(code string, detailFormat string, args ...any) *storageError {
	kind, ok := errorKinds[code]
	if !ok {
		kind = errorKinds["InternalError"]
	}
	e := &storageError{status: kind.status, code: code, message: kind.message}
	if code == "NotModified" {
		// Azure answers a failed read condition with 304 and the same code
		// as a failed write condition.
		e.code = "ConditionNotMet"
	}
	if detailFormat != "" {
		e.detail = fmt.Sprintf(detailFormat, args...)
	}
	return e
}

// authError is a 403 whose explanation goes to <AuthenticationErrorDetail>,
// where Azure puts it.
func authError(code string, detailFormat string, args ...any) *storageError {
	e := newError(code, "")
	e.authDetail = fmt.Sprintf(detailFormat, args...)
	return e
}

// errorBody is the XML error document of the Blob service.
type errorBody struct {
	XMLName    xml.Name `xml:"Error"`
	Code       string   `xml:"Code"`
	Message    string   `xml:"Message"`
	AuthDetail string   `xml:"AuthenticationErrorDetail,omitempty"`
}

// writeError sends e. HEAD requests and 304s get headers only, like Azure.
func writeError(w http.ResponseWriter, r *http.Request, requestID string, now time.Time, e *storageError) {
	for k, vs := range e.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("x-ms-error-code", e.code)
	if r.Method == http.MethodHead || e.status == http.StatusNotModified {
		w.WriteHeader(e.status)
		return
	}
	msg := e.message
	if e.detail != "" {
		msg += " " + e.detail
	}
	body := errorBody{
		Code:       e.code,
		Message:    msg + "\nRequestId:" + requestID + "\nTime:" + now.UTC().Format("2006-01-02T15:04:05.0000000Z"),
		AuthDetail: e.authDetail,
	}
	out, err := xml.Marshal(body)
	if err != nil {
		w.WriteHeader(e.status)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", fmt.Sprint(len(xml.Header)+len(out)))
	w.WriteHeader(e.status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(out)
}
