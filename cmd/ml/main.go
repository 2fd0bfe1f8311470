// Command ml invokes Azure ML batch endpoints, on Azure or on a local
// workspace. See README.md.
package main

import (
	"os"

	"github.com/mlbatch/ml/internal/app"
)

func main() {
	os.Exit(app.Main())
}
