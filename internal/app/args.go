package app

import (
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
//     into repeated flags.
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
			if hasValue {
				out = append(out, "--"+fl.Name+"="+value)
			}
			j := i + 1
			if !hasValue && j < len(args) {
				out = append(out, "--"+fl.Name+"="+args[j])
				j++
			}
			for ; j < len(args) && !strings.HasPrefix(args[j], "-"); j++ {
				out = append(out, "--"+fl.Name+"="+args[j])
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
