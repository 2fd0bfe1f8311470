package blob

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// BenchmarkPutSmallBlobs uploads 2,000 blobs of 4 KiB with Put Blob from
// 16 concurrent azblob clients per iteration, the shape of a folder of
// small scoring inputs, and reports bytes/s and blobs/s.
func BenchmarkPutSmallBlobs(b *testing.B) {
	const (
		blobs   = 2000
		size    = 4 << 10
		workers = 16
	)
	tg := startHandler(b, nil)
	c := tg.newContainer(b)
	data := randomBytes(b, size)
	b.SetBytes(blobs * size)
	for i := 0; b.Loop(); i++ {
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := w; n < blobs; n += workers {
					name := fmt.Sprintf("run%d/inputs/%04d.bin", i, n)
					if _, err := c.NewBlockBlobClient(name).Upload(context.Background(), nopCloser(data), nil); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(blobs*b.N)/b.Elapsed().Seconds(), "blobs/s")
}
