//go:build !linux

package blob

// syncRoot returns the default Options.Sync. Outside Linux there is no
// call that syncs one filesystem, so the store does not wait for the disk:
// writes are handed to the operating system as an ordinary program's are,
// and a power loss can lose the last seconds of uploads.
func syncRoot(string) func() error { return nil }
