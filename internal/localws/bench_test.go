package localws

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/mlbatch/ml/pkg/mlapi"
)

// BenchmarkInvoke fires 200 concurrent scoring POSTs per iteration at one
// server and reports throughput and the 99th percentile latency. Every
// request must get a 201 with a distinct job.
func BenchmarkInvoke(b *testing.B) {
	const concurrent = 200
	e := newEnv(b)
	e.setupModelDeployment()
	body, _ := json.Marshal(folderBody("azureml://datastores/workspaceblobstore/paths/data/in/"))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrent, MaxConnsPerHost: concurrent}, Timeout: time.Minute}
	target := e.url + "/endpoints/ep/jobs"

	var latencies []time.Duration
	var elapsed time.Duration
	names := map[string]bool{}
	failures := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lat := make([]time.Duration, concurrent)
		got := make([]string, concurrent)
		errs := make([]error, concurrent)
		var wg sync.WaitGroup
		start := time.Now()
		for k := 0; k < concurrent; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+e.token)
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					errs[k] = err
					return
				}
				data, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				lat[k] = time.Since(t0)
				if resp.StatusCode != http.StatusCreated {
					errs[k] = &apiError{Status: resp.StatusCode, Message: string(data)}
					return
				}
				var job mlapi.BatchJobResource
				if err := json.Unmarshal(data, &job); err != nil {
					errs[k] = err
					return
				}
				got[k] = job.Name
			}()
		}
		wg.Wait()
		elapsed += time.Since(start)
		for k := range errs {
			if errs[k] != nil {
				failures++
				if failures == 1 {
					b.Errorf("invoke failed: %v", errs[k])
				}
				continue
			}
			names[got[k]] = true
			latencies = append(latencies, lat[k])
		}
	}
	b.StopTimer()
	if failures > 0 {
		b.Fatalf("%d of %d invokes failed", failures, concurrent*b.N)
	}
	if len(names) != concurrent*b.N {
		b.Fatalf("%d distinct jobs for %d invokes", len(names), concurrent*b.N)
	}
	slices.Sort(latencies)
	p99 := latencies[(len(latencies)*99+99)/100-1]
	b.ReportMetric(float64(concurrent*b.N)/elapsed.Seconds(), "invokes/s")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
}

// BenchmarkBlobUploads puts 2,000 small blobs (4 KiB) per iteration into
// one server's workspaceblobstore through azblob, 32 at a time, and
// reports throughput and the 99th percentile latency. Every upload must
// succeed and be listed afterwards.
func BenchmarkBlobUploads(b *testing.B) {
	const blobs, workers = 2000, 32
	e := newEnv(b)
	c := e.blobClient()
	payload := bytes.Repeat([]byte("0123456789abcdef"), 256)
	ctx := context.Background()

	var latencies []time.Duration
	var elapsed time.Duration
	b.SetBytes(int64(blobs * len(payload)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		prefix := fmt.Sprintf("bench/%d/", i)
		lat := make([]time.Duration, blobs)
		errs := make([]error, blobs)
		next := make(chan int)
		var wg sync.WaitGroup
		start := time.Now()
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range next {
					t0 := time.Now()
					_, errs[k] = c.UploadBuffer(ctx, e.container(), fmt.Sprintf("%sblob-%04d", prefix, k), payload, nil)
					lat[k] = time.Since(t0)
				}
			}()
		}
		for k := 0; k < blobs; k++ {
			next <- k
		}
		close(next)
		wg.Wait()
		elapsed += time.Since(start)
		for k, err := range errs {
			if err != nil {
				b.Fatalf("upload %d failed: %v", k, err)
			}
		}
		latencies = append(latencies, lat...)
		b.StopTimer()
		listed := 0
		pager := c.NewListBlobsFlatPager(e.container(), &azblob.ListBlobsFlatOptions{Prefix: &prefix})
		for pager.More() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				b.Fatal(err)
			}
			listed += len(page.Segment.BlobItems)
		}
		if listed != blobs {
			b.Fatalf("%d blobs listed after %d uploads", listed, blobs)
		}
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(latencies)
	p99 := latencies[(len(latencies)*99+99)/100-1]
	b.ReportMetric(float64(blobs*b.N)/elapsed.Seconds(), "uploads/s")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
}
