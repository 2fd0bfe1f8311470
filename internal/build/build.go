// Package build holds version information injected at link time by
// .goreleaser.yaml and the Makefile (-ldflags "-X ...").
package build

// Version is the release version, "dev" for local builds.
var Version = "dev"

// Commit is the git commit the binary was built from.
var Commit = "none"

// Date is the build date (RFC 3339).
var Date = "unknown"
