package invoke

import (
	"context"
	"errors"
	"fmt"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/background"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/invocation"
	"github.com/mlbatch/ml/internal/upload"
	"github.com/mlbatch/ml/pkg/mlapi"
)

// invokePlan is everything an invoke will do before the scoring POST: which
// inputs are uploaded where, and which references still need the workspace.
type invokePlan struct {
	inv     *invocation.Invocation
	uploads []plannedUpload
	// resolved maps an input name to the URI it is sent with.
	resolved map[string]string
	// unresolved lists inputs whose reference the workspace must resolve
	// (e.g. azureml:name@latest); they stay as written in a dry run.
	unresolved []unresolvedInput
}

type plannedUpload struct {
	input   string
	listing *upload.Listing
	// plan is set once the listing is hashed.
	plan     *upload.Plan
	asFolder bool
	uri      string
}

type unresolvedInput struct {
	Input string `json:"input"`
	Path  string `json:"path"`
	Kind  string `json:"kind"`
}

// newPlan classifies every data input and lists the local ones: a bad
// path fails here, before any network call. Their content is read by
// hash, which a real invoke runs while it waits for the workspace.
func newPlan(ctx context.Context, inv *invocation.Invocation, planOpts upload.PlanOptions) (*invokePlan, error) {
	p := &invokePlan{inv: inv, resolved: map[string]string{}}
	for _, in := range inv.Inputs {
		if in.IsLiteral() {
			continue
		}
		ref, err := invocation.Classify(in.Path)
		if err != nil {
			return nil, err
		}
		switch {
		case ref.Kind == invocation.LocalPath:
			l, err := upload.List(ctx, in.Path, planOpts)
			if err != nil {
				return nil, err
			}
			p.uploads = append(p.uploads, plannedUpload{input: in.Name, listing: l, asFolder: in.Type == invocation.TypeURIFolder})
		case ref.NeedsWorkspace():
			p.unresolved = append(p.unresolved, unresolvedInput{Input: in.Name, Path: in.Path, Kind: ref.Kind.String()})
		}
	}
	return p, nil
}

// isUpload reports whether input name is a local path to upload.
func (p *invokePlan) isUpload(name string) bool {
	for i := range p.uploads {
		if p.uploads[i].input == name {
			return true
		}
	}
	return false
}

// hashListings reads every listed upload (az's content hash and the checksums).
// It only reads the listings, so it may run beside the workspace checks;
// the caller records the plans.
func hashListings(ctx context.Context, listings []*upload.Listing) ([]*upload.Plan, error) {
	plans := make([]*upload.Plan, len(listings))
	for i, l := range listings {
		plan, err := l.Hash(ctx)
		if errors.Is(err, context.Canceled) {
			return nil, &clierr.Error{Kind: clierr.KindInterrupted, Err: fmt.Errorf("interrupted while reading %s for its content hash; nothing was uploaded and no job was created", l.Source())}
		}
		if err != nil {
			return nil, err
		}
		plans[i] = plan
	}
	return plans, nil
}

// startHash runs hashListings in the background; the function returned
// waits for it and then records each upload's plan and destination.
func (p *invokePlan) startHash(ctx context.Context) func() error {
	listings := make([]*upload.Listing, len(p.uploads))
	for i := range p.uploads {
		listings[i] = p.uploads[i].listing
	}
	hashed := background.Start(func() ([]*upload.Plan, error) { return hashListings(ctx, listings) })
	return func() error {
		plans, err := hashed()
		if err != nil {
			return err
		}
		for i := range p.uploads {
			u := &p.uploads[i]
			u.plan, u.uri = plans[i], plans[i].URI(azml.DefaultDatastore, u.asFolder)
			p.resolved[u.input] = u.uri
		}
		return nil
	}
}

// request renders the scoring body with every planned upload's destination.
func (p *invokePlan) request() (*mlapi.BatchJobRequest, error) {
	return p.inv.Request(p.resolved)
}

// dryRunResult is what --dry-run prints.
type dryRunResult struct {
	Endpoint   string                 `json:"endpoint"`
	Deployment string                 `json:"deployment"`
	Body       *mlapi.BatchJobRequest `json:"body"`
	Uploads    []dryRunUpload         `json:"uploads"`
	Unresolved []unresolvedInput      `json:"unresolved"`
}

type dryRunUpload struct {
	Input       string `json:"input"`
	Source      string `json:"source"`
	Destination string `json:"destination"`
	Files       int    `json:"files"`
	Bytes       int64  `json:"bytes"`
}

func (p *invokePlan) dryRun(ctx context.Context) (*dryRunResult, error) {
	if err := p.startHash(ctx)(); err != nil {
		return nil, err
	}
	body, err := p.request()
	if err != nil {
		return nil, err
	}
	out := &dryRunResult{
		Endpoint:   p.inv.Endpoint,
		Deployment: p.inv.Deployment,
		Body:       body,
		Uploads:    []dryRunUpload{},
		Unresolved: p.unresolved,
	}
	if out.Unresolved == nil {
		out.Unresolved = []unresolvedInput{}
	}
	for _, u := range p.uploads {
		out.Uploads = append(out.Uploads, dryRunUpload{
			Input:       u.input,
			Source:      u.plan.Source,
			Destination: u.uri,
			Files:       len(u.plan.Files),
			Bytes:       u.plan.Bytes,
		})
	}
	return out, nil
}
