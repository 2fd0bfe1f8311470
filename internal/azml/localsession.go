package azml

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/mlbatch/ml/internal/localinfo"
)

// localRealm is the realm of the local workspace's 401 challenges; it
// tells a local refusal from Azure's, whose fix is a role, not a restart.
const localRealm = `realm="ml-local"`

// localSession is the local workspace as one command knows it: the
// server.json it started with. The server's token changes at every start,
// so a 401 from it usually means it restarted while the command ran: the
// session then reads server.json again and, when the server is back at the
// same address, sends the request again with the new token and says so on
// Notices. It is both the credential of a local target and a per-retry
// policy of its pipelines (after the bearer policy, so it can replace a
// stale token the bearer policy cached).
type localSession struct {
	dir string
	// Notices receives the one-line notice that the server restarted; nil
	// discards it.
	notices io.Writer

	mu   sync.Mutex
	info *localinfo.Info
}

func (s *localSession) current() *localinfo.Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.info
}

// GetToken implements azcore.TokenCredential: the local workspace uses one
// token for every audience.
func (s *localSession) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: s.current().Token, ExpiresOn: time.Now().Add(24 * time.Hour)}, nil
}

// Do implements policy.Policy. Requests to the server that carry a bearer
// token get the session's current one (blob requests, signed with the
// account key, are left alone); a 401 carrying the local realm makes the
// session look at server.json again.
func (s *localSession) Do(req *policy.Request) (*http.Response, error) {
	raw := req.Raw()
	info := s.current()
	bearer := strings.HasPrefix(raw.Header.Get("Authorization"), "Bearer ")
	if !bearer || !sameServer(raw, info.URL) {
		return req.Next()
	}
	raw.Header.Set("Authorization", "Bearer "+info.Token)
	resp, err := req.Next()
	if err != nil {
		// No answer: if the server has stopped or moved, retrying the old
		// address is pointless; say where it went instead.
		if moved := s.gone(info); moved != nil {
			return nil, moved
		}
		return nil, err
	}
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), localRealm) {
		return resp, nil
	}
	now, rerr := localinfo.Read(s.dir)
	switch {
	case rerr != nil:
		resp.Body.Close()
		return nil, stopError{fmt.Errorf("the local workspace refused the token and has stopped since this command started: %w", rerr)}
	case now.Token == info.Token:
		return resp, nil // not a restart: ClassifyAuth words the 401
	case !strings.EqualFold(now.URL, info.URL):
		resp.Body.Close()
		return nil, movedError(now, info)
	}
	resp.Body.Close()
	s.mu.Lock()
	s.info = now
	s.mu.Unlock()
	if s.notices != nil {
		fmt.Fprintf(s.notices, "WARNING: the local workspace restarted while this command ran (pid %d, started %s); continuing with its new token.\n",
			now.PID, now.StartedAt.Local().Format(time.TimeOnly))
	}
	if err := req.RewindBody(); err != nil {
		return nil, err
	}
	raw.Header.Set("Authorization", "Bearer "+now.Token)
	return req.Next()
}

// gone returns why the server of info cannot answer any more (it stopped,
// or restarted on another address), or nil when server.json still names
// it.
func (s *localSession) gone(info *localinfo.Info) error {
	now, err := localinfo.Read(s.dir)
	switch {
	case errors.Is(err, localinfo.ErrNotRunning):
		return stopError{fmt.Errorf("the local workspace at %s stopped while this command ran: start it with `ml local serve` and run the command again", info.URL)}
	case err == nil && !strings.EqualFold(now.URL, info.URL):
		return movedError(now, info)
	}
	return nil
}

func movedError(now, was *localinfo.Info) error {
	return stopError{fmt.Errorf("the local workspace restarted while this command ran and now listens on %s (it was on %s): run the command again", now.URL, was.URL)}
}

// stopError ends a request for good: azcore's retry policy does not retry
// errors with a NonRetriable method.
type stopError struct{ error }

func (stopError) NonRetriable()   {}
func (e stopError) Unwrap() error { return e.error }

// sameServer reports whether req goes to the server at base.
func sameServer(req *http.Request, base string) bool {
	return strings.EqualFold(req.URL.Scheme+"://"+req.URL.Host, strings.TrimSuffix(base, "/"))
}

// isLocalRefusal reports whether resp is the local workspace refusing a
// token (its 401 challenge names the local realm).
func isLocalRefusal(resp *azcore.ResponseError) bool {
	return resp != nil && resp.RawResponse != nil && resp.StatusCode == http.StatusUnauthorized &&
		strings.Contains(resp.RawResponse.Header.Get("WWW-Authenticate"), localRealm)
}
