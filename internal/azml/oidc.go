package azml

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/httptrace"
)

// Workflow sign-in without a secret: a CI system's OIDC token exchanged for
// a Microsoft Entra token (workload identity federation), ahead of
// azidentity's default chain. GitHub Actions sets no
// AZURE_FEDERATED_TOKEN_FILE, so azidentity's workload identity credential
// cannot see its token; ml asks GitHub for it.

// The environment a GitHub Actions job with `permissions: id-token: write`
// has, and the audience Microsoft Entra expects in the token.
const (
	envGitHubTokenURL   = "ACTIONS_ID_TOKEN_REQUEST_URL"
	envGitHubTokenToken = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
	entraAudience       = "api://AzureADTokenExchange"
	// githubIssuer is the issuer of GitHub.com's tokens (an enterprise with
	// a custom issuer shows its own in the token).
	githubIssuer = "https://token.actions.githubusercontent.com"
)

// The environment of an Azure Pipelines job that signs in through a
// service connection with workload identity federation: the AzureCLI@2
// task sets the AZURESUBSCRIPTION_* variables, the pipeline maps
// SYSTEM_ACCESSTOKEN, and Azure Pipelines sets SYSTEM_OIDCREQUESTURI
// (which azidentity reads itself).
const (
	envPipelinesOIDCURI      = "SYSTEM_OIDCREQUESTURI"
	envPipelinesAccessToken  = "SYSTEM_ACCESSTOKEN"
	envPipelinesConnectionID = "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"
	envPipelinesClientID     = "AZURESUBSCRIPTION_CLIENT_ID"
	envPipelinesTenantID     = "AZURESUBSCRIPTION_TENANT_ID"
)

// maxOIDCResponse bounds the token response read from the CI system.
const maxOIDCResponse = 1 << 20

// CredentialOptions tune NewCredential; the zero value is what ml uses.
type CredentialOptions struct {
	// Transport carries the credential's requests (tests).
	Transport policy.Transporter
	// Trace, when set, receives the credential's HTTP exchanges with
	// secrets redacted (--debug). The CI system's OIDC token request is
	// never traced: its response is the token.
	Trace io.Writer
	// DisableInstanceDiscovery skips Microsoft Entra instance discovery,
	// for an authority that is not one of Microsoft's (tests).
	DisableInstanceDiscovery bool
}

// NewCredential is the credential for Azure: GitHub Actions OIDC when the
// job can request an OIDC token and AZURE_CLIENT_ID and AZURE_TENANT_ID
// name the app to sign in as; else Azure Pipelines' service connection
// when its variables are set; else azidentity's default chain. The first
// two are chosen rather than chained: a refused token is reported with
// the federated credential to create, not hidden behind the chain's
// fallbacks.
func NewCredential(c Cloud, getenv func(string) string, o CredentialOptions) (azcore.TokenCredential, error) {
	opts := azcore.ClientOptions{Cloud: c.ARM, Transport: o.Transport}
	if o.Trace != nil {
		opts.PerRetryPolicies = []policy.Policy{&httptrace.Tracer{W: o.Trace}}
	}
	if gh := newGitHubOIDC(getenv, o.Transport); gh != nil && getenv("AZURE_CLIENT_ID") != "" && getenv("AZURE_TENANT_ID") != "" {
		cred, err := azidentity.NewClientAssertionCredential(getenv("AZURE_TENANT_ID"), getenv("AZURE_CLIENT_ID"), gh.assertion, &azidentity.ClientAssertionCredentialOptions{
			ClientOptions:            opts,
			DisableInstanceDiscovery: o.DisableInstanceDiscovery,
		})
		if err != nil {
			return nil, authError("cannot build the GitHub Actions OIDC credential: %s; next step: check AZURE_CLIENT_ID and AZURE_TENANT_ID", firstLine(err.Error()))
		}
		return &federatedCredential{TokenCredential: cred, presented: gh.presented}, nil
	}
	if p := pipelinesEnv(getenv); p != nil {
		cred, err := azidentity.NewAzurePipelinesCredential(p.tenant, p.client, p.connection, p.accessToken, &azidentity.AzurePipelinesCredentialOptions{
			ClientOptions:            opts,
			DisableInstanceDiscovery: o.DisableInstanceDiscovery,
		})
		if err != nil {
			return nil, authError("cannot build the Azure Pipelines credential: %s; next step: check the AzureCLI@2 task's service connection and that SYSTEM_ACCESSTOKEN is mapped into the step's env", firstLine(err.Error()))
		}
		return cred, nil
	}
	return defaultCredential(opts)
}

// githubOIDC fetches GitHub Actions OIDC tokens for Microsoft Entra.
type githubOIDC struct {
	requestURL, requestToken string
	transport                policy.Transporter

	mu   sync.Mutex
	last claims // public claims of the last token fetched
}

func newGitHubOIDC(getenv func(string) string, transport policy.Transporter) *githubOIDC {
	u, tok := getenv(envGitHubTokenURL), getenv(envGitHubTokenToken)
	if u == "" || tok == "" {
		return nil
	}
	if transport == nil {
		transport = &http.Client{Timeout: time.Minute}
	}
	return &githubOIDC{requestURL: u, requestToken: tok, transport: transport}
}

// assertion is the ClientAssertionCredential callback: azidentity calls it
// whenever it needs a new Entra token, so every exchange presents a fresh
// GitHub token (they live minutes, Entra's tokens about an hour).
func (g *githubOIDC) assertion(ctx context.Context) (string, error) {
	u, err := url.Parse(g.requestURL)
	if err != nil {
		return "", fmt.Errorf("%s is not a URL: %v", envGitHubTokenURL, err)
	}
	q := u.Query()
	q.Set("audience", entraAudience)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+g.requestToken)
	req.Header.Set("Accept", "application/json")
	resp, err := g.transport.Do(req)
	if err != nil {
		return "", fmt.Errorf("cannot get the GitHub Actions OIDC token: %s", httptrace.RedactText(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxOIDCResponse))
	if err != nil {
		return "", fmt.Errorf("cannot read the GitHub Actions OIDC token: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		// An error body carries no token; redacted all the same.
		return "", fmt.Errorf("cannot get the GitHub Actions OIDC token: %s from %s: %s",
			resp.Status, u.Host, firstLine(httptrace.RedactText(string(body))))
	}
	var r struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Value == "" {
		return "", fmt.Errorf("the GitHub Actions OIDC token response from %s has no token", u.Host)
	}
	if c, err := parseJWTClaims(r.Value); err == nil {
		g.mu.Lock()
		g.last = *c
		g.mu.Unlock()
	}
	return r.Value, nil
}

// presented returns the public claims of the last token sent.
func (g *githubOIDC) presented() claims {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.last
}

// federatedCredential is the GitHub credential; a failure carries the
// issuer and subject of the token it presented, for the hint.
type federatedCredential struct {
	azcore.TokenCredential
	presented func() claims
}

// GetToken implements azcore.TokenCredential.
func (f *federatedCredential) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, err := f.TokenCredential.GetToken(ctx, o)
	if err != nil {
		return tok, &federatedError{err: err, presented: f.presented()}
	}
	return tok, nil
}

// federatedError is a failed federated sign-in and the public claims of the
// token presented (zero when none was fetched).
type federatedError struct {
	err       error
	presented claims
}

func (e *federatedError) Error() string { return e.err.Error() }
func (e *federatedError) Unwrap() error { return e.err }

type pipelines struct{ tenant, client, connection, accessToken string }

// pipelinesEnv returns the Azure Pipelines sign-in the environment
// describes, nil unless all of it is there.
func pipelinesEnv(getenv func(string) string) *pipelines {
	p := &pipelines{
		tenant:      firstSet(getenv, envPipelinesTenantID, "AZURE_TENANT_ID"),
		client:      firstSet(getenv, envPipelinesClientID, "AZURE_CLIENT_ID"),
		connection:  getenv(envPipelinesConnectionID),
		accessToken: getenv(envPipelinesAccessToken),
	}
	if getenv(envPipelinesOIDCURI) == "" || p.tenant == "" || p.client == "" || p.connection == "" || p.accessToken == "" {
		return nil
	}
	return p
}

func firstSet(getenv func(string) string, names ...string) string {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// githubSubject is the subject GitHub puts in a job's token, derived from
// the repository and the event, for when the token's own claims are
// unknown (a job with `environment:` has environment:<name> instead).
func githubSubject(getenv func(string) string) string {
	repo := getenv("GITHUB_REPOSITORY")
	if repo == "" {
		return ""
	}
	if getenv("GITHUB_EVENT_NAME") == "pull_request" {
		return "repo:" + repo + ":pull_request"
	}
	if ref := getenv("GITHUB_REF"); ref != "" {
		return "repo:" + repo + ":ref:" + ref
	}
	return ""
}

func authError(format string, args ...any) error {
	return &clierr.Error{Kind: clierr.KindAuth, Err: fmt.Errorf(format, args...)}
}
