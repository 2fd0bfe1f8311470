package invocation

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
)

// requireUsage fails unless err is a clierr.UsageError whose message holds
// every one of want.
func requireUsage(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want a usage error containing %q", want)
	}
	var u *clierr.UsageError
	if !errors.As(err, &u) {
		t.Fatalf("error %q is a %T, want *clierr.UsageError", err, err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

// requireJSONEqual compares two JSON documents by value, ignoring key order.
func requireJSONEqual(t *testing.T, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want is not JSON: %v\n%s", err, want)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("JSON differs\n got: %s\nwant: %s", got, want)
	}
}

func ptr[T any](v T) *T { return &v }

func stringsContain(s, sub string) bool { return strings.Contains(s, sub) }
