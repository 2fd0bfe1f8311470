package azml

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// tokenCache shares one credential's tokens between a Client's pipelines.
// Each azcore bearer policy keeps its own token, so without it the ARM
// client factory and the data-plane pipeline, which ask for the same scope,
// would each fetch one: with the Azure CLI credential every fetch is an `az
// account get-access-token` process of about a second. It also lets a
// command fetch a token it will need later while it does other work
// (Client.PrefetchScoringToken). Concurrent requests for one token wait for
// a single fetch. Only the process's memory holds the tokens.
type tokenCache struct {
	cred azcore.TokenCredential

	mu      sync.Mutex
	fetches map[string]*tokenFetch
}

// tokenFetch is one GetToken of the underlying credential; done is closed
// when tok and err are set.
type tokenFetch struct {
	done chan struct{}
	tok  azcore.AccessToken
	err  error
}

// refreshMargin is how long before its expiry a token is fetched anew,
// azcore's bearer policy's own margin when the token names no refresh time.
const refreshMargin = 5 * time.Minute

func newTokenCache(cred azcore.TokenCredential) azcore.TokenCredential {
	if cred == nil {
		return nil
	}
	if c, ok := cred.(*tokenCache); ok {
		return c
	}
	return &tokenCache{cred: cred, fetches: map[string]*tokenFetch{}}
}

// GetToken implements azcore.TokenCredential. A request carrying claims (a
// Continuous Access Evaluation challenge) always goes to the credential:
// the service refused the cached token.
func (c *tokenCache) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if opts.Claims != "" {
		return c.cred.GetToken(ctx, opts)
	}
	key := tokenKey(opts)
	for {
		f := c.fetch(ctx, key, opts)
		select {
		case <-f.done:
		case <-ctx.Done():
			return azcore.AccessToken{}, ctx.Err()
		}
		// A fetch started by a caller that has since given up fails with
		// that caller's cancellation; this caller fetches again.
		if f.err != nil && ctx.Err() == nil && (errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded)) {
			c.forget(key, f)
			continue
		}
		return f.tok, f.err
	}
}

// fetch returns the fetch of key that is under way or holds a usable token,
// starting one when there is none. A failed fetch is not kept: the next
// caller tries again.
func (c *tokenCache) fetch(ctx context.Context, key string, opts policy.TokenRequestOptions) *tokenFetch {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f := c.fetches[key]; f != nil {
		select {
		case <-f.done:
			if f.err == nil && usable(f.tok, time.Now()) {
				return f
			}
		default:
			return f // under way
		}
	}
	f := &tokenFetch{done: make(chan struct{})}
	c.fetches[key] = f
	go func() {
		defer close(f.done)
		f.tok, f.err = c.cred.GetToken(ctx, opts)
	}()
	return f
}

func (c *tokenCache) forget(key string, f *tokenFetch) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fetches[key] == f {
		delete(c.fetches, key)
	}
}

// usable reports whether tok may still be handed out at now: before the
// refresh time the authority suggested, else refreshMargin before expiry.
func usable(tok azcore.AccessToken, now time.Time) bool {
	if !tok.RefreshOn.IsZero() {
		return now.Before(tok.RefreshOn)
	}
	return now.Before(tok.ExpiresOn.Add(-refreshMargin))
}

func tokenKey(opts policy.TokenRequestOptions) string {
	return strings.Join(opts.Scopes, " ") + "|" + opts.TenantID + "|" + strconv.FormatBool(opts.EnableCAE)
}

// PrefetchScoringToken starts fetching the token of the scoring URI's
// audience in the background, so a command that will POST to it later
// (invoke) does not wait for the credential then. A failed prefetch is
// forgotten: the request asks the credential again and reports its error.
func (c *Client) PrefetchScoringToken(ctx context.Context) {
	go func() {
		_, _ = c.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{c.T.Cloud.MLScope}, EnableCAE: true})
	}()
}
