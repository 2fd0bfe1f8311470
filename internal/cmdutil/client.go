package cmdutil

import (
	"strings"
	"sync"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/config"
)

// clientState memoizes the workspace client of one process.
type clientState struct {
	once   sync.Once
	client *azml.Client
	err    error
}

// Client returns the workspace client, resolving the target on first use:
// the local workspace when --local, ML_LOCAL=1 or `ml configure --defaults
// local=true` says so, else Azure with the flags and defaults.
func (f *Factory) Client() (*azml.Client, error) {
	f.client.once.Do(func() { f.client.client, f.client.err = f.newClient(false) })
	return f.client.client, f.client.err
}

// RegistryClient returns a client for commands that target a registry
// (--registry-name): as Client, but no resource group or workspace is
// required, as az requires none.
func (f *Factory) RegistryClient() (*azml.Client, error) {
	f.registryClient.once.Do(func() { f.registryClient.client, f.registryClient.err = f.newClient(true) })
	return f.registryClient.client, f.registryClient.err
}

func (f *Factory) newClient(noWorkspace bool) (*azml.Client, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	g := f.Globals
	o := azml.TargetOptions{
		Local:         g.Local || truthy(f.Getenv("ML_LOCAL")) || truthy(cfg.Get(config.KeyLocal)),
		Cloud:         g.Cloud,
		Subscription:  g.Subscription,
		ResourceGroup: g.ResourceGroup,
		Workspace:     g.Workspace,
		Getenv:        f.Getenv,
		NoWorkspace:   noWorkspace,
	}
	if !o.Local {
		// The local workspace has its own names; az's defaults only apply to Azure.
		if o.ResourceGroup == "" {
			o.ResourceGroup = cfg.Get(config.KeyGroup)
		}
		if o.Workspace == "" {
			o.Workspace = cfg.Get(config.KeyWorkspace)
		}
		if o.Cloud == "" {
			o.Cloud = cfg.Get(config.KeyCloud)
		}
	}
	if g.Debug {
		o.Trace = f.IOStreams.ErrOut
	}
	o.Notices = f.IOStreams.ErrOut
	t, err := azml.ResolveTarget(o)
	if err != nil {
		return nil, err
	}
	t.Transport = f.Transport
	return azml.NewClient(t, f.Getenv)
}

func truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}
