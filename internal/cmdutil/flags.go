package cmdutil

import "github.com/spf13/cobra"

// AnnotationNargsPlus marks a flag that, like argparse's nargs='+', takes
// every following token that is not a flag: `--set a=1 b=2`. internal/app
// rewrites such tokens into repeated flags before cobra parses them.
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
