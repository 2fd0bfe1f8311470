// Package serve implements `ml local serve`.
package serve

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmd/local/shared"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/localinfo"
	"github.com/mlbatch/ml/internal/localws"
)

// Options are the flags of `ml local serve`.
type Options struct {
	Dir    string
	Port   int
	Detach bool
	Faults string
	Python string
	Jobs   int
	// StorageConnectionString makes workspaceblobstore an existing storage
	// account (also $ML_LOCAL_STORAGE_CONNECTION_STRING).
	StorageConnectionString string
	// MaxBodyBytes caps request bodies (413 above it); the server's 413
	// message tells users to raise it with --max-body-bytes.
	MaxBodyBytes int64
}

// NewCmdServe returns `ml local serve`. runF replaces the run function in
// flag-parsing tests.
func NewCmdServe(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Start the local workspace on 127.0.0.1",
		Long: fmt.Sprintf(`Start the local workspace. It keeps its state (endpoints, deployments, assets,
jobs and datastore files) in --dir (default $%s, else ~/.ml/local) and writes
DIR/server.json (mode 0600: URL, pid, bearer token, workspace names) so ml
commands with --local find it. It listens on 127.0.0.1 only, port %d unless
--port says otherwise. SIGINT/SIGTERM stop it gracefully.

Scoring scripts run with python3 on PATH unless --python (or ML_LOCAL_PYTHON)
names another interpreter.

With --storage-connection-string (or $%s) the datastore
workspaceblobstore is a container of an existing storage account (Azurite,
or Azure Storage) instead of the local blob store: uploads go there, and
jobs read their inputs from it and write their outputs to it.`, localws.EnvDir, localws.DefaultPort, localws.EnvStorageConnectionString),
		Example: `  ml local serve
  ml local serve --dir ./ws --port 0 --detach
  ML_LOCAL_FAULTS=rate=0.2,kinds=429+503+drop ml local serve   # fault injection for tests
  ML_LOCAL_STORAGE_CONNECTION_STRING=UseDevelopmentStorage=true ml local serve --detach   # blobs in Azurite`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return serveRun(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Dir, "dir", "", "State folder (default $"+localws.EnvDir+", else ~/.ml/local)")
	cmd.Flags().IntVar(&opts.Port, "port", localws.DefaultPort, "Port on 127.0.0.1; 0 picks a free one")
	cmd.Flags().BoolVar(&opts.Detach, "detach", false, "Run in the background and return once the server is up")
	cmd.Flags().StringVar(&opts.Faults, "faults", "", "Inject failures for testing clients, e.g. rate=0.3,kinds=429+503+drop,seed=1; kinds also lost (a write whose answer is lost) and corrupt (a request body damaged in transit) (also $"+localws.EnvFaults+")")
	cmd.Flags().StringVar(&opts.Python, "python", "", "Python interpreter for scoring scripts (default $ML_LOCAL_PYTHON, else python3)")
	cmd.Flags().Int64Var(&opts.MaxBodyBytes, "max-body-bytes", localws.DefaultMaxBodyBytes, "Largest request body accepted (a single Put Blob, an ARM or scoring body); larger ones get 413")
	cmd.Flags().StringVar(&opts.StorageConnectionString, "storage-connection-string", "", "Keep workspaceblobstore in an existing storage account (Azurite or Azure Storage) instead of the local blob store: AccountName=..;AccountKey=..;BlobEndpoint=.. (also $"+localws.EnvStorageConnectionString+", which keeps the key out of the process list)")
	cmd.Flags().IntVar(&opts.Jobs, "max-concurrent-jobs", localws.DefaultMaxConcurrentJobs, "Jobs that run at once; later ones queue")
	return cmd
}

func resolveDir(f *cmdutil.Factory, dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	if d := f.Getenv(localws.EnvDir); d != "" {
		return d, nil
	}
	return localws.DefaultDir()
}

func serveRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	dir, err := resolveDir(f, opts.Dir)
	if err != nil {
		return err
	}
	if opts.MaxBodyBytes <= 0 {
		return clierr.Usagef("--max-body-bytes %d: must be positive", opts.MaxBodyBytes)
	}
	if opts.Port < 0 || opts.Port > 65535 {
		return clierr.Usagef("--port %d: use 0-65535 (0 picks a free port)", opts.Port)
	}
	faultSpec := opts.Faults
	if faultSpec == "" {
		faultSpec = f.Getenv(localws.EnvFaults)
	}
	faults, err := localws.ParseFaults(faultSpec)
	if err != nil {
		return clierr.Usagef("--faults: %v", err)
	}
	// ReadServerInfo succeeds only while a server holds the folder: a
	// server.json left by one killed with -9 is stale, not "running".
	if info, err := localinfo.Read(dir); err == nil {
		return fmt.Errorf("a local workspace is already running in %s at %s (pid %d); stop it with `ml local stop`", dir, info.URL, info.PID)
	}
	addr := "127.0.0.1:" + strconv.Itoa(opts.Port)
	// Before the state is opened or a child started, so a busy port fails
	// at once; Start reports the same if another process takes it between.
	if err := probePort(addr); err != nil {
		return err
	}
	conn := opts.StorageConnectionString
	if conn == "" {
		conn = f.Getenv(localws.EnvStorageConnectionString)
	}
	if opts.Detach {
		return detach(ctx, f, dir, conn)
	}
	python := opts.Python
	if python == "" {
		python = f.Getenv("ML_LOCAL_PYTHON")
	}
	shared.PrivateFiles()
	srv, err := localws.New(localws.Options{
		Dir:               dir,
		Addr:              addr,
		Faults:            faults,
		MaxConcurrentJobs: opts.Jobs,
		MaxBodyBytes:      opts.MaxBodyBytes,
		Runner:            localws.BatchRunner{Python: python},

		StorageConnectionString: conn,
		Logger:                  logger(f),
	})
	if err != nil {
		return err
	}
	if err := srv.Start(ctx); err != nil {
		return portError(addr, err)
	}
	fmt.Fprintf(f.IOStreams.ErrOut, "Local workspace listening on %s (state in %s). Use --local with any ml command; Ctrl-C stops it.\n", srv.URL(), dir)
	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	fmt.Fprintln(f.IOStreams.ErrOut, "Stopping the local workspace...")
	return srv.Shutdown(shutdownCtx)
}

// probePort checks that addr can be listened on. Port 0 always can.
func probePort(addr string) error {
	if strings.HasSuffix(addr, ":0") {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return portError(addr, err)
	}
	return ln.Close()
}

// portError names the port and the flag that changes it when err is a
// busy address.
func portError(addr string, err error) error {
	if !shared.AddrInUse(err) {
		return err
	}
	_, port, _ := net.SplitHostPort(addr)
	return fmt.Errorf("port %s on 127.0.0.1 is already in use (another `ml local serve`, or another program): "+
		"stop that one (`ml local stop` for a local workspace), or pick another port with --port <port> (--port 0 picks a free one)", port)
}

func logger(f *cmdutil.Factory) *slog.Logger {
	level := slog.LevelWarn
	if f.Globals.Verbose || f.Globals.Debug {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(f.IOStreams.ErrOut, &slog.HandlerOptions{Level: level}))
}

// detach starts `ml local serve` again without --detach in a new session,
// logging to DIR/server.log, and returns once its server.json appears. When
// the child exits first, its own error (from the log) is the answer.
func detach(ctx context.Context, f *cmdutil.Factory, dir, conn string) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("--detach: cannot find ml's own binary: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	logPath := filepath.Join(dir, "server.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("--detach: open %s: %w", logPath, err)
	}
	defer logFile.Close()
	logStart, err := logFile.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("--detach: %s: %w", logPath, err)
	}
	// The connection string goes to the child in its environment, not its
	// arguments, which other users can read in the process list.
	var args []string
	for i := 1; i < len(os.Args); i++ {
		a := os.Args[i]
		switch {
		case a == "--detach" || a == "--detach=true":
		case a == "--storage-connection-string":
			i++
		case strings.HasPrefix(a, "--storage-connection-string="):
		default:
			args = append(args, a)
		}
	}
	args = append(args, "--dir", dir)
	cmd := exec.Command(exe, args...)
	cmd.Env = os.Environ()
	if conn != "" {
		cmd.Env = append(cmd.Env, localws.EnvStorageConnectionString+"="+conn)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = shared.DetachedProcAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("--detach: start the server: %w", err)
	}
	pid := cmd.Process.Pid
	// Waiting reaps the child if it exits, so its exit is seen at once (an
	// unreaped child still answers signal 0). A child that keeps running
	// simply outlives this process.
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	deadline := time.After(20 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if info, err := localinfo.Read(dir); err == nil && info.PID == pid {
			fmt.Fprintf(f.IOStreams.ErrOut, "Local workspace running on %s (pid %d, log %s). Stop it with `ml local stop`.\n", info.URL, pid, logPath)
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("--detach: the server exited during start: %s (log: %s)", childError(logPath, logStart), logPath)
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline:
			return fmt.Errorf("--detach: the server did not start within 20s; see %s", logPath)
		case <-tick.C:
		}
	}
}

// childError is what the detached server said before exiting: its ERROR
// lines in the log written since from, else its last line.
func childError(logPath string, from int64) string {
	const maxTail = 16 << 10
	fh, err := os.Open(logPath)
	if err != nil {
		return "no log"
	}
	defer fh.Close()
	if size, err := fh.Seek(0, io.SeekEnd); err == nil && size-from > maxTail {
		from = size - maxTail
	}
	if _, err := fh.Seek(from, io.SeekStart); err != nil {
		return "no log"
	}
	data, _ := io.ReadAll(io.LimitReader(fh, maxTail))
	var errs []string
	last := ""
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		last = line
		if msg, ok := strings.CutPrefix(line, "ERROR: "); ok {
			errs = append(errs, msg)
		}
	}
	switch {
	case len(errs) > 0:
		return strings.Join(errs, "; ")
	case last != "":
		return last
	}
	return "it printed nothing"
}
