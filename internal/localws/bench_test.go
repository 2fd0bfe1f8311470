package localws

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

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
