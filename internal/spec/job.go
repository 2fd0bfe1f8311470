package spec

import (
	"context"
	"io"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// JobType is the kind of job `az ml job create -f` submits.
type JobType string

// Job types.
const (
	// JobCommand runs one command (commandJob.schema.json; the default).
	JobCommand JobType = "command"
	// JobPipeline runs steps (pipelineJob.schema.json).
	JobPipeline JobType = "pipeline"
)

// Job is a job YAML file (`az ml job create -f job.yml`) after overrides: a
// pipeline job (steps under jobs:, or a pipeline component under
// component:) or a command job.
type Job struct {
	// File is the YAML file.
	File   string
	Schema string
	Type   JobType
	// Name is "" when not given (the service names the job; ml picks a
	// name as az does).
	Name, DisplayName, Description, ExperimentName string
	Tags, Properties                               map[string]string
	// Compute is the job's compute as written, ComputeAt its location.
	Compute, ComputeAt string
	// Inputs are literal or data values (no bindings); Outputs name the
	// job's outputs with their settings (possibly none).
	Inputs  []*Input
	Outputs []*Output

	// Settings are a pipeline job's settings:.
	Settings PipelineSettings
	// Jobs are the pipeline's steps: from jobs:, or those of the pipeline
	// component a local file given as component: defines.
	Jobs []*Node
	// Component is component: of a pipeline job (nil with jobs:). A local
	// file is read (Component.Inline, whose Jobs are Jobs); a reference is
	// sent as the job's componentId.
	Component *ComponentRef

	// Command, Code, Environment, EnvironmentVariables, Resources,
	// Distribution and Timeout (limits.timeout, seconds) are a command
	// job's.
	Command              string
	Code                 *CodeSpec
	Environment          *EnvironmentSpec
	EnvironmentVariables map[string]string
	Resources            *Resources
	Distribution         *Distribution
	Timeout              *int64

	// Notes are remarks about keys accepted but not sent.
	Notes []string
}

// Input returns the job's input name, nil when it has none.
func (j *Job) Input(name string) *Input {
	for _, in := range j.Inputs {
		if in.Name == name {
			return in
		}
	}
	return nil
}

// Output returns the job's output name, nil when it has none.
func (j *Job) Output(name string) *Output {
	for _, o := range j.Outputs {
		if o.Name == name {
			return o
		}
	}
	return nil
}

// Job returns the pipeline step name, nil when there is none.
func (j *Job) Job(name string) *Node { return findNode(j.Jobs, name) }

// PipelineSettings are a pipeline job's (or pipeline deployment's)
// settings.
type PipelineSettings struct {
	// DefaultCompute runs the steps that name no compute, as written
	// (azureml:<cluster>); DefaultComputeAt locates it.
	DefaultCompute, DefaultComputeAt string
	// DefaultDatastore holds outputs that name no path ("" for the
	// workspace default).
	DefaultDatastore string
	// ContinueOnStepFailure keeps independent steps running after one
	// fails (nil: false).
	ContinueOnStepFailure *bool
	// ForceRerun reruns steps whose results could be reused (nil: the
	// service default).
	ForceRerun *bool
}

var (
	jobBaseKeys = []string{"$schema", "type", "name", "display_name", "description", "tags", "properties",
		"experiment_name", "compute", "inputs", "outputs", "identity", "services", "id", "creation_context", "status"}
	pipelineJobKeys      = concat(jobBaseKeys, []string{"settings", "jobs", "component"})
	commandJobKeys       = concat(jobBaseKeys, []string{"command", "code", "environment", "environment_variables", "resources", "distribution", "limits", "queue_settings"})
	pipelineSettingsKeys = []string{"default_compute", "default_datastore", "continue_on_step_failure", "force_rerun"}
	unsupportedJobTypes  = []string{"sweep", "spark", "automl", "parallel", "import", "data_transfer"}
	jobNameRE            = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$`)
)

// LoadJob reads a job YAML file (`az ml job create -f`), applies overrides
// (--set, --name) and validates it whole, with the component files its
// steps name and every local path, before anything is uploaded.
func LoadJob(ctx context.Context, path string, stdin io.Reader, overrides []Override) (*Job, error) {
	root, file, base, err := readTree(ctx, path, stdin, "job")
	if err != nil {
		return nil, err
	}
	d := &decoder{ctx: ctx, file: file, baseDir: base, origin: map[*yaml.Node]string{}}
	if err := d.apply(root, overrides); err != nil {
		return nil, err
	}
	j, err := d.job(root, path)
	if err != nil {
		return nil, err
	}
	j.Notes = d.notes
	return j, nil
}

func (d *decoder) job(root *yaml.Node, path string) (*Job, error) {
	ps, err := d.pairs(root, "the job")
	if err != nil {
		return nil, err
	}
	typ := JobCommand
	for _, p := range ps {
		if p.Key != "type" || p.Value.Kind != yaml.ScalarNode || p.Value.ShortTag() == "!!null" {
			continue
		}
		switch c, ok := canonicalEnum(p.Value.Value, []string{string(JobCommand), string(JobPipeline)}); {
		case ok:
			typ = JobType(c)
		case contains(unsupportedJobTypes, strings.ToLower(p.Value.Value)):
			return nil, d.errf(p.Value, "type: %s jobs are not supported by ml; use type: command or type: pipeline", p.Value.Value)
		default:
			return nil, d.errf(p.Value, "type %q is not a job type; use command or pipeline", p.Value.Value)
		}
	}
	keys := commandJobKeys
	if typ == JobPipeline {
		keys = pipelineJobKeys
	}
	o, err := d.object(root, "the "+string(typ)+" job", keys)
	if err != nil {
		if typ == JobCommand && hasAnyKey(root, "jobs", "settings") {
			return nil, wrapUsage(err, "; a pipeline job needs type: pipeline")
		}
		return nil, err
	}
	j := &Job{File: path, Type: typ}
	if j.Schema, err = o.str("$schema"); err != nil {
		return nil, err
	}
	if j.Name, err = o.str("name"); err != nil {
		return nil, err
	}
	if j.Name != "" && !jobNameRE.MatchString(j.Name) {
		return nil, d.errf(o.node("name"), "job name %q must start with a letter or digit and hold only letters, digits, '_' and '-' (at most 255)", j.Name)
	}
	if j.DisplayName, err = o.str("display_name"); err != nil {
		return nil, err
	}
	if j.Description, err = o.str("description"); err != nil {
		return nil, err
	}
	if j.ExperimentName, err = o.str("experiment_name"); err != nil {
		return nil, err
	}
	if j.Tags, err = o.strMap("tags"); err != nil {
		return nil, err
	}
	if j.Properties, err = o.strMap("properties"); err != nil {
		return nil, err
	}
	if j.Compute, err = o.str("compute"); err != nil {
		return nil, err
	}
	if j.Compute != "" {
		j.ComputeAt = d.at(o.node("compute"))
	}
	for _, k := range []string{"identity", "services", "queue_settings"} {
		if n := o.node(k); n != nil {
			d.note(n, "%s is not sent by ml", k)
		}
	}
	if in := o.node("inputs"); in != nil {
		if j.Inputs, err = d.inputValues(in, "inputs", false); err != nil {
			return nil, err
		}
	}
	if out := o.node("outputs"); out != nil {
		if j.Outputs, err = d.outputValues(out, "outputs", false); err != nil {
			return nil, err
		}
	}
	if typ == JobPipeline {
		err = d.pipelineJob(o, j, path)
	} else {
		err = d.commandJob(o, j)
	}
	if err != nil {
		return nil, err
	}
	return j, nil
}

// pipelineJob reads the keys of a pipeline job.
func (d *decoder) pipelineJob(o *object, j *Job, path string) error {
	if n := o.node("settings"); n != nil {
		s, err := d.object(n, "settings", pipelineSettingsKeys)
		if err != nil {
			return err
		}
		if j.Settings.DefaultCompute, err = s.str("default_compute"); err != nil {
			return err
		}
		if j.Settings.DefaultCompute != "" {
			j.Settings.DefaultComputeAt = d.at(s.node("default_compute"))
		}
		if j.Settings.DefaultDatastore, err = s.str("default_datastore"); err != nil {
			return err
		}
		if j.Settings.ContinueOnStepFailure, err = s.boolean("continue_on_step_failure"); err != nil {
			return err
		}
		if j.Settings.ForceRerun, err = s.boolean("force_rerun"); err != nil {
			return err
		}
	}
	jn, cn := o.node("jobs"), o.node("component")
	switch {
	case jn != nil && cn != nil:
		return d.errf(cn, "a pipeline job has jobs: or component:, not both; keep one")
	case jn == nil && cn == nil:
		return d.errf(o.n, "the pipeline job has no steps; add jobs: (the steps) or component: (a pipeline component file or azureml:<name>:<version>)")
	}
	var cc componentContext
	if abs, err := absPath(path); err == nil {
		cc.stack = []string{abs}
	}
	if cn != nil {
		node := &Node{Name: "component", Type: ComponentPipeline, At: d.at(cn)}
		ref, err := d.pipelineJobComponent(cn, node, cc)
		if err != nil {
			return err
		}
		j.Component = ref
		if def := ref.Inline; def != nil {
			j.Jobs = def.Jobs
			return checkJobInterface(j, def)
		}
		return nil
	}
	nodes, err := d.nodes(jn, cc)
	if err != nil {
		return err
	}
	j.Jobs = nodes
	return checkPipeline(nodes, pipelineScope{inputs: jobPorts(j.Inputs), outputs: outputPorts(j.Outputs)})
}

// pipelineJobComponent reads component: of a pipeline job: a file or a
// reference.
func (d *decoder) pipelineJobComponent(cn *yaml.Node, node *Node, cc componentContext) (*ComponentRef, error) {
	if cn.Kind != yaml.ScalarNode || cn.ShortTag() != "!!str" {
		return nil, d.errf(cn, "component must be a pipeline component file (./pipeline.yml) or azureml:<name>:<version>, not %s", kindName(cn))
	}
	ref := &ComponentRef{At: d.at(cn)}
	if lower := strings.ToLower(cn.Value); strings.HasPrefix(lower, "azureml:") || strings.HasPrefix(lower, "/subscriptions/") {
		r, err := ParseRef(KindComponent, cn.Value)
		if err != nil {
			return nil, d.errf(cn, "component: %v", err)
		}
		r.At = ref.At
		ref.Ref = r
		return ref, nil
	}
	c, err := d.loadComponentFile(cn, cn.Value, componentContext{want: ComponentPipeline, stack: cc.stack})
	if err != nil {
		return nil, err
	}
	ref.Inline = c
	return ref, nil
}

// checkJobInterface checks a pipeline job's inputs and outputs against the
// pipeline component it runs.
func checkJobInterface(j *Job, c *Component) error {
	for _, in := range j.Inputs {
		port := c.Input(in.Name)
		if port == nil {
			return usageAt(in.At, "inputs.%s: the pipeline component has no input %q; its inputs are: %s", in.Name, in.Name, portNames(c.Inputs))
		}
		switch {
		case in.Literal != nil && !port.IsLiteral():
			return usageAt(in.At, "inputs.%s is a %s data input; give {type: %s, path: ...}, not the value %q", in.Name, port.Type, port.Type, in.Literal.Text)
		case in.Literal != nil:
			if msg := port.CheckLiteral(in.Literal.Text); msg != "" {
				return usageAt(in.At, "inputs.%s (%s): %s", in.Name, port.Type, msg)
			}
		case port.IsLiteral():
			return usageAt(in.At, "inputs.%s is a %s; give its value, not a path", in.Name, port.Type)
		}
	}
	for _, port := range c.Inputs {
		if port.Required() && j.Input(port.Name) == nil {
			return usageAt(j.File, "input %q of the pipeline component is required; add inputs.%s: ... (or --set inputs.%s=...)", port.Name, port.Name, port.Name)
		}
	}
	for _, out := range j.Outputs {
		if c.Output(out.Name) == nil {
			return usageAt(out.At, "outputs.%s: the pipeline component has no output %q; its outputs are: %s", out.Name, out.Name, portNames(c.Outputs))
		}
	}
	return nil
}

// jobPorts are what a pipeline job's steps see as the pipeline's inputs:
// one per job input, typed by its value.
func jobPorts(inputs []*Input) []*Port {
	out := make([]*Port, 0, len(inputs))
	for _, in := range inputs {
		p := &Port{Name: in.Name, Type: in.Type, At: in.At}
		if in.Literal != nil && p.Type == "" {
			p.Type = literalType(in.Literal.Kind)
		}
		if p.Type == "" {
			p.Type = TypeURIFolder
		}
		out = append(out, p)
	}
	return out
}

// outputPorts are a pipeline job's outputs as its steps see them.
func outputPorts(outputs []*Output) []*Port {
	out := make([]*Port, 0, len(outputs))
	for _, o := range outputs {
		t := o.Type
		if t == "" {
			t = TypeURIFolder
		}
		out = append(out, &Port{Name: o.Name, Type: t, Mode: o.Mode, At: o.At})
	}
	return out
}

// commandJob reads the keys of a command job.
func (d *decoder) commandJob(o *object, j *Job) error {
	var err error
	if err = o.require("command", "add command: <the command line to run>"); err != nil {
		return err
	}
	if j.Command, err = o.str("command"); err != nil {
		return err
	}
	if err = d.checkPlaceholders(o.node("command"), "command", j.Command, jobPorts(j.Inputs), outputPorts(j.Outputs)); err != nil {
		return wrapUsage(err, " (a job's command uses the job's own inputs and outputs)")
	}
	if n := o.node("code"); n != nil {
		if j.Code, err = d.codeSpec(n, "code", anyPath); err != nil {
			return err
		}
	}
	if err = o.require("environment", "add environment: azureml:<name>:<version> (or @latest), azureml://registries/..., or an inline {image: ...}"); err != nil {
		return err
	}
	if j.Environment, err = d.environmentSpec(o.node("environment")); err != nil {
		return err
	}
	if j.EnvironmentVariables, err = o.strMap("environment_variables"); err != nil {
		return err
	}
	if n := o.node("resources"); n != nil {
		if j.Resources, err = d.jobResources(n, "resources"); err != nil {
			return err
		}
	}
	if n := o.node("distribution"); n != nil {
		if j.Distribution, err = d.distribution(n, "distribution"); err != nil {
			return err
		}
	}
	if n := o.node("limits"); n != nil {
		lo, err := d.object(n, "limits", limitsKeys)
		if err != nil {
			return err
		}
		if j.Timeout, err = d.timeoutSeconds(lo); err != nil {
			return err
		}
	}
	return nil
}
