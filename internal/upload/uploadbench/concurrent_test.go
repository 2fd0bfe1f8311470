package uploadbench

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/mlbatch/ml/internal/testutil/azurite"
)

// TestConcurrentUploadsCorruptNothing: two `ml data create --path` processes
// uploading the same folder at once into one workspace, sharing one hash
// cache, both succeed and name the same upload; the datastore then holds
// every file byte for byte with one completion marker, and the shared cache
// entry is whole (a third upload decides from it without reading content,
// and skips). Small blocks make every file above 64 KiB a block upload of
// up to 32 blocks, so the two processes' blocks and commits of one blob
// interleave: a commit discards the blocks the other process has staged.
// Both destinations: an Azurite account (--storage-connection-string) and
// the local workspace's own blob store.
func TestConcurrentUploadsCorruptNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ml and starts Azurite")
	}
	t.Setenv("ML_UPLOAD_PUT_LIMIT", "64KiB")
	t.Setenv("ML_UPLOAD_BLOCK_SIZE", "64KiB")
	ctx := context.Background()
	work := t.TempDir()
	ml, err := BuildML(ctx, work)
	if err != nil {
		t.Fatal(err)
	}
	ds := Dataset{Name: "shared", Files: 40, MinSize: 1, MaxSize: 2 * MiB, Seed: 7}
	tree, err := ds.Generate(filepath.Join(work, "data"))
	if err != nil {
		t.Fatal(err)
	}
	az := azurite.StartLoose(t)
	conn := "DefaultEndpointsProtocol=http;AccountName=" + az.Account + ";AccountKey=" + az.Key + ";BlobEndpoint=" + az.ServiceURL
	for name, conn := range map[string]string{"azurite": conn, "local": ""} {
		t.Run(name, func(t *testing.T) {
			w, err := StartWorkspace(ctx, ml, work, conn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := w.Close(); err != nil {
					t.Error(err)
				}
			})
			cache := t.TempDir()
			r := newRunner(t)
			var wg sync.WaitGroup
			remotes := make([]string, 2)
			errs := make([]error, 2)
			for i := range 2 {
				wg.Go(func() { _, remotes[i], errs[i] = r.DataCreate(ctx, w, tree, cache) })
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("ml data create %d: %v", i+1, err)
				}
			}
			if remotes[0] != remotes[1] {
				t.Fatalf("the two uploads went to %s and %s", remotes[0], remotes[1])
			}
			d, err := w.Datastore(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyUpload(ctx, d.Client, remotes[0], tree.Files, tree.Bytes); err != nil {
				t.Fatal(err)
			}
			compareBlobs(ctx, t, d.Client, remotes[0], tree)

			r.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache)
			_, again, err := r.Upload(ctx, tree, &Destination{Request: ChildRequest{LocalDir: w.Dir}})
			if err != nil {
				t.Fatal(err)
			}
			if !again.Cached || !again.Skipped || again.RemotePath != remotes[0] {
				t.Errorf("third upload: cached=%v skipped=%v to %s, want cached and skipped to %s (the shared cache entry must be whole)", again.Cached, again.Skipped, again.RemotePath, remotes[0])
			}
		})
	}
}

// compareBlobs downloads every file of tree from remote and compares it
// with the file, byte for byte.
func compareBlobs(ctx context.Context, t *testing.T, c *container.Client, remote string, tree *Tree) {
	t.Helper()
	for i := range tree.Files {
		rel := Dataset{}.RelPath(i)
		local, err := os.ReadFile(filepath.Join(tree.Root, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.NewBlobClient(remote+"/"+rel).DownloadStream(ctx, nil)
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, local) {
			t.Errorf("%s: blob differs from the file (%d vs %d bytes)", rel, len(got), len(local))
		}
	}
}
