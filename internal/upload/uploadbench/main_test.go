package uploadbench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
)

// envTestAlloc makes the test binary a child that holds that many MiB of
// touched memory and exits: a known peak for TestLauncherMeasuresTheChild.
const envTestAlloc = "ML_UPLOADBENCH_TEST_ALLOC_MIB"

// TestMain turns the test binary into an upload child (RunChild) when
// started with EnvChild, the way the benchmark measures ml in its own
// process.
func TestMain(m *testing.M) {
	if IsChild() {
		os.Exit(RunChild(context.Background(), os.Stdout, os.Stderr))
	}
	if os.Getenv(EnvHash) != "" {
		os.Exit(RunHash(context.Background(), os.Stdout))
	}
	if os.Getenv(EnvBaseline) != "" {
		os.Exit(RunBaseline(context.Background()))
	}
	if v := os.Getenv(envTestAlloc); v != "" {
		os.Exit(allocAndExit(v))
	}
	os.Exit(m.Run())
}

// sink keeps allocations reachable.
var sink []byte

func allocAndExit(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		fmt.Fprintf(os.Stderr, "%s=%q: want a number of MiB\n", envTestAlloc, v)
		return 2
	}
	sink = touched(n * MiB)
	return 0
}

// touched returns n bytes that are all resident.
func touched(n int) []byte {
	b := make([]byte, n)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	return b
}
