package upload

import "regexp"

// urlQuery matches the query string of a URL in an error message. Transport
// errors (*url.Error) print the full request URL, which carries the SAS
// signature when the container client was built from a SAS URL.
var urlQuery = regexp.MustCompile(`(\w+://[^\s"'?]*)\?[^\s"']*`)

// redactedError hides URL query strings from err's message while keeping
// err for errors.Is and errors.As.
type redactedError struct{ err error }

func (e *redactedError) Error() string {
	return urlQuery.ReplaceAllString(e.err.Error(), "$1?REDACTED")
}

func (e *redactedError) Unwrap() error { return e.err }

// redact wraps err so its message cannot leak a SAS token.
func redact(err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{err: err}
}
