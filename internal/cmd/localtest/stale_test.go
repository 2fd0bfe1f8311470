package localtest

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mlbatch/ml/internal/app"
	"github.com/mlbatch/ml/internal/iostreams"
	"github.com/mlbatch/ml/internal/localinfo"
	"github.com/mlbatch/ml/internal/localws"
)

// holdServerEnv makes TestKilledServerIsNotRunning, run as a child
// process, start a server in that folder and wait to be killed.
const holdServerEnv = "ML_TEST_HOLD_SERVER_DIR"

// TestKilledServerIsNotRunning: a server killed with -9 leaves its
// server.json behind; right after (no waiting for the pid to be reaped or
// reused) `ml local status` says it is gone and exits 3, a new server starts
// in the folder, and `ml local stop` of the dead one removes the stale file.
// While the server runs, a second one is refused.
func TestKilledServerIsNotRunning(t *testing.T) {
	if dir := os.Getenv(holdServerEnv); dir != "" {
		holdServer(dir)
		return
	}
	if runtime.GOOS == "windows" {
		t.Skip("no flock on Windows: a server.json is taken at its word")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledServerIsNotRunning$")
	cmd.Env = append(os.Environ(), holdServerEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		t.Fatalf("child server: %q, %v", line, err)
	}

	mlIn := func(args ...string) result {
		ios, _, stdout, stderr := iostreams.Test()
		getenv := func(k string) string {
			if k == localws.EnvDir {
				return dir
			}
			return ""
		}
		code := app.Run(context.Background(), args, ios, getenv)
		return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	}
	if r := mlIn("local", "status", "--query", "pid", "-o", "tsv"); r.code != 0 || strings.TrimSpace(r.stdout) != strconv.Itoa(cmd.Process.Pid) {
		t.Fatalf("status of the running server: %s", r)
	}
	if _, err := localws.New(localws.Options{Dir: dir, Addr: "127.0.0.1:0"}); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("second server in a folder in use: %v, want already running", err)
	}

	// Dead but not reaped, as a detached server killed with -9 stays until
	// init gets to it: its pid still answers kill(pid, 0).
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	waitZombie(t, cmd.Process.Pid)

	if _, err := localinfo.Read(dir); !errors.Is(err, localinfo.ErrNotRunning) {
		t.Fatalf("ReadServerInfo after kill -9: %v, want ErrNotRunning", err)
	}
	r := mlIn("local", "status")
	if r.code != app.ExitNotFound || !strings.Contains(r.stderr, "is gone") {
		t.Fatalf("status after kill -9: %s\nwant exit %d saying the server is gone", r, app.ExitNotFound)
	}
	r = mlIn("local", "stop")
	if r.code != 0 || !strings.Contains(r.stderr, "was not running") {
		t.Fatalf("stop after kill -9: %s", r)
	}
	if _, err := os.Stat(dir + "/" + localinfo.FileName); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stop left the stale server.json: %v", err)
	}
	srv, err := localws.New(localws.Options{Dir: dir, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatalf("new server right after kill -9: %v", err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	if r := mlIn("local", "status", "--query", "running", "-o", "tsv"); r.code != 0 || strings.TrimSpace(r.stdout) != "true" {
		t.Fatalf("status of the new server: %s", r)
	}
}

// waitZombie returns once pid has exited (on Linux: is a zombie, not yet
// reaped, with every thread gone); elsewhere it reaps it.
func waitZombie(t *testing.T, pid int) {
	t.Helper()
	if runtime.GOOS != "linux" {
		p, _ := os.FindProcess(pid)
		_, _ = p.Wait()
		return
	}
	for {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			t.Fatal(err)
		}
		// pid (comm) STATE ...: comm may hold spaces, the state follows the last ')'.
		// The leader turns zombie while its other threads may still be
		// exiting, and the descriptors (and so the flock) go only with the
		// last one: wait until the leader is alone.
		if f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:])); len(f) > 0 && f[0] == "Z" {
			if tasks, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task"); err == nil && len(tasks) <= 1 {
				return
			}
		}
		time.Sleep(time.Millisecond)
	}
}

// holdServer is the child of TestKilledServerIsNotRunning: it never
// returns normally, the parent kills it.
func holdServer(dir string) {
	srv, err := localws.New(localws.Options{Dir: dir, Addr: "127.0.0.1:0"})
	if err == nil {
		err = srv.Start(context.Background())
	}
	if err != nil {
		os.Stdout.WriteString("error: " + err.Error() + "\n")
		os.Exit(1)
	}
	os.Stdout.WriteString("ready\n")
	select {}
}
