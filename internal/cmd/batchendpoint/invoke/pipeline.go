package invoke

import (
	"context"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/azml"
	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/invocation"
	"github.com/mlbatch/ml/internal/spec"
)

// checkPipelineDeployment checks an invocation of a pipeline component
// deployment against its component's declared inputs and outputs, which it
// fetches: before anything is uploaded, as the service would check it
// after. A model deployment, or a component the workspace cannot read (a
// registry's), is left to checkDeployment and the service.
func checkPipelineDeployment(ctx context.Context, c *azml.Client, dep *armmachinelearning.BatchDeployment, inv *invocation.Invocation) error {
	if dep == nil || dep.Properties == nil {
		return nil
	}
	cfg, ok := dep.Properties.DeploymentConfiguration.(*armmachinelearning.BatchPipelineComponentDeploymentConfiguration)
	if !ok || cfg.ComponentID == nil || cfg.ComponentID.AssetID == nil {
		return nil
	}
	name := ""
	if dep.Name != nil {
		name = *dep.Name
	}
	ref, err := spec.ParseRef(spec.KindComponent, *cfg.ComponentID.AssetID)
	if err != nil {
		return fmt.Errorf("deployment %s: its component %s: %w", name, *cfg.ComponentID.AssetID, err)
	}
	ref.At = "deployment " + name
	comp, id, err := c.FetchComponent(ctx, ref)
	if err != nil || comp == nil {
		return err
	}
	label := id
	if i := strings.LastIndex(id, "/components/"); i >= 0 {
		label = strings.Replace(id[i+len("/components/"):], "/versions/", ":", 1)
	}
	return checkPipelineInputs(comp, label, name, inv)
}

// checkPipelineInputs checks inv against comp: every input and output is
// declared, data goes to data inputs and literals to literal ones (parsed
// as the declared type, within its bounds), data types agree, and every
// required input is given. Errors list what the component declares.
func checkPipelineInputs(comp *spec.Component, label, deployment string, inv *invocation.Invocation) error {
	declared := describePorts(comp.Inputs)
	fix := "pass inputs with --set inputs.<name>=<value> / inputs.<name>.path=<path> or in --file"
	given := map[string]bool{}
	for _, in := range inv.Inputs {
		given[in.Name] = true
		port := comp.Input(in.Name)
		switch {
		case port == nil && inv.SingleInput:
			return clierr.Usagef("deployment %s runs pipeline component %s, whose inputs are named: %s; --input gives one unnamed input: %s", deployment, label, declared, fix)
		case port == nil:
			return clierr.Usagef("input %q is not an input of pipeline component %s (deployment %s); its inputs are: %s", in.Name, label, deployment, declared)
		case port.IsLiteral() && !in.IsLiteral():
			return clierr.Usagef("input %q of pipeline component %s is a %s literal, not data; give its value: --set inputs.%s=<value> (or %s: <value> in --file)", in.Name, label, port.Type, in.Name, in.Name)
		case port.IsLiteral():
			if msg := port.CheckLiteral(in.Value); msg != "" {
				return clierr.Usagef("input %q of pipeline component %s (%s): %s", in.Name, label, port.Type, msg)
			}
		case in.IsLiteral():
			return clierr.Usagef("input %q of pipeline component %s is %s data, not a literal (%q); give a path: --set inputs.%s.type=%s inputs.%s.path=<path>", in.Name, label, port.Type, in.Value, in.Name, port.Type, in.Name)
		case in.Type != port.Type:
			return clierr.Usagef("input %q of pipeline component %s is %s, but %s was given; set inputs.%s.type=%s", in.Name, label, port.Type, in.Type, in.Name, port.Type)
		}
	}
	var missing []string
	for _, port := range comp.Inputs {
		if port.Required() && !given[port.Name] {
			missing = append(missing, port.Name)
		}
	}
	if len(missing) > 0 {
		return clierr.Usagef("pipeline component %s (deployment %s) needs input %s, which has no default; its inputs are: %s; %s", label, deployment, strings.Join(quoteAll(missing), ", "), declared, fix)
	}
	for _, out := range inv.Outputs {
		port := comp.Output(out.Name)
		switch {
		case port == nil:
			return clierr.Usagef("output %q is not an output of pipeline component %s (deployment %s); its outputs are: %s", out.Name, label, deployment, describePorts(comp.Outputs))
		case out.Type != "" && out.Type != port.Type:
			return clierr.Usagef("output %q of pipeline component %s is %s, but %s was given; set outputs.%s.type=%s", out.Name, label, port.Type, out.Type, out.Name, port.Type)
		}
	}
	return nil
}

// describePorts lists ports for messages: "input_data (uri_folder,
// required), score_mode (string, default append)".
func describePorts(ports []*spec.Port) string {
	if len(ports) == 0 {
		return "(none)"
	}
	parts := make([]string, len(ports))
	for i, p := range ports {
		note := p.Type
		switch {
		case p.Default != nil:
			note += ", default " + p.Default.Text
		case p.Optional:
			note += ", optional"
		default:
			note += ", required"
		}
		parts[i] = p.Name + " (" + note + ")"
	}
	return strings.Join(parts, ", ")
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}
