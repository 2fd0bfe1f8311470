package localws

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
)

// Defaults of Options. They are part of the documented contract of
// `ml local serve` (docs/local-workspace.md).
const (
	// DefaultPort is the port of DefaultAddr.
	DefaultPort = 8765
	// DefaultAddr is where Start listens when Options.Addr is empty.
	DefaultAddr = "127.0.0.1:8765"
	// DefaultSubscription, DefaultResourceGroup and DefaultWorkspace are the
	// ARM scope the server answers for when Options leaves them empty.
	DefaultSubscription  = "00000000-0000-0000-0000-000000000000"
	DefaultResourceGroup = "local"
	DefaultWorkspace     = "local"
	// DefaultLocation is the Azure region reported for the workspace and
	// every resource created without one.
	DefaultLocation = "local"
	// DefaultStorageAccount is the name of the workspace's blob account.
	DefaultStorageAccount = "mllocal"
	// DefaultMaxBodyBytes caps request bodies: 256 MiB is the largest single
	// Put Blob azblob sends before switching to blocks, so uploads with the
	// SDK defaults never hit it, while a runaway body still gets a 413.
	DefaultMaxBodyBytes int64 = 256 << 20
	// DefaultMaxConcurrentJobs is how many jobs run at once; later ones queue.
	// Two keeps a laptop responsive while still showing queueing.
	DefaultMaxConcurrentJobs = 2

	// EnvDir overrides DefaultDir's ~/.ml/local.
	EnvDir = "ML_LOCAL_DIR"
	// EnvFaults holds a fault-injection spec, see ParseFaults.
	EnvFaults = "ML_LOCAL_FAULTS"
	// EnvStorageConnectionString makes workspaceblobstore an existing
	// storage account (Options.StorageConnectionString).
	EnvStorageConnectionString = "ML_LOCAL_STORAGE_CONNECTION_STRING"
)

// Options configure a Server. The zero value of every field selects the
// documented default, except Dir, which is required.
type Options struct {
	// Dir holds the server's state: state.db, server.json, blob/ and jobs/.
	// It is created (mode 0700) when missing. Required; see DefaultDir.
	Dir string
	// Addr is the loopback host:port Start listens on; DefaultAddr when empty.
	// Port 0 picks a free port. A non-loopback host is refused.
	Addr string
	// Token is the bearer token every authenticated route requires. Empty
	// means a random 256-bit token, generated at each New.
	Token string
	// Subscription, ResourceGroup and Workspace are the ARM scope this server
	// answers for (compared case-insensitively, like ARM). Defaults:
	// DefaultSubscription, DefaultResourceGroup, DefaultWorkspace.
	Subscription  string
	ResourceGroup string
	Workspace     string
	// Faults injects 429/503/dropped connections, lost answers and corrupted
	// request bodies into a share of requests.
	// The zero value injects nothing.
	Faults FaultOptions
	// MaxBodyBytes caps every request body (ARM, scoring and blob uploads);
	// larger bodies get 413. Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// StorageConnectionString, when set, makes the workspaceblobstore
	// datastore a container of an existing storage account (Azurite, or
	// Azure Storage: AccountName, AccountKey or SharedAccessSignature,
	// BlobEndpoint or EndpointSuffix): the datastore the server returns
	// points there, clients upload there, and jobs read their inputs from
	// and write their outputs to it. Empty means the local blob service.
	StorageConnectionString string
	// MaxConcurrentJobs bounds running jobs; zero means
	// DefaultMaxConcurrentJobs.
	MaxConcurrentJobs int
	// Runner runs jobs. Nil means BatchRunner{}, the local batch runtime
	// (Python workers on this machine).
	Runner Runner
	// Logger receives one line per request (method, path without query,
	// status) and job life-cycle events. Nil discards them.
	Logger *slog.Logger

	// blobSync replaces the blob store's sync to disk (tests; see
	// blob.Options.Sync).
	blobSync func() error
}

// armNamePattern is ARM's rule for endpoint, deployment, asset and job
// names (regex of the 2023-10-01+ specs). Besides matching Azure it keeps
// every name a single safe path segment.
var armNamePattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9\-_]{0,254}$`)

// versionPattern is the rule the service quotes for asset versions
// ("alphanumeric characters, dashes, underscores, and periods, with a limit
// of 50 characters"); a leading alphanumeric keeps "." and ".." out.
var versionPattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.\-]{0,49}$`)

// withDefaults validates o and fills the documented defaults.
func (o Options) withDefaults() (Options, error) {
	if o.Dir == "" {
		return o, errors.New("localws: Options.Dir is required: pass the state folder (localws.DefaultDir() gives ~/.ml/local or $" + EnvDir + ")")
	}
	abs, err := filepath.Abs(o.Dir)
	if err != nil {
		return o, fmt.Errorf("localws: Options.Dir %q: %w", o.Dir, err)
	}
	o.Dir = abs
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if err := checkLoopback(o.Addr); err != nil {
		return o, err
	}
	if o.Subscription == "" {
		o.Subscription = DefaultSubscription
	}
	if o.ResourceGroup == "" {
		o.ResourceGroup = DefaultResourceGroup
	}
	if o.Workspace == "" {
		o.Workspace = DefaultWorkspace
	}
	for _, f := range []struct{ name, value string }{
		{"Subscription", o.Subscription}, {"ResourceGroup", o.ResourceGroup}, {"Workspace", o.Workspace},
	} {
		if !armNamePattern.MatchString(f.value) {
			return o, fmt.Errorf("localws: Options.%s %q: use letters, digits, '-' and '_' only, starting with a letter or digit", f.name, f.value)
		}
	}
	if o.MaxBodyBytes < 0 {
		return o, fmt.Errorf("localws: Options.MaxBodyBytes %d: must be positive (0 selects %d)", o.MaxBodyBytes, DefaultMaxBodyBytes)
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxConcurrentJobs < 0 {
		return o, fmt.Errorf("localws: Options.MaxConcurrentJobs %d: must be positive (0 selects %d)", o.MaxConcurrentJobs, DefaultMaxConcurrentJobs)
	}
	if o.MaxConcurrentJobs == 0 {
		o.MaxConcurrentJobs = DefaultMaxConcurrentJobs
	}
	if err := o.Faults.validate(); err != nil {
		return o, err
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Runner == nil {
		o.Runner = BatchRunner{}
	}
	return o, nil
}

// checkLoopback refuses any listen address that is not on a loopback
// interface: the server trusts whoever holds the token in server.json, and
// that file is only meant for processes on this machine.
func checkLoopback(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("localws: address %q: %v (use host:port, e.g. %s)", addr, err, DefaultAddr)
	}
	if port == "" {
		return fmt.Errorf("localws: address %q has no port (use e.g. %s)", addr, DefaultAddr)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("localws: address %q is not a loopback address: the local workspace only listens on 127.0.0.1 (use e.g. 127.0.0.1:%s)", addr, port)
	}
	return nil
}

// DefaultDir is the state folder `ml local serve` uses: $ML_LOCAL_DIR when
// set, else ~/.ml/local.
func DefaultDir() (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("localws: find the home folder for the default state folder: %w (set %s)", err, EnvDir)
	}
	return filepath.Join(home, ".ml", "local"), nil
}
