package azml

import (
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// EndpointView is a batch endpoint as `az ml batch-endpoint show` prints it:
// the SDK entity's snake_case dump (scoring_uri, defaults.deployment_name,
// auth_mode ...), so --query paths port unchanged.
func EndpointView(e *armmachinelearning.BatchEndpoint) map[string]any {
	v := map[string]any{}
	setStr(v, "name", e.Name)
	setStr(v, "id", e.ID)
	setStr(v, "location", e.Location)
	v["tags"] = strMap(e.Tags)
	if p := e.Properties; p != nil {
		setStr(v, "description", p.Description)
		setStr(v, "scoring_uri", p.ScoringURI)
		setStr(v, "openapi_uri", p.SwaggerURI)
		if p.AuthMode != nil {
			v["auth_mode"] = authModeNames[string(*p.AuthMode)]
		}
		if p.ProvisioningState != nil {
			v["provisioning_state"] = string(*p.ProvisioningState)
		}
		v["properties"] = strMap(p.Properties)
		defaults := map[string]any{}
		if p.Defaults != nil {
			setStr(defaults, "deployment_name", p.Defaults.DeploymentName)
		}
		v["defaults"] = defaults
	}
	return v
}

// DeploymentView is a batch deployment as `az ml batch-deployment show`
// prints it.
func DeploymentView(d *armmachinelearning.BatchDeployment) map[string]any {
	v := map[string]any{}
	setStr(v, "name", d.Name)
	setStr(v, "id", d.ID)
	setStr(v, "location", d.Location)
	v["tags"] = strMap(d.Tags)
	p := d.Properties
	if p == nil {
		return v
	}
	v["type"] = "model"
	if pc, ok := p.DeploymentConfiguration.(*armmachinelearning.BatchPipelineComponentDeploymentConfiguration); ok {
		// az's PipelineComponentBatchDeployment dump: component (the
		// asset id) and settings.
		v["type"] = "pipeline"
		setStr(v, "description", p.Description)
		if pc.ComponentID != nil {
			setStr(v, "component", pc.ComponentID.AssetID)
		}
		v["settings"] = strMap(pc.Settings)
		if p.ProvisioningState != nil {
			v["provisioning_state"] = string(*p.ProvisioningState)
		}
		return v
	}
	setStr(v, "description", p.Description)
	setStr(v, "compute", p.Compute)
	setStr(v, "environment", p.EnvironmentID)
	if p.ProvisioningState != nil {
		v["provisioning_state"] = string(*p.ProvisioningState)
	}
	if m, ok := p.Model.(*armmachinelearning.IDAssetReference); ok && m.AssetID != nil {
		v["model"] = *m.AssetID
	}
	if cc := p.CodeConfiguration; cc != nil {
		code := map[string]any{}
		setStr(code, "code", cc.CodeID)
		setStr(code, "scoring_script", cc.ScoringScript)
		v["code_configuration"] = code
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
	if p.OutputAction != nil {
		settings["output_action"] = snake(lowerFirst(string(*p.OutputAction)))
	}
	setStr(settings, "output_file_name", p.OutputFileName)
	if p.LoggingLevel != nil {
		settings["logging_level"] = strings.ToLower(string(*p.LoggingLevel))
	}
	if rs := p.RetrySettings; rs != nil {
		r := map[string]any{}
		if rs.MaxRetries != nil {
			r["max_retries"] = *rs.MaxRetries
		}
		if rs.Timeout != nil {
			r["timeout"] = *rs.Timeout
		}
		settings["retry_settings"] = r
	}
	v["settings"] = settings
	if p.Resources != nil && p.Resources.InstanceCount != nil {
		v["resources"] = map[string]any{"instance_count": *p.Resources.InstanceCount}
	}
	v["environment_variables"] = strMap(p.EnvironmentVariables)
	v["properties"] = strMap(p.Properties)
	return v
}

// authModeNames are the SDK's spellings of the endpoint auth modes.
var authModeNames = map[string]string{"AADToken": "aad_token", "AMLToken": "aml_token", "Key": "key"}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
