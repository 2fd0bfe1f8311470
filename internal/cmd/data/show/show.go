// Package show implements `ml data show`.
package show

import (
	"context"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"github.com/spf13/cobra"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
)

// Options are the parsed flags of `ml data show`. Exactly one of Version
// and Label is set.
type Options struct {
	// Name is the data asset (-n/--name, required).
	Name string
	// Version is the version to show (-v/--version).
	Version string
	// Label is the label to resolve (-l/--label); data assets have one,
	// "latest".
	Label string
}

// NewCmdShow returns `ml data show`. runF replaces the run function in
// tests that only check flag parsing.
func NewCmdShow(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show a version of a data asset",
		Long: `Show one version of a data asset, chosen with --version or with --label latest
(exactly one of the two), with az's output keys: name, version, type
(uri_file, uri_folder, mltable), path, description, tags, properties, id and
creation_context. The id is what batch-endpoint invoke takes as input. A
missing asset or version exits 3.`,
		Example: `  ml data show -n heart-unlabeled --version 1
  ml data show -n heart-unlabeled --label latest --query path -o tsv
  DATA_ID=$(ml data show -n heart-unlabeled -l latest --query id -o tsv)
  ml batch-endpoint invoke -n heart-classifier --input $DATA_ID`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.Version == "" && opts.Label == "":
				return clierr.Usagef("Must provide either version or label: pass --version <version> or --label latest")
			case opts.Version != "" && opts.Label != "":
				return clierr.Usagef("--version and --label cannot be used together; pass one of them")
			}
			if runF != nil {
				return runF(opts)
			}
			return showRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Name, "name", "n", "", "Name of the data asset (required)")
	fl.StringVarP(&opts.Version, "version", "v", "", "Version of the data asset; not with --label")
	fl.StringVarP(&opts.Label, "label", "l", "", "Label of the data asset (latest); not with --version")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func showRun(ctx context.Context, f *cmdutil.Factory, opts *Options) error {
	c, err := f.Client()
	if err != nil {
		return err
	}
	var d *armmachinelearning.DataVersionBase
	if opts.Version != "" {
		d, err = c.GetDataVersion(ctx, opts.Name, opts.Version)
	} else {
		d, err = c.GetDataByLabel(ctx, opts.Name, opts.Label)
	}
	if err != nil {
		return err
	}
	return f.Print(azml.DataView(d))
}
