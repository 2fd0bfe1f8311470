package invoke

import (
	"context"
	"fmt"
	"os"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/invocation"
)

// inferSingleInputType makes a lone --input of a local *file* a uri_file
// when --input-type is not given. az sends it as a uri_folder ending in
// "file.csv/", a folder that does not exist, so the job finds no data; no
// working script relies on that.
func inferSingleInputType(inv *invocation.Invocation, typeGiven bool) {
	if !inv.SingleInput || typeGiven || len(inv.Inputs) != 1 {
		return
	}
	in := &inv.Inputs[0]
	ref, err := invocation.Classify(in.Path)
	if err != nil || ref.Kind != invocation.LocalPath {
		return
	}
	if st, err := os.Stat(in.Path); err == nil && st.Mode().IsRegular() {
		in.Type = invocation.TypeURIFile
		in.Name = "UriFile"
	}
}

// checkDeployment applies what the service would reject, before anything
// is uploaded: a model deployment takes exactly one uri_file/uri_folder
// input, no literals, and uri_file outputs only (Azure's texts).
func checkDeployment(dep *armmachinelearning.BatchDeployment, inv *invocation.Invocation) error {
	if dep == nil || dep.Properties == nil {
		return nil
	}
	if dc := dep.Properties.DeploymentConfiguration; dc != nil {
		if t := dc.GetBatchDeploymentConfiguration().DeploymentConfigurationType; t != nil && *t == armmachinelearning.BatchDeploymentConfigurationTypePipelineComponent {
			return nil // checkPipelineDeployment checks it against the component
		}
	}
	name := ""
	if dep.Name != nil {
		name = *dep.Name
	}
	data := 0
	for _, in := range inv.Inputs {
		if in.IsLiteral() {
			return clierr.Usagef("input %q: The specified job input type 'LiteralJobInput' is not supported. The supported types are: UriFileJobInput, UriFolderJobInput. Deployment %q is a model deployment, which takes one uri_file or uri_folder input and no literals (literals are for pipeline component deployments)", in.Name, name)
		}
		if in.Type != invocation.TypeURIFile && in.Type != invocation.TypeURIFolder {
			return clierr.Usagef("input %q: type %s is not supported by model deployment %q; it takes one uri_file or uri_folder input (MLTable data assets aren't currently supported)", in.Name, in.Type, name)
		}
		data++
	}
	if data != 1 {
		return clierr.Usagef("model deployment %q takes exactly one data input, got %d; pass one --input (or one inputs.<name> entry)", name, data)
	}
	for _, out := range inv.Outputs {
		if out.Type != invocation.TypeURIFile {
			return clierr.Usagef("output %q: Job output type must be 'uri_file' (got %s); a model deployment writes one output file", out.Name, out.Type)
		}
	}
	return nil
}

// resolveReferences turns azureml: asset references into data version ids,
// asking the workspace, and fixes a lone --input's type from the asset's
// type as az does. Other forms are sent as classified.
func (p *invokePlan) resolveReferences(ctx context.Context, c *azml.Client, typeGiven bool) error {
	inv, resolved := p.inv, p.resolved
	for i := range inv.Inputs {
		in := &inv.Inputs[i]
		if in.IsLiteral() || p.isUpload(in.Name) {
			continue
		}
		if _, done := resolved[in.Name]; done {
			continue
		}
		ref, err := invocation.Classify(in.Path)
		if err != nil {
			return err
		}
		switch ref.Kind {
		case invocation.AssetVersion, invocation.AssetLabel:
			asset, err := c.ResolveData(ctx, ref.Name, ref.Version, ref.Label)
			if err != nil {
				if clierr.IsNotFound(err) && inv.SingleInput {
					return &clierr.NotFoundError{Err: fmt.Errorf("Value passed to --input is not a supported data. Please use an Azure Machine Learning registered V2 data asset (with the type of either `uri_file` or `uri_folder`): %w", err)}
				}
				return err
			}
			switch asset.Type {
			case invocation.TypeURIFile, invocation.TypeURIFolder:
			default:
				return clierr.Usagef("input %q: data asset %s:%s has type %s; batch endpoints take uri_file or uri_folder data assets (MLTable data assets aren't currently supported)", in.Name, asset.Name, asset.Version, asset.Type)
			}
			if inv.SingleInput && !typeGiven {
				in.Type = asset.Type
				in.Name = map[string]string{invocation.TypeURIFile: "UriFile", invocation.TypeURIFolder: "UriFolder"}[asset.Type]
			}
			resolved[in.Name] = asset.ID
		default:
			resolved[in.Name] = ref.URI()
		}
	}
	return nil
}
