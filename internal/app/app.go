// Package app runs ml: it builds the factory and the command tree, runs the
// command, and is the one place that turns errors into exit codes.
package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmd/root"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/iostreams"
)

// Exit codes. Documented in docs/exit-codes.md; scripts rely on them.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitUsage       = 2
	ExitNotFound    = 3
	ExitAuth        = 4
	ExitJobFailed   = 5
	ExitJobCanceled = 6
	ExitWaitTimeout = 7
	ExitInterrupted = 130
)

// Main runs ml with the process's streams and environment and returns the
// exit code; cmd/ml passes it to os.Exit.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, os.Args[1:], iostreams.System(), os.Getenv)
}

// Run runs ml with the given arguments, streams and environment. Tests call
// it in-process.
func Run(ctx context.Context, args []string, ios *iostreams.IOStreams, getenv func(string) string) int {
	f := &cmdutil.Factory{IOStreams: ios, Getenv: getenv, Now: time.Now, Globals: &cmdutil.Globals{}}
	cmd := root.NewCmdRoot(f)
	rejectUnknownSubcommands(cmd)
	reached := trackRun(cmd)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		// A flag value that checks itself says what is wrong in full;
		// pflag's "invalid argument ... for ... flag:" prefix adds nothing.
		if u := (*clierr.UsageError)(nil); errors.As(err, &u) {
			return u
		}
		return &clierr.UsageError{Err: err}
	})
	expanded, err := expandArgs(cmd, args)
	if err != nil {
		return report(f, cmd, args, err, false)
	}
	cmd.SetArgs(expanded)
	cmd.SetIn(ios.In)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	_, err = cmd.ExecuteContextC(ctx)
	if err != nil && ctx.Err() != nil && clierr.KindOf(err) == 0 {
		err = &clierr.Error{Kind: clierr.KindInterrupted, Err: fmt.Errorf("interrupted: %w", err)}
	}
	return report(f, cmd, expanded, err, *reached)
}

// rejectUnknownSubcommands makes every command group (a command with
// subcommands and nothing to run itself) refuse arguments, as az does
// ("'frobnicate' is not in the 'az ml batch-endpoint' command group"):
// cobra checks unknown subcommands only under the root and otherwise prints
// the group's help and exits 0, so a typo in a script would look like
// success. A group with no arguments still prints its help.
func rejectUnknownSubcommands(cmd *cobra.Command) {
	if cmd.HasSubCommands() && cmd.Run == nil && cmd.RunE == nil && cmd.HasParent() {
		cmd.RunE = func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return c.Help()
			}
			return clierr.Usagef("%q is not in the '%s' command group; see '%s --help'", args[0], c.CommandPath(), c.CommandPath())
		}
	}
	for _, sub := range cmd.Commands() {
		rejectUnknownSubcommands(sub)
	}
}

// trackRun wraps every command's RunE so Run knows whether cobra got as far
// as running the command: errors before that (unknown command, bad
// arguments, missing required flags) are usage errors.
func trackRun(cmd *cobra.Command) *bool {
	reached := new(bool)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if run := c.RunE; run != nil {
			c.RunE = func(cc *cobra.Command, args []string) error {
				*reached = true
				return run(cc, args)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(cmd)
	return reached
}

// report prints err (if any) the way az does ("ERROR: ...") and returns the
// exit code.
func report(f *cmdutil.Factory, root *cobra.Command, args []string, err error, reached bool) int {
	if err == nil {
		return ExitOK
	}
	code := exitCode(err, reached)
	var silent *clierr.Error
	if errors.As(err, &silent) && silent.Silent {
		return code
	}
	fmt.Fprintf(f.IOStreams.ErrOut, "ERROR: %s\n", err)
	if code == ExitUsage {
		name := "ml"
		if c, _, ferr := root.Find(args); ferr == nil && c != nil {
			name = c.CommandPath()
		}
		fmt.Fprintf(f.IOStreams.ErrOut, "Run '%s --help' for usage.\n", strings.TrimSpace(name))
	}
	return code
}

func exitCode(err error, reached bool) int {
	switch clierr.KindOf(err) {
	case clierr.KindAuth:
		return ExitAuth
	case clierr.KindJobFailed:
		return ExitJobFailed
	case clierr.KindJobCanceled:
		return ExitJobCanceled
	case clierr.KindWaitTimeout:
		return ExitWaitTimeout
	case clierr.KindInterrupted:
		return ExitInterrupted
	}
	switch {
	case clierr.IsUsage(err):
		return ExitUsage
	case clierr.IsNotFound(err):
		return ExitNotFound
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case !reached:
		return ExitUsage
	}
	return ExitError
}
