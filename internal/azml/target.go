package azml

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/httptrace"
	"github.com/mlbatch/ml/internal/localinfo"
)

// Target is where commands send requests: a real workspace or the local one.
// Only the endpoints and the credential differ between the two.
type Target struct {
	// Local is set for the local workspace.
	Local bool
	Cloud Cloud
	// Credential signs every request; for the local workspace it hands out
	// the token from its server.json whatever the scope.
	Credential    azcore.TokenCredential
	Subscription  string
	ResourceGroup string
	Workspace     string
	// LocalURL is the local workspace's base URL.
	LocalURL string
	// Transport replaces the HTTP transport (tests).
	Transport policy.Transporter
	// Trace, when set, receives an HTTP trace with secrets redacted (--debug).
	Trace io.Writer

	// session follows the local workspace's server.json (localSession).
	session *localSession
}

// TargetOptions are the inputs of target resolution, already merged from
// flags by the caller except where noted.
type TargetOptions struct {
	// Local selects the local workspace (--local, ML_LOCAL=1 or
	// `ml configure --defaults local=true`).
	Local         bool
	Cloud         string // --cloud, else AZURE_CLOUD_NAME
	Subscription  string // --subscription
	ResourceGroup string // -g, else defaults.group
	Workspace     string // -w, else defaults.workspace
	Getenv        func(string) string
	// LocalDir is the local workspace folder; "" means ML_LOCAL_DIR or ~/.ml/local.
	LocalDir string
	// Trace, when set, receives an HTTP trace with secrets redacted
	// (--debug), the credential's sign-in included.
	Trace io.Writer
	// Notices receives one-line warnings about the target while a command
	// runs (the local workspace restarted); nil discards them.
	Notices io.Writer
	// NoWorkspace is set for commands that target a registry
	// (--registry-name): they need no resource group or workspace.
	NoWorkspace bool
}

// ResolveTarget builds the Target for o. It reads files (server.json,
// azureProfile.json) but makes no network call.
func ResolveTarget(o TargetOptions) (*Target, error) {
	if o.Local {
		t, err := resolveLocal(o)
		if err != nil {
			return nil, err
		}
		t.Trace = o.Trace
		return t, nil
	}
	name := o.Cloud
	if name == "" {
		name = o.Getenv("AZURE_CLOUD_NAME")
	}
	c, err := LookupCloud(name)
	if err != nil {
		return nil, err
	}
	sub, err := ResolveSubscription(o.Subscription, o.Getenv, AzConfigDir(o.Getenv))
	if err != nil && !(o.NoWorkspace && o.Subscription == "") {
		// A registry names its own subscription; only a bad --subscription
		// matters then.
		return nil, err
	}
	if o.ResourceGroup == "" && !o.NoWorkspace {
		return nil, clierr.Usagef("no resource group: pass -g/--resource-group or run `ml configure --defaults group=<name>`")
	}
	if o.Workspace == "" && !o.NoWorkspace {
		return nil, clierr.Usagef("no workspace: pass -w/--workspace-name or run `ml configure --defaults workspace=<name>`")
	}
	cred, err := NewCredential(c, o.Getenv, CredentialOptions{Trace: o.Trace})
	if err != nil {
		return nil, err
	}
	return &Target{Cloud: c, Credential: cred, Subscription: sub, ResourceGroup: o.ResourceGroup, Workspace: o.Workspace, Trace: o.Trace}, nil
}

func resolveLocal(o TargetOptions) (*Target, error) {
	dir := o.LocalDir
	if dir == "" {
		dir = o.Getenv("ML_LOCAL_DIR")
	}
	if dir == "" {
		home := o.Getenv("HOME")
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		dir = filepath.Join(home, ".ml", "local")
	}
	info, err := localinfo.Read(dir)
	if err != nil {
		return nil, err
	}
	for _, chk := range []struct{ flag, given, have string }{
		{"--subscription", o.Subscription, info.Subscription},
		{"-g/--resource-group", o.ResourceGroup, info.ResourceGroup},
		{"-w/--workspace-name", o.Workspace, info.Workspace},
	} {
		if chk.given != "" && !strings.EqualFold(chk.given, chk.have) {
			return nil, clierr.Usagef("%s %q does not match the local workspace (%s); drop the flag or use %q", chk.flag, chk.given, info.URL, chk.have)
		}
	}
	t := NewLocalTarget(info)
	t.session = &localSession{dir: dir, info: info, notices: o.Notices}
	t.Credential = t.session
	return t, nil
}

// NewLocalTarget returns the Target of a running local workspace.
func NewLocalTarget(info *localinfo.Info) *Target {
	base := strings.TrimSuffix(info.URL, "/")
	c := Cloud{
		Name: "Local",
		ARM: cloud.Configuration{
			ActiveDirectoryAuthorityHost: base + "/",
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				cloud.ResourceManager: {Endpoint: base, Audience: base},
			},
		},
		MLScope:      base + "/.default",
		StorageScope: base + "/.default",
		// The local workspace answers discovery itself: it has no
		// registries.
		RegistryDiscovery: base + "/",
	}
	return &Target{
		Local:         true,
		Cloud:         c,
		Credential:    StaticToken(info.Token),
		Subscription:  info.Subscription,
		ResourceGroup: info.ResourceGroup,
		Workspace:     info.Workspace,
		LocalURL:      base,
	}
}

// StaticToken is a credential that always returns the same bearer token;
// the local workspace uses one token for every audience.
type StaticToken string

// GetToken implements azcore.TokenCredential.
func (s StaticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(s), ExpiresOn: time.Now().Add(24 * time.Hour)}, nil
}

// clientOptions are the azcore options every client of this target uses:
// the cloud, the transport, retries, the --debug trace, and plain HTTP only
// for a loopback server.
func (t *Target) clientOptions() azcore.ClientOptions {
	o := azcore.ClientOptions{
		Cloud:     t.Cloud.ARM,
		Transport: t.Transport,
		Retry: policy.RetryOptions{
			MaxRetries:    5,
			RetryDelay:    500 * time.Millisecond,
			MaxRetryDelay: 10 * time.Second,
		},
		Telemetry: policy.TelemetryOptions{ApplicationID: "ml-cli"},
	}
	if t.session != nil {
		o.PerRetryPolicies = append(o.PerRetryPolicies, t.session)
	}
	if t.Trace != nil {
		o.PerRetryPolicies = append(o.PerRetryPolicies, &httptrace.Tracer{W: t.Trace})
	}
	o.InsecureAllowCredentialWithHTTP = isLoopbackHTTP(t.Cloud.ARMEndpoint())
	return o
}

// ARMOptions are the options for armmachinelearning clients.
func (t *Target) ARMOptions() *arm.ClientOptions {
	return &arm.ClientOptions{ClientOptions: t.clientOptions()}
}

// isLoopbackHTTP reports whether u is plain HTTP to this machine, the only
// place ml sends a credential without TLS.
func isLoopbackHTTP(u string) bool {
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "http" {
		return false
	}
	host := p.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// WorkspaceID is the workspace's ARM id.
func (t *Target) WorkspaceID() string {
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.MachineLearningServices/workspaces/%s",
		t.Subscription, t.ResourceGroup, t.Workspace)
}
