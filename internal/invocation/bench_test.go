package invocation

import (
	"context"
	"os"
	"testing"
)

// BenchmarkParseScoringBody measures the local server's per-request parse of
// a body with every field set.
func BenchmarkParseScoringBody(b *testing.B) {
	data, err := os.ReadFile("testdata/golden/ml_file_with_settings.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseScoringBody(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildFile measures Build from a --file with --set overrides.
func BenchmarkBuildFile(b *testing.B) {
	f := Flags{File: "testdata/files/settings_invoke.yml", Set: [][]string{{"inputs.rounds.default=3", "mini_batch_size=7"}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(context.Background(), f, nil); err != nil {
			b.Fatal(err)
		}
	}
}
