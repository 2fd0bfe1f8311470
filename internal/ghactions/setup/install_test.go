package setup

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeBinary stands in for ml in the fake release: a script that prints
// the version the way `ml version` does.
func fakeBinary(version, target string) []byte {
	return []byte(fmt.Sprintf("#!/bin/sh\necho 'ml version %s (%s, fake)'\n", version, target))
}

func tarGz(t *testing.T, name string, data []byte) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range []struct {
		name string
		data []byte
	}{{"README.md", []byte("# ml\n")}, {name, data}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o755, Size: int64(len(f.data))}); err != nil {
			t.Fatal(err)
		}
		tw.Write(f.data)
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func zipOf(t *testing.T, name string, data []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range []struct {
		name string
		data []byte
	}{{"README.md", []byte("# ml\n")}, {name, data}} {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	zw.Close()
	return buf.Bytes()
}

// release is a fake GitHub release server: <base>/latest redirects to the
// newest tag, assets under <base>/download/<tag>/, as on GitHub.
type release struct {
	latest string
	// assets maps "v1.2.3/name" to content.
	assets map[string][]byte
}

func newRelease(t *testing.T, versions ...string) *release {
	r := &release{latest: versions[len(versions)-1], assets: map[string][]byte{}}
	for _, v := range versions {
		var sums strings.Builder
		for _, os := range []string{"linux", "darwin", "windows"} {
			for _, arch := range []string{"amd64", "arm64"} {
				name := fmt.Sprintf("ml_%s_%s_%s.tar.gz", v, os, arch)
				data := tarGz(t, "ml", fakeBinary(v, os+"/"+arch))
				if os == "windows" {
					name = fmt.Sprintf("ml_%s_%s_%s.zip", v, os, arch)
					data = zipOf(t, "ml.exe", fakeBinary(v, os+"/"+arch))
				}
				r.assets["v"+v+"/"+name] = data
				sum := sha256.Sum256(data)
				fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), name)
			}
		}
		r.assets["v"+v+"/checksums.txt"] = []byte(sums.String())
	}
	return r
}

func (r *release) serve(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch {
		case req.URL.Path == "/mlbatch/ml/releases/latest":
			http.Redirect(w, req, "/mlbatch/ml/releases/tag/v"+r.latest, http.StatusFound)
		case strings.HasPrefix(req.URL.Path, "/mlbatch/ml/releases/tag/"):
			fmt.Fprintln(w, "<html>release page</html>")
		case strings.HasPrefix(req.URL.Path, "/mlbatch/ml/releases/download/"):
			key := strings.TrimPrefix(req.URL.Path, "/mlbatch/ml/releases/download/")
			data, ok := r.assets[key]
			if !ok {
				http.NotFound(w, req)
				return
			}
			w.Write(data)
		default:
			http.NotFound(w, req)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

type run struct {
	code           int
	out            string
	dir, path, gho string
}

// install runs install.sh with bash as the action does, against srv.
func install(t *testing.T, srv *httptest.Server, env map[string]string) run {
	t.Helper()
	tmp := t.TempDir()
	r := run{dir: filepath.Join(tmp, "tools", "ml"), path: filepath.Join(tmp, "github_path"), gho: filepath.Join(tmp, "github_output")}
	cmd := exec.Command("bash", "install.sh")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + tmp,
		"TMPDIR=" + tmp,
		"ML_DOWNLOAD_BASE=" + srv.URL + "/mlbatch/ml/releases",
		"ML_INSTALL_DIR=" + r.dir,
		"GITHUB_PATH=" + r.path,
		"GITHUB_OUTPUT=" + r.gho,
		"GITHUB_ACTIONS=true",
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	r.out = string(out)
	if err != nil {
		exit, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("bash install.sh: %v", err)
		}
		r.code = exit.ExitCode()
	}
	return r
}

func read(t *testing.T, path string) string {
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(data)
}

func TestInstallFromRelease(t *testing.T) {
	rel := newRelease(t, "1.2.2", "1.3.0")
	srv := rel.serve(t)
	tests := []struct {
		name, version, os, arch string
		wantExe, wantVersion    string
		wantTarget              string
	}{
		{"latest on Linux x64", "latest", "Linux", "X64", "ml", "1.3.0", "linux/amd64"},
		{"a pinned version with v on macOS ARM64", "v1.2.2", "macOS", "ARM64", "ml", "1.2.2", "darwin/arm64"},
		{"a pinned version on Windows x64 (zip)", "1.2.2", "Windows", "X64", "ml.exe", "1.2.2", "windows/amd64"},
		{"default version is latest, Linux ARM64", "", "Linux", "ARM64", "ml", "1.3.0", "linux/arm64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := install(t, srv, map[string]string{"ML_VERSION": tt.version, "RUNNER_OS": tt.os, "RUNNER_ARCH": tt.arch})
			if r.code != 0 {
				t.Fatalf("exit %d:\n%s", r.code, r.out)
			}
			exe := filepath.Join(r.dir, tt.wantExe)
			info, err := os.Stat(exe)
			if err != nil || info.Mode()&0o100 == 0 {
				t.Fatalf("%s not installed as an executable: %v", exe, err)
			}
			if want := fmt.Sprintf("ml version %s (%s, fake)", tt.wantVersion, tt.wantTarget); !strings.Contains(r.out, want) {
				t.Errorf("the script does not print `ml version` (%q):\n%s", want, r.out)
			}
			if got := read(t, r.path); got != r.dir+"\n" {
				t.Errorf("GITHUB_PATH = %q, want the install folder", got)
			}
			if got := read(t, r.gho); got != "version="+tt.wantVersion+"\npath="+exe+"\n" {
				t.Errorf("GITHUB_OUTPUT = %q", got)
			}
		})
	}
}

func TestInstallRefuses(t *testing.T) {
	rel := newRelease(t, "1.3.0")
	srv := rel.serve(t)
	linux := map[string]string{"ML_VERSION": "1.3.0", "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64"}

	t.Run("a checksum mismatch", func(t *testing.T) {
		good := rel.assets["v1.3.0/ml_1.3.0_linux_amd64.tar.gz"]
		rel.assets["v1.3.0/ml_1.3.0_linux_amd64.tar.gz"] = tarGz(t, "ml", []byte("#!/bin/sh\necho tampered\n"))
		defer func() { rel.assets["v1.3.0/ml_1.3.0_linux_amd64.tar.gz"] = good }()
		r := install(t, srv, linux)
		if r.code == 0 || !strings.Contains(r.out, "::error title=setup ml::checksum mismatch for ml_1.3.0_linux_amd64.tar.gz") || !strings.Contains(r.out, "refusing to install") {
			t.Errorf("want a refusal naming the mismatch, got exit %d:\n%s", r.code, r.out)
		}
		assertNothingInstalled(t, r)
	})

	tests := []struct {
		name string
		env  map[string]string
		edit func()
		want string
	}{
		{"an archive missing from checksums.txt", linux, func() {
			rel.assets["v1.3.0/checksums.txt"] = []byte(strings.ReplaceAll(string(rel.assets["v1.3.0/checksums.txt"]), "ml_1.3.0_linux_amd64.tar.gz", "other"))
		}, "checksums.txt of v1.3.0 lists no ml_1.3.0_linux_amd64.tar.gz; refusing to install an unverified archive"},
		{"a 32-bit runner", map[string]string{"RUNNER_OS": "Windows", "RUNNER_ARCH": "X86"}, nil,
			"ml has no release for the CPU X86 on Windows; releases exist for x64 (amd64) and ARM64"},
		{"an unknown OS", map[string]string{"RUNNER_OS": "Plan9", "RUNNER_ARCH": "X64"}, nil,
			"ml has no release for the OS Plan9; releases exist for Linux, macOS and Windows"},
		{"a version that does not exist", map[string]string{"ML_VERSION": "9.9.9", "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64"}, nil,
			"cannot download " + srv.URL + "/mlbatch/ml/releases/download/v9.9.9/checksums.txt"},
		{"a version that is not one", map[string]string{"ML_VERSION": "../1.3.0", "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64"}, nil,
			"version '../1.3.0' is not a release version such as 1.2.3"},
		{"latest that does not redirect (a plain mirror)", map[string]string{"ML_DOWNLOAD_BASE": srv.URL + "/mlbatch/ml/releases/download", "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64"}, nil,
			"cannot resolve the latest release from " + srv.URL + "/mlbatch/ml/releases/download/latest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			saved := map[string][]byte{}
			for k, v := range rel.assets {
				saved[k] = v
			}
			defer func() { rel.assets = saved }()
			if tt.edit != nil {
				tt.edit()
			}
			r := install(t, srv, tt.env)
			if r.code == 0 || !strings.Contains(r.out, "::error title=setup ml::"+tt.want) {
				t.Errorf("want exit 1 with %q, got exit %d:\n%s", tt.want, r.code, r.out)
			}
			assertNothingInstalled(t, r)
		})
	}
}

func assertNothingInstalled(t *testing.T, r run) {
	t.Helper()
	if _, err := os.Stat(r.dir); !os.IsNotExist(err) {
		t.Errorf("%s exists after a refused install", r.dir)
	}
	if read(t, r.path) != "" || read(t, r.gho) != "" {
		t.Error("a refused install wrote GITHUB_PATH or GITHUB_OUTPUT")
	}
}
