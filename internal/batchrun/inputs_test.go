package batchrun

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestListInputFiles(t *testing.T) {
	folder := inputDir(t, "z", "b/y", "b/a/x", "a")
	single := filepath.Join(t.TempDir(), "single.csv")
	writeFile(t, single, "1")
	if err := os.Symlink(single, filepath.Join(folder, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(folder, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}

	got, err := listInputFiles([]string{single, folder})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{single}
	for _, rel := range []string{"a", "b/a/x", "b/y", "link", "z"} {
		want = append(want, filepath.Join(folder, rel))
	}
	if !slices.Equal(got, want) {
		t.Errorf("files = %q\nwant    %q", got, want)
	}
}

func TestPartition(t *testing.T) {
	files := []string{"1", "2", "3", "4", "5"}
	tests := []struct {
		size int
		want [][]string
	}{
		{1, [][]string{{"1"}, {"2"}, {"3"}, {"4"}, {"5"}}},
		{2, [][]string{{"1", "2"}, {"3", "4"}, {"5"}}},
		{5, [][]string{files}},
		{10, [][]string{files}},
	}
	for _, tt := range tests {
		if got := partition(files, tt.size); !slices.EqualFunc(got, tt.want, slices.Equal) {
			t.Errorf("partition(size %d) = %q, want %q", tt.size, got, tt.want)
		}
	}
	if got := partition(nil, 3); len(got) != 0 {
		t.Errorf("partition(nil) = %q, want no mini-batches", got)
	}
}

func TestOrderedOutputWritesInMiniBatchOrder(t *testing.T) {
	s := settings{outputAction: OutputAppendRow, outputDir: t.TempDir(), outputFileName: "predictions.csv"}
	out, err := openOutput(s)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		idx  int
		rows []string
		want []string // file content after the step
	}{
		{2, []string{"c"}, nil},
		{0, []string{"a1", "a2"}, []string{"a1", "a2"}},
		{4, []string{"e"}, []string{"a1", "a2"}},
		{1, nil, []string{"a1", "a2", "c"}}, // a failed mini-batch adds nothing
	}
	for _, st := range steps {
		if err := out.add(st.idx, st.rows); err != nil {
			t.Fatal(err)
		}
		if got := readLines(t, out.path); !slices.Equal(got, st.want) {
			t.Fatalf("after mini-batch %d: file = %q, want %q", st.idx, got, st.want)
		}
	}
	// Mini-batch 3 never comes (the job stopped): 4 is still written.
	if err := out.flushAll(); err != nil {
		t.Fatal(err)
	}
	if err := out.close(); err != nil {
		t.Fatal(err)
	}
	if got := readLines(t, out.path); !slices.Equal(got, []string{"a1", "a2", "c", "e"}) || out.rows != 4 {
		t.Errorf("final file = %q (%d rows), want [a1 a2 c e]", got, out.rows)
	}
	if _, err := openOutput(s); err == nil {
		t.Error("openOutput overwrote an existing output file")
	}
}
