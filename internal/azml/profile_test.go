package azml

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
)

func TestResolveSubscription(t *testing.T) {
	dir := t.TempDir()
	profile := "\xef\xbb\xbf" + `{"subscriptions":[
	 {"id":"11111111-1111-1111-1111-111111111111","name":"Dev","isDefault":false},
	 {"id":"22222222-2222-2222-2222-222222222222","name":"Prod","isDefault":true}]}`
	if err := os.WriteFile(filepath.Join(dir, "azureProfile.json"), []byte(profile), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name, flag string
		env        map[string]string
		want       string
	}{
		{"flag id wins", "33333333-3333-3333-3333-333333333333", map[string]string{"AZURE_SUBSCRIPTION_ID": "x"}, "33333333-3333-3333-3333-333333333333"},
		{"flag name is looked up", "dev", nil, "11111111-1111-1111-1111-111111111111"},
		{"environment beats the profile", "", map[string]string{"AZURE_SUBSCRIPTION_ID": "44444444-4444-4444-4444-444444444444"}, "44444444-4444-4444-4444-444444444444"},
		{"profile default last", "", nil, "22222222-2222-2222-2222-222222222222"},
	}
	for _, tt := range tests {
		got, err := ResolveSubscription(tt.flag, env(tt.env), dir)
		if err != nil || got != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	if _, err := ResolveSubscription("Staging", env(nil), dir); !clierr.IsUsage(err) || !strings.Contains(err.Error(), "--subscription") {
		t.Errorf("unknown subscription name: want a usage error naming --subscription, got %v", err)
	}
	if _, err := ResolveSubscription("", env(nil), t.TempDir()); !clierr.IsUsage(err) || !strings.Contains(err.Error(), "AZURE_SUBSCRIPTION_ID") {
		t.Errorf("no subscription anywhere: want a usage error with the fix, got %v", err)
	}
}

func TestFederatedHintNamesIssuerAndSubject(t *testing.T) {
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"https://token.actions.githubusercontent.com","sub":"repo:org/app:ref:refs/heads/main","aud":"api://AzureADTokenExchange"}`))
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("eyJhbGciOiJSUzI1NiJ9."+payload+".c2lnbmF0dXJl"), 0o600); err != nil {
		t.Fatal(err)
	}
	hint := federatedHint(errors.New("AADSTS70021: No matching federated identity record found for presented assertion."), func(k string) string {
		return map[string]string{"AZURE_CLIENT_ID": "app-123", "AZURE_FEDERATED_TOKEN_FILE": path}[k]
	})
	for _, want := range []string{"app-123", "https://token.actions.githubusercontent.com", "repo:org/app:ref:refs/heads/main", "az ad app federated-credential create"} {
		if !strings.Contains(hint, want) {
			t.Errorf("hint lacks %q: %s", want, hint)
		}
	}
	if strings.Contains(hint, "c2lnbmF0dXJl") {
		t.Error("hint leaks the token's signature")
	}
}

func TestLookupCloud(t *testing.T) {
	for name, scope := range map[string]string{"": "https://ml.azure.com/.default", "AzureChinaCloud": "https://ml.azure.cn/.default", "azureusgovernment": "https://ml.azure.us/.default"} {
		c, err := LookupCloud(name)
		if err != nil || c.MLScope != scope {
			t.Errorf("LookupCloud(%q) = %v, %v", name, c.MLScope, err)
		}
	}
	if c, _ := LookupCloud(""); c.ARMScope() != "https://management.azure.com/.default" {
		t.Errorf("ARM scope %q", c.ARMScope())
	}
	if _, err := LookupCloud("Mars"); !clierr.IsUsage(err) {
		t.Errorf("unknown cloud: %v", err)
	}
}
