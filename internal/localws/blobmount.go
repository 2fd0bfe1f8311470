package localws

import (
	"context"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/mlbatch/ml/internal/localws/blob"
	"github.com/mlbatch/ml/internal/localws/datastore"
)

// newBlobHandler builds the blob service of the workspace's storage
// account, mounted at /blob, and provisions the datastore's container.
func (s *Server) newBlobHandler() (*blob.Handler, error) {
	h, err := blob.NewHandler(blob.Options{
		Root:         s.blobRoot,
		Accounts:     map[string][]byte{s.account: s.accountKey},
		PathPrefix:   "/blob",
		MaxBodyBytes: s.opts.MaxBodyBytes,
		Logger:       s.log,
		Sync:         s.opts.blobSync,
	})
	if err != nil {
		return nil, err
	}
	if err := h.EnsureContainer(s.account, s.container); err != nil {
		return nil, err
	}
	return h, nil
}

// openDatastore chooses where the datastore's blobs live: the container of
// the existing account Options.StorageConnectionString names (created when
// missing), else the local blob service's container.
func (s *Server) openDatastore(ctx context.Context) error {
	if s.opts.StorageConnectionString == "" {
		s.data = &datastore.Local{
			Path:    func(p string) (string, error) { return s.blob.LocalPath(s.account, s.container, p) },
			Sync:    s.blob.Sync,
			Details: datastore.Account{Name: s.account, Container: s.container, Key: encodeKey(s.accountKey), Protocol: "http"},
		}
		return nil
	}
	acct, err := datastore.ParseConnectionString(s.opts.StorageConnectionString)
	if err != nil {
		return fmt.Errorf("%w (--storage-connection-string or $%s)", err, EnvStorageConnectionString)
	}
	remote, err := datastore.NewRemote(ctx, acct, s.container, policy.RetryOptions{MaxRetries: 3})
	if err != nil {
		return err
	}
	s.data, s.remote = remote, true
	s.log.Info("workspaceblobstore is an existing storage account", "account", acct.Name, "url", acct.URL, "container", s.container)
	return nil
}
