package hashcache

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func items(t *testing.T, paths ...string) []Item {
	t.Helper()
	var out []Item
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Item{Path: filepath.Base(p), Stat: StatOf(fi)})
	}
	return out
}

func TestPutGet(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	f := filepath.Join(data, "a.csv")
	if err := os.WriteFile(f, []byte("1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	its := items(t, f)
	later := time.Now().Add(time.Hour)

	// A file just written is racy: nothing is stored.
	if ok, err := c.Put("k", its, time.Now(), "v"); ok || err != nil {
		t.Fatalf("Put of a racy file = %v, %v; want false", ok, err)
	}
	if _, ok := c.Get("k", its); ok {
		t.Fatal("Get found an entry that was never stored")
	}
	if ok, err := c.Put("k", its, later, map[string]int{"n": 1}); !ok || err != nil {
		t.Fatalf("Put = %v, %v", ok, err)
	}
	if v, ok := c.Get("k", its); !ok || string(v) != `{"n":1}` {
		t.Fatalf("Get = %s, %v", v, ok)
	}
	// Any other key or listing misses.
	if _, ok := c.Get("other", its); ok {
		t.Error("hit under another key")
	}
	changed := append([]Item(nil), its...)
	changed[0].Stat.Ino++
	if _, ok := c.Get("k", changed); ok {
		t.Error("hit with another inode")
	}
	if _, ok := c.Get("k", append(its, Item{Path: "sub", Dir: true})); ok {
		t.Error("hit with one more entry")
	}
	asDir := append([]Item(nil), its...)
	asDir[0].Dir = true
	if _, ok := c.Get("k", asDir); ok {
		t.Error("hit with the file now a directory")
	}

	// Modes: 0700 folder, 0600 entries.
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("cache folder mode %v, %v; want 0700", fi.Mode().Perm(), err)
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(entries) != 1 {
		t.Fatalf("cache files %v, want one entry", entries)
	}
	if fi, err := os.Stat(entries[0]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("entry mode %v, want 0600", fi.Mode().Perm())
	}

	// A torn or foreign file is a miss, never an error.
	for _, junk := range []string{"", "{\"version\":1,\"key\":\"k\",\"items\":[", "null", `{"version":1,"key":"x","items":[],"value":1}`} {
		if err := os.WriteFile(entries[0], []byte(junk), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, ok := c.Get("k", its); ok {
			t.Errorf("hit on cache file %q", junk)
		}
	}
}

func TestOpenTightensModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("mode %v after Open, want 0700", fi.Mode().Perm())
	}
}

func TestDefaultAndDisable(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	for _, v := range []string{"1", "true", "yes"} {
		c, err := Default(func(string) string { return v })
		if c != nil || err != nil {
			t.Errorf("%s=%s: cache %v, %v; want none", EnvDisable, v, c, err)
		}
	}
	for _, v := range []string{"", "0", "false"} {
		c, err := Default(func(string) string { return v })
		if c == nil || err != nil {
			t.Errorf("%s=%q: cache %v, %v; want one", EnvDisable, v, c, err)
		}
	}
	// A nil cache is usable and caches nothing.
	var none *Cache
	if ok, err := none.Put("k", nil, time.Now(), 1); ok || err != nil {
		t.Error("nil cache stored something")
	}
	if _, ok := none.Get("k", nil); ok {
		t.Error("nil cache found something")
	}
}

func TestRacy(t *testing.T) {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ns := func(d time.Duration) int64 { return start.Add(d).UnixNano() }
	tests := []struct {
		name string
		st   Stat
		want bool
	}{
		{"old file", Stat{MtimeNs: ns(-time.Hour + 5), CtimeNs: ns(-time.Hour + 5)}, false},
		{"modified just before the walk", Stat{MtimeNs: ns(-10 * time.Millisecond), CtimeNs: ns(-time.Hour)}, true},
		{"changed (chmod, rewrite with old mtime) just before", Stat{MtimeNs: ns(-time.Hour + 5), CtimeNs: ns(-time.Millisecond)}, true},
		{"modified after the walk began", Stat{MtimeNs: ns(time.Second), CtimeNs: ns(time.Second)}, true},
		{"whole-second timestamps within 2 s", Stat{MtimeNs: ns(-time.Second)}, true},
		{"whole-second timestamps older", Stat{MtimeNs: ns(-3 * time.Second)}, false},
	}
	for _, tt := range tests {
		if got := Racy(tt.st, start); got != tt.want {
			t.Errorf("%s: Racy = %v, want %v", tt.name, got, tt.want)
		}
	}
}
