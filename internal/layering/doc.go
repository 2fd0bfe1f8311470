// Package layering has no code: its test holds the module to the import
// rules of docs/architecture.md, so a change that breaks them fails
// `make test` instead of waiting for a reviewer to notice.
package layering
