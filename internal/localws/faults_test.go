package localws

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

func TestParseFaults(t *testing.T) {
	cases := []struct {
		in      string
		want    FaultOptions
		wantErr string
	}{
		{"", FaultOptions{}, ""},
		{"rate=0.3,kinds=429+503+drop,seed=1", FaultOptions{Rate: 0.3, Kinds: []string{"429", "503", "drop"}, Seed: 1}, ""},
		{" seed=7 , rate=1 ,kinds=drop,retryafter=0", FaultOptions{Rate: 1, Kinds: []string{"drop"}, Seed: 7, RetryAfter: -1}, ""},
		{"rate=0.5,retryafter=3", FaultOptions{Rate: 0.5, RetryAfter: 3 * time.Second}, ""},
		{"rate=1.5", FaultOptions{}, "between 0 and 1"},
		{"rate=abc", FaultOptions{}, "not a number"},
		{"kinds=500", FaultOptions{}, "fault kind \"500\""},
		{"rate", FaultOptions{}, "not key=value"},
		{"speed=1", FaultOptions{}, "unknown key"},
		{"latency=50ms", FaultOptions{Latency: 50 * time.Millisecond}, ""},
		{"rate=0.1,latency=1s", FaultOptions{Rate: 0.1, Latency: time.Second}, ""},
		{"latency=soon", FaultOptions{}, "not a duration"},
		{"latency=-1s", FaultOptions{}, "not a duration"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseFaults(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
			// The text form round-trips through the flag interface.
			var again FaultOptions
			if err := again.Set(got.String()); err != nil || !reflect.DeepEqual(again, got) && (got.Rate != 0 || got.Latency != 0) {
				t.Errorf("String/Set round trip: %q -> %+v, %v", got.String(), again, err)
			}
		})
	}
	t.Setenv(EnvFaults, "rate=0.2,kinds=503")
	if f, err := FaultsFromEnv(); err != nil || f.Rate != 0.2 || !reflect.DeepEqual(f.Kinds, []string{"503"}) {
		t.Errorf("FaultsFromEnv = %+v, %v", f, err)
	}
	t.Setenv(EnvFaults, "rate=x")
	if _, err := FaultsFromEnv(); err == nil || !strings.Contains(err.Error(), EnvFaults) {
		t.Errorf("FaultsFromEnv with a bad value: %v, want an error naming %s", err, EnvFaults)
	}
	if (&FaultOptions{}).Type() != "faults" {
		t.Errorf("Type")
	}
}

// TestFaultKinds: with rate 1 every request gets the configured fault,
// before any handler runs (a faulted PUT creates nothing), and is counted.
func TestFaultKinds(t *testing.T) {
	cases := []struct {
		kind       string
		retryAfter time.Duration
		status     int
		header     string
	}{
		{FaultTooManyRequests, 0, http.StatusTooManyRequests, "1"},
		{FaultTooManyRequests, -1, http.StatusTooManyRequests, "0"},
		{FaultUnavailable, 0, http.StatusServiceUnavailable, ""},
		{FaultDrop, 0, 0, ""},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s retry-after %v", tc.kind, tc.retryAfter), func(t *testing.T) {
			dir := t.TempDir()
			e := newEnvIn(t, dir, func(o *Options) {
				o.Faults = FaultOptions{Rate: 1, Kinds: []string{tc.kind}, RetryAfter: tc.retryAfter}
			})
			path := e.url + wsPath() + "/batchEndpoints/faulted?api-version=2024-04-01"
			req, _ := http.NewRequest(http.MethodPut, path, strings.NewReader(`{"location":"local","properties":{"authMode":"AADToken"}}`))
			req.Header.Set("Authorization", "Bearer "+e.token)
			resp, err := e.http.Do(req)
			if tc.status == 0 {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("dropped request got a response: %d", resp.StatusCode)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != tc.status || resp.Header.Get("Retry-After") != tc.header {
					t.Errorf("status %d Retry-After %q, want %d %q", resp.StatusCode, resp.Header.Get("Retry-After"), tc.status, tc.header)
				}
			}
			counts := e.srv.FaultCounts()
			if counts[tc.kind] < 1 {
				t.Errorf("counts %v, want %s counted", counts, tc.kind)
			}
			e.stop()
			// Reopen without faults: the PUT had no effect.
			clean := newEnvIn(t, dir)
			if resp, _ := clean.do(http.MethodGet, wsPath()+"/batchEndpoints/faulted?api-version=2024-04-01", nil, nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("a faulted PUT created the endpoint: %d", resp.StatusCode)
			}
		})
	}
}

// TestFaultsWithRetryingClient: a third of requests fail with every kind;
// the SDK's retries still create each endpoint exactly once.
func TestFaultsWithRetryingClient(t *testing.T) {
	e := newEnv(t, func(o *Options) {
		o.Faults = FaultOptions{Rate: 0.3, Kinds: []string{"429", "503", "drop"}, Seed: 1, RetryAfter: -1}
	})
	opts := e.armOptions()
	opts.Retry = policy.RetryOptions{MaxRetries: 10, RetryDelay: time.Millisecond, MaxRetryDelay: 5 * time.Millisecond}
	client, err := armmachinelearning.NewBatchEndpointsClient(DefaultSubscription, e.cred(), opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const n = 12
	for i := 0; i < n; i++ {
		poller, err := client.BeginCreateOrUpdate(ctx, rg, ws, fmt.Sprintf("ep%d", i), armmachinelearning.BatchEndpoint{
			Location: to.Ptr("local"), Properties: &armmachinelearning.BatchEndpointProperties{AuthMode: to.Ptr(armmachinelearning.EndpointAuthModeAADToken)},
		}, nil)
		if err != nil {
			t.Fatalf("create ep%d: %v", i, err)
		}
		if _, err := poller.PollUntilDone(ctx, pollFast); err != nil {
			t.Fatalf("create ep%d: poll: %v", i, err)
		}
	}
	seen := map[string]int{}
	pager := client.NewListPager(rg, ws, &armmachinelearning.BatchEndpointsClientListOptions{Count: to.Ptr[int32](5)})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		for _, ep := range page.Value {
			seen[*ep.Name]++
		}
	}
	if len(seen) != n {
		t.Errorf("%d endpoints listed, want %d: %v", len(seen), n, seen)
	}
	counts := e.srv.FaultCounts()
	for _, k := range []string{"429", "503", "drop"} {
		if counts[k] == 0 {
			t.Errorf("no %s fault injected: %v", k, counts)
		}
	}
	t.Logf("faults injected: %v", counts)
}

// TestFaultsWithEffects: a lost answer loses only the answer (the PUT took
// effect, the client saw the connection close); a corrupted body is refused
// and creates nothing; SetFaults switches faults on a running server and
// resets the counts.
func TestFaultsWithEffects(t *testing.T) {
	e := newEnv(t)
	put := func(name string) (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodPut, e.url+wsPath()+"/batchEndpoints/"+name+"?api-version=2024-04-01", strings.NewReader(`{"location":"local","properties":{"authMode":"AADToken"}}`))
		req.Header.Set("Authorization", "Bearer "+e.token)
		req.Header.Set("Content-Type", "application/json")
		return e.http.Do(req)
	}
	exists := func(name string) bool {
		t.Helper()
		resp, _ := e.do(http.MethodGet, wsPath()+"/batchEndpoints/"+name+"?api-version=2024-04-01", nil, nil)
		return resp.StatusCode == http.StatusOK
	}

	if err := e.srv.SetFaults(FaultOptions{Rate: 1, Kinds: []string{FaultLost}}); err != nil {
		t.Fatal(err)
	}
	if resp, err := put("lost"); err == nil {
		resp.Body.Close()
		t.Fatalf("a lost answer arrived: %d", resp.StatusCode)
	}
	if got := e.srv.FaultCounts()[FaultLost]; got != 1 {
		t.Errorf("%d lost answers counted, want 1", got)
	}

	if err := e.srv.SetFaults(FaultOptions{Rate: 1, Kinds: []string{FaultCorrupt}}); err != nil {
		t.Fatal(err)
	}
	resp, err := put("corrupt")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a corrupted body got %d, want 400", resp.StatusCode)
	}
	if counts := e.srv.FaultCounts(); counts[FaultCorrupt] != 1 || counts[FaultLost] != 0 {
		t.Errorf("counts %v after SetFaults, want corrupt 1 and lost reset to 0", counts)
	}

	if err := e.srv.SetFaults(FaultOptions{Rate: 1, Kinds: []string{"bitrot"}}); err == nil {
		t.Error("SetFaults accepted an unknown kind")
	}
	if err := e.srv.SetFaults(FaultOptions{}); err != nil {
		t.Fatal(err)
	}
	if !exists("lost") {
		t.Error("the PUT whose answer was lost did not take effect")
	}
	if exists("corrupt") {
		t.Error("the PUT with a corrupted body created the endpoint")
	}
}

// TestFaultLatency: with a latency every request waits at least that long
// before it is served, and is served normally after it.
func TestFaultLatency(t *testing.T) {
	e := newEnv(t)
	const latency = 40 * time.Millisecond
	if err := e.srv.SetFaults(FaultOptions{Latency: latency}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	resp, _ := e.do(http.MethodGet, wsPath()+"/batchEndpoints?api-version=2024-04-01", nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET with latency: %d, want 200", resp.StatusCode)
	}
	if waited := time.Since(start); waited < latency {
		t.Errorf("the request was answered after %v, before the %v latency", waited, latency)
	}

}
