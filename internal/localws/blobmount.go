package localws

import (
	"github.com/mlbatch/ml/internal/localws/blob"
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
	})
	if err != nil {
		return nil, err
	}
	if err := h.EnsureContainer(s.account, s.container); err != nil {
		return nil, err
	}
	return h, nil
}
