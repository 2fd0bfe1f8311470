package background

import (
	"errors"
	"testing"
)

// TestStartRunsAtOnce: the work runs before anyone waits (it can only
// finish once the caller has gone on), and every wait gets its one result.
func TestStartRunsAtOnce(t *testing.T) {
	started := make(chan struct{})
	goOn := make(chan struct{})
	runs := 0
	wait := Start(func() (int, error) {
		runs++
		close(started)
		<-goOn
		return 42, errors.New("done")
	})
	<-started // never returns if Start waits for the first wait
	close(goOn)
	for range 3 {
		v, err := wait()
		if v != 42 || err == nil || err.Error() != "done" {
			t.Fatalf("wait() = %d, %v; want 42, done", v, err)
		}
	}
	if runs != 1 {
		t.Errorf("work ran %d times, want once", runs)
	}
}
