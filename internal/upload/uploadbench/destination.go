package uploadbench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/mlbatch/ml/internal/localws"
)

// Destination is an empty place to upload to: the fields a ChildRequest
// needs to reach it and a client the benchmark checks it with. Every
// upload gets a new one, so content uploaded before is never skipped.
type Destination struct {
	// Request has the destination fields set; Source is left empty.
	Request ChildRequest
	// Client reaches the same container as the child.
	Client *container.Client
	close  func(context.Context) error
}

// Close deletes the destination and what was uploaded to it.
func (d *Destination) Close(ctx context.Context) error {
	if d.close == nil {
		return nil
	}
	return d.close(ctx)
}

// NewContainerDestination creates a container with a random name in a
// Shared Key account such as Azurite's (serviceURL is the account URL, e.g.
// http://127.0.0.1:10000/devstoreaccount1). Close deletes the container;
// Azurite frees its disk space later, on its own schedule.
func NewContainerDestination(ctx context.Context, serviceURL, account, key string) (*Destination, error) {
	suffix := make([]byte, 8)
	if _, err := rand.Read(suffix); err != nil {
		return nil, err
	}
	name := "bench" + hex.EncodeToString(suffix)
	url := serviceURL + "/" + name
	c, err := SharedKeyContainer(url, account, key)
	if err != nil {
		return nil, err
	}
	if _, err := c.Create(ctx, nil); err != nil {
		return nil, fmt.Errorf("create container %s: %w", name, err)
	}
	return &Destination{
		Request: ChildRequest{ContainerURL: url, Account: account, Key: key},
		Client:  c,
		close: func(ctx context.Context) error {
			_, err := c.Delete(ctx, nil)
			return err
		},
	}, nil
}

// NewLocalDestination starts a local workspace (localws) on a free
// loopback port with its state in a new folder below parent, and opens its
// workspaceblobstore container the way ml does. Close shuts the server
// down and removes the folder.
func NewLocalDestination(ctx context.Context, parent string) (*Destination, error) {
	dir, err := os.MkdirTemp(parent, "localws-")
	if err != nil {
		return nil, err
	}
	srv, err := localws.New(localws.Options{Dir: dir, Addr: "127.0.0.1:0"})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := srv.Start(ctx); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	d := &Destination{
		Request: ChildRequest{LocalDir: dir},
		close: func(ctx context.Context) error {
			return errors.Join(srv.Shutdown(ctx), os.RemoveAll(dir))
		},
	}
	if d.Client, err = d.Request.containerClient(ctx); err != nil {
		return nil, errors.Join(err, d.Close(ctx))
	}
	return d, nil
}
