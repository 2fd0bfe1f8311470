package yamlnode

import (
	"fmt"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/output"
)

// Limits bound what reading one YAML input may cost. Every YAML that ml
// reads (the CLI's --file, conda files, anything the server reads) goes
// through them: yaml.v3 parses the whole input into nodes before anything
// looks at it, keeps aliases as pointers, and leaves it to the reader to
// expand them, so an unbounded reader can be made to allocate without
// limit by a few hundred bytes ("billion laughs").
type Limits struct {
	// MaxBytes is the size of the input. yaml.v3 allocates about a hundred
	// times the input's size while parsing dense YAML, so this bounds the
	// parse itself.
	MaxBytes int64
	// MaxDocuments is how many documents (separated by ---) it may hold.
	MaxDocuments int
	// MaxDepth is how deeply mappings and sequences may nest, aliases
	// followed.
	MaxDepth int
	// MaxNodes is how many nodes the input holds once every alias (*name)
	// is replaced by what it names, which is what a reader walking the
	// tree visits. yaml.v3 counts the same thing for its own alias limit.
	MaxNodes int64
	// MaxText is how many bytes of scalar text it holds once aliases are
	// expanded: one long string named by many aliases costs few nodes.
	MaxText int64
}

// DefaultLimits are far above any configuration file (Azure ML's YAML
// files are a few kilobytes) and low enough that reading costs at most
// about a hundred megabytes and a fraction of a second.
var DefaultLimits = Limits{
	MaxBytes:     1 << 20,
	MaxDocuments: 100,
	MaxDepth:     64,
	MaxNodes:     200_000,
	// 4 MiB: Azure Resource Manager's request limit, which is where the
	// text of a YAML file ends up.
	MaxText: 4 << 20,
}

// LimitError is a YAML input over one of its Limits. It is a usage error
// (wrapped in clierr.UsageError by every function of this package): the
// fix is the user's.
type LimitError struct {
	// At is where: the file, or "FILE:LINE".
	At string
	// Limit names the limit: "size", "documents", "depth", "nodes",
	// "text" or "alias cycle".
	Limit string
	// Max is the limit's value (0 for an alias cycle).
	Max int64
	msg string
}

func (e *LimitError) Error() string { return e.At + ": " + e.msg }

func limitError(at, limit string, max int64, format string, args ...any) error {
	return &clierr.UsageError{Err: &LimitError{At: at, Limit: limit, Max: max, msg: fmt.Sprintf(format, args...)}}
}

func sizeError(file string, max int64) error {
	return limitError(file, "size", max,
		"more than %s, the most ml reads from a YAML file; check that it is the file you meant (configuration files are a few kilobytes)",
		output.Bytes(max))
}

func count(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
