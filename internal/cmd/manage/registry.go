package manage

import (
	"context"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// OpenRegistry discovers registry name (--registry-name) with a client
// that needs no resource group or workspace.
func OpenRegistry(ctx context.Context, f *cmdutil.Factory, name string) (*azml.Registry, error) {
	c, err := f.RegistryClient()
	if err != nil {
		return nil, err
	}
	return c.OpenRegistry(ctx, name)
}
