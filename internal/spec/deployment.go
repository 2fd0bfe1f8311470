package spec

import (
	"context"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mlbatch/ml/internal/yamlnode"
)

// DeploymentType is the kind of batch deployment (type: in the YAML).
type DeploymentType string

// Deployment types.
const (
	// DeploymentModel runs a scoring script over a model
	// (modelBatchDeployment.schema.json, or a file without type:).
	DeploymentModel DeploymentType = "model"
	// DeploymentPipeline runs a registered pipeline component
	// (pipelineComponentBatchDeployment.schema.json).
	DeploymentPipeline DeploymentType = "pipeline"
)

// Deployment is a batch deployment YAML file after overrides. Three schemas
// exist, chosen by type: as az chooses them: type: model (settings under
// settings:), type: pipeline (component: and a settings map), and no type
// (az's older batchDeployment schema, settings at the top level). All three
// land in this one shape.
type Deployment struct {
	// File is the YAML file, "" when every key came from flags.
	File string
	// Type is DeploymentModel or DeploymentPipeline.
	Type DeploymentType
	// TopLevelSettings is set for a file without type: (az's batchDeployment
	// schema, with mini_batch_size etc. at the top level).
	TopLevelSettings bool

	// Name and EndpointName are required (or --name / --endpoint-name).
	Name, EndpointName string
	Description        string
	// Tags, Properties and EnvironmentVariables are nil when not given.
	Tags, Properties, EnvironmentVariables map[string]string

	// Model is required for model deployments.
	Model *ModelSpec
	// Code and ScoringScript are code_configuration (both or neither).
	Code          *CodeSpec
	ScoringScript string
	// Environment is nil when not given (MLflow models need none).
	Environment *EnvironmentSpec
	// Compute is the compute as written (azureml:<cluster>, a name or an
	// ARM id); see ComputeID. Required for model deployments.
	Compute string
	// ComputeAt locates compute: ("deployment.yml:14") for messages.
	ComputeAt string
	// Resources is nil when neither resources: nor settings.instance_count
	// is given.
	Resources *Resources
	Settings  Settings

	// Component is the pipeline component of a pipeline deployment when
	// it is referenced (azureml:<name>:<version>, @latest, an ARM id).
	Component *Ref
	// PipelineComponent is the pipeline component when it is given as a
	// local file (component: pipeline.yml) or inline: it is registered,
	// with its children and code, before the deployment, as az does.
	PipelineComponent *Component
	// JobDefinition is job_definition: the pipeline job (azureml:<job
	// name> or its ARM id) whose pipeline becomes the deployment's
	// component; JobDefinitionAt locates it.
	JobDefinition, JobDefinitionAt string
	// PipelineSettings is the settings map of a pipeline deployment
	// (default_compute, default_datastore, continue_on_step_failure,
	// force_rerun), values as az sends them (booleans as True/False).
	PipelineSettings map[string]string

	// Notes are "FILE:LINE: ..." remarks about keys that were accepted but
	// will not be sent as written; commands show them as warnings.
	Notes []string
}

// Settings are the batch settings of a model deployment. Nil or empty
// fields are not sent, and the service applies its defaults (mini_batch_size
// 10, max_concurrency_per_instance 1, error_threshold -1, output_action
// append_row, output_file_name predictions.csv, logging_level info,
// retry_settings 3 retries / 30 s).
type Settings struct {
	MiniBatchSize             *int64
	MaxConcurrencyPerInstance *int32
	ErrorThreshold            *int32
	// OutputAction is az's spelling: append_row or summary_only.
	OutputAction   string
	OutputFileName string
	// LoggingLevel is info, warning or debug.
	LoggingLevel string
	MaxRetries   *int32
	// RetryTimeout is retry_settings.timeout in seconds; 0 is not sent.
	RetryTimeout *int64
}

// Resources is the resources: block of a deployment, component, step or
// job.
type Resources struct {
	InstanceCount *int32
	InstanceType  string
	// Properties is free-form and sent as written.
	Properties map[string]any
	// ShmSize, DockerArgs, MaxInstanceCount and Locations apply to jobs
	// (components, steps); deployments do not send them.
	ShmSize, DockerArgs string
	MaxInstanceCount    *int32
	Locations           []string
}

// Output actions, as written in YAML.
const (
	OutputAppendRow   = "append_row"
	OutputSummaryOnly = "summary_only"
)

var (
	deploymentBaseKeys = []string{"$schema", "name", "endpoint_name", "description", "id", "tags", "properties",
		"model", "code_configuration", "environment", "environment_variables"}
	batchSettingKeys = []string{"error_threshold", "retry_settings", "mini_batch_size", "logging_level",
		"output_action", "output_file_name", "max_concurrency_per_instance"}
	// topLevelDeploymentKeys is az's batchDeployment schema (no type:).
	topLevelDeploymentKeys = concat(deploymentBaseKeys, batchSettingKeys,
		[]string{"compute", "resources", "type", "job_definition", "component", "creation_context", "provisioning_state"})
	modelDeploymentKeys = concat(deploymentBaseKeys,
		[]string{"compute", "error_threshold", "resources", "type", "settings", "provisioning_state"})
	modelSettingsKeys      = concat(batchSettingKeys, []string{"instance_count", "environment_variables"})
	pipelineDeploymentKeys = concat(deploymentBaseKeys,
		[]string{"component", "settings", "type", "job_definition", "provisioning_state"})
	retryKeys       = []string{"max_retries", "timeout"}
	resourcesKeys   = []string{"instance_count", "instance_type", "properties", "shm_size", "docker_args"}
	codeConfigKeys  = []string{"code", "scoring_script"}
	outputActions   = []string{OutputAppendRow, OutputSummaryOnly}
	loggingLevels   = []string{"info", "warning", "debug"}
	deploymentTypes = []string{string(DeploymentModel), string(DeploymentPipeline)}
	maxInt32        = int64(1<<31 - 1)
	maxInt64        = int64(1<<63 - 1)
)

// LoadDeployment reads a batch deployment YAML file (path "" = flags only, "-" = stdin),
// applies overrides, validates it and checks every local path it names.
func LoadDeployment(ctx context.Context, path string, stdin io.Reader, overrides []Override) (*Deployment, error) {
	root, file, base, err := readTree(ctx, path, stdin, "batch deployment")
	if err != nil {
		return nil, err
	}
	return decodeDeployment(ctx, root, file, base, overrides, path)
}

// DeploymentFromDoc decodes a deployment given as a document (az's dump of
// an existing deployment, for `update` without --file) after overrides.
func DeploymentFromDoc(ctx context.Context, name string, doc map[string]any, overrides []Override) (*Deployment, error) {
	root, base, err := treeFromDoc(doc)
	if err != nil {
		return nil, err
	}
	return decodeDeployment(ctx, root, "(batch deployment "+name+")", base, overrides, "")
}

func decodeDeployment(ctx context.Context, root *yaml.Node, file, base string, overrides []Override, path string) (*Deployment, error) {
	d := &decoder{ctx: ctx, file: file, baseDir: base, origin: map[*yaml.Node]string{}}
	if err := d.apply(root, overrides); err != nil {
		return nil, err
	}
	// The schema depends on type:, as az picks its loader by it.
	typ, typeNode, err := d.deploymentType(root)
	if err != nil {
		return nil, err
	}
	dep := &Deployment{File: path, Type: DeploymentModel}
	var o *object
	switch typ {
	case "":
		dep.TopLevelSettings = true
		o, err = d.object(root, "the batch deployment", topLevelDeploymentKeys)
		if err != nil {
			return nil, settingsHint(err, root)
		}
	case string(DeploymentModel):
		o, err = d.object(root, "the model batch deployment", modelDeploymentKeys)
	case string(DeploymentPipeline):
		dep.Type = DeploymentPipeline
		o, err = d.object(root, "the pipeline component batch deployment", pipelineDeploymentKeys)
	default:
		return nil, d.errf(typeNode, "type: %q is not a batch deployment type; use type: model (a scoring script over a model) or type: pipeline (a pipeline component)", typ)
	}
	if err != nil {
		return nil, err
	}
	if err := d.deploymentCommon(o, dep); err != nil {
		return nil, err
	}
	if dep.Type == DeploymentPipeline {
		err = d.pipelineDeployment(o, dep)
	} else {
		err = d.modelDeployment(o, dep)
	}
	if err != nil {
		return nil, err
	}
	dep.Notes = d.notes
	return dep, nil
}

// deploymentType reads type: before the schema is chosen.
func (d *decoder) deploymentType(root *yaml.Node) (string, *yaml.Node, error) {
	ps, err := d.pairs(root, "the batch deployment")
	if err != nil {
		return "", nil, err
	}
	for _, p := range ps {
		if p.Key != "type" || yamlnode.IsNull(p.Value) {
			continue
		}
		if p.Value.Kind != yaml.ScalarNode {
			return "", nil, d.errf(p.Value, "type must be model or pipeline, not %s", kindName(p.Value))
		}
		if c, ok := canonicalEnum(p.Value.Value, deploymentTypes); ok {
			return c, p.Value, nil
		}
		return p.Value.Value, p.Value, nil
	}
	return "", nil, nil
}

// settingsHint adds the likely fix when a file without type: has a
// settings: block (az's top-level schema has no such key).
func settingsHint(err error, root *yaml.Node) error {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "settings" {
			return wrapUsage(err, "; settings: belongs to model deployments: add type: model")
		}
	}
	return err
}

// deploymentCommon reads the keys every deployment schema has.
func (d *decoder) deploymentCommon(o *object, dep *Deployment) error {
	var err error
	if err = o.require("name", "add name: <deployment name> to the file or pass --name/-n"); err != nil {
		return err
	}
	if dep.Name, err = o.str("name"); err != nil {
		return err
	}
	if err = d.checkResourceName(o.node("name"), "a deployment", dep.Name); err != nil {
		return err
	}
	if err = o.require("endpoint_name", "add endpoint_name: <endpoint name> to the file or pass --endpoint-name/-e"); err != nil {
		return err
	}
	if dep.EndpointName, err = o.str("endpoint_name"); err != nil {
		return err
	}
	if dep.Description, err = o.str("description"); err != nil {
		return err
	}
	if _, err = o.str("id"); err != nil {
		return err
	}
	if dep.Tags, err = o.strMap("tags"); err != nil {
		return err
	}
	if dep.Properties, err = o.strMap("properties"); err != nil {
		return err
	}
	if dep.EnvironmentVariables, err = o.strMap("environment_variables"); err != nil {
		return err
	}
	if _, err = o.str("provisioning_state"); err != nil {
		return err
	}
	return nil
}

// modelDeployment reads a model deployment (type: model or no type).
func (d *decoder) modelDeployment(o *object, dep *Deployment) error {
	var err error
	if !dep.TopLevelSettings {
		if err = o.require("compute", "add compute: azureml:<cluster name> (the compute cluster that runs the jobs)"); err != nil {
			return err
		}
	}
	if dep.Compute, err = o.str("compute"); err != nil {
		return err
	}
	if dep.Compute != "" {
		dep.ComputeAt = d.at(o.node("compute"))
	}
	if err = o.require("model", "add model: azureml:<name>:<version>, or an inline model {name: ..., path: <local folder>}"); err != nil {
		return err
	}
	if dep.Model, err = d.modelSpec(o.node("model")); err != nil {
		return err
	}
	if n := o.node("code_configuration"); n != nil {
		if err = d.codeConfiguration(n, dep); err != nil {
			return err
		}
	}
	if n := o.node("environment"); n != nil {
		if dep.Environment, err = d.environmentSpec(n); err != nil {
			return err
		}
	}
	if n := o.node("resources"); n != nil {
		if dep.Resources, err = d.resources(n); err != nil {
			return err
		}
	}
	if dep.TopLevelSettings {
		if err = d.batchSettings(o, &dep.Settings); err != nil {
			return err
		}
		for _, k := range []string{"component", "job_definition"} {
			if n := o.node(k); n != nil {
				return d.errf(n, "%s belongs to pipeline component deployments; add type: pipeline", k)
			}
		}
	} else {
		if dep.Settings.ErrorThreshold, err = o.int32("error_threshold", -1); err != nil {
			return err
		}
		if n := o.node("settings"); n != nil {
			if err = d.modelSettings(n, dep); err != nil {
				return err
			}
		}
	}
	return nil
}

// modelSettings reads settings: of a type: model deployment. Its
// instance_count fills resources.instance_count when that is not set, and
// its environment_variables are merged over the top-level ones, as
// azure-ai-ml does.
func (d *decoder) modelSettings(n *yaml.Node, dep *Deployment) error {
	s, err := d.object(n, "settings", modelSettingsKeys)
	if err != nil {
		return err
	}
	top := dep.Settings.ErrorThreshold
	if err = d.batchSettings(s, &dep.Settings); err != nil {
		return err
	}
	if dep.Settings.ErrorThreshold == nil {
		dep.Settings.ErrorThreshold = top
	}
	count, err := s.int32("instance_count", 1)
	if err != nil {
		return err
	}
	if count != nil {
		if dep.Resources == nil {
			dep.Resources = &Resources{}
		}
		if dep.Resources.InstanceCount == nil {
			dep.Resources.InstanceCount = count
		}
	}
	env, err := s.strMap("environment_variables")
	if err != nil {
		return err
	}
	if env != nil && dep.EnvironmentVariables == nil {
		dep.EnvironmentVariables = map[string]string{}
	}
	for k, v := range env {
		dep.EnvironmentVariables[k] = v
	}
	return nil
}

// batchSettings reads the batch setting keys of o into s.
func (d *decoder) batchSettings(o *object, s *Settings) error {
	var err error
	if s.MiniBatchSize, err = o.integer("mini_batch_size", 1, maxInt64); err != nil {
		return err
	}
	if s.MaxConcurrencyPerInstance, err = o.int32("max_concurrency_per_instance", 1); err != nil {
		return err
	}
	if s.ErrorThreshold, err = o.int32("error_threshold", -1); err != nil {
		return err
	}
	if s.OutputAction, err = o.enum("output_action", outputActions); err != nil {
		return err
	}
	if s.OutputFileName, err = o.str("output_file_name"); err != nil {
		return err
	}
	if s.OutputAction == OutputSummaryOnly && s.OutputFileName != "" {
		d.note(o.node("output_file_name"), "%s %q is not used with output_action summary_only (az refuses this combination; ml sends it and the service ignores it)", o.path("output_file_name"), s.OutputFileName)
	}
	if s.LoggingLevel, err = o.enum("logging_level", loggingLevels); err != nil {
		return err
	}
	if n := o.node("retry_settings"); n != nil {
		r, err := d.object(n, o.path("retry_settings"), retryKeys)
		if err != nil {
			return err
		}
		if s.MaxRetries, err = r.int32("max_retries", 0); err != nil {
			return err
		}
		if s.RetryTimeout, err = d.timeoutSeconds(r); err != nil {
			return err
		}
	}
	return nil
}

// timeoutSeconds reads retry_settings.timeout: seconds, as az writes it, or
// an ISO 8601 duration (PT30S) as the service returns it.
func (d *decoder) timeoutSeconds(r *object) (*int64, error) {
	n := r.node("timeout")
	if n == nil {
		return nil, nil
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		if secs, ok := parseISODuration(n.Value); ok {
			return &secs, nil
		}
	}
	return r.integer("timeout", 0, maxInt32)
}

// resources reads resources:.
func (d *decoder) resources(n *yaml.Node) (*Resources, error) {
	o, err := d.object(n, "resources", resourcesKeys)
	if err != nil {
		return nil, err
	}
	r := &Resources{}
	if r.InstanceCount, err = o.int32("instance_count", 1); err != nil {
		return nil, err
	}
	if r.InstanceType, err = o.str("instance_type"); err != nil {
		return nil, err
	}
	if r.Properties, err = o.anyMap("properties"); err != nil {
		return nil, err
	}
	for _, k := range []string{"shm_size", "docker_args"} {
		if n := o.node(k); n != nil {
			if _, err := o.str(k); err != nil {
				return nil, err
			}
			d.note(n, "resources.%s applies to jobs, not to batch deployments; it is not sent", k)
		}
	}
	return r, nil
}

// codeConfiguration reads code_configuration: (code and scoring_script go
// together) and checks the scoring script exists in a local code folder.
func (d *decoder) codeConfiguration(n *yaml.Node, dep *Deployment) error {
	o, err := d.object(n, "code_configuration", codeConfigKeys)
	if err != nil {
		return err
	}
	if err = o.require("code", "add code: <folder holding the scoring script>"); err != nil {
		return err
	}
	if err = o.require("scoring_script", "add scoring_script: <file name of the scoring script inside code>"); err != nil {
		return err
	}
	if dep.Code, err = d.codeSpec(o.node("code"), "code_configuration.code", dirPath); err != nil {
		return err
	}
	if dep.ScoringScript, err = o.str("scoring_script"); err != nil {
		return err
	}
	if dep.Code.Path != "" {
		script := o.node("scoring_script")
		if _, err := d.localPath(script, "code_configuration.scoring_script", joinInside(dep.Code.Path, dep.ScoringScript), filePath); err != nil {
			return wrapUsage(err, " (scoring_script is relative to code_configuration.code)")
		}
	}
	return nil
}

// pipelineDeployment reads a type: pipeline deployment: its component
// (a reference, a local pipeline component file, or inline) or the
// pipeline job to take it from (job_definition), and its settings.
func (d *decoder) pipelineDeployment(o *object, dep *Deployment) error {
	var err error
	jn, c := o.node("job_definition"), o.node("component")
	switch {
	case jn != nil && c != nil:
		return d.errf(jn, "give component: or job_definition:, not both")
	case jn != nil:
		if jn.Kind != yaml.ScalarNode || jn.ShortTag() != "!!str" || !strings.HasPrefix(strings.ToLower(jn.Value), "azureml:") && !strings.HasPrefix(strings.ToLower(jn.Value), "/subscriptions/") {
			return d.errf(jn, "job_definition must name a pipeline job: azureml:<job name> (or its ARM id); to deploy a pipeline file, use component: <file>")
		}
		dep.JobDefinition, dep.JobDefinitionAt = jn.Value, d.at(jn)
	default:
		if err = o.require("component", "add component: azureml:<pipeline component name>@latest (or :<version>), or a pipeline component file (component: pipeline.yml)"); err != nil {
			return err
		}
		if err = d.deploymentComponent(c, dep); err != nil {
			return err
		}
	}
	if sn := o.node("settings"); sn != nil {
		if dep.PipelineSettings, err = d.pipelineDeploymentSettings(sn); err != nil {
			return err
		}
	}
	for _, k := range []string{"model", "code_configuration", "environment"} {
		if n := o.node(k); n != nil {
			d.note(n, "%s is not used by pipeline component deployments; it is not sent", k)
		}
	}
	return nil
}

// deploymentComponent reads component: of a pipeline deployment.
func (d *decoder) deploymentComponent(c *yaml.Node, dep *Deployment) error {
	cc := componentContext{want: ComponentPipeline, nameOptional: true}
	if d.file != commandLine {
		if abs, err := absPath(d.file); err == nil {
			cc.stack = []string{abs}
		}
	}
	if c.Kind == yaml.MappingNode {
		comp, err := d.component(c, cc)
		if err != nil {
			return err
		}
		dep.PipelineComponent = comp
		return nil
	}
	if c.Kind != yaml.ScalarNode || c.ShortTag() != "!!str" {
		return d.errf(c, "component must be a reference (azureml:<name>@latest), a pipeline component file or an inline pipeline component, not %s", kindName(c))
	}
	raw := c.Value
	if lower := strings.ToLower(raw); strings.HasPrefix(lower, "azureml:") || strings.HasPrefix(lower, "/subscriptions/") || d.stored {
		r, err := ParseRef(KindComponent, raw)
		if err != nil {
			return d.errf(c, "component: %v; or give a pipeline component file (component: pipeline.yml)", err)
		}
		r.At = d.at(c)
		dep.Component = r
		return nil
	}
	comp, err := d.loadComponentFile(c, raw, cc)
	if err != nil {
		return err
	}
	dep.PipelineComponent = comp
	return nil
}

var (
	pipelineDeploymentSettingKeys = []string{"default_compute", "default_datastore", "continue_on_step_failure", "force_rerun"}
	booleanSettings               = []string{"continue_on_step_failure", "force_rerun"}
)

// pipelineDeploymentSettings reads settings: of a pipeline deployment.
// The values are sent as az sends them, Python's str() of the YAML value.
func (d *decoder) pipelineDeploymentSettings(n *yaml.Node) (map[string]string, error) {
	o, err := d.object(n, "settings", pipelineDeploymentSettingKeys)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, k := range pipelineDeploymentSettingKeys {
		if !o.has(k) {
			continue
		}
		if contains(booleanSettings, k) {
			b, err := o.boolean(k)
			if err != nil {
				return nil, err
			}
			out[k] = Literal{Text: fmt.Sprint(*b), Kind: LiteralBoolean}.PyStr()
			continue
		}
		if out[k], err = o.str(k); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
