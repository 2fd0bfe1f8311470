// Package create implements `ml compute create`.
package create

import (
	"context"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmd/manage"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/spec"
)

// Options are the parsed flags of `ml compute create`. Every flag
// overrides the same key of the file, as in az.
type Options struct {
	// File is the compute YAML (-f/--file); optional when --name and
	// --type are given.
	File string
	// Name, Type, Size, Tier, Location and Description override name:,
	// type:, size:, tier:, location: and description:.
	Name, Type, Size, Tier, Location, Description string
	// MinInstances, MaxInstances and IdleTime override min_instances,
	// max_instances and idle_time_before_scale_down; -1 = not given.
	MinInstances, MaxInstances, IdleTime int
	// Tags are --tags KEY=VALUE pairs, merged into tags:.
	Tags []string
	// Set are the --set KEY=VALUE overrides, applied before validation.
	Set []string
	// NoWait returns once the request is accepted (--no-wait).
	NoWait bool
}

// NewCmdCreate returns `ml compute create`. runF replaces the run
// function in tests that only check flag parsing.
func NewCmdCreate(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a compute cluster",
		Long: `Create (or update) an Azure ML compute cluster (type amlcompute) from the YAML
file az takes (amlCompute.schema.json: name, type, size, tier, min_instances,
max_instances, idle_time_before_scale_down, location, identity, ssh_settings,
tags) or from flags, with az's defaults (size STANDARD_DS3_V2, 0 to 1
nodes). Waits for the cluster unless --no-wait. On the local workspace the
cluster is recorded, so deployments that name it and scripts that show it
work unchanged, and one note says that jobs run on this machine.`,
		Example: `  ml compute create -n batch-cluster --type amlcompute --min-instances 0 --max-instances 5
  ml compute create -n gpu-cluster --type amlcompute --size STANDARD_NC4AS_T4_V3 --max-instances 2
  ml compute create -f cluster.yml --no-wait`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.File == "" && (opts.Name == "" || opts.Type == "") {
				return clierr.Usagef("give the compute YAML with --file/-f, or --name/-n and --type/-t amlcompute")
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", "Compute YAML file (amlCompute.schema.json)")
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the compute cluster")
	fl.StringVarP(&opts.Type, "type", "t", "", "Type of compute: amlcompute")
	fl.StringVar(&opts.Size, "size", "", "VM size (default STANDARD_DS3_V2)")
	fl.IntVar(&opts.MinInstances, "min-instances", -1, "Minimum number of nodes (default 0)")
	fl.IntVar(&opts.MaxInstances, "max-instances", -1, "Maximum number of nodes (default 1)")
	fl.IntVarP(&opts.IdleTime, "idle-time-before-scale-down", "d", -1, "Node idle time in seconds before the cluster scales down")
	fl.StringVar(&opts.Tier, "tier", "", "VM priority tier: dedicated or low_priority")
	fl.StringVarP(&opts.Location, "location", "l", "", "Region of the cluster (default: the workspace's)")
	fl.StringVar(&opts.Description, "description", "", "Description of the cluster")
	fl.StringArrayVar(&opts.Tags, "tags", nil, "Space-separated KEY=VALUE tags")
	fl.StringArrayVar(&opts.Set, "set", nil, "KEY=VALUE overrides of the YAML, e.g. --set max_instances=4")
	fl.BoolVar(&opts.NoWait, "no-wait", false, "Do not wait for the operation to finish")
	cmdutil.MarkNargsPlus(cmd, "set")
	cmdutil.MarkNargsPlus(cmd, "tags")
	return cmd
}

// Overrides are the overrides the flags stand for, in az's order (--set
// first, so flags win).
func (o *Options) Overrides() ([]spec.Override, error) {
	var flags []spec.Override
	for _, fl := range []struct{ flag, key, value string }{
		{"--name", "name", o.Name}, {"--type", "type", o.Type}, {"--size", "size", o.Size},
		{"--min-instances", "min_instances", count(o.MinInstances)}, {"--max-instances", "max_instances", count(o.MaxInstances)},
		{"--idle-time-before-scale-down", "idle_time_before_scale_down", count(o.IdleTime)},
		{"--description", "description", o.Description}, {"--tier", "tier", o.Tier}, {"--location", "location", o.Location},
	} {
		if fl.value != "" {
			flags = append(flags, spec.Flag(fl.flag, fl.key, fl.value))
		}
	}
	tags, err := manage.TagOverrides(o.Tags)
	if err != nil {
		return nil, err
	}
	return manage.Overrides(o.Set, append(flags, tags...)...)
}

// count is a numeric flag as override text, "" when not given (-1).
func count(n int) string {
	if n < 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func createRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	for _, fl := range []struct {
		name string
		v    int
	}{{"--min-instances", opts.MinInstances}, {"--max-instances", opts.MaxInstances}, {"--idle-time-before-scale-down", opts.IdleTime}} {
		if fl.v < -1 {
			return clierr.Usagef("%s %d: must be 0 or more", fl.name, fl.v)
		}
	}
	overrides, err := opts.Overrides()
	if err != nil {
		return err
	}
	comp, err := spec.LoadCompute(ctx, opts.File, f.IOStreams.In, overrides)
	if err != nil {
		return err
	}
	c, err := f.Client()
	if err != nil {
		return err
	}
	location := comp.Location
	if location == "" {
		if location, err = c.WorkspaceLocation(ctx); err != nil {
			return err
		}
	}
	if c.T.Local {
		f.Warn("compute %s is recorded but not used: the local workspace runs jobs on this machine", comp.Name)
	}
	body := comp.ARM(location)
	p := manage.NewProgress(f, "Creating compute "+comp.Name)
	got, err := c.CreateOrUpdateCompute(ctx, comp.Name, body, p.Wait(opts.NoWait))
	p.Done(err == nil)
	if err != nil {
		return err
	}
	if opts.NoWait {
		f.Warn("Compute create request initiated. Status can be checked using `ml compute show -n %s`", comp.Name)
		body.Name = &comp.Name
		return f.Print(azml.ComputeView(&body))
	}
	return f.Print(azml.ComputeView(got))
}
