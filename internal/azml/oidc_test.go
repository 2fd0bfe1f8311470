package azml

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/mlbatch/ml/internal/clierr"
)

const (
	testTenant       = "11111111-2222-3333-4444-555555555555"
	testClient       = "app-123"
	testRequestToken = "gh-request-token-SECRET"
)

// fakeJWT is an unsigned token with the given claims; the fakes never
// verify signatures, Entra would.
func fakeJWT(claims string) string {
	return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".c2lnbmF0dXJl"
}

// fakeGitHub is GitHub's OIDC token endpoint: it checks the request token
// and the audience and hands out a new JWT with subject sub each time.
type fakeGitHub struct {
	*httptest.Server
	mu     sync.Mutex
	issued []string
	status int // non-zero: fail with this status
	sub    string
}

func newFakeGitHub(t *testing.T, sub string) *fakeGitHub {
	g := &fakeGitHub{sub: sub}
	g.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/oidc/token" {
			http.NotFound(w, r)
			return
		}
		if got := r.Header.Get("Authorization"); got != "Bearer "+testRequestToken {
			t.Errorf("GitHub token request Authorization = %q, want the request token", got)
		}
		q := r.URL.Query()
		if q.Get("audience") != entraAudience || q.Get("api-version") != "2.0" {
			t.Errorf("GitHub token request query = %s, want audience %s and the URL's own api-version", r.URL.RawQuery, entraAudience)
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.status != 0 {
			w.WriteHeader(g.status)
			fmt.Fprint(w, `{"message":"Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable"}`)
			return
		}
		tok := fakeJWT(fmt.Sprintf(`{"iss":%q,"sub":%q,"aud":%q,"jti":"%d"}`, githubIssuer, g.sub, entraAudience, len(g.issued)+1))
		g.issued = append(g.issued, tok)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"count": 1, "value": tok})
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *fakeGitHub) tokens() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.issued...)
}

// fakeAuthority is a Microsoft Entra tenant: OpenID metadata and a token
// endpoint whose answer to each client-credentials form is token().
type fakeAuthority struct {
	*httptest.Server
	mu    sync.Mutex
	forms []url.Values
}

func newFakeAuthority(t *testing.T, token func(form url.Values) (int, map[string]any)) *fakeAuthority {
	a := &fakeAuthority{}
	a.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		base := a.URL + "/" + testTenant
		switch {
		case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
			json.NewEncoder(w).Encode(map[string]any{
				"token_endpoint":         base + "/oauth2/v2.0/token",
				"authorization_endpoint": base + "/oauth2/v2.0/authorize",
				"issuer":                 base + "/v2.0",
			})
		case r.URL.Path == "/"+testTenant+"/oauth2/v2.0/token":
			if err := r.ParseForm(); err != nil {
				t.Errorf("token request form: %v", err)
			}
			a.mu.Lock()
			a.forms = append(a.forms, r.PostForm)
			a.mu.Unlock()
			status, body := token(r.PostForm)
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(body)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *fakeAuthority) cloud() Cloud {
	return Cloud{Name: "Fake", ARM: cloud.Configuration{
		ActiveDirectoryAuthorityHost: a.URL + "/",
		Services:                     map[cloud.ServiceName]cloud.ServiceConfiguration{cloud.ResourceManager: {Endpoint: a.URL, Audience: a.URL}},
	}}
}

func (a *fakeAuthority) received() []url.Values {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]url.Values(nil), a.forms...)
}

func githubEnv(gh *fakeGitHub, extra map[string]string) func(string) string {
	env := map[string]string{
		envGitHubTokenURL:   gh.URL + "/oidc/token?api-version=2.0",
		envGitHubTokenToken: testRequestToken,
		"AZURE_CLIENT_ID":   testClient,
		"AZURE_TENANT_ID":   testTenant,
		"GITHUB_ACTIONS":    "true",
	}
	for k, v := range extra {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

func aadstsRefusal(code int, text string) (int, map[string]any) {
	return http.StatusBadRequest, map[string]any{
		"error":             "invalid_client",
		"error_description": text + " Trace ID: x Correlation ID: y Timestamp: 2026-01-01 00:00:00Z",
		"error_codes":       []int{code},
	}
}

// TestGitHubOIDCExchange signs in as GitHub Actions does with ml: the
// GitHub token (audience api://AzureADTokenExchange) exchanged at the
// tenant's token endpoint, a fresh GitHub token for every exchange, and no
// token in the --debug trace.
func TestGitHubOIDCExchange(t *testing.T) {
	gh := newFakeGitHub(t, "repo:org/app:ref:refs/heads/main")
	n := 0
	var mu sync.Mutex
	auth := newFakeAuthority(t, func(url.Values) (int, map[string]any) {
		mu.Lock()
		defer mu.Unlock()
		n++
		// Valid for one minute: inside azidentity's refresh margin, so the
		// next GetToken exchanges again.
		return http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 60, "access_token": fmt.Sprintf("entra-access-token-%d", n)}
	})
	var trace bytes.Buffer
	cred, err := NewCredential(auth.cloud(), githubEnv(gh, nil), CredentialOptions{Transport: gh.Client(), Trace: &trace, DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cred.(*federatedCredential); !ok {
		t.Fatalf("NewCredential chose %T, want the GitHub OIDC credential", cred)
	}
	var got []string
	for range 2 {
		tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}})
		if err != nil {
			t.Fatalf("GetToken: %v", err)
		}
		got = append(got, tok.Token)
	}
	if got[0] != "entra-access-token-1" || got[1] != "entra-access-token-2" {
		t.Errorf("tokens = %v, want the two exchanged Entra tokens", got)
	}

	issued, forms := gh.tokens(), auth.received()
	if len(issued) != 2 || len(forms) != 2 || issued[0] == issued[1] {
		t.Fatalf("%d GitHub tokens for %d exchanges, want a fresh GitHub token per exchange", len(issued), len(forms))
	}
	for i, form := range forms {
		want := map[string]string{
			"grant_type":            "client_credentials",
			"client_id":             testClient,
			"client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
			"client_assertion":      issued[i],
		}
		for k, v := range want {
			if form.Get(k) != v {
				t.Errorf("exchange %d: %s = %q, want %q", i+1, k, form.Get(k), v)
			}
		}
		if !strings.Contains(form.Get("scope"), "https://management.azure.com/.default") {
			t.Errorf("exchange %d: scope = %q, want the requested scope", i+1, form.Get("scope"))
		}
		if form.Has("client_secret") {
			t.Errorf("exchange %d sent a client secret", i+1)
		}
	}

	out := trace.String()
	if !strings.Contains(out, "DEBUG: Request: POST "+auth.URL+"/"+testTenant+"/oauth2/v2.0/token") {
		t.Errorf("--debug trace lacks the token exchange:\n%s", out)
	}
	for _, secret := range append(issued, testRequestToken, "entra-access-token-1", "entra-access-token-2") {
		if strings.Contains(out, secret) {
			t.Errorf("--debug trace shows a token (%.20s…):\n%s", secret, out)
		}
	}
}

// TestGitHubOIDCRefusedNamesTheSubject: a token Entra refuses (no
// federated credential matches) is exit 4 with the subject to configure,
// taken from the token GitHub issued, through a real client request.
func TestGitHubOIDCRefusedNamesTheSubject(t *testing.T) {
	tests := []struct {
		name, tokenSub, code, text string
		wantSub                    string
	}{
		{"subject from the token", "repo:org/app:environment:prod", "AADSTS70021",
			"AADSTS70021: No matching federated identity record found for presented assertion.", "repo:org/app:environment:prod"},
		{"no federated credential at all", "repo:org/app:ref:refs/heads/main", "AADSTS70025",
			"AADSTS70025: The client 'app-123'(ml) has no configured federated identity credentials.", "repo:org/app:ref:refs/heads/main"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gh := newFakeGitHub(t, tt.tokenSub)
			auth := newFakeAuthority(t, func(url.Values) (int, map[string]any) {
				return aadstsRefusal(70021, tt.text)
			})
			getenv := githubEnv(gh, map[string]string{"GITHUB_REPOSITORY": "org/app", "GITHUB_REF": "refs/heads/other"})
			cred, err := NewCredential(auth.cloud(), getenv, CredentialOptions{Transport: gh.Client(), DisableInstanceDiscovery: true})
			if err != nil {
				t.Fatal(err)
			}
			c, err := NewClient(&Target{Cloud: auth.cloud(), Credential: cred, Transport: gh.Client(), Subscription: "s", ResourceGroup: "g", Workspace: "w"}, getenv)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.GetEndpoint(context.Background(), "ep")
			if clierr.KindOf(err) != clierr.KindAuth {
				t.Fatalf("kind = %v, want auth (exit 4): %v", clierr.KindOf(err), err)
			}
			msg := err.Error()
			for _, want := range []string{tt.code, "next step: add a federated credential to app " + testClient, `issuer "` + githubIssuer + `"`, `subject "` + tt.wantSub + `"`, "repo:<owner>/<repo>:environment:<name>", "pull_request"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message lacks %q:\n%s", want, msg)
				}
			}
			for _, secret := range append(gh.tokens(), testRequestToken, "c2lnbmF0dXJl") {
				if strings.Contains(msg, secret) {
					t.Errorf("message shows a token (%.20s…):\n%s", secret, msg)
				}
			}
		})
	}
}

func TestFederatedHintWithoutClaims(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		env     map[string]string
		wantSub string
	}{
		{"from Entra's message", textError("AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://vstoken.dev.azure.com/org-id'. Assertion Subject: 'sc://org/proj/conn'. Assertion Audience: 'api://AzureADTokenExchange'."),
			nil, "sc://org/proj/conn"},
		{"a GitHub branch from the environment", &federatedError{err: textError("AADSTS70021: No matching")},
			map[string]string{"GITHUB_REPOSITORY": "org/app", "GITHUB_REF": "refs/tags/v1"}, "repo:org/app:ref:refs/tags/v1"},
		{"a GitHub pull request from the environment", &federatedError{err: textError("AADSTS70021: No matching")},
			map[string]string{"GITHUB_REPOSITORY": "org/app", "GITHUB_REF": "refs/pull/7/merge", "GITHUB_EVENT_NAME": "pull_request"}, "repo:org/app:pull_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hint := federatedHint(tt.err, func(k string) string { return tt.env[k] })
			if !strings.Contains(hint, `subject "`+tt.wantSub+`"`) {
				t.Errorf("hint = %s, want subject %q", hint, tt.wantSub)
			}
		})
	}
}

type textError string

func (e textError) Error() string { return string(e) }

// TestGitHubOIDCTokenRequestFails: GitHub refusing the token request is an
// authentication error that says what failed, without the request token.
func TestGitHubOIDCTokenRequestFails(t *testing.T) {
	gh := newFakeGitHub(t, "")
	gh.status = http.StatusForbidden
	auth := newFakeAuthority(t, func(url.Values) (int, map[string]any) {
		t.Error("no exchange without a GitHub token")
		return http.StatusInternalServerError, nil
	})
	getenv := githubEnv(gh, nil)
	cred, err := NewCredential(auth.cloud(), getenv, CredentialOptions{Transport: gh.Client(), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}})
	got := ClassifyAuth(err, getenv)
	if clierr.KindOf(got) != clierr.KindAuth {
		t.Fatalf("kind = %v, want auth: %v", clierr.KindOf(got), got)
	}
	msg := got.Error()
	for _, want := range []string{"cannot get the GitHub Actions OIDC token: 403 Forbidden", "id-token: write"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, testRequestToken) {
		t.Errorf("message shows the request token:\n%s", msg)
	}
}

// TestAzurePipelinesExchange: with an AzureCLI@2 service connection's
// variables, ml exchanges the pipeline's OIDC token through azidentity's
// pipelines credential.
func TestAzurePipelinesExchange(t *testing.T) {
	const accessToken, connection = "system-access-token-SECRET", "conn-1"
	oidc := fakeJWT(`{"iss":"https://vstoken.dev.azure.com/org-id","sub":"sc://org/proj/conn"}`)
	ado := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Authorization") != "Bearer "+accessToken || r.URL.Query().Get("serviceConnectionId") != connection {
			t.Errorf("pipelines OIDC request: %s %s Authorization=%q", r.Method, r.URL, r.Header.Get("Authorization"))
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"oidcToken": oidc})
	}))
	defer ado.Close()
	auth := newFakeAuthority(t, func(form url.Values) (int, map[string]any) {
		if form.Get("client_assertion") != oidc || form.Get("client_id") != testClient {
			t.Errorf("exchange form = %v, want the pipeline's OIDC token for %s", form, testClient)
		}
		return http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 3600, "access_token": "entra-from-pipelines"}
	})
	// azidentity reads SYSTEM_OIDCREQUESTURI from the process environment.
	t.Setenv(envPipelinesOIDCURI, ado.URL+"/oidc")
	env := map[string]string{
		envPipelinesOIDCURI: ado.URL + "/oidc", envPipelinesAccessToken: accessToken, envPipelinesConnectionID: connection,
		envPipelinesClientID: testClient, envPipelinesTenantID: testTenant,
	}
	cred, err := NewCredential(auth.cloud(), func(k string) string { return env[k] }, CredentialOptions{Transport: ado.Client(), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cred.(*azidentity.AzurePipelinesCredential); !ok {
		t.Fatalf("NewCredential chose %T, want the Azure Pipelines credential", cred)
	}
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}})
	if err != nil || tok.Token != "entra-from-pipelines" {
		t.Fatalf("GetToken = %q, %v", tok.Token, err)
	}
}

// TestNewCredentialChoice: the workflow credentials need all their
// variables; otherwise it is azidentity's default chain (azure/login's
// az session, a client secret, workload identity, managed identity).
func TestNewCredentialChoice(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"nothing set", nil, "*azidentity.DefaultAzureCredential"},
		{"GitHub token but no app (azure/login)", map[string]string{envGitHubTokenURL: "https://x/t", envGitHubTokenToken: "t"}, "*azidentity.DefaultAzureCredential"},
		{"GitHub token and app", map[string]string{envGitHubTokenURL: "https://x/t", envGitHubTokenToken: "t", "AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": testTenant}, "*azml.federatedCredential"},
		{"pipelines without SYSTEM_ACCESSTOKEN (AzureCLI@2's az session)", map[string]string{envPipelinesOIDCURI: "https://x/o", envPipelinesConnectionID: "c", envPipelinesClientID: "c", envPipelinesTenantID: testTenant}, "*azidentity.DefaultAzureCredential"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cred, err := NewCredential(Clouds["azurecloud"], func(k string) string { return tt.env[k] }, CredentialOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%T", cred); got != tt.want {
				t.Errorf("credential = %s, want %s", got, tt.want)
			}
		})
	}
}
