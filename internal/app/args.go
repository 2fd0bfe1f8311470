package app

import (
	"regexp"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// expandArgs makes cobra accept what az's argparse accepts:
//   - a long flag may be abbreviated to any unambiguous prefix (the official
//     examples call `--f inputs.yml` for --file);
//   - a flag marked nargs+ takes every following non-flag token
//     (`--set a=1 b=2`, `--defaults group=g workspace=w`), rewritten here
//     into repeated flags, and needs at least one.
func expandArgs(root *cobra.Command, args []string) ([]string, error) {
	cmd, _, err := root.Find(args)
	if err != nil || cmd == nil {
		return args, nil
	}
	flags := map[string]*pflag.Flag{}
	collect := func(fs *pflag.FlagSet) {
		fs.VisitAll(func(fl *pflag.Flag) { flags[fl.Name] = fl })
	}
	collect(cmd.Flags())
	collect(cmd.InheritedFlags())
	names := make([]string, 0, len(flags))
	for n := range flags {
		names = append(names, n)
	}
	sort.Strings(names)

	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			out = append(out, args[i:]...)
			break
		}
		if !strings.HasPrefix(arg, "--") || len(arg) == 2 {
			out = append(out, arg)
			continue
		}
		name, value, hasValue := strings.Cut(arg[2:], "=")
		fl, ok := flags[name]
		if !ok {
			var matches []string
			for _, n := range names {
				if strings.HasPrefix(n, name) && !flags[n].Hidden {
					matches = append(matches, n)
				}
			}
			switch len(matches) {
			case 0:
				out = append(out, arg) // cobra reports the unknown flag
				continue
			case 1:
				fl = flags[matches[0]]
			default:
				return nil, clierr.Usagef("ambiguous option: --%s could match %s", name, "--"+strings.Join(matches, ", --"))
			}
		}
		if _, plus := fl.Annotations[cmdutil.AnnotationNargsPlus]; plus {
			var tokens []string
			if hasValue {
				tokens = append(tokens, value)
			}
			j := i + 1
			for ; j < len(args) && !isOptionToken(args[j]); j++ {
				tokens = append(tokens, args[j])
			}
			if len(tokens) == 0 {
				// argparse's own message; without it a trailing --set
				// would be dropped and the command would run.
				return nil, clierr.Usagef("argument --%s: expected at least one argument (--%s KEY=VALUE [KEY=VALUE ...])", fl.Name, fl.Name)
			}
			if _, grouped := fl.Value.(*cmdutil.Occurrences); grouped {
				out = append(out, "--"+fl.Name+"="+strings.Join(tokens, cmdutil.OccurrenceSep))
			} else {
				for _, tok := range tokens {
					out = append(out, "--"+fl.Name+"="+tok)
				}
			}
			i = j - 1
			continue
		}
		if hasValue {
			out = append(out, "--"+fl.Name+"="+value)
		} else {
			out = append(out, "--"+fl.Name)
		}
	}
	return out, nil
}

// negativeNumber is what argparse takes for a value rather than an option
// although it starts with "-".
var negativeNumber = regexp.MustCompile(`^-\d+$|^-\d*\.\d+$`)

// isOptionToken reports whether tok is an option (and so ends the tokens
// of a nargs+ flag), as argparse decides.
func isOptionToken(tok string) bool {
	return strings.HasPrefix(tok, "-") && len(tok) > 1 && !negativeNumber.MatchString(tok)
}
