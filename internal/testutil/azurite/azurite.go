// Package azurite starts a private Azurite blob service for tests, so code
// that talks to Blob storage is checked against Microsoft's emulator as well
// as against the local workspace. Azurite comes from npm (`npm i -g azurite`,
// done by .ci/run); set AZURITE_BLOB to use another binary.
package azurite

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// Well-known development account of Azurite.
const (
	Account = "devstoreaccount1"
	Key     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// Instance is a running Azurite blob service.
type Instance struct {
	// ServiceURL is the account URL for azblob, e.g. http://127.0.0.1:PORT/devstoreaccount1.
	ServiceURL string
	Account    string
	Key        string
}

// Start runs Azurite on a free loopback port in a temporary folder and stops
// it when the test ends. It fails the test (never skips) when Azurite is not
// installed: the conformance checks are part of the suite.
func Start(tb testing.TB) *Instance {
	tb.Helper()
	bin := os.Getenv("AZURITE_BLOB")
	if bin == "" {
		bin = "azurite-blob"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		tb.Fatalf("azurite: %q not found on PATH: install it with `npm install -g azurite` (.ci/run does) or set AZURITE_BLOB", bin)
	}
	port := freePort(tb)
	dir := tb.TempDir()
	cmd := exec.Command(path, "--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(port),
		"--location", dir, "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--disableProductStyleUrl", "--loose")
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatalf("azurite: start: %v", err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
	})
	inst := &Instance{
		ServiceURL: fmt.Sprintf("http://127.0.0.1:%d/%s", port, Account),
		Account:    Account,
		Key:        Key,
	}
	// Azurite answers any request once it listens; poll until it does.
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(inst.ServiceURL + "?comp=list")
		if err == nil {
			resp.Body.Close()
			return inst
		}
		if time.Now().After(deadline) {
			tb.Fatalf("azurite: not listening on port %d after 30s: %v", port, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("azurite: find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
