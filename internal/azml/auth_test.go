package azml

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/mlbatch/ml/internal/clierr"
)

// TestClassifyAuthOnARealAADSTS70021 runs azidentity's workload identity
// credential (AZURE_FEDERATED_TOKEN_FILE, as on Kubernetes) against a fake Microsoft Entra
// token endpoint on 127.0.0.1 that refuses the assertion with AADSTS70021,
// and checks ml's one-line message: the cause, and the federated
// credential to create, with the presented issuer and subject.
func TestClassifyAuthOnARealAADSTS70021(t *testing.T) {
	srv := newFakeAuthority(t, func(url.Values) (int, map[string]any) {
		return aadstsRefusal(70021, "AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://token.actions.githubusercontent.com'. Assertion Subject: 'repo:org/app:ref:refs/heads/main'.")
	})

	tokenFile := filepath.Join(t.TempDir(), "oidc-token")
	if err := os.WriteFile(tokenFile, []byte(fakeJWT(`{"iss":"https://token.actions.githubusercontent.com","sub":"repo:org/app:ref:refs/heads/main","aud":"api://AzureADTokenExchange"}`)), 0o600); err != nil {
		t.Fatal(err)
	}
	cred, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
		ClientOptions: azcore.ClientOptions{
			Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: srv.URL + "/"},
			Transport: srv.Client(),
		},
		ClientID:                 "app-123",
		TenantID:                 testTenant,
		TokenFilePath:            tokenFile,
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}})
	if err == nil {
		t.Fatal("the fake token endpoint refused the assertion; GetToken must fail")
	}
	env := map[string]string{"AZURE_CLIENT_ID": "app-123", "AZURE_FEDERATED_TOKEN_FILE": tokenFile}
	got := ClassifyAuth(err, func(k string) string { return env[k] })
	if clierr.KindOf(got) != clierr.KindAuth {
		t.Fatalf("kind = %v, want auth (exit 4): %v", clierr.KindOf(got), got)
	}
	msg := got.Error()
	for _, want := range []string{"AADSTS70021: No matching federated identity record", "next step", "app-123", `"repo:org/app:ref:refs/heads/main"`, "az ad app federated-credential create"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("the cause must fit on one line:\n%s", msg)
	}
	if strings.Contains(msg, "c2lnbmF0dXJl") || strings.Contains(msg, "Trace ID") {
		t.Errorf("message carries the token's signature or trace noise:\n%s", msg)
	}
}

// TestClassifyAuthKeepsAWordedStorageRefusal: a 403 the upload already
// worded (the storage roles) is not re-worded as a workspace-role problem.
func TestClassifyAuthKeepsAWordedStorageRefusal(t *testing.T) {
	resp := &azcore.ResponseError{StatusCode: http.StatusForbidden, ErrorCode: "AuthorizationPermissionMismatch"}
	worded := &clierr.Error{Kind: clierr.KindAuth, Err: fmt.Errorf("upload x: Storage Blob Data Contributor: %w", resp)}
	if got := ClassifyAuth(worded, func(string) string { return "" }); got != worded {
		t.Errorf("ClassifyAuth re-worded a classified error: %v", got)
	}
	bare := fmt.Errorf("get workspace: %w", resp)
	if got := ClassifyAuth(bare, func(string) string { return "" }); !strings.Contains(got.Error(), "AzureML Data Scientist") {
		t.Errorf("a bare ARM 403 lost its workspace-role hint: %v", got)
	}
}
