// Package azurite starts a private Azurite blob service for tests, so code
// that talks to Blob storage is checked against Microsoft's emulator as well
// as against the local workspace. `make test` installs the pinned Azurite
// from npm into .tools/ and sets AZURITE_BLOB to it; without AZURITE_BLOB,
// azurite-blob is looked up on PATH.
package azurite

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"regexp"
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

// Start runs Azurite on a free loopback port in a temporary folder, as a
// user starts it (strict: headers it does not implement, such as
// x-ms-content-crc64, are refused with 500 FeatureNotSupported), and stops
// it when the test ends. It fails the test (never skips) when Azurite is
// not installed: the conformance checks are part of the suite.
func Start(tb testing.TB) *Instance {
	tb.Helper()
	return start(tb)
}

// StartLoose is Start with --loose: Azurite ignores the headers it does not
// implement instead of refusing the request.
func StartLoose(tb testing.TB) *Instance {
	tb.Helper()
	return start(tb, "--loose")
}

func start(tb testing.TB, extra ...string) *Instance {
	tb.Helper()
	bin := os.Getenv("AZURITE_BLOB")
	if bin == "" {
		bin = "azurite-blob"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		tb.Fatalf("azurite: %q not found: run the tests with `make test` (it installs the pinned Azurite into .tools/), or set AZURITE_BLOB to an azurite-blob", bin)
	}
	dir := tb.TempDir()
	// Port 0: Azurite picks a free port and prints it, so no other server
	// can take the port between choosing and listening.
	args := append([]string{"--blobHost", "127.0.0.1", "--blobPort", "0",
		"--location", dir, "--disableTelemetry", "--skipApiVersionCheck", "--disableProductStyleUrl"}, extra...)
	cmd := exec.Command(path, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatalf("azurite: %v", err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatalf("azurite: start: %v", err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		if !sent {
			close(found)
		}
	}()
	select {
	case port, ok := <-found:
		if !ok {
			tb.Fatalf("azurite: exited before listening (see stderr above)")
		}
		return &Instance{
			ServiceURL: fmt.Sprintf("http://127.0.0.1:%s/%s", port, Account),
			Account:    Account,
			Key:        Key,
		}
	case <-time.After(60 * time.Second):
		tb.Fatalf("azurite: not listening after 60s")
	}
	return nil
}

// listening matches Azurite's start-up line, e.g. "Azurite Blob service
// successfully listens on http://127.0.0.1:44329".
var listening = regexp.MustCompile(`successfully listens on https?://[^:]+:(\d+)`)
