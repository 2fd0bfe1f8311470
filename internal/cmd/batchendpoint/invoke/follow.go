package invoke

import (
	"context"
	"time"

	"github.com/spf13/pflag"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/follow"
	"github.com/mlbatch/ml/internal/ghactions"
	"github.com/mlbatch/ml/pkg/mlapi"
)

// followOptions are invoke's opt-in flags to wait for the job: scripts
// that capture `--query name -o tsv` keep getting the name at once.
type followOptions struct {
	Stream  bool
	Wait    bool
	Timeout time.Duration
}

func (o *followOptions) addFlags(fl *pflag.FlagSet) {
	fl.BoolVar(&o.Stream, "stream", false, "Follow the job to its end: status changes, mini-batch progress and log lines on stderr (-o jsonl: one JSON event per line on stdout)")
	fl.BoolVar(&o.Wait, "wait", false, "Wait quietly for the job to end; exit 0 Completed, 5 Failed, 6 Canceled, 7 --timeout")
	fl.DurationVar(&o.Timeout, "timeout", 0, "With --wait/--stream: stop waiting after this long (e.g. 30m); the job goes on")
}

func (o *followOptions) enabled() bool { return o.Stream || o.Wait }

func (o *followOptions) validate() error {
	if o.Stream && o.Wait {
		return clierr.Usagef("--stream and --wait cannot be used together; --stream waits too, and prints progress")
	}
	if o.Timeout < 0 {
		return clierr.Usagef("--timeout %s: must be positive", o.Timeout)
	}
	if o.Timeout > 0 && !o.enabled() {
		return clierr.Usagef("--timeout only applies with --wait or --stream")
	}
	return nil
}

// followJob waits for the created job, then prints the job as invoke always
// does (so --query name still works); with -o jsonl --stream the events
// themselves are the output.
func followJob(ctx context.Context, f *cmdutil.Factory, c *azml.Client, job *mlapi.BatchJobResource, endpoint, deployment string, o followOptions) error {
	mode := follow.Wait
	jsonl := f.Globals.Output == "jsonl"
	if o.Stream {
		mode = follow.Stream
		if jsonl {
			mode = follow.JSONL
		}
	}
	// The stream text goes to stderr: stdout is the job (az's invoke output),
	// so `--stream --query name -o tsv` still captures just the name. az's
	// invoke has no --stream; `ml job stream` prints on stdout as az does.
	res, ferr := follow.Job(ctx, c, job.Name, follow.Options{
		Mode: mode, Timeout: o.Timeout, Out: f.IOStreams.Out, Text: f.IOStreams.ErrOut,
		Actions:  ghactions.FromEnv(f.Getenv, f.IOStreams.ErrOut),
		Endpoint: endpoint, Deployment: deployment,
	})
	if !(o.Stream && jsonl) {
		if res != nil && res.Status != "" {
			job.Properties.Status = res.Status
		}
		if err := f.Print(job); err != nil {
			return err
		}
	}
	return ferr
}
