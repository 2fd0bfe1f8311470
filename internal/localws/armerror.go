package localws

import (
	"encoding/json"
	"net/http"
)

// ARM error codes this server answers with. Azure ML's front end uses
// UserError for most client mistakes; the others are the generic ARM codes
// that azcore and the Azure CLI recognise.
const (
	codeUserError             = "UserError"
	codeNotFound              = "ResourceNotFound"
	codeConflict              = "Conflict"
	codeBadRequest            = "BadRequest"
	codeUnauthorized          = "InvalidAuthenticationToken"
	codeTooLarge              = "RequestEntityTooLarge"
	codeUnsupportedMediaType  = "UnsupportedMediaType"
	codeInvalidRequestContent = "InvalidRequestContent"
	codeMethodNotAllowed      = "MethodNotAllowed"
	codeTooManyRequests       = "TooManyRequests"
	codeServiceUnavail        = "ServiceUnavailable"
	codeInternal              = "InternalServerError"
	codeMissingAPIVersion     = "MissingApiVersionParameter"
	codeBadAPIVersion         = "InvalidApiVersionParameter"
)

// armError is the body of every error response: {"error":{"code","message"}}.
type armError struct {
	Error armErrorDetail `json:"error"`
}

type armErrorDetail struct {
	Code    string           `json:"code"`
	Message string           `json:"message"`
	Target  string           `json:"target,omitempty"`
	Details []armErrorDetail `json:"details,omitempty"`
}

// apiError is an error that knows its HTTP status and ARM code. Handlers
// return it so the one place that writes responses picks the status.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Message }

func errBadRequest(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: codeUserError, Message: msg}
}

func errNotFound(msg string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: codeNotFound, Message: msg}
}

func errConflict(msg string) *apiError {
	return &apiError{Status: http.StatusConflict, Code: codeConflict, Message: msg}
}

// writeJSON writes v with the given status. Encoding errors cannot be
// reported to the client any more (the header is out), so they are dropped.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, &apiError{Status: http.StatusInternalServerError, Code: codeInternal, Message: "encode response: " + err.Error()})
		return
	}
	writeRawJSON(w, status, body)
}

func writeRawJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError writes err in ARM's error format. Errors that are not an
// *apiError become 500s; their text never carries secrets because nothing in
// this package puts a token or key into an error.
func writeError(w http.ResponseWriter, err error) {
	ae, ok := err.(*apiError)
	if !ok {
		ae = &apiError{Status: http.StatusInternalServerError, Code: codeInternal, Message: err.Error()}
	}
	// x-ms-error-code is what azcore.ResponseError reads first.
	w.Header().Set("x-ms-error-code", ae.Code)
	writeJSON(w, ae.Status, armError{Error: armErrorDetail{Code: ae.Code, Message: ae.Message}})
}
