// Command gen-docs writes ml's reference documentation (docs/reference/*.md
// and docs/man/*.1) from the command tree: `make docs`.
package main

import (
	"fmt"
	"os"

	"github.com/mlbatch/ml/internal/docgen"
)

func main() {
	if err := docgen.Main(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gen-docs:", err)
		os.Exit(1)
	}
}
