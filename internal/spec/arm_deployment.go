package spec

import (
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// Resolved holds the ARM ids of what a deployment refers to, once
// internal/azml has resolved the references and registered the inline
// assets. Empty ids are not sent.
type Resolved struct {
	ModelID       string
	CodeID        string
	EnvironmentID string
	ComputeID     string
	ComponentID   string
}

var (
	outputActionARM = map[string]armmachinelearning.BatchOutputAction{
		OutputAppendRow:   armmachinelearning.BatchOutputActionAppendRow,
		OutputSummaryOnly: armmachinelearning.BatchOutputActionSummaryOnly,
	}
	loggingLevelARM = map[string]armmachinelearning.BatchLoggingLevel{
		"info":    armmachinelearning.BatchLoggingLevelInfo,
		"warning": armmachinelearning.BatchLoggingLevelWarning,
		"debug":   armmachinelearning.BatchLoggingLevelDebug,
	}
)

// ARM is the PUT body of the deployment. location is the workspace's
// location (az sends it); r holds the resolved ids. Tags, properties and
// (for model deployments) environment variables are always sent, {} when
// empty, as az sends them.
func (d *Deployment) ARM(location string, r Resolved) armmachinelearning.BatchDeployment {
	tags := ptrMap(d.Tags)
	if tags == nil {
		tags = map[string]*string{}
	}
	props := ptrMap(d.Properties)
	if props == nil {
		props = map[string]*string{}
	}
	body := armmachinelearning.BatchDeployment{Location: to.Ptr(location), Tags: tags}
	if d.Type == DeploymentPipeline {
		// As azure-ai-ml's PipelineComponentBatchDeployment sends it: the
		// configuration carries the component's tags and description when
		// the component was given as a file (or inline), none for a
		// reference.
		cfg := &armmachinelearning.BatchPipelineComponentDeploymentConfiguration{
			DeploymentConfigurationType: to.Ptr(armmachinelearning.BatchDeploymentConfigurationTypePipelineComponent),
			ComponentID:                 idRef(r.ComponentID),
			Settings:                    ptrMap(d.PipelineSettings),
		}
		if c := d.PipelineComponent; c != nil {
			cfg.Tags, cfg.Description = ptrMap(c.Tags), optional(c.Description)
		}
		body.Properties = &armmachinelearning.BatchDeploymentProperties{Description: optional(d.Description), DeploymentConfiguration: cfg}
		if len(d.Properties) > 0 {
			body.Properties.Properties = props
		}
		return body
	}
	env := ptrMap(d.EnvironmentVariables)
	if env == nil {
		env = map[string]*string{}
	}
	s := d.Settings
	p := &armmachinelearning.BatchDeploymentProperties{
		Description:               optional(d.Description),
		Compute:                   optional(r.ComputeID),
		EnvironmentID:             optional(r.EnvironmentID),
		EnvironmentVariables:      env,
		Properties:                props,
		MiniBatchSize:             s.MiniBatchSize,
		MaxConcurrencyPerInstance: s.MaxConcurrencyPerInstance,
		ErrorThreshold:            s.ErrorThreshold,
		OutputFileName:            optional(s.OutputFileName),
	}
	if r.ModelID != "" {
		p.Model = idRef(r.ModelID)
	}
	if r.CodeID != "" || d.ScoringScript != "" {
		p.CodeConfiguration = &armmachinelearning.CodeConfiguration{CodeID: optional(r.CodeID), ScoringScript: optional(d.ScoringScript)}
	}
	if a, ok := outputActionARM[s.OutputAction]; ok {
		p.OutputAction = to.Ptr(a)
	}
	if l, ok := loggingLevelARM[s.LoggingLevel]; ok {
		p.LoggingLevel = to.Ptr(l)
	}
	if s.MaxRetries != nil || s.RetryTimeout != nil && *s.RetryTimeout > 0 {
		rs := &armmachinelearning.BatchRetrySettings{MaxRetries: s.MaxRetries}
		if s.RetryTimeout != nil && *s.RetryTimeout > 0 {
			rs.Timeout = to.Ptr(isoDuration(*s.RetryTimeout))
		}
		p.RetrySettings = rs
	}
	if res := d.Resources; res != nil {
		rp := res.Properties
		if rp == nil {
			rp = map[string]any{}
		}
		p.Resources = &armmachinelearning.DeploymentResourceConfiguration{
			InstanceCount: res.InstanceCount,
			InstanceType:  optional(res.InstanceType),
			Properties:    rp,
		}
	}
	body.Properties = p
	return body
}

// idRef is an Id asset reference to id.
func idRef(id string) *armmachinelearning.IDAssetReference {
	return &armmachinelearning.IDAssetReference{ReferenceType: to.Ptr(armmachinelearning.ReferenceTypeID), AssetID: to.Ptr(id)}
}
