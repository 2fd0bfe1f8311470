package azurite

import (
	"context"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
)

func TestStartServesBlobAPI(t *testing.T) {
	inst := Start(t)
	cred, err := azblob.NewSharedKeyCredential(inst.Account, inst.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := azblob.NewClientWithSharedKeyCredential(inst.ServiceURL, cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateContainer(context.Background(), "probe", nil); err != nil {
		t.Fatalf("create container on azurite: %v", err)
	}
}
