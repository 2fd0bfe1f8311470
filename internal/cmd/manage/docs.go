package manage

import (
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/spec"
)

// The update verbs without --file edit the resource as it is, the way az's
// generic update does: the resource is read, written out in its YAML form,
// --set applied, and the result validated and PUT like a file. These docs
// are that YAML form, holding only the writable keys.

// EndpointDoc is endpoint e in az's batch endpoint YAML form.
func EndpointDoc(e *armmachinelearning.BatchEndpoint) map[string]any {
	doc := map[string]any{"name": str(e.Name), "tags": strs(e.Tags)}
	if p := e.Properties; p != nil {
		put(doc, "description", str(p.Description))
		if p.AuthMode != nil {
			doc["auth_mode"] = snakeCase(string(*p.AuthMode))
		}
		doc["properties"] = strs(p.Properties)
		if p.Defaults != nil && p.Defaults.DeploymentName != nil {
			doc["defaults"] = map[string]any{"deployment_name": *p.Defaults.DeploymentName}
		}
	}
	if id := e.Identity; id != nil && id.Type != nil {
		parts := strings.Split(string(*id.Type), ",")
		for i := range parts {
			parts[i] = snakeCase(strings.TrimSpace(parts[i]))
		}
		ident := map[string]any{"type": strings.Join(parts, ",")}
		var users []any
		for rid := range id.UserAssignedIdentities {
			users = append(users, map[string]any{"resource_id": rid})
		}
		if len(users) > 0 {
			ident["user_assigned_identities"] = users
		}
		doc["identity"] = ident
	}
	return doc
}

// DeploymentDoc is deployment d of endpoint in az's batch deployment YAML
// form (type: model with settings:, or type: pipeline).
func DeploymentDoc(d *armmachinelearning.BatchDeployment, endpoint string) map[string]any {
	doc := map[string]any{"name": str(d.Name), "endpoint_name": endpoint, "tags": strs(d.Tags)}
	p := d.Properties
	if p == nil {
		doc["type"] = string(spec.DeploymentModel)
		return doc
	}
	put(doc, "description", str(p.Description))
	doc["properties"] = strs(p.Properties)
	if pc, ok := p.DeploymentConfiguration.(*armmachinelearning.BatchPipelineComponentDeploymentConfiguration); ok {
		doc["type"] = string(spec.DeploymentPipeline)
		if pc.ComponentID != nil {
			put(doc, "component", str(pc.ComponentID.AssetID))
		}
		doc["settings"] = strs(pc.Settings)
		return doc
	}
	doc["type"] = string(spec.DeploymentModel)
	if m, ok := p.Model.(*armmachinelearning.IDAssetReference); ok {
		put(doc, "model", str(m.AssetID))
	}
	if cc := p.CodeConfiguration; cc != nil && cc.CodeID != nil {
		doc["code_configuration"] = map[string]any{"code": str(cc.CodeID), "scoring_script": str(cc.ScoringScript)}
	}
	put(doc, "environment", str(p.EnvironmentID))
	put(doc, "compute", str(p.Compute))
	doc["environment_variables"] = strs(p.EnvironmentVariables)
	if r := p.Resources; r != nil {
		res := map[string]any{}
		if r.InstanceCount != nil {
			res["instance_count"] = *r.InstanceCount
		}
		put(res, "instance_type", str(r.InstanceType))
		if len(r.Properties) > 0 {
			res["properties"] = r.Properties
		}
		doc["resources"] = res
	}
	settings := map[string]any{}
	if p.MiniBatchSize != nil {
		settings["mini_batch_size"] = *p.MiniBatchSize
	}
	if p.MaxConcurrencyPerInstance != nil {
		settings["max_concurrency_per_instance"] = *p.MaxConcurrencyPerInstance
	}
	if p.ErrorThreshold != nil {
		settings["error_threshold"] = *p.ErrorThreshold
	}
	if p.LoggingLevel != nil {
		settings["logging_level"] = strings.ToLower(string(*p.LoggingLevel))
	}
	action := ""
	if p.OutputAction != nil {
		action = snakeCase(string(*p.OutputAction))
		settings["output_action"] = action
	}
	// As azure-ai-ml reads a deployment back: the file name only matters
	// (and az only accepts it) with append_row.
	if action != spec.OutputSummaryOnly {
		put(settings, "output_file_name", str(p.OutputFileName))
	}
	if rs := p.RetrySettings; rs != nil {
		retry := map[string]any{}
		if rs.MaxRetries != nil {
			retry["max_retries"] = *rs.MaxRetries
		}
		put(retry, "timeout", str(rs.Timeout))
		settings["retry_settings"] = retry
	}
	doc["settings"] = settings
	return doc
}

// snakeCase turns the REST spellings into az's (AADToken → aad_token,
// AppendRow → append_row, SystemAssigned → system_assigned).
func snakeCase(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		upper := r >= 'A' && r <= 'Z'
		if upper && i > 0 {
			prevLower := rs[i-1] >= 'a' && rs[i-1] <= 'z'
			nextLower := i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z'
			if prevLower || nextLower && rs[i-1] >= 'A' && rs[i-1] <= 'Z' {
				b.WriteByte('_')
			}
		}
		if upper {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func strs(m map[string]*string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if v != nil {
			out[k] = *v
		}
	}
	return out
}

// put sets key when value is not empty.
func put(m map[string]any, key, value string) {
	if value != "" {
		m[key] = value
	}
}
