package azml

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/mlbatch/ml/pkg/mlapi"
)

// countingCredential counts GetToken calls per scope; while gate is set,
// each call waits for it to close. fail makes calls fail.
type countingCredential struct {
	mu    sync.Mutex
	calls map[string]int
	gate  chan struct{}
	fail  error
	life  time.Duration
	total atomic.Int64
}

func newCountingCredential() *countingCredential {
	return &countingCredential{calls: map[string]int{}, life: time.Hour}
}

func (c *countingCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	scope := strings.Join(opts.Scopes, " ")
	c.mu.Lock()
	c.calls[scope]++
	gate, fail, life := c.gate, c.fail, c.life
	c.mu.Unlock()
	c.total.Add(1)
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return azcore.AccessToken{}, ctx.Err()
		}
	}
	if fail != nil {
		return azcore.AccessToken{}, fail
	}
	return azcore.AccessToken{Token: "tok-" + scope, ExpiresOn: time.Now().Add(life)}, nil
}

func (c *countingCredential) count(scope string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[scope]
}

func scopeOpts(scope string) policy.TokenRequestOptions {
	return policy.TokenRequestOptions{Scopes: []string{scope}, EnableCAE: true}
}

func TestTokenCacheSharesOneFetch(t *testing.T) {
	cred := newCountingCredential()
	cred.gate = make(chan struct{})
	cache := newTokenCache(cred)
	ctx := context.Background()

	var wg sync.WaitGroup
	tokens := make([]string, 8)
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := cache.GetToken(ctx, scopeOpts("arm"))
			if err != nil {
				t.Errorf("GetToken: %v", err)
			}
			tokens[i] = tok.Token
		}()
	}
	for cred.total.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	close(cred.gate)
	wg.Wait()
	for _, tok := range tokens {
		if tok != "tok-arm" {
			t.Errorf("token %q, want tok-arm", tok)
		}
	}
	if _, err := cache.GetToken(ctx, scopeOpts("arm")); err != nil {
		t.Fatal(err)
	}
	if n := cred.count("arm"); n != 1 {
		t.Errorf("%d fetches for 9 requests of one scope, want 1", n)
	}
	if _, err := cache.GetToken(ctx, scopeOpts("ml")); err != nil {
		t.Fatal(err)
	}
	if n := cred.count("ml"); n != 1 {
		t.Errorf("another scope: %d fetches, want 1", n)
	}
	if newTokenCache(cache) != cache {
		t.Error("a cache wrapped again is a second cache")
	}
}

func TestTokenCacheRefetches(t *testing.T) {
	ctx := context.Background()
	t.Run("near expiry", func(t *testing.T) {
		cred := newCountingCredential()
		cred.life = refreshMargin - time.Second // already inside the refresh margin
		cache := newTokenCache(cred)
		for range 2 {
			if _, err := cache.GetToken(ctx, scopeOpts("arm")); err != nil {
				t.Fatal(err)
			}
		}
		if n := cred.count("arm"); n != 2 {
			t.Errorf("%d fetches of a token about to expire, want 2", n)
		}
	})
	t.Run("after an error", func(t *testing.T) {
		cred := newCountingCredential()
		cred.fail = errors.New("az login needed")
		cache := newTokenCache(cred)
		if _, err := cache.GetToken(ctx, scopeOpts("arm")); err == nil || !strings.Contains(err.Error(), "az login") {
			t.Fatalf("err %v, want the credential's", err)
		}
		cred.fail = nil
		if tok, err := cache.GetToken(ctx, scopeOpts("arm")); err != nil || tok.Token != "tok-arm" {
			t.Fatalf("after the credential recovered: %q, %v", tok.Token, err)
		}
	})
	t.Run("claims", func(t *testing.T) {
		cred := newCountingCredential()
		cache := newTokenCache(cred)
		opts := scopeOpts("arm")
		if _, err := cache.GetToken(ctx, opts); err != nil {
			t.Fatal(err)
		}
		opts.Claims = `{"access_token":{"nbf":{"essential":true}}}`
		if _, err := cache.GetToken(ctx, opts); err != nil {
			t.Fatal(err)
		}
		if n := cred.count("arm"); n != 2 {
			t.Errorf("a claims challenge was answered from the cache (%d fetches, want 2)", n)
		}
	})
	t.Run("starter gave up", func(t *testing.T) {
		cred := newCountingCredential()
		cred.gate = make(chan struct{})
		cache := newTokenCache(cred)
		first, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			_, err := cache.GetToken(first, scopeOpts("arm"))
			done <- err
		}()
		for cred.total.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("canceled caller: %v", err)
		}
		close(cred.gate)
		if tok, err := cache.GetToken(ctx, scopeOpts("arm")); err != nil || tok.Token != "tok-arm" {
			t.Fatalf("a caller after a canceled fetch: %q, %v (it must fetch again)", tok.Token, err)
		}
	})
}

// okTransport answers every request 200 with an empty JSON object, or, for
// the scoring POST, a job.
type okTransport struct{}

func (okTransport) Do(req *http.Request) (*http.Response, error) {
	body := `{}`
	if req.Method == http.MethodPost {
		body = `{"name":"job1","properties":{}}`
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
}

// TestClientSharesTokens: the ARM clients and the data-plane pipeline ask
// for one ARM token between them, and a prefetched scoring token is the
// one the scoring POST sends.
func TestClientSharesTokens(t *testing.T) {
	cl, err := LookupCloud("")
	if err != nil {
		t.Fatal(err)
	}
	cred := newCountingCredential()
	tg := &Target{Cloud: cl, Credential: cred, Subscription: fakeSub, ResourceGroup: "rg", Workspace: "ws", Transport: okTransport{}}
	c, err := NewClient(tg, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.GetEndpoint(ctx, "ep"); err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := c.getJSON(ctx, "https://"+dataHost+"/history/v1.0/x", &v); err != nil {
		t.Fatal(err)
	}
	if n := cred.count(cl.ARMScope()); n != 1 {
		t.Errorf("ARM client and data plane fetched %d ARM tokens, want 1 (calls %v)", n, cred.calls)
	}

	cred.gate = make(chan struct{})
	c.PrefetchScoringToken(ctx)
	for cred.count(cl.MLScope) == 0 {
		time.Sleep(time.Millisecond)
	}
	close(cred.gate)
	if _, err := c.Invoke(ctx, InvokeRequest{ScoringURI: "https://ep.westus2.inference.ml.azure.com/jobs", Body: &mlapi.BatchJobRequest{}}); err != nil {
		t.Fatal(err)
	}
	if n := cred.count(cl.MLScope); n != 1 {
		t.Errorf("prefetch and scoring POST fetched %d scoring tokens, want 1", n)
	}
}
