package azml

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/mlbatch/ml/internal/upload"
)

// DefaultDatastore is where local inputs are uploaded, as az does: the
// datastore named workspaceblobstore (not whichever is marked default).
const DefaultDatastore = "workspaceblobstore"

// Datastore is a blob datastore with a client for its container.
type Datastore struct {
	Name       string
	Account    string
	Container  string
	AccountURL string
	// Client reaches the container with the datastore's secret (account key
	// or SAS) or, when it has none, the user's token.
	Client *container.Client
	// Auth says which credential Client uses: "AccountKey", "Sas" or "AAD".
	Auth string
}

// OpenDatastore gets datastore name and builds a container client for it:
// listSecrets first (account key or SAS), falling back to the user's own
// token for the storage audience when the datastore has no secret or
// listSecrets is refused, as azure-ai-ml does.
func (c *Client) OpenDatastore(ctx context.Context, name string) (*Datastore, error) {
	resp, err := c.arm.NewDatastoresClient().Get(ctx, c.T.ResourceGroup, c.T.Workspace, name, nil)
	if err != nil {
		return nil, c.check(err, fmt.Sprintf("datastore %q", name))
	}
	blob, ok := resp.Properties.(*armmachinelearning.AzureBlobDatastore)
	if !ok || blob.AccountName == nil || blob.ContainerName == nil {
		return nil, fmt.Errorf("datastore %q is not an Azure Blob datastore; batch endpoints read inputs from and write outputs to blob datastores only", name)
	}
	ds := &Datastore{Name: name, Account: *blob.AccountName, Container: *blob.ContainerName}
	ds.AccountURL = c.accountURL(blob)
	containerURL := ds.AccountURL + "/" + ds.Container
	copts := c.T.clientOptions()
	// Uploads of large files need longer per-try timeouts than ARM calls,
	// and larger write buffers (upload.Transport).
	copts.Retry = upload.RetryOptions()
	if copts.Transport == nil {
		copts.Transport = upload.Transport()
	}
	opts := &container.ClientOptions{ClientOptions: copts}

	secrets, serr := c.arm.NewDatastoresClient().ListSecrets(ctx, c.T.ResourceGroup, c.T.Workspace, name, nil)
	if serr == nil {
		switch s := secrets.DatastoreSecretsClassification.(type) {
		case *armmachinelearning.AccountKeyDatastoreSecrets:
			if s.Key != nil {
				cred, err := azblob.NewSharedKeyCredential(ds.Account, *s.Key)
				if err != nil {
					return nil, fmt.Errorf("datastore %q: its account key is not usable: %w", name, err)
				}
				ds.Client, err = container.NewClientWithSharedKeyCredential(containerURL, cred, opts)
				ds.Auth = "AccountKey"
				return ds, err
			}
		case *armmachinelearning.SasDatastoreSecrets:
			if s.SasToken != nil {
				sas := strings.TrimPrefix(*s.SasToken, "?")
				ds.Client, err = container.NewClientWithNoCredential(containerURL+"?"+sas, opts)
				ds.Auth = "Sas"
				return ds, err
			}
		}
	} else {
		var resp *azcore.ResponseError
		if !errors.As(serr, &resp) {
			return nil, c.check(serr, fmt.Sprintf("list secrets of datastore %q", name))
		}
	}
	// No usable secret: use the signed-in identity (needs Storage Blob Data
	// Contributor on the account).
	ds.Client, err = container.NewClient(containerURL, c.cred, opts)
	ds.Auth = "AAD"
	return ds, err
}

// accountURL is where the datastore's account is served: on Azure
// <protocol>://<account>.blob.<endpoint>; for a path-style endpoint
// (host:port, an IP address, localhost or a path: Azurite, the local
// workspace's blob service) <protocol>://<endpoint>/<account>.
func (c *Client) accountURL(ds *armmachinelearning.AzureBlobDatastore) string {
	protocol, endpoint := "https", c.T.Cloud.StorageSuffix
	if ds.Protocol != nil && *ds.Protocol != "" {
		protocol = *ds.Protocol
	}
	if ds.Endpoint != nil && *ds.Endpoint != "" {
		endpoint = *ds.Endpoint
	} else if c.T.Local {
		return c.T.LocalURL + "/blob/" + *ds.AccountName
	}
	if pathStyleEndpoint(endpoint) {
		return fmt.Sprintf("%s://%s/%s", protocol, endpoint, *ds.AccountName)
	}
	return fmt.Sprintf("%s://%s.blob.%s", protocol, *ds.AccountName, endpoint)
}

// pathStyleEndpoint reports whether a datastore endpoint names a
// path-style service rather than Azure's DNS suffix (core.windows.net).
func pathStyleEndpoint(endpoint string) bool {
	if strings.Contains(endpoint, "/") {
		return true
	}
	if h, _, err := net.SplitHostPort(endpoint); err == nil && h != "" {
		return true
	}
	return endpoint == "localhost" || net.ParseIP(endpoint) != nil
}
