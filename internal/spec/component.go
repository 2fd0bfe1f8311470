package spec

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mlbatch/ml/internal/yamlnode"
)

// ComponentType is the kind of a component, and of the pipeline node that
// runs one (type: in the YAML).
type ComponentType string

// Component types.
const (
	// ComponentCommand runs a command line (commandComponent.schema.json).
	ComponentCommand ComponentType = "command"
	// ComponentParallel runs an entry script over mini-batches
	// (parallelComponent.schema.json).
	ComponentParallel ComponentType = "parallel"
	// ComponentPipeline runs other components as steps
	// (pipelineComponent.schema.json).
	ComponentPipeline ComponentType = "pipeline"
)

var componentTypes = []string{string(ComponentCommand), string(ComponentParallel), string(ComponentPipeline)}

// AnonymousComponentName is the name az registers a pipeline's inline and
// file-referenced child components under (their version is a hash of their
// content), as azure-ai-ml's ANONYMOUS_COMPONENT_NAME.
const AnonymousComponentName = "azureml_anonymous"

// Component is a component YAML file (commandComponent, parallelComponent
// or pipelineComponent schema) after overrides, or a component a pipeline
// defines inline or in a file of its own, or a stored componentSpec
// (ComponentFromDoc). Type says which of the type-specific fields are set.
type Component struct {
	// File is the YAML file, "" for an inline or stored component.
	File string
	// At locates the component ("pipeline.yml:12" for an inline one).
	At string
	// Schema is $schema as written ("" when absent).
	Schema string
	Type   ComponentType
	// Name and Version are "" when not given: a version is then the next
	// one of the container, and a component without a name (inline in a
	// pipeline) is registered anonymously.
	Name, Version            string
	DisplayName, Description string
	Tags                     map[string]string
	// IsDeterministic is nil when not given (the service default, true).
	IsDeterministic *bool
	// Inputs and Outputs are the declared ports, in YAML order.
	Inputs, Outputs []*Port

	// Command is the command line of a command component, with
	// ${{inputs.x}}, ${{outputs.y}} and $[[...]] optional blocks as written.
	Command string
	// Code is the command's code (a local folder, a registered code asset
	// or a URI); nil when not given. Parallel components carry it in Task.
	Code *CodeSpec
	// Environment is the command's environment (required for command
	// components). Parallel components carry it in Task.
	Environment *EnvironmentSpec
	// EnvironmentVariables are nil when not given.
	EnvironmentVariables map[string]string
	// Resources is nil when not given.
	Resources *Resources
	// Distribution is nil when not given (a single process).
	Distribution *Distribution

	// Parallel holds a parallel component's settings and task.
	Parallel *ParallelSettings

	// Jobs are a pipeline component's steps, in YAML order.
	Jobs []*Node

	// Notes are "FILE:LINE: ..." remarks about keys accepted but not acted
	// on; commands show them as warnings.
	Notes []string

	// inferred marks the component of a step that writes its command job
	// in place: its ports come from what the step binds (inferPorts).
	inferred bool
}

// Input returns the declared input name, nil when there is none.
func (c *Component) Input(name string) *Port { return findPort(c.Inputs, name) }

// Output returns the declared output name, nil when there is none.
func (c *Component) Output(name string) *Port { return findPort(c.Outputs, name) }

// Job returns the pipeline step name, nil when there is none.
func (c *Component) Job(name string) *Node { return findNode(c.Jobs, name) }

// Distribution is a command's distribution: (MPI, PyTorch or TensorFlow).
type Distribution struct {
	// Type is mpi, pytorch or tensorflow.
	Type string
	// ProcessCountPerInstance (mpi, pytorch), WorkerCount and
	// ParameterServerCount (tensorflow) are nil when not given.
	ProcessCountPerInstance, WorkerCount, ParameterServerCount *int32
}

// ParallelSettings are a parallel component's (or parallel step's)
// settings. Nil or empty fields are not given: a step's take the
// component's, a component's the service defaults (mini_batch_size 1,
// max_concurrency_per_instance 1, error_threshold -1, logging_level INFO,
// retry_settings 3 retries / 60 s).
type ParallelSettings struct {
	// Task is what each mini-batch runs (required for components).
	Task *ParallelTask
	// MiniBatchSize is as written: a count of files ("10") or a size for
	// tabular data ("10kb", "1mb").
	MiniBatchSize string
	// InputData is the binding of the input that is split into
	// mini-batches, "${{inputs.<name>}}".
	InputData string
	// PartitionKeys split tabular input by column values instead.
	PartitionKeys             []string
	MaxConcurrencyPerInstance *int32
	// ErrorThreshold counts failed items, MiniBatchErrorThreshold failed
	// mini-batches; -1 ignores failures.
	ErrorThreshold, MiniBatchErrorThreshold *int32
	// LoggingLevel is DEBUG, INFO or WARNING.
	LoggingLevel string
	// MaxRetries and RetryTimeout (seconds) are retry_settings.
	MaxRetries   *int32
	RetryTimeout *int64
}

// ParallelTask is a parallel component's task:.
type ParallelTask struct {
	// Type is run_function (an entry script with init() and run()),
	// model or function.
	Type string
	// Code holds the entry script.
	Code             *CodeSpec
	EntryScript      string
	ProgramArguments string
	Model            string
	// AppendRowTo is where run() results are appended
	// ("${{outputs.<name>}}"), "" when not given.
	AppendRowTo string
	// Environment is required.
	Environment *EnvironmentSpec
}

var (
	componentBaseKeys = []string{"$schema", "name", "version", "display_name", "description", "tags", "type",
		"inputs", "outputs", "is_deterministic", "id", "creation_context"}
	commandComponentKeys  = concat(componentBaseKeys, []string{"command", "code", "environment", "environment_variables", "resources", "distribution"})
	parallelComponentKeys = concat(componentBaseKeys, parallelKeys)
	pipelineComponentKeys = concat(componentBaseKeys, []string{"jobs"})
	// storedComponentKeys are what the service adds to a stored spec.
	storedComponentKeys = []string{"_source", "sourceJobId", "intellectualProperty", "properties", "latest_version"}

	parallelKeys = []string{"resources", "logging_level", "task", "mini_batch_size", "input_data", "retry_settings",
		"max_concurrency_per_instance", "error_threshold", "mini_batch_error_threshold", "partition_keys"}
	parallelTaskKeys   = []string{"type", "code", "entry_script", "program_arguments", "model", "append_row_to", "environment"}
	parallelTaskTypes  = []string{"run_function", "model", "function"}
	parallelLogLevels  = []string{"DEBUG", "INFO", "WARNING"}
	distributionKeys   = map[string][]string{"mpi": {"type", "process_count_per_instance"}, "pytorch": {"type", "process_count_per_instance"}, "tensorflow": {"type", "worker_count", "parameter_server_count"}}
	distributionTypes  = []string{"mpi", "pytorch", "tensorflow"}
	jobResourcesKeys   = []string{"instance_count", "instance_type", "properties", "shm_size", "docker_args", "locations", "max_instance_count"}
	componentNameRE    = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	maxComponentNeting = 16
)

// LoadComponent reads a component YAML file (`az ml component create
// -f`), applies overrides (--set, --name, --version) and validates the
// whole tree: every child component a pipeline defines inline or in a file
// of its own, and every local path any of them names. Nothing is
// registered: that is internal/azml's job.
func LoadComponent(ctx context.Context, path string, stdin io.Reader, overrides []Override) (*Component, error) {
	root, file, base, err := readTree(ctx, path, stdin, "component")
	if err != nil {
		return nil, err
	}
	d := &decoder{ctx: ctx, file: file, baseDir: base, origin: map[*yaml.Node]string{}}
	if err := d.apply(root, overrides); err != nil {
		return nil, err
	}
	cc := componentContext{file: path}
	if abs, err := filepath.Abs(path); err == nil {
		cc.stack = []string{abs}
	}
	c, err := d.component(root, cc)
	if err != nil {
		return nil, err
	}
	c.Notes = d.notes
	return c, nil
}

// ComponentFromDoc decodes a component as the service stores it: the
// componentSpec of a component version (ARM GET, or what `ml component
// create` sent). name names it in messages ("hello_batch:1"). The stored
// forms are accepted on top of the YAML ones: pipeline steps as REST nodes
// (componentId, computeId, inputs {job_input_type, value|uri, mode}),
// literals the service turned into text ("False", "10.99") and capitalised
// types ("Number"). Child components are references (Node.Component.Ref)
// to resolve with ResolveChildren, which also checks the steps' bindings
// (decoding alone does not: a stored spec is what the service accepted).
func ComponentFromDoc(name string, doc map[string]any) (*Component, error) {
	root, base, err := treeFromDoc(doc)
	if err != nil {
		return nil, err
	}
	d := &decoder{file: "(component " + name + ")", baseDir: base, origin: map[*yaml.Node]string{}, stored: true}
	c, err := d.component(root, componentContext{})
	if err != nil {
		return nil, err
	}
	c.Notes = d.notes
	return c, nil
}

// componentContext is where a component is being read: its file (when it
// is the root of a file), the type the step that runs it expects, and the
// files being read above it (to refuse a file that includes itself).
type componentContext struct {
	file   string
	want   ComponentType
	inline bool
	// nameOptional lets a top-level component go without a name (a
	// deployment's inline pipeline, registered anonymously).
	nameOptional bool
	stack        []string
}

// component reads a component mapping.
func (d *decoder) component(n *yaml.Node, cc componentContext) (*Component, error) {
	what := "the component"
	if cc.inline {
		what = "the inline component"
	}
	typ, typeNode, err := d.componentType(n, what)
	if err != nil {
		return nil, err
	}
	if typ == "" {
		// azure-ai-ml loads a component without type: as a command
		// component; an inline one takes its step's type.
		typ = ComponentCommand
		if cc.want != "" {
			typ = cc.want
		}
	}
	if cc.want != "" && typ != cc.want {
		return nil, d.errf(typeNode, "the component is a %s component but the step is type: %s; make them agree", typ, cc.want)
	}
	var keys []string
	switch typ {
	case ComponentCommand:
		keys = commandComponentKeys
	case ComponentParallel:
		keys = parallelComponentKeys
	case ComponentPipeline:
		if cc.inline {
			return nil, d.errf(n, "a pipeline step of type pipeline cannot define its component inline; put it in a file (component: ./sub-pipeline.yml) or register it")
		}
		keys = pipelineComponentKeys
	}
	if d.stored {
		keys = concat(keys, storedComponentKeys)
	}
	o, err := d.object(n, fmt.Sprintf("the %s component", typ), keys)
	if err != nil {
		return nil, err
	}
	c := &Component{File: cc.file, At: d.at(n), Type: typ}
	if c.File != "" {
		c.At = c.File
	}
	if c.Schema, err = o.str("$schema"); err != nil {
		return nil, err
	}
	if c.Name, err = o.str("name"); err != nil {
		return nil, err
	}
	if !cc.inline && !cc.nameOptional && !d.stored {
		if err = o.require("name", "add name: <component name> to the file or pass --name/-n"); err != nil {
			return nil, err
		}
	}
	if c.Name != "" && !d.stored && !componentNameRE.MatchString(c.Name) {
		return nil, d.errf(o.node("name"), "component name %q must start with a lower-case letter and contain only lower-case letters, digits and underscores (e.g. %s)", c.Name, suggestComponentName(c.Name))
	}
	if c.Version, err = o.version("version"); err != nil {
		return nil, err
	}
	if c.DisplayName, err = o.str("display_name"); err != nil {
		return nil, err
	}
	if c.Description, err = o.str("description"); err != nil {
		return nil, err
	}
	if c.Tags, err = o.strMap("tags"); err != nil {
		return nil, err
	}
	if c.IsDeterministic, err = o.boolean("is_deterministic"); err != nil {
		return nil, err
	}
	// id and creation_context (read-only fields of `az ml component show`
	// output) and what the service adds to a stored spec are accepted and
	// not sent.
	if in := o.node("inputs"); in != nil {
		if c.Inputs, err = d.ports(in, "inputs", false); err != nil {
			return nil, err
		}
	}
	if out := o.node("outputs"); out != nil {
		if c.Outputs, err = d.ports(out, "outputs", typ == ComponentPipeline); err != nil {
			return nil, err
		}
	}
	switch typ {
	case ComponentCommand:
		err = d.commandComponent(o, c)
	case ComponentParallel:
		err = d.parallelComponent(o, c)
	case ComponentPipeline:
		err = d.pipelineComponent(o, c, cc)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// componentType reads type: of a component before its schema is chosen.
func (d *decoder) componentType(n *yaml.Node, what string) (ComponentType, *yaml.Node, error) {
	ps, err := d.pairs(n, what)
	if err != nil {
		return "", nil, err
	}
	for _, p := range ps {
		if p.Key != "type" || yamlnode.IsNull(p.Value) {
			continue
		}
		if p.Value.Kind == yaml.ScalarNode {
			if c, ok := canonicalEnum(p.Value.Value, componentTypes); ok {
				return ComponentType(c), p.Value, nil
			}
		}
		return "", nil, d.errf(p.Value, "type %s is not a component type ml supports; use command, parallel or pipeline", describe(p.Value))
	}
	return "", n, nil
}

// describe quotes a scalar's text, or says what kind of node it is.
func describe(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return fmt.Sprintf("%q", n.Value)
	}
	return kindName(n)
}

// commandComponent reads the keys of a command component.
func (d *decoder) commandComponent(o *object, c *Component) error {
	var err error
	if err = o.require("command", "add command: <the command line to run, e.g. python main.py --data ${{inputs.data}}>"); err != nil {
		return err
	}
	if c.Command, err = o.str("command"); err != nil {
		return err
	}
	if err = d.checkPlaceholders(o.node("command"), "command", c.Command, c.Inputs, c.Outputs); err != nil {
		return err
	}
	if n := o.node("code"); n != nil {
		if c.Code, err = d.codeSpec(n, "code", anyPath); err != nil {
			return err
		}
	}
	if err = o.require("environment", "add environment: azureml:<name>:<version> (or @latest), a registry environment azureml://registries/..., or an inline {image: ..., conda_file: ...}"); err != nil {
		return err
	}
	if c.Environment, err = d.environmentSpec(o.node("environment")); err != nil {
		return err
	}
	if c.EnvironmentVariables, err = o.strMap("environment_variables"); err != nil {
		return err
	}
	if n := o.node("resources"); n != nil {
		if c.Resources, err = d.jobResources(n, o.path("resources")); err != nil {
			return err
		}
	}
	if n := o.node("distribution"); n != nil {
		if c.Distribution, err = d.distribution(n, o.path("distribution")); err != nil {
			return err
		}
	}
	return nil
}

// parallelComponent reads the keys of a parallel component.
func (d *decoder) parallelComponent(o *object, c *Component) error {
	if err := o.require("task", "add task: {type: run_function, code: <folder>, entry_script: <file>, environment: ...}"); err != nil {
		return err
	}
	s, err := d.parallelSettings(o, c.Inputs, c.Outputs)
	if err != nil {
		return err
	}
	c.Parallel = s
	if n := o.node("resources"); n != nil {
		if c.Resources, err = d.jobResources(n, o.path("resources")); err != nil {
			return err
		}
	}
	if s.InputData == "" {
		return o.require("input_data", "add input_data: ${{inputs.<name>}} (the input split into mini-batches)")
	}
	return nil
}

// parallelSettings reads the parallel keys of o (a component or a step).
func (d *decoder) parallelSettings(o *object, inputs, outputs []*Port) (*ParallelSettings, error) {
	s := &ParallelSettings{}
	var err error
	if n := o.node("task"); n != nil {
		if s.Task, err = d.parallelTask(n, o.path("task"), inputs, outputs); err != nil {
			return nil, err
		}
	}
	if n := o.node("mini_batch_size"); n != nil {
		if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!bool" {
			return nil, d.errf(n, "%s must be a number of files (10) or a size (10kb, 1mb), not %s", o.path("mini_batch_size"), kindName(n))
		}
		s.MiniBatchSize = n.Value
		if !miniBatchSizeRE.MatchString(strings.ToLower(s.MiniBatchSize)) {
			return nil, d.errf(n, "%s: %q is not a number of files (10) or a size (10kb, 1mb, 1gb)", o.path("mini_batch_size"), s.MiniBatchSize)
		}
	}
	if s.InputData, err = o.str("input_data"); err != nil {
		return nil, err
	}
	if s.InputData != "" && inputs != nil {
		b, ok := parseInnerRef(s.InputData)
		if !ok || b.scope != "inputs" {
			return nil, d.errf(o.node("input_data"), "%s must be ${{inputs.<name>}}, the input split into mini-batches; not %q", o.path("input_data"), s.InputData)
		}
		if findPort(inputs, b.name) == nil {
			return nil, d.errf(o.node("input_data"), "%s names input %q, which is not declared; declared inputs: %s", o.path("input_data"), b.name, portNames(inputs))
		}
	}
	if n := o.node("partition_keys"); n != nil {
		if n.Kind != yaml.SequenceNode {
			return nil, d.errf(n, "%s must be a list of column names, not %s", o.path("partition_keys"), kindName(n))
		}
		for _, k := range n.Content {
			if k.Kind != yaml.ScalarNode || yamlnode.IsNull(k) {
				return nil, d.errf(k, "%s: each key must be a column name, not %s", o.path("partition_keys"), kindName(k))
			}
			s.PartitionKeys = append(s.PartitionKeys, k.Value)
		}
	}
	if s.MaxConcurrencyPerInstance, err = o.int32("max_concurrency_per_instance", 1); err != nil {
		return nil, err
	}
	if s.ErrorThreshold, err = o.int32("error_threshold", -1); err != nil {
		return nil, err
	}
	if s.MiniBatchErrorThreshold, err = o.int32("mini_batch_error_threshold", -1); err != nil {
		return nil, err
	}
	if s.LoggingLevel, err = o.enum("logging_level", parallelLogLevels); err != nil {
		return nil, err
	}
	if n := o.node("retry_settings"); n != nil {
		r, err := d.object(n, o.path("retry_settings"), retryKeys)
		if err != nil {
			return nil, err
		}
		if s.MaxRetries, err = r.int32("max_retries", 0); err != nil {
			return nil, err
		}
		if s.RetryTimeout, err = d.timeoutSeconds(r); err != nil {
			return nil, err
		}
	}
	return s, nil
}

var miniBatchSizeRE = regexp.MustCompile(`^[0-9]+\s*([kmg]b)?$`)

// parallelTask reads task: of a parallel component or step.
func (d *decoder) parallelTask(n *yaml.Node, where string, inputs, outputs []*Port) (*ParallelTask, error) {
	o, err := d.object(n, where, parallelTaskKeys)
	if err != nil {
		return nil, err
	}
	t := &ParallelTask{}
	if err = o.require("type", "add type: run_function (an entry script with init() and run(mini_batch))"); err != nil {
		return nil, err
	}
	if t.Type, err = o.enum("type", parallelTaskTypes); err != nil {
		return nil, err
	}
	if cn := o.node("code"); cn != nil {
		if t.Code, err = d.codeSpec(cn, o.path("code"), dirPath); err != nil {
			return nil, err
		}
	}
	if t.EntryScript, err = o.str("entry_script"); err != nil {
		return nil, err
	}
	if t.Type == "run_function" {
		if err = o.require("entry_script", "add entry_script: <file with init() and run(mini_batch)>, relative to task.code"); err != nil {
			return nil, err
		}
		if t.Code != nil && t.Code.Path != "" {
			if _, err := d.localPath(o.node("entry_script"), o.path("entry_script"), joinInside(t.Code.Path, t.EntryScript), filePath); err != nil {
				return nil, wrapUsage(err, " (entry_script is relative to task.code)")
			}
		}
	}
	if t.ProgramArguments, err = o.str("program_arguments"); err != nil {
		return nil, err
	}
	if inputs != nil {
		if err = d.checkPlaceholders(o.node("program_arguments"), o.path("program_arguments"), t.ProgramArguments, inputs, outputs); err != nil {
			return nil, err
		}
	}
	if t.Model, err = o.str("model"); err != nil {
		return nil, err
	}
	if t.AppendRowTo, err = o.str("append_row_to"); err != nil {
		return nil, err
	}
	if t.AppendRowTo != "" && outputs != nil {
		b, ok := parseInnerRef(t.AppendRowTo)
		if !ok || b.scope != "outputs" || findPort(outputs, b.name) == nil {
			return nil, d.errf(o.node("append_row_to"), "%s must be ${{outputs.<name>}} of a declared output (declared: %s), not %q", o.path("append_row_to"), portNames(outputs), t.AppendRowTo)
		}
	}
	if err = o.require("environment", "add environment: azureml:<name>:<version> (or @latest) or an inline {image: ..., conda_file: ...}"); err != nil {
		return nil, err
	}
	if t.Environment, err = d.environmentSpec(o.node("environment")); err != nil {
		return nil, err
	}
	return t, nil
}

// jobResources reads resources: of a component, step or job.
func (d *decoder) jobResources(n *yaml.Node, where string) (*Resources, error) {
	o, err := d.object(n, where, jobResourcesKeys)
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
	if r.ShmSize, err = o.str("shm_size"); err != nil {
		return nil, err
	}
	if r.DockerArgs, err = o.str("docker_args"); err != nil {
		return nil, err
	}
	if r.Properties, err = o.anyMap("properties"); err != nil {
		return nil, err
	}
	if r.MaxInstanceCount, err = o.int32("max_instance_count", 1); err != nil {
		return nil, err
	}
	if ln := o.node("locations"); ln != nil {
		if ln.Kind != yaml.SequenceNode {
			return nil, d.errf(ln, "%s.locations must be a list of regions, not %s", where, kindName(ln))
		}
		for _, l := range ln.Content {
			if l.Kind != yaml.ScalarNode {
				return nil, d.errf(l, "%s.locations: each entry must be a region name, not %s", where, kindName(l))
			}
			r.Locations = append(r.Locations, l.Value)
		}
	}
	return r, nil
}

// distribution reads distribution:.
func (d *decoder) distribution(n *yaml.Node, where string) (*Distribution, error) {
	if n.Kind != yaml.MappingNode {
		return nil, d.errf(n, "%s must be a mapping {type: mpi|pytorch|tensorflow, ...}, not %s", where, kindName(n))
	}
	var typ string
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "type" {
			v := n.Content[i+1]
			c, ok := canonicalEnum(v.Value, distributionTypes)
			if v.Kind != yaml.ScalarNode || !ok {
				return nil, d.errf(v, "%s.type must be one of: %s", where, strings.Join(distributionTypes, ", "))
			}
			typ = c
		}
	}
	if typ == "" {
		return nil, d.errf(n, "missing required key \"type\" in %s; add type: mpi, pytorch or tensorflow", where)
	}
	o, err := d.object(n, where, distributionKeys[typ])
	if err != nil {
		return nil, err
	}
	dist := &Distribution{Type: typ}
	if dist.ProcessCountPerInstance, err = o.int32("process_count_per_instance", 1); err != nil {
		return nil, err
	}
	if dist.WorkerCount, err = o.int32("worker_count", 1); err != nil {
		return nil, err
	}
	if dist.ParameterServerCount, err = o.int32("parameter_server_count", 0); err != nil {
		return nil, err
	}
	return dist, nil
}

// pipelineComponent reads jobs: of a pipeline component.
func (d *decoder) pipelineComponent(o *object, c *Component, cc componentContext) error {
	if err := o.require("jobs", "add jobs: with at least one step"); err != nil {
		return err
	}
	// A stored component made from a pipeline job (a deployment's
	// job_definition) has no steps of its own: they are the job's.
	if jn := o.node("jobs"); d.stored && o.node("sourceJobId") != nil && jn.Kind == yaml.MappingNode && len(jn.Content) == 0 {
		return nil
	}
	nodes, err := d.nodes(o.node("jobs"), cc)
	if err != nil {
		return err
	}
	c.Jobs = nodes
	if d.stored {
		// The service accepted it; ResolveChildren checks it with its
		// children known.
		return nil
	}
	return checkPipeline(nodes, pipelineScope{inputs: c.Inputs, outputs: c.Outputs})
}

// loadComponentFile reads the component file a step names (component:
// ./train.yml), relative to the current file's folder.
func (d *decoder) loadComponentFile(n *yaml.Node, raw string, cc componentContext) (*Component, error) {
	p, err := d.localPath(n, "component", strings.TrimPrefix(raw, "file:"), filePath)
	if err != nil {
		return nil, err
	}
	for _, f := range cc.stack {
		if f == p {
			return nil, d.errf(n, "component file %s includes itself (through %s); a pipeline cannot run itself", p, strings.Join(cc.stack, " -> "))
		}
	}
	if len(cc.stack) >= maxComponentNeting {
		return nil, d.errf(n, "components nest more than %d files deep; flatten the pipeline", maxComponentNeting)
	}
	rel := p
	if r, err := filepath.Rel(d.baseDir, p); err == nil && !strings.HasPrefix(r, "..") {
		rel = filepath.Join(filepath.Dir(d.file), r)
	}
	ctx := d.ctx
	if ctx == nil {
		ctx = context.Background() // a stored tree names no files
	}
	root, file, base, err := readTree(ctx, rel, nil, "component")
	if err != nil {
		// The error is located in the component's own file.
		return nil, err
	}
	sub := &decoder{ctx: ctx, file: file, baseDir: base, origin: map[*yaml.Node]string{}}
	// A component file a step or deployment names is registered
	// anonymously, so it needs no name.
	c, err := sub.component(root, componentContext{file: file, want: cc.want, nameOptional: true, stack: append(append([]string(nil), cc.stack...), p)})
	d.notes = append(d.notes, sub.notes...)
	return c, err
}

// suggestComponentName turns a name into one Azure ML accepts, for
// messages.
func suggestComponentName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	out := b.String()
	if out == "" || out[0] < 'a' || out[0] > 'z' {
		out = "c_" + out
	}
	return out
}
