package blob

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTraversalIsRejected sends raw requests whose blob or container names
// try to leave Root, straight to the handler (a ServeMux in front would
// clean some of them before the handler saw them), and checks both the
// answer and that nothing was written outside the container.
func TestTraversalIsRejected(t *testing.T) {
	s := startRaw(t, nil)
	s.mustCreateContainer("cont")
	base := "/blob/" + testAccount + "/"
	cases := []struct {
		name   string
		path   string // escaped, after /blob/<account>/
		status int
		code   string
	}{
		{"dot segments", "cont/../../../outside.txt", 400, "InvalidResourceName"},
		{"encoded dot segments", "cont/%2e%2e/%2e%2e/%2e%2e/outside.txt", 400, "InvalidResourceName"},
		{"upper-case encoded dots below a folder", "cont/a/%2E%2E/%2E%2E/%2E%2E/%2E%2E/outside.txt", 400, "InvalidResourceName"},
		{"encoded slashes and dots", "cont/..%2F..%2F..%2Foutside.txt", 400, "InvalidResourceName"},
		{"single dot segment", "cont/a/./b.txt", 400, "InvalidResourceName"},
		{"absolute name", "cont//etc/passwd", 400, "InvalidResourceName"},
		{"encoded absolute name", "cont/%2Fetc%2Fpasswd", 400, "InvalidResourceName"},
		{"backslashes", "cont/..%5C..%5C..%5Coutside.txt", 400, "InvalidResourceName"},
		{"NUL byte", "cont/outside.txt%00.csv", 400, "InvalidResourceName"},
		{"empty segment", "cont/a//b.txt", 400, "InvalidResourceName"},
		{"trailing slash", "cont/folder/", 400, "InvalidResourceName"},
		// Too short to be a container name, which Azure reports as such.
		{"dot-dot container", "../outside.txt", 400, "OutOfRangeInput"},
		{"encoded dot-dot container", "%2e%2e/outside.txt", 400, "OutOfRangeInput"},
		{"dot-dot-dot container", ".../outside.txt", 400, "InvalidResourceName"},
		{"container with capitals", "Cont/x.txt", 400, "InvalidResourceName"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, method := range []string{http.MethodPut, http.MethodGet, http.MethodDelete} {
				r := s.do(method, base+tc.path, "", "escaped", nil, true)
				if r.status != tc.status || r.header.Get("x-ms-error-code") != tc.code {
					t.Errorf("%s %s: %d %s, want %d %s", method, tc.path, r.status, r.header.Get("x-ms-error-code"), tc.status, tc.code)
				}
				if method != http.MethodHead && r.errorCode() != tc.code {
					t.Errorf("%s %s: error body code %q, want %q", method, tc.path, r.errorCode(), tc.code)
				}
			}
		})
	}
	// Nothing may have been written anywhere but inside the container.
	for _, p := range []string{
		filepath.Join(filepath.Dir(s.root), "outside.txt"),
		filepath.Join(s.root, "outside.txt"),
		filepath.Join(s.root, testAccount, "outside.txt"),
		"/etc/passwd.csv",
	} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
	// An account name that escapes is simply not an account.
	if r := s.do(http.MethodGet, "/blob/../etc/passwd", "", "", nil, true); r.status != http.StatusForbidden {
		t.Errorf("account '..': %d, want 403", r.status)
	}
}

// TestSymlinksOutsideAreNotFollowed plants links in the content tree that
// point outside the container and checks that no operation reads, writes,
// deletes or lists through them, while links inside the container work.
func TestSymlinksOutsideAreNotFollowed(t *testing.T) {
	s := startRaw(t, nil)
	s.mustCreateContainer("cont")
	s.mustPut("cont", "real.txt", "real content")
	contDir := filepath.Join(s.root, testAccount, "cont")
	outside := t.TempDir()
	const secret = "TOP SECRET"
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"linkdir":      outside,
		"linkfile":     filepath.Join(outside, "secret.txt"),
		"dangling":     filepath.Join(outside, "missing"),
		"relative":     "../../../" + filepath.Base(outside),
		"alias.txt":    filepath.Join(contDir, "real.txt"), // inside: allowed
		"nested/alias": "../real.txt",                      // inside, relative: allowed
	}
	for name, target := range links {
		p := filepath.Join(contDir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	// The container folder itself linked to elsewhere.
	if err := os.Symlink(outside, filepath.Join(s.root, testAccount, "linked")); err != nil {
		t.Fatal(err)
	}
	base := "/blob/" + testAccount + "/"
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "cont/linkdir/secret.txt", 400},
		{http.MethodHead, "cont/linkdir/secret.txt", 400},
		{http.MethodGet, "cont/linkfile", 400},
		{http.MethodGet, "cont/relative/secret.txt", 400},
		{http.MethodPut, "cont/linkdir/new.txt", 400},
		{http.MethodPut, "cont/linkfile", 400},
		{http.MethodPut, "cont/dangling", 400},
		{http.MethodPut, "cont/dangling/new.txt", 400},
		{http.MethodDelete, "cont/linkfile", 400},
		{http.MethodDelete, "cont/linkdir/secret.txt", 400},
		{http.MethodPut, "cont/linkfile?comp=metadata", 400},
		{http.MethodGet, "linked/secret.txt", 404},
		{http.MethodPut, "linked/new.txt", 404},
		{http.MethodGet, "linked?restype=container", 404},
		{http.MethodGet, "cont/alias.txt", 200},
		{http.MethodGet, "cont/nested/alias", 200},
	} {
		path, query, _ := strings.Cut(tc.path, "?")
		r := s.do(tc.method, base+path, query, "new", nil, true)
		if r.status != tc.status {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, r.status, r.header.Get("x-ms-error-code"), tc.status)
		}
		if strings.Contains(r.body, secret) {
			t.Errorf("%s %s leaked the outside file", tc.method, tc.path)
		}
		if tc.status == 200 && r.body != "real content" {
			t.Errorf("%s %s: body %q, want the linked blob's content", tc.method, tc.path, r.body)
		}
	}
	entries, err := os.ReadDir(outside)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "secret.txt" {
		t.Errorf("the outside folder changed: %v", entries)
	}
	if data, _ := os.ReadFile(filepath.Join(outside, "secret.txt")); string(data) != secret {
		t.Errorf("the outside file changed: %q", data)
	}
	list := s.do(http.MethodGet, base+"cont", "restype=container&comp=list", "", nil, true)
	if list.status != 200 {
		t.Fatalf("list: %d %s", list.status, list.body)
	}
	for _, name := range []string{"<Name>linkfile</Name>", "secret.txt", "dangling", "relative"} {
		if strings.Contains(list.body, name) {
			t.Errorf("listing shows %s:\n%s", name, list.body)
		}
	}
	for _, name := range []string{"<Name>real.txt</Name>", "<Name>alias.txt</Name>", "<Name>nested/alias</Name>"} {
		if !strings.Contains(list.body, name) {
			t.Errorf("listing lacks %s:\n%s", name, list.body)
		}
	}
	containers := s.do(http.MethodGet, base, "comp=list", "", nil, true)
	if strings.Contains(containers.body, "<Name>linked</Name>") || !strings.Contains(containers.body, "<Name>cont</Name>") {
		t.Errorf("container listing should show cont and not the linked folder:\n%s", containers.body)
	}
}

// TestLocalPath checks the mapping the batch runtime uses, for good and
// bad names.
func TestLocalPath(t *testing.T) {
	h, root := newTestHandler(t, nil)
	contDir := filepath.Join(root, testAccount, "workspaceblobstore")
	for _, tc := range []struct {
		container, name string
		want            string // "" means an error is expected
	}{
		{"workspaceblobstore", "a/b.csv", filepath.Join(contDir, "a", "b.csv")},
		{"workspaceblobstore", "LocalUpload/abc/data/日本.csv", filepath.Join(contDir, "LocalUpload", "abc", "data", "日本.csv")},
		{"workspaceblobstore", "", contDir},
		{"workspaceblobstore", "out/run-1/", filepath.Join(contDir, "out", "run-1")},
		{"workspaceblobstore", "../x", ""},
		{"workspaceblobstore", "a/../../x", ""},
		{"workspaceblobstore", "/etc/passwd", ""},
		{"workspaceblobstore", "a\\b", ""},
		{"workspaceblobstore", "a\x00b", ""},
		{"workspaceblobstore", "a//b", ""},
		{"workspaceblobstore", "/", ""},
		{"workspaceblobstore", "../", ""},
		{"Bad_Container", "a", ""},
		{"..", "a", ""},
	} {
		got, err := h.LocalPath(testAccount, tc.container, tc.name)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("LocalPath(%q, %q) = %q, want an error", tc.container, tc.name, got)
		case tc.want != "" && (err != nil || got != tc.want):
			t.Errorf("LocalPath(%q, %q) = %q, %v; want %q", tc.container, tc.name, got, err, tc.want)
		}
	}
	if _, err := h.LocalPath("otheraccount", "workspaceblobstore", "a"); err == nil || !strings.Contains(err.Error(), "Options.Accounts") {
		t.Errorf("unknown account: %v, want an error naming Options.Accounts", err)
	}
}

// FuzzLocalPath checks that any name LocalPath accepts maps inside the
// container folder.
func FuzzLocalPath(f *testing.F) {
	for _, seed := range []string{"a/b.csv", "../x", "a/./b", "%2e%2e", "a\\..\\b", "", "x/", "..", "a/..", "日本/語"} {
		f.Add(seed)
	}
	h, root := newTestHandler(f, nil)
	contDir := filepath.Join(root, testAccount, "cont")
	f.Fuzz(func(t *testing.T, name string) {
		p, err := h.LocalPath(testAccount, "cont", name)
		if err != nil {
			return
		}
		if !within(filepath.Clean(p), contDir) {
			t.Fatalf("LocalPath(%q) = %q, outside %q", name, p, contDir)
		}
	})
}
