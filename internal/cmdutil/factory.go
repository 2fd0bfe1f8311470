// Package cmdutil holds what every command shares: the Factory of lazily
// built dependencies, the global flags, and the output exporter behind
// -o/--query/--jq.
package cmdutil

import (
	"fmt"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/mlbatch/ml/internal/config"
	"github.com/mlbatch/ml/internal/iostreams"
)

// Factory hands dependencies to commands. Fields that cost something to
// build are functions, so a command that never touches the network never
// builds a credential.
type Factory struct {
	IOStreams *iostreams.IOStreams
	// Getenv reads the environment (os.Getenv outside tests).
	Getenv func(string) string
	// Now is the clock (time.Now outside tests).
	Now func() time.Time
	// Globals are the root command's global flags, filled in by parsing.
	Globals *Globals

	// Transport, when set, carries every SDK request (tests).
	Transport policy.Transporter

	client         clientState
	registryClient clientState

	configOnce sync.Once
	config     *config.Config
	configErr  error
}

// Config returns the process's configuration, loading it on first use.
func (f *Factory) Config() (*config.Config, error) {
	f.configOnce.Do(func() { f.config, f.configErr = config.Load(f.Getenv) })
	return f.config, f.configErr
}

// Globals are the az-compatible global flags.
type Globals struct {
	Output         string
	Query          string
	JQ             string
	Debug          bool
	Verbose        bool
	OnlyShowErrors bool
	Subscription   string
	ResourceGroup  string
	Workspace      string
	Local          bool
	Cloud          string
	// NoCache is --no-cache of the commands that upload local files.
	NoCache bool
}

// Warn prints "WARNING: ..." on stderr unless --only-show-errors is set.
func (f *Factory) Warn(format string, args ...any) {
	if f.Globals != nil && f.Globals.OnlyShowErrors {
		return
	}
	fmt.Fprintf(f.IOStreams.ErrOut, "WARNING: "+format+"\n", args...)
}

// Info prints "INFO: ..." on stderr when --verbose or --debug is set.
func (f *Factory) Info(format string, args ...any) {
	if f.Globals == nil || !(f.Globals.Verbose || f.Globals.Debug) || f.Globals.OnlyShowErrors {
		return
	}
	fmt.Fprintf(f.IOStreams.ErrOut, "INFO: "+format+"\n", args...)
}
