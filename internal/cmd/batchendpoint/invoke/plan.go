package invoke

import (
	"github.com/mlbatch/ml/internal/azml"
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
	input    string
	plan     *upload.Plan
	asFolder bool
	uri      string
}

type unresolvedInput struct {
	Input string `json:"input"`
	Path  string `json:"path"`
	Kind  string `json:"kind"`
}

// newPlan classifies every data input and plans the upload of local ones.
// It reads local files (to hash them) but makes no network call.
func newPlan(inv *invocation.Invocation, planOpts upload.PlanOptions) (*invokePlan, error) {
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
			up, err := upload.NewPlanWith(in.Path, planOpts)
			if err != nil {
				return nil, err
			}
			asFolder := in.Type == invocation.TypeURIFolder
			uri := up.URI(azml.DefaultDatastore, asFolder)
			p.uploads = append(p.uploads, plannedUpload{input: in.Name, plan: up, asFolder: asFolder, uri: uri})
			p.resolved[in.Name] = uri
		case ref.NeedsWorkspace():
			p.unresolved = append(p.unresolved, unresolvedInput{Input: in.Name, Path: in.Path, Kind: ref.Kind.String()})
		}
	}
	return p, nil
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

func (p *invokePlan) dryRun() (*dryRunResult, error) {
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
