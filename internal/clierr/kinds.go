package clierr

import (
	"errors"
	"fmt"
)

// Kind classifies an outcome that is not a plain failure; internal/app maps
// each kind to its exit code.
type Kind int

const (
	// KindAuth is an authentication or authorization failure.
	KindAuth Kind = iota + 1
	// KindJobFailed is a followed job that ended Failed.
	KindJobFailed
	// KindJobCanceled is a followed job that ended Canceled.
	KindJobCanceled
	// KindWaitTimeout is a --wait/--stream that gave up before the job ended.
	KindWaitTimeout
	// KindInterrupted is a user interrupt (Ctrl-C).
	KindInterrupted
)

// Error is an error of a given Kind. When Silent is set, its message has
// already been shown to the user and is not printed again.
type Error struct {
	Kind   Kind
	Err    error
	Silent bool
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// New returns an Error of kind k with a formatted message.
func New(k Kind, format string, args ...any) error {
	return &Error{Kind: k, Err: fmt.Errorf(format, args...)}
}

// KindOf returns the Kind of err, or 0 when it has none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}
