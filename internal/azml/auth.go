package azml

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/httptrace"
)

// defaultCredential is azidentity's default chain: environment service
// principal, workload identity (AZURE_FEDERATED_TOKEN_FILE), managed
// identity, Azure CLI, Azure Developer CLI. AZURE_TOKEN_CREDENTIALS narrows
// it, as azidentity documents. NewCredential puts CI sign-ins ahead of it.
func defaultCredential(opts azcore.ClientOptions) (azcore.TokenCredential, error) {
	cred, err := azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
		ClientOptions: opts,
	})
	if err != nil {
		return nil, &clierr.Error{Kind: clierr.KindAuth, Err: fmt.Errorf("cannot build a credential: %s; next step: run `az login`, or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET (or AZURE_FEDERATED_TOKEN_FILE)", firstLine(err.Error()))}
	}
	return cred, nil
}

// ClassifyAuth turns an authentication failure anywhere in err into a
// KindAuth error with a one-line cause and the next step. Other errors are
// returned unchanged, and so is an error already classified (a storage
// refusal worded by the upload, say): its hint is the right one.
func ClassifyAuth(err error, getenv func(string) string) error {
	if err == nil || clierr.KindOf(err) != 0 {
		return err
	}
	var authFailed *azidentity.AuthenticationFailedError
	if errors.As(err, &authFailed) {
		msg := authFailed.Error()
		cause := aadstsLine(msg)
		next := "run `az login` (or check the service principal's secret / federated credential)"
		var fe *federatedError
		if errors.As(err, &fe) {
			next = "check that the job has `permissions: id-token: write` and that AZURE_CLIENT_ID and AZURE_TENANT_ID name the app registration (unset them to sign in with azure/login's az session instead)"
		}
		if federatedRefusal(msg) {
			next = federatedHint(err, getenv)
		}
		return &clierr.Error{Kind: clierr.KindAuth, Err: fmt.Errorf("authentication failed: %s; next step: %s", cause, next)}
	}
	var resp *azcore.ResponseError
	if errors.As(err, &resp) && isLocalRefusal(resp) {
		// No role to grant here: the token comes from server.json.
		return &clierr.Error{Kind: clierr.KindAuth, Err: fmt.Errorf("the local workspace refused the token from its server.json (401 %s): %s; next step: run the command again, and if it fails again restart the server (`ml local stop`, `ml local serve`)", resp.ErrorCode, armMessage(resp))}
	}
	if errors.As(err, &resp) && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
		what := "the token was refused"
		if resp.StatusCode == http.StatusForbidden {
			what = "access denied"
		}
		return &clierr.Error{Kind: clierr.KindAuth, Err: fmt.Errorf("%s (%d %s): %s; next step: check that the signed-in identity has a role on the workspace (e.g. AzureML Data Scientist)", what, resp.StatusCode, resp.ErrorCode, responseMessage(resp))}
	}
	msg := err.Error()
	if strings.Contains(msg, "DefaultAzureCredential") || strings.Contains(msg, "credential unavailable") || strings.Contains(msg, "no credential") {
		return &clierr.Error{Kind: clierr.KindAuth, Err: fmt.Errorf("no Azure credential found: %s; next step: run `az login`, or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET; in GitHub Actions, give the job `permissions: id-token: write` and set AZURE_CLIENT_ID and AZURE_TENANT_ID (docs/github-actions.md)", firstLine(httptrace.RedactText(msg)))}
	}
	return err
}

// aadstsLine picks the "AADSTSnnnn: ..." sentence out of an MSAL error.
func aadstsLine(msg string) string {
	if i := strings.Index(msg, "AADSTS"); i >= 0 {
		line := msg[i:]
		if j := strings.IndexAny(line, "\r\n"); j >= 0 {
			line = line[:j]
		}
		if j := strings.Index(line, " Trace ID"); j >= 0 {
			line = line[:j]
		}
		return strings.TrimSpace(line)
	}
	return firstLine(httptrace.RedactText(msg))
}

// federatedRefusal reports whether Microsoft Entra refused a federated
// token because no federated credential of the app matches it: no
// matching record (70021), none configured (70025), or a wrong
// subject/issuer (700213, 700211).
func federatedRefusal(msg string) bool {
	for _, code := range []string{"AADSTS70021:", "AADSTS70025:", "AADSTS700213:", "AADSTS700211:"} {
		if strings.Contains(msg, code) {
			return true
		}
	}
	return false
}

// federatedHint names the federated credential that has to exist: the
// issuer and subject of the token the workload presented. They come from
// the token itself (the GitHub token ml fetched, or
// AZURE_FEDERATED_TOKEN_FILE; only public claims are read), else from
// Entra's message, else from GitHub's environment.
func federatedHint(err error, getenv func(string) string) string {
	client := getenv("AZURE_CLIENT_ID")
	if client == "" {
		client = "<app id>"
	}
	var c claims
	var fe *federatedError
	if errors.As(err, &fe) {
		c = fe.presented
	} else if path := getenv("AZURE_FEDERATED_TOKEN_FILE"); path != "" {
		if fc, err := jwtClaims(path); err == nil {
			c = *fc
		}
	}
	msg := err.Error()
	if c.Iss == "" {
		c.Iss = quotedAfter(msg, "Assertion Issuer: '")
	}
	if c.Sub == "" {
		c.Sub = quotedAfter(msg, "Assertion Subject: '")
	}
	if fe != nil {
		if c.Iss == "" {
			c.Iss = githubIssuer
		}
		if c.Sub == "" {
			c.Sub = githubSubject(getenv)
		}
	}
	iss, sub := c.Iss, c.Sub
	if iss == "" {
		iss = "<issuer>"
	}
	if sub == "" {
		sub = "<subject>"
	}
	hint := fmt.Sprintf("add a federated credential to app %s with issuer %q and subject %q (az ad app federated-credential create --id %s --parameters '{\"name\":\"ml\",\"issuer\":\"%s\",\"subject\":\"%s\",\"audiences\":[\"%s\"]}')",
		client, iss, sub, client, iss, sub, entraAudience)
	if strings.HasPrefix(iss, githubIssuer) {
		hint += "; GitHub's subjects are repo:<owner>/<repo>:ref:<ref> for a branch or tag, repo:<owner>/<repo>:environment:<name> for a job with an environment, repo:<owner>/<repo>:pull_request for pull requests"
	}
	return hint
}

// quotedAfter returns the text between prefix and the next "'" in msg.
func quotedAfter(msg, prefix string) string {
	i := strings.Index(msg, prefix)
	if i < 0 {
		return ""
	}
	rest := msg[i+len(prefix):]
	if j := strings.IndexByte(rest, '\''); j >= 0 {
		return rest[:j]
	}
	return ""
}

type claims struct {
	Iss string `json:"iss"`
	Sub string `json:"sub"`
}

// jwtClaims reads the JWT in path; see parseJWTClaims.
func jwtClaims(path string) (*claims, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseJWTClaims(string(data))
}

// parseJWTClaims decodes the payload of a JWT without verifying it; only
// iss and sub are kept, to explain a mismatch.
func parseJWTClaims(token string) (*claims, error) {
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) < 2 {
		return nil, errors.New("not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

func responseMessage(resp *azcore.ResponseError) string {
	if resp.RawResponse == nil {
		return resp.ErrorCode
	}
	return firstLine(httptrace.RedactText(resp.Error()))
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}
