// Package background runs a piece of work beside the caller and hands its
// result over when the caller needs it: commands read local files for
// their content hash, or open a datastore, while their workspace round
// trips are on the wire.
package background

import "sync"

// Start runs work on its own goroutine at once. The function returned
// waits for its result; it may be called any number of times and returns
// the same result each time. Work that should stop when the command does
// must watch a context of its own.
func Start[T any](work func() (T, error)) func() (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := work()
		ch <- result{v, err}
	}()
	return sync.OnceValues(func() (T, error) {
		r := <-ch
		return r.v, r.err
	})
}
