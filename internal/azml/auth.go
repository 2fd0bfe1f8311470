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

// NewDefaultCredential is azidentity's default chain: environment service
// principal, workload identity (GitHub Actions OIDC through
// AZURE_FEDERATED_TOKEN_FILE), managed identity, Azure CLI, Azure Developer
// CLI. AZURE_TOKEN_CREDENTIALS narrows it, as azidentity documents.
func NewDefaultCredential(c Cloud) (azcore.TokenCredential, error) {
	cred, err := azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
		ClientOptions: azcore.ClientOptions{Cloud: c.ARM},
	})
	if err != nil {
		return nil, &clierr.Error{Kind: clierr.KindAuth, Err: fmt.Errorf("cannot build a credential: %s; next step: run `az login`, or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET (or AZURE_FEDERATED_TOKEN_FILE)", firstLine(err.Error()))}
	}
	return cred, nil
}

// ClassifyAuth turns an authentication failure anywhere in err into a
// KindAuth error with a one-line cause and the next step. Other errors are
// returned unchanged.
func ClassifyAuth(err error, getenv func(string) string) error {
	if err == nil {
		return nil
	}
	var authFailed *azidentity.AuthenticationFailedError
	if errors.As(err, &authFailed) {
		msg := authFailed.Error()
		cause := aadstsLine(msg)
		next := "run `az login` (or check the service principal's secret / federated credential)"
		if strings.Contains(msg, "AADSTS70021") || strings.Contains(msg, "AADSTS700213") {
			next = federatedHint(getenv)
		}
		return &clierr.Error{Kind: clierr.KindAuth, Err: fmt.Errorf("authentication failed: %s; next step: %s", cause, next)}
	}
	var resp *azcore.ResponseError
	if errors.As(err, &resp) && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
		what := "the token was refused"
		if resp.StatusCode == http.StatusForbidden {
			what = "access denied"
		}
		return &clierr.Error{Kind: clierr.KindAuth, Err: fmt.Errorf("%s (%d %s): %s; next step: check that the signed-in identity has a role on the workspace (e.g. AzureML Data Scientist)", what, resp.StatusCode, resp.ErrorCode, responseMessage(resp))}
	}
	msg := err.Error()
	if strings.Contains(msg, "DefaultAzureCredential") || strings.Contains(msg, "credential unavailable") || strings.Contains(msg, "no credential") {
		return &clierr.Error{Kind: clierr.KindAuth, Err: fmt.Errorf("no Azure credential found: %s; next step: run `az login`, or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET, or AZURE_FEDERATED_TOKEN_FILE for GitHub Actions OIDC", firstLine(httptrace.RedactText(msg)))}
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

// federatedHint names the federated credential that has to exist: the
// issuer and subject of the token the workload presented (read from
// AZURE_FEDERATED_TOKEN_FILE; only its public claims are shown).
func federatedHint(getenv func(string) string) string {
	client := getenv("AZURE_CLIENT_ID")
	if client == "" {
		client = "<app id>"
	}
	iss, sub := "<issuer>", "<subject>"
	if path := getenv("AZURE_FEDERATED_TOKEN_FILE"); path != "" {
		if claims, err := jwtClaims(path); err == nil {
			if claims.Iss != "" {
				iss = claims.Iss
			}
			if claims.Sub != "" {
				sub = claims.Sub
			}
		}
	}
	return fmt.Sprintf("add a federated credential to app %s with issuer %q and subject %q (az ad app federated-credential create --id %s --parameters '{\"name\":\"ml\",\"issuer\":\"%s\",\"subject\":\"%s\",\"audiences\":[\"api://AzureADTokenExchange\"]}')",
		client, iss, sub, client, iss, sub)
}

type claims struct {
	Iss string `json:"iss"`
	Sub string `json:"sub"`
}

// jwtClaims decodes the payload of the JWT in path without verifying it;
// only iss and sub are used, to explain a mismatch.
func jwtClaims(path string) (*claims, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(strings.TrimSpace(string(data)), ".")
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
