package cmdutil

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// AnnotationNargsPlus marks a flag that, like argparse's nargs='+', takes
// every following token that is not a flag: `--set a=1 b=2`. internal/app
// rewrites such tokens into repeated flags before cobra parses them (one
// flag per occurrence for an Occurrences value, one per token otherwise).
const AnnotationNargsPlus = "ml_nargs_plus"

// MarkNargsPlus marks the named flag of cmd as taking several values.
func MarkNargsPlus(cmd *cobra.Command, name string) {
	_ = cmd.Flags().SetAnnotation(name, AnnotationNargsPlus, []string{"true"})
}

// AddNoCacheFlag adds --no-cache to a command that uploads local files:
// hash every file again rather than trust the hash cache.
func AddNoCacheFlag(cmd *cobra.Command, f *Factory) {
	if f.Globals == nil {
		f.Globals = &Globals{}
	}
	cmd.Flags().BoolVar(&f.Globals.NoCache, "no-cache", false, "Hash local files again instead of trusting the hash cache (also ML_UPLOAD_NO_CACHE=1)")
}

// OccurrenceSep joins the tokens of one occurrence of a nargs+ flag into
// the single value internal/app hands to Occurrences.Set. A command line
// can never hold a NUL byte, so no token can contain it.
const OccurrenceSep = "\x00"

// Occurrences is the value of a nargs+ flag that keeps its occurrences
// apart, as argparse does: `--set a b --set c=3` is [[a b] [c=3]], so a
// command can tell the tokens of one occurrence from the next.
type Occurrences [][]string

// NargsPlusVar defines the nargs+ flag name on cmd, collected into p.
func NargsPlusVar(cmd *cobra.Command, p *Occurrences, name, usage string) {
	cmd.Flags().Var(p, name, usage)
	MarkNargsPlus(cmd, name)
}

var _ pflag.Value = (*Occurrences)(nil)

// Set records one occurrence: its tokens joined by OccurrenceSep, or a
// single token when cobra is driven without internal/app (flag tests).
func (o *Occurrences) Set(v string) error {
	*o = append(*o, strings.Split(v, OccurrenceSep))
	return nil
}

// String renders the occurrences as pflag's stringArray does.
func (o *Occurrences) String() string {
	var tokens []string
	for _, occ := range *o {
		tokens = append(tokens, occ...)
	}
	return "[" + strings.Join(tokens, ",") + "]"
}

// Type names the value in help, as for a repeated string flag.
func (o *Occurrences) Type() string { return "stringArray" }
