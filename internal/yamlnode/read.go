package yamlnode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/mlbatch/ml/internal/clierr"
)

// Stdin is the path that names standard input (-f -), and StdinName the
// name errors give it.
const (
	Stdin     = "-"
	StdinName = "(stdin)"
)

// ReadFile reads the YAML input a -f/--file flag names, within
// DefaultLimits.MaxBytes. See Limits.ReadFile.
func ReadFile(ctx context.Context, path string, stdin io.Reader) ([]byte, error) {
	return DefaultLimits.ReadFile(ctx, path, stdin)
}

// ReadFile reads the YAML input at path: a regular file, or stdin when path
// is "-". Anything else (a FIFO, /dev/zero, a folder) is refused before a
// byte is read, so a read never waits on a writer that may never come; a
// read of stdin returns when ctx ends (Ctrl-C). Input larger than MaxBytes
// is refused. Every error is a usage error naming the flag and file
// ("--file PATH: ...").
func (l Limits) ReadFile(ctx context.Context, path string, stdin io.Reader) ([]byte, error) {
	if path == Stdin {
		if stdin == nil {
			return nil, clierr.Usagef("--file -: this command cannot read standard input; give a file path")
		}
		return l.readStdin(ctx, stdin)
	}
	return l.read("--file "+path, path)
}

// ReadPath reads the YAML file at path (a regular file) within
// DefaultLimits.MaxBytes, like ReadFile but for a file named inside
// another one (a conda file): errors start "PATH: ".
func ReadPath(path string) ([]byte, error) { return DefaultLimits.read(path, path) }

// read reads the regular file at path; errors start with label.
func (l Limits) read(label, path string) ([]byte, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, openError(label, err)
	}
	defer f.Close()
	return l.readAll(label, f)
}

// readAll reads r up to MaxBytes, refusing more; errors start with label.
func (l Limits) readAll(label string, r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, l.MaxBytes+1))
	if err != nil {
		return nil, clierr.Usagef("%s: cannot read it: %v", label, unwrapPath(err))
	}
	if int64(len(data)) > l.MaxBytes {
		return nil, sizeError(label, l.MaxBytes)
	}
	return data, nil
}

// readStdin reads stdin in a goroutine so that Ctrl-C (ctx) ends the wait:
// a read of a terminal or an idle pipe cannot be interrupted otherwise. The
// goroutine is left blocked; the process is about to exit.
func (l Limits) readStdin(ctx context.Context, stdin io.Reader) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := l.readAll("--file "+Stdin, stdin)
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("reading --file - (standard input): %w", ctx.Err())
	}
}

// errNotRegular is what openRegular returns for anything but a file.
type errNotRegular struct{ mode fs.FileMode }

func (e errNotRegular) Error() string { return "not a regular file" }

func openError(label string, err error) error {
	var nr errNotRegular
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return clierr.Usagef("%s: no such file; check the path", label)
	case errors.As(err, &nr) && nr.mode.IsDir():
		return clierr.Usagef("%s: is a folder; give the path of a YAML file", label)
	case errors.As(err, &nr) && strings.HasPrefix(label, "--file "):
		return clierr.Usagef("%s: is not a regular file (%s); give the path of a YAML file, or - to read standard input", label, describeMode(nr.mode))
	case errors.As(err, &nr):
		return clierr.Usagef("%s: is not a regular file (%s); give the path of a YAML file", label, describeMode(nr.mode))
	}
	return clierr.Usagef("%s: cannot read it: %v", label, unwrapPath(err))
}

func describeMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// checkRegular refuses anything but a regular file.
func checkRegular(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return errNotRegular{fi.Mode()}
	}
	return nil
}
