package blob

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
)

// TestGroupSyncWaitsForALaterSync: a caller that arrives while a sync
// runs is not released by that sync (it may have started before the
// caller's write) but by the next one, and one sync serves everyone who
// waits for it.
func TestGroupSyncWaitsForALaterSync(t *testing.T) {
	started := make(chan int)
	release := make(chan struct{})
	var syncs atomic.Int32
	g := &groupSync{sync: func() error {
		started <- int(syncs.Add(1))
		<-release
		return nil
	}}
	ctx := context.Background()

	first := make(chan error, 1)
	go func() { first <- g.wait(ctx) }()
	if n := <-started; n != 1 {
		t.Fatalf("sync %d started, want 1", n)
	}
	// Ten callers arrive during the first sync.
	const late = 10
	var wg sync.WaitGroup
	var lateDone atomic.Int32
	for range late {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := g.wait(ctx); err != nil {
				t.Error(err)
			}
			lateDone.Add(1)
		}()
	}
	// All ten wait in the next round (polled: no deadline but the test's).
	for {
		g.mu.Lock()
		n := 0
		if g.next != nil {
			n = g.next.waiters
		}
		g.mu.Unlock()
		if n >= late {
			break
		}
		time.Sleep(time.Millisecond)
	}
	release <- struct{}{}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	lateAll := make(chan struct{})
	go func() { wg.Wait(); close(lateAll) }()
	// The second sync serves them all; none is released before it ends.
	select {
	case n := <-started:
		if n != 2 {
			t.Fatalf("sync %d started, want 2", n)
		}
	case <-lateAll:
		t.Fatal("the callers that arrived during the first sync were released by it")
	}
	if n := lateDone.Load(); n != 0 {
		t.Fatalf("%d callers that arrived during the first sync were released by it", n)
	}
	release <- struct{}{}
	wg.Wait()
	if n := syncs.Load(); n != 2 {
		t.Errorf("%d syncs for one caller and then ten at once, want 2", n)
	}
}

// TestGroupSyncErrorAndCancel: a failed sync fails every caller of its
// round; a caller whose context ends stops waiting.
func TestGroupSyncErrorAndCancel(t *testing.T) {
	broken := errors.New("disk on fire")
	g := &groupSync{sync: func() error { return broken }}
	if err := g.wait(context.Background()); !errors.Is(err, broken) {
		t.Fatalf("wait = %v, want the sync's error", err)
	}

	block := make(chan struct{})
	defer close(block)
	g = &groupSync{sync: func() error { <-block; return nil }}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("wait with a canceled context = %v, want context.Canceled", err)
	}
}

// TestWritesAreAnsweredAfterTheSync runs every write operation through the
// handler with a Sync that records, when it runs, whether the request has
// been answered yet and whether the change is already in the store: each
// write must be synced after it was made and before it was answered, and
// a read must not sync.
func TestWritesAreAnsweredAfterTheSync(t *testing.T) {
	var answered atomic.Bool
	var mu sync.Mutex
	var syncs []bool // answered at the time of each sync
	var check func() error
	tg := startHandler(t, func(o *Options) {
		o.Sync = func() error {
			mu.Lock()
			defer mu.Unlock()
			syncs = append(syncs, answered.Load())
			if check != nil {
				return check()
			}
			return nil
		}
	})
	ctx := context.Background()
	svc := tg.service(t)
	c := svc.NewContainerClient("durable")
	bb := c.NewBlockBlobClient("dir/blob.bin")
	blobFile := filepath.Join(tg.root, testAccount, "durable", "dir", "blob.bin")
	exists := func(want bool) func() error {
		return func() error {
			if _, err := os.Stat(blobFile); (err == nil) != want {
				return errors.New("the blob file is not as the write leaves it when the sync runs")
			}
			return nil
		}
	}
	blockID := "YmxvY2stMDAwMQ==" // base64("block-0001")
	steps := []struct {
		name  string
		check func() error
		write bool
		run   func() error
	}{
		{"create container", nil, true, func() error { _, err := c.Create(ctx, nil); return err }},
		{"put blob", exists(true), true, func() error {
			_, err := bb.Upload(ctx, nopCloser([]byte("hello")), nil)
			return err
		}},
		{"get blob (read)", nil, false, func() error { _, err := bb.GetProperties(ctx, nil); return err }},
		{"put block", nil, true, func() error {
			_, err := bb.StageBlock(ctx, blockID, nopCloser([]byte("block")), nil)
			return err
		}},
		{"put block list", nil, true, func() error {
			_, err := bb.CommitBlockList(ctx, []string{blockID}, nil)
			return err
		}},
		{"set metadata", nil, true, func() error {
			_, err := bb.SetMetadata(ctx, map[string]*string{"upload_status": ptr("completed")}, nil)
			return err
		}},
		{"set headers", nil, true, func() error {
			_, err := bb.SetHTTPHeaders(ctx, blob.HTTPHeaders{BlobContentType: ptr("text/plain")}, nil)
			return err
		}},
		{"list (read)", nil, false, func() error {
			_, err := c.NewListBlobsFlatPager(nil).NextPage(ctx)
			return err
		}},
		{"delete blob", exists(false), true, func() error { _, err := bb.Delete(ctx, nil); return err }},
		{"delete container", nil, true, func() error { _, err := c.Delete(ctx, nil); return err }},
	}
	for _, s := range steps {
		mu.Lock()
		syncs, check = nil, s.check
		mu.Unlock()
		answered.Store(false)
		err := s.run()
		answered.Store(true)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		mu.Lock()
		got := append([]bool(nil), syncs...)
		mu.Unlock()
		switch {
		case s.write && len(got) == 0:
			t.Errorf("%s was answered without a sync", s.name)
		case s.write && got[0]:
			t.Errorf("%s was answered before its sync", s.name)
		case !s.write && len(got) > 0:
			t.Errorf("%s synced %d times; reads change nothing", s.name, len(got))
		}
	}
}

// TestFailedSyncAnswers500: when the store cannot be synced the write is
// answered 500 InternalError naming the disk, so the client retries
// instead of trusting content that may not survive.
func TestFailedSyncAnswers500(t *testing.T) {
	var broken atomic.Bool
	tg := startHandler(t, func(o *Options) {
		o.Sync = func() error {
			if broken.Load() {
				return errors.New("input/output error")
			}
			return nil
		}
	})
	c := tg.newContainer(t)
	broken.Store(true)
	_, err := c.NewBlockBlobClient("x").Upload(context.Background(), nopCloser([]byte("x")), &blockblob.UploadOptions{})
	wantStatus(t, err, http.StatusInternalServerError, "InternalError")
	if !strings.Contains(err.Error(), "could not write the change to disk (input/output error)") {
		t.Errorf("error %v does not say the sync failed", err)
	}
}
