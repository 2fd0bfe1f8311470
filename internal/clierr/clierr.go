// Package clierr defines the typed errors that decide ml's exit code. Any
// package may return them; only internal/app turns them into exit codes, so
// the mapping lives in one place.
package clierr

import (
	"errors"
	"fmt"
)

// UsageError is bad input from the user: a flag, key, file or value that
// cannot be used as given. It exits 2. Its message names what is wrong and
// how to fix it.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// NotFoundError is a resource that does not exist (a 404 on show, a missing
// job). It exits 3.
type NotFoundError struct{ Err error }

func (e *NotFoundError) Error() string { return e.Err.Error() }
func (e *NotFoundError) Unwrap() error { return e.Err }

// NotFoundf returns a NotFoundError with a formatted message.
func NotFoundf(format string, args ...any) error {
	return &NotFoundError{Err: fmt.Errorf(format, args...)}
}

// IsUsage reports whether err is (or wraps) a UsageError.
func IsUsage(err error) bool {
	var u *UsageError
	return errors.As(err, &u)
}

// IsNotFound reports whether err is (or wraps) a NotFoundError.
func IsNotFound(err error) bool {
	var n *NotFoundError
	return errors.As(err, &n)
}
