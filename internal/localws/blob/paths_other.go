//go:build !unix

package blob

func isNotDir(error) bool   { return false }
func isDirError(error) bool { return false }
