package batchrun

import (
	"slices"
	"testing"
)

// TestRunAppendsDataFrameRows: a run() returning a pandas DataFrame has
// each of its rows appended, values joined by spaces, as Azure's
// append_row writes them; each row counts as one processed item.
func TestRunAppendsDataFrameRows(t *testing.T) {
	d := deployment(t, `import os
import pandas as pd

def init():
    pass

def run(mini_batch):
    return pd.DataFrame({
        "file": [os.path.basename(p) for p in mini_batch],
        "size": [os.path.getsize(p) for p in mini_batch],
    })
`)
	d.Python = testPython(t, "pandas")
	d.MiniBatchSize = 2
	res, err, _ := runJob(t, d, newJob(t, inputDir(t, "a.csv", "bb.csv", "ccc.csv")))
	if err != nil {
		t.Fatalf("job failed: %v", err)
	}
	want := []string{"a.csv 5", "bb.csv 6", "ccc.csv 7"}
	if got := readLines(t, res.OutputFile); !slices.Equal(got, want) {
		t.Errorf("predictions = %q, want %q", got, want)
	}
	if res.ItemsFailed != 0 || res.MiniBatchesSucceeded != 2 {
		t.Errorf("progress = %+v, want 2 mini-batches succeeded and no failed item", res.Progress)
	}
}
