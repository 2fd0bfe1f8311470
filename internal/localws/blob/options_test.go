package blob

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNewHandlerOptions checks that bad options are refused with an error
// naming the field and the fix, and that defaults are applied.
func TestNewHandlerOptions(t *testing.T) {
	key := []byte("k")
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"no root", Options{Accounts: map[string][]byte{"acct": key}}, "Options.Root is required"},
		{"no accounts", Options{Root: t.TempDir()}, "Options.Accounts is empty"},
		{"bad account name", Options{Root: t.TempDir(), Accounts: map[string][]byte{"Bad_Name": key}}, "3 to 24 lowercase letters and digits"},
		{"empty key", Options{Root: t.TempDir(), Accounts: map[string][]byte{"acct": nil}}, "the key is empty"},
		{"relative prefix", Options{Root: t.TempDir(), Accounts: map[string][]byte{"acct": key}, PathPrefix: "blob"}, "must start with '/'"},
		{"negative body limit", Options{Root: t.TempDir(), Accounts: map[string][]byte{"acct": key}, MaxBodyBytes: -1}, "MaxBodyBytes -1 is negative"},
		{"root is a file", Options{Root: file, Accounts: map[string][]byte{"acct": key}}, "Options.Root"},
		{"defaults", Options{Root: t.TempDir(), Accounts: map[string][]byte{"acct": key}, PathPrefix: "/blob/"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := NewHandler(tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.maxBody != DefaultMaxBodyBytes || h.prefix != "/blob" || h.now == nil || h.log == nil {
				t.Errorf("defaults not applied: maxBody %d prefix %q", h.maxBody, h.prefix)
			}
			for _, dir := range []string{h.metaRoot(), h.stageRoot(), h.tmpDir(), filepath.Join(h.root, "acct")} {
				if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
					t.Errorf("%s was not created", dir)
				}
			}
		})
	}
}

// TestStaleUploadsAreRemoved: temporary files left by a crash are removed
// when a handler starts, recent ones (another handler's uploads) are kept.
func TestStaleUploadsAreRemoved(t *testing.T) {
	h, _ := newTestHandler(t, nil)
	old := filepath.Join(h.tmpDir(), "upload-old")
	recent := filepath.Join(h.tmpDir(), "upload-recent")
	for _, p := range []string{old, recent} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(old, long, long); err != nil {
		t.Fatal(err)
	}
	if _, err := NewHandler(Options{Root: filepath.Dir(h.state), Accounts: map[string][]byte{testAccount: []byte("k")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); err == nil {
		t.Error("a stale upload survived the restart")
	}
	if _, err := os.Stat(recent); err != nil {
		t.Errorf("a recent upload was removed: %v", err)
	}
}
