package localtest

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/localinfo"
	"github.com/mlbatch/ml/internal/localws"
)

// TestServerRestartMidCommand: a command whose local workspace restarts
// while it runs (new token) reads server.json again on the 401, says so,
// and goes on at the same address; a token that is simply wrong gets a
// local hint, not Azure's "role" one; a server that moved to another port
// is named instead of retried.
func TestServerRestartMidCommand(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var notices bytes.Buffer
	target, err := azml.ResolveTarget(azml.TargetOptions{Local: true, LocalDir: e.dir, Getenv: e.getenv, Notices: &notices})
	if err != nil {
		t.Fatal(err)
	}
	c, err := azml.NewClient(target, e.getenv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetEndpoint(ctx, endpointName); err != nil {
		t.Fatal(err)
	}
	restart := func(addr string) *localws.Server {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := e.srv.Shutdown(sctx); err != nil {
			t.Fatal(err)
		}
		srv, err := localws.New(localws.Options{Dir: e.dir, Addr: addr, Runner: e.runner})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
		e.srv = srv
		return srv
	}
	oldURL := e.srv.URL()
	restart(strings.TrimPrefix(oldURL, "http://"))
	if _, err := c.GetEndpoint(ctx, endpointName); err != nil {
		t.Fatalf("after a restart on the same port: %v", err)
	}
	if !strings.Contains(notices.String(), "WARNING: the local workspace restarted while this command ran") {
		t.Errorf("no notice of the restart; notices: %q", notices.String())
	}

	info, err := localinfo.Read(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	wrong := *info
	wrong.Token = "not-the-token"
	bad, err := azml.NewClient(azml.NewLocalTarget(&wrong), e.getenv)
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.GetEndpoint(ctx, endpointName)
	if clierr.KindOf(err) != clierr.KindAuth || !strings.Contains(err.Error(), "the local workspace refused the token from its server.json") || strings.Contains(err.Error(), "role") {
		t.Errorf("wrong token: %v, want a local auth error without a role hint", err)
	}

	moved := restart("127.0.0.1:0")
	_, err = c.GetEndpoint(ctx, endpointName)
	if err == nil || !strings.Contains(err.Error(), "restarted while this command ran and now listens on "+moved.URL()) {
		t.Errorf("after a restart on another port: %v, want the new address named", err)
	}
}
