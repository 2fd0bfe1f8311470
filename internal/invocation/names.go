package invocation

import (
	"regexp"

	"github.com/mlbatch/ml/internal/clierr"
)

// ioNameRE is what Azure ML accepts as an input or output name: a Python
// identifier, since pipeline components expose them as function arguments.
var ioNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// maxIONameLen bounds input/output names; Azure's own limit is not
// documented, 255 keeps names usable as file and blob path segments.
const maxIONameLen = 255

// checkIOName validates an input or output name. where prefixes the error
// ("--set inputs.x", "invoke.yml:4") and section is "inputs" or "outputs".
func checkIOName(where, section, name string) error {
	if name == "" {
		return clierr.Usagef("%s: empty name in %s; write %s.<name>", where, section, section)
	}
	if len(name) > maxIONameLen || !ioNameRE.MatchString(name) {
		return clierr.Usagef("%s: %s name %s is not valid; use letters, digits and underscores, starting with a letter or underscore (e.g. heart_dataset)",
			where, section, quote(name))
	}
	return nil
}

// assetNameRE and assetVersionRE follow the service's rules for data asset
// names and versions ("alphanumeric characters, dashes, underscores, and
// periods, with a limit of 50 characters" for versions).
var (
	assetNameRE    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$`)
	assetVersionRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,50}$`)
)
