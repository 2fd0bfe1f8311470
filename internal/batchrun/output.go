package batchrun

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/mlbatch/ml/internal/clierr"
)

// orderedOutput appends mini-batch results to the append_row output file in
// mini-batch order, whatever order they arrive in. Results wait in memory
// until every earlier mini-batch has been written, then go to disk at once,
// so a canceled job keeps everything written so far.
type orderedOutput struct {
	path    string // "" for summary_only
	f       *os.File
	w       *bufio.Writer
	next    int
	pending map[int][]string
	rows    int
}

// openOutput creates the output file of an append_row job. Like Azure, it
// never overwrites an existing file.
func openOutput(s settings) (*orderedOutput, error) {
	o := &orderedOutput{pending: map[int][]string{}}
	if s.outputAction != OutputAppendRow {
		return o, nil
	}
	path := filepath.Join(s.outputDir, s.outputFileName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, clierr.Usagef("output file %s already exists; a batch job never overwrites it, so use an empty output folder or another settings.output_file_name", path)
	}
	if err != nil {
		return nil, fmt.Errorf("create output file: %w", err)
	}
	o.path, o.f, o.w = path, f, bufio.NewWriter(f)
	return o, nil
}

// add records mini-batch idx's rows (nil for a failed mini-batch) and writes
// every mini-batch that is now next in line.
func (o *orderedOutput) add(idx int, rows []string) error {
	o.pending[idx] = rows
	for {
		rows, ok := o.pending[o.next]
		if !ok {
			break
		}
		delete(o.pending, o.next)
		o.next++
		if err := o.write(rows); err != nil {
			return err
		}
	}
	return o.flush()
}

// flushAll writes the results still waiting for an earlier mini-batch that
// will never come (the job was canceled or failed), in mini-batch order.
func (o *orderedOutput) flushAll() error {
	for _, idx := range slices.Sorted(maps.Keys(o.pending)) {
		if err := o.write(o.pending[idx]); err != nil {
			return err
		}
		delete(o.pending, idx)
	}
	return o.flush()
}

func (o *orderedOutput) write(rows []string) error {
	if o.w == nil {
		return nil
	}
	for _, row := range rows {
		if _, err := o.w.WriteString(row + "\n"); err != nil {
			return fmt.Errorf("write %s: %w", o.path, err)
		}
		o.rows++
	}
	return nil
}

func (o *orderedOutput) flush() error {
	if o.w == nil {
		return nil
	}
	if err := o.w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	return nil
}

func (o *orderedOutput) close() error {
	if o.f == nil {
		return nil
	}
	err := o.flush()
	if cerr := o.f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	o.f, o.w = nil, nil
	return err
}
