package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/iostreams"
)

// run executes ml in-process with a private az config dir.
func run(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["AZURE_CONFIG_DIR"]; !ok {
		env["AZURE_CONFIG_DIR"] = t.TempDir()
	}
	code = Run(context.Background(), args, ios, func(k string) string { return env[k] })
	return code, out.String(), errOut.String()
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"version", []string{"version"}, ExitOK, ""},
		{"unknown command", []string{"nope"}, ExitUsage, "unknown command"},
		{"unknown subcommand", []string{"batch-endpoint", "frobnicate"}, ExitUsage, `"frobnicate" is not in the 'ml batch-endpoint' command group`},
		{"unknown subcommand two levels down", []string{"local", "frobnicate", "x"}, ExitUsage, `"frobnicate" is not in the 'ml local' command group`},
		{"command group alone prints its help", []string{"batch-endpoint"}, ExitOK, ""},
		{"unknown flag", []string{"version", "--nope"}, ExitUsage, "unknown flag"},
		{"missing required flag", []string{"batch-endpoint", "invoke", "--input", "x"}, ExitUsage, `"name"`},
		{"bad output format", []string{"version", "-o", "xml"}, ExitUsage, `argument --output/-o: invalid choice: "xml" (choose from json,`},
		{"invalid -o before a valid one", []string{"version", "-o", "xml", "-o", "json"}, ExitUsage, "invalid choice"},
		{"--output given an output location", []string{"batch-endpoint", "invoke", "-n", "ep", "--input", ".", "--dry-run", "--output", "azureml://datastores/workspaceblobstore/paths/out", "-o", "json"},
			ExitUsage, "--output-path azureml://datastores/<datastore>/paths/<path> or --set outputs.<name>.path=<uri>"},
		{"-o given a SAS URL hides the signature", []string{"version", "-o", "https://a.blob.core.windows.net/c?sig=TOPSECRET"}, ExitUsage, `"https://a.blob.core.windows.net/c?..."`},
		{"query and jq together", []string{"version", "--query", "a", "--jq", ".a"}, ExitUsage, "--query"},
		{"bad int flag", []string{"batch-endpoint", "invoke", "-n", "ep", "-m", "many"}, ExitUsage, "mini-batch-size"},
		{"ambiguous prefix", []string{"batch-endpoint", "invoke", "-n", "ep", "--inp", "x"}, ExitUsage, "ambiguous option"},
		{"configure with nothing to do", []string{"configure"}, ExitUsage, "nothing to do"},
		{"--set with no value", []string{"batch-endpoint", "invoke", "-n", "ep", "--input", ".", "--dry-run", "--set"}, ExitUsage, "argument --set: expected at least one argument"},
		{"--set value not UTF-8", []string{"batch-endpoint", "invoke", "-n", "ep", "--input", ".", "--dry-run", "--set", "output_file_name=a\xffb.csv"}, ExitUsage, "--set output_file_name: the value is not valid UTF-8 (byte 0xff at offset 1)"},
		{"--set value with a newline", []string{"batch-endpoint", "invoke", "-n", "ep", "--input", ".", "--dry-run", "--set", "output_file_name=a\nb.csv"}, ExitUsage, "--set output_file_name: the value contains a control character (U+000A"},
		{"deployment --set value not UTF-8", []string{"batch-deployment", "create", "-f", "nope.yml", "--set", "description=a\xff"}, ExitUsage, "--set description: the value is not valid UTF-8"},
		{"name not UTF-8", []string{"batch-endpoint", "show", "-n", "e\xffp"}, ExitUsage, "--name: the value is not valid UTF-8"},
		{"job name ..", []string{"job", "download", "-n", ".."}, ExitUsage, `--name: ".." is not a valid name`},
		{"endpoint name with a slash", []string{"batch-endpoint", "show", "-n", "a/b"}, ExitUsage, `--name: "a/b" is not a valid name`},
		{"--set with an empty token", []string{"batch-endpoint", "invoke", "-n", "ep", "--input", ".", "--dry-run", "--set", ""}, ExitUsage, `--set: "" is not KEY=VALUE`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, nil, tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q does not mention %q", stderr, tt.stderr)
			}
			if strings.Contains(stderr, "TOPSECRET") {
				t.Errorf("stderr leaks a signature: %q", stderr)
			}
			if tt.code == ExitUsage && !strings.HasPrefix(stderr, "ERROR: ") {
				t.Errorf("usage errors print az's \"ERROR: \" prefix, got %q", stderr)
			}
		})
	}
}

func TestExitCodeMapping(t *testing.T) {
	tests := []struct {
		err  error
		code int
	}{
		{errors.New("boom"), ExitError},
		{clierr.Usagef("bad"), ExitUsage},
		{fmt.Errorf("wrapped: %w", clierr.NotFoundf("gone")), ExitNotFound},
		{clierr.New(clierr.KindAuth, "no token"), ExitAuth},
		{clierr.New(clierr.KindJobFailed, "failed"), ExitJobFailed},
		{clierr.New(clierr.KindJobCanceled, "canceled"), ExitJobCanceled},
		{clierr.New(clierr.KindWaitTimeout, "timeout"), ExitWaitTimeout},
		{clierr.New(clierr.KindInterrupted, "ctrl-c"), ExitInterrupted},
		{fmt.Errorf("x: %w", context.Canceled), ExitInterrupted},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err, true); got != tt.code {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.code)
		}
	}
	if got := exitCode(errors.New("cobra arg error"), false); got != ExitUsage {
		t.Errorf("an error before the command ran must be a usage error, got %d", got)
	}
}

func TestConfigureSharesAzConfigFile(t *testing.T) {
	dir := t.TempDir()
	// A file az wrote, with a section ml must keep.
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte("[core]\nfirst_run = no\n\n[defaults]\nlocation = westus\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"AZURE_CONFIG_DIR": dir}
	if code, _, stderr := run(t, env, "configure", "--defaults", "group=rg1", "workspace=ws1"); code != 0 {
		t.Fatalf("configure: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "config"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"first_run", "group", "rg1", "workspace", "ws1", "location"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("config file lost or lacks %q:\n%s", want, data)
		}
	}
	code, out, _ := run(t, env, "configure", "--list-defaults", "--query", "[?name=='group'].value", "-o", "tsv")
	if code != 0 || out != "rg1\n" {
		t.Errorf("list-defaults group = %q (exit %d), want rg1", out, code)
	}
	// --l is an unambiguous prefix of --list-defaults, as argparse allows.
	code, out, _ = run(t, env, "configure", "--list", "-o", "tsv", "--query", "length(@)")
	if code != 0 || out != "3\n" {
		t.Errorf("prefix --list: %q (exit %d), want 3 defaults", out, code)
	}
	// An empty value removes the default.
	if code, _, _ := run(t, env, "configure", "--defaults", "workspace="); code != 0 {
		t.Fatal("clear workspace failed")
	}
	_, out, _ = run(t, env, "configure", "-l", "--query", "[].name", "-o", "tsv")
	if out != "group\nlocation\n" {
		t.Errorf("after clearing workspace: %q", out)
	}
	// The azureml-examples scripts' first line: location is accepted as
	// az accepts it, with no warning; a key neither reads still warns.
	code, _, stderr := run(t, env, "configure", "--defaults", "workspace=ws2", "group=rg2", "location=eastus")
	if code != 0 || stderr != "" {
		t.Errorf("configure --defaults ... location=eastus: exit %d, stderr %q; want 0 and no warning", code, stderr)
	}
	if _, out, _ = run(t, env, "configure", "-l", "--query", "[?name=='location'].value", "-o", "tsv"); out != "eastus\n" {
		t.Errorf("location = %q, want eastus", out)
	}
	if _, _, stderr = run(t, env, "configure", "--defaults", "acr=myacr"); !strings.Contains(stderr, "acr") {
		t.Errorf("unknown default: stderr %q, want a warning naming acr", stderr)
	}
}

func TestOutputDefaultComesFromEnvThenConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte("[core]\noutput = tsv\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, out, _ := run(t, map[string]string{"AZURE_CONFIG_DIR": dir}, "version", "--query", "os")
	if strings.Contains(out, `"`) {
		t.Errorf("config file [core] output=tsv not honoured: %q", out)
	}
	_, out, _ = run(t, map[string]string{"AZURE_CONFIG_DIR": dir, "AZURE_CORE_OUTPUT": "json"}, "version", "--query", "os")
	if !strings.Contains(out, `"`) {
		t.Errorf("AZURE_CORE_OUTPUT=json must beat the config file: %q", out)
	}
	_, out, _ = run(t, map[string]string{"AZURE_CONFIG_DIR": dir, "AZURE_CORE_OUTPUT": "json"}, "version", "--query", "os", "-o", "tsv")
	if strings.Contains(out, `"`) {
		t.Errorf("-o tsv must beat AZURE_CORE_OUTPUT: %q", out)
	}
}

// TestFileFromStdinInterrupted: `-f -` waiting on a standard input nobody
// writes to ends on Ctrl-C (exit 130), as every wait must.
func TestFileFromStdinInterrupted(t *testing.T) {
	ios, _, _, errOut := iostreams.Test()
	r, w := io.Pipe()
	defer w.Close()
	ios.In = r
	ctx, cancel := context.WithCancel(context.Background())
	env := map[string]string{"AZURE_CONFIG_DIR": t.TempDir()}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"batch-endpoint", "create", "-f", "-"}, ios, func(k string) string { return env[k] })
	}()
	cancel()
	if code := <-done; code != ExitInterrupted {
		t.Fatalf("exit code %d, want %d; stderr:\n%s", code, ExitInterrupted, errOut)
	}
}
