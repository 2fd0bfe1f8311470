package spec

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// Component sources, the _source azure-ai-ml records in a componentSpec:
// a component file, or a component written inline in a pipeline.
const (
	SourceYAMLComponent = "YAML.COMPONENT"
	SourceYAMLJob       = "YAML.JOB"
)

// Registered holds what internal/azml registered or resolved for a
// component tree or a job, keyed by the decoded values, so the tree
// converts to ARM bodies without being changed. A reference that is
// already an ARM id needs no entry.
type Registered struct {
	// WorkspaceID is the workspace's ARM id (compute ids are built on it).
	WorkspaceID string
	// Codes are the code versions' ARM ids.
	Codes map[*CodeSpec]string
	// Environments are the environments' ids as a component names them:
	// an ARM id, a registry URI, or (on the local workspace) the
	// reference as written.
	Environments map[*EnvironmentSpec]string
	// Components are the ARM ids of the components steps run (registered
	// anonymously, or resolved).
	Components map[*ComponentRef]string
	// Data are the URIs (or asset ids) data inputs were uploaded to or
	// resolved to.
	Data map[*Input]string
}

// NewRegistered returns an empty Registered for the workspace.
func NewRegistered(workspaceID string) *Registered {
	return &Registered{WorkspaceID: workspaceID, Codes: map[*CodeSpec]string{}, Environments: map[*EnvironmentSpec]string{},
		Components: map[*ComponentRef]string{}, Data: map[*Input]string{}}
}

func (r *Registered) code(cs *CodeSpec) string {
	if id, ok := r.Codes[cs]; ok {
		return id
	}
	switch {
	case cs.Ref != nil && cs.Ref.ID != "":
		return cs.Ref.ID
	case cs.Ref != nil:
		return VersionID(r.WorkspaceID, KindCode, cs.Ref.Name, cs.Ref.Version)
	}
	return cs.RemoteURI
}

func (r *Registered) environment(e *EnvironmentSpec) string {
	if id, ok := r.Environments[e]; ok {
		return id
	}
	if e.Ref != nil {
		if e.Ref.ID != "" {
			return e.Ref.ID
		}
		return e.Ref.Raw
	}
	return ""
}

func (r *Registered) component(c *ComponentRef) string {
	if id, ok := r.Components[c]; ok {
		return id
	}
	if c.Ref != nil {
		if c.Ref.ID != "" {
			return c.Ref.ID
		}
		if c.Ref.Version != "" {
			return VersionID(r.WorkspaceID, KindComponent, c.Ref.Name, c.Ref.Version)
		}
		return c.Ref.Raw
	}
	return ""
}

func (r *Registered) data(in *Input) string {
	if uri, ok := r.Data[in]; ok {
		return uri
	}
	return in.Path
}

// armIDRef is how a componentSpec names a code or environment version:
// "azureml:" before an ARM id, as azure-ai-ml writes them; registry URIs
// and references are kept as they are.
func armIDRef(id string) string {
	if strings.HasPrefix(strings.ToLower(id), "/subscriptions/") {
		return "azureml:" + id
	}
	return id
}

// ARM is the PUT body of component version c: componentSpec as az sends
// it (see Spec), with description, tags and isAnonymous beside it.
// anonymous is set for the children of a pipeline, which az registers as
// azureml_anonymous with a content hash for a version.
func (c *Component) ARM(r *Registered, anonymous bool) armmachinelearning.ComponentVersion {
	return armmachinelearning.ComponentVersion{Properties: &armmachinelearning.ComponentVersionProperties{
		ComponentSpec: c.Spec(r, anonymous),
		Description:   optional(c.Description),
		Tags:          ptrMap(c.Tags),
		IsAnonymous:   to.Ptr(anonymous),
		Properties:    map[string]*string{},
	}}
}

// Spec is the componentSpec of c as azure-ai-ml's _to_rest_object writes
// it: the component's YAML keys (snake_case, as in the file) with code and
// environment replaced by the ids they were registered or resolved as, a
// pipeline's steps in the REST node form (componentId, computeId, inputs
// {job_input_type, value|uri, mode}), and _source. Keys not given are left
// out. An anonymous component is named azureml_anonymous, version 1, as
// azure-ai-ml names one.
func (c *Component) Spec(r *Registered, anonymous bool) map[string]any {
	s := map[string]any{"type": string(c.Type)}
	setIf(s, "$schema", c.Schema)
	name, version := c.Name, c.Version
	if anonymous && name == "" {
		name, version = AnonymousComponentName, "1"
	}
	setIf(s, "name", name)
	setIf(s, "version", version)
	setIf(s, "display_name", c.DisplayName)
	setIf(s, "description", c.Description)
	if c.Tags != nil {
		s["tags"] = anyMap(c.Tags)
	}
	// azure-ai-ml's command and parallel components default
	// is_deterministic to true and always write it; a pipeline component
	// has no default, so it is written only when given.
	switch {
	case c.IsDeterministic != nil:
		s["is_deterministic"] = *c.IsDeterministic
	case c.Type == ComponentCommand || c.Type == ComponentParallel:
		s["is_deterministic"] = true
	}
	if len(c.Inputs) > 0 {
		in := map[string]any{}
		for _, p := range c.Inputs {
			in[p.Name] = p.spec()
		}
		s["inputs"] = in
	}
	if len(c.Outputs) > 0 {
		out := map[string]any{}
		for _, p := range c.Outputs {
			out[p.Name] = p.spec()
		}
		s["outputs"] = out
	}
	switch c.Type {
	case ComponentCommand:
		setIf(s, "command", c.Command)
		if c.Code != nil {
			s["code"] = armIDRef(r.code(c.Code))
		}
		if c.Environment != nil {
			s["environment"] = armIDRef(r.environment(c.Environment))
		}
		if c.EnvironmentVariables != nil {
			s["environment_variables"] = anyMap(c.EnvironmentVariables)
		}
		if c.Resources != nil {
			s["resources"] = c.Resources.spec()
		}
		if c.Distribution != nil {
			s["distribution"] = c.Distribution.spec()
		}
	case ComponentParallel:
		c.Parallel.fill(s, r)
		if c.Resources != nil {
			s["resources"] = c.Resources.spec()
		}
	case ComponentPipeline:
		jobs := map[string]any{}
		for _, n := range c.Jobs {
			jobs[n.Name] = n.Rest(r)
		}
		s["jobs"] = jobs
	}
	s["_source"] = c.source()
	return s
}

// source is the component's _source: a file's, or an inline one's.
func (c *Component) source() string {
	if c.File != "" {
		return SourceYAMLComponent
	}
	return SourceYAMLJob
}

// spec is a port as a componentSpec writes it. default, min and max are
// text, Python's str() of the YAML value ("0.5", "True"), because
// azure-ai-ml's port schema dumps them as strings before the PUT.
func (p *Port) spec() map[string]any {
	m := map[string]any{"type": p.Type}
	setIf(m, "description", p.Description)
	if p.Optional {
		m["optional"] = true
	}
	if p.Default != nil {
		m["default"] = p.Default.PyStr()
	}
	if p.Min != nil {
		m["min"] = p.Min.PyStr()
	}
	if p.Max != nil {
		m["max"] = p.Max.PyStr()
	}
	if len(p.Enum) > 0 {
		m["enum"] = append([]string(nil), p.Enum...)
	}
	setIf(m, "mode", p.Mode)
	return m
}

// spec is resources: in a componentSpec or REST node (snake_case).
func (res *Resources) spec() map[string]any {
	m := map[string]any{}
	if res.InstanceCount != nil {
		m["instance_count"] = *res.InstanceCount
	}
	setIf(m, "instance_type", res.InstanceType)
	setIf(m, "shm_size", res.ShmSize)
	setIf(m, "docker_args", res.DockerArgs)
	if res.MaxInstanceCount != nil {
		m["max_instance_count"] = *res.MaxInstanceCount
	}
	if len(res.Locations) > 0 {
		m["locations"] = append([]string(nil), res.Locations...)
	}
	if res.Properties != nil {
		m["properties"] = res.Properties
	}
	return m
}

// spec is distribution: in a componentSpec.
func (dist *Distribution) spec() map[string]any {
	m := map[string]any{"type": dist.Type}
	if dist.ProcessCountPerInstance != nil {
		m["process_count_per_instance"] = *dist.ProcessCountPerInstance
	}
	if dist.WorkerCount != nil {
		m["worker_count"] = *dist.WorkerCount
	}
	if dist.ParameterServerCount != nil {
		m["parameter_server_count"] = *dist.ParameterServerCount
	}
	return m
}

// fill writes a parallel component's (or step's) settings into s.
func (p *ParallelSettings) fill(s map[string]any, r *Registered) {
	if p == nil {
		return
	}
	if t := p.Task; t != nil {
		task := map[string]any{"type": t.Type}
		if t.Code != nil {
			task["code"] = armIDRef(r.code(t.Code))
		}
		setIf(task, "entry_script", t.EntryScript)
		setIf(task, "program_arguments", t.ProgramArguments)
		setIf(task, "model", t.Model)
		setIf(task, "append_row_to", t.AppendRowTo)
		if t.Environment != nil {
			task["environment"] = armIDRef(r.environment(t.Environment))
		}
		s["task"] = task
	}
	setIf(s, "mini_batch_size", p.MiniBatchSize)
	setIf(s, "input_data", p.InputData)
	if len(p.PartitionKeys) > 0 {
		s["partition_keys"] = append([]string(nil), p.PartitionKeys...)
	}
	if p.MaxConcurrencyPerInstance != nil {
		s["max_concurrency_per_instance"] = *p.MaxConcurrencyPerInstance
	}
	if p.ErrorThreshold != nil {
		s["error_threshold"] = *p.ErrorThreshold
	}
	if p.MiniBatchErrorThreshold != nil {
		s["mini_batch_error_threshold"] = *p.MiniBatchErrorThreshold
	}
	setIf(s, "logging_level", p.LoggingLevel)
	if p.MaxRetries != nil || p.RetryTimeout != nil {
		rs := map[string]any{}
		if p.MaxRetries != nil {
			rs["max_retries"] = *p.MaxRetries
		}
		if p.RetryTimeout != nil {
			rs["timeout"] = *p.RetryTimeout
		}
		s["retry_settings"] = rs
	}
}

// inputModesREST and outputModesREST map YAML modes to the REST enums.
var (
	inputModesREST = map[string]string{"ro_mount": "ReadOnlyMount", "rw_mount": "ReadWriteMount", "download": "Download",
		"direct": "Direct", "eval_mount": "EvalMount", "eval_download": "EvalDownload"}
	outputModesREST = map[string]string{"rw_mount": "ReadWriteMount", "upload": "Upload", "direct": "Direct"}
)

// Rest is step n in the REST node form a pipeline component's jobs (and a
// pipeline job's) carry, as azure-ai-ml's node _to_rest_object writes it:
// componentId, computeId, inputs as {job_input_type: literal, value} (a
// literal as Python's str() renders it, or a binding) or {job_input_type,
// uri, mode}, outputs as {value: <binding>, type: literal} or
// {job_output_type, uri, mode}.
func (n *Node) Rest(r *Registered) map[string]any {
	m := map[string]any{"name": n.Name, "type": string(n.Type), "_source": SourceYAMLComponent}
	if n.Component.Inline != nil && n.Component.Inline.File == "" {
		m["_source"] = SourceYAMLJob
	}
	if id := r.component(n.Component); id != "" {
		m["componentId"] = id
	}
	if n.Compute != "" {
		m["computeId"] = computeRef(r.WorkspaceID, n.Compute)
	}
	setIf(m, "display_name", n.DisplayName)
	setIf(m, "description", n.Description)
	if n.Tags != nil {
		m["tags"] = anyMap(n.Tags)
	}
	if n.Properties != nil {
		m["properties"] = anyMap(n.Properties)
	}
	inputs := map[string]any{}
	for _, in := range n.Inputs {
		inputs[in.Name] = in.rest(r)
	}
	m["inputs"] = inputs
	outputs := map[string]any{}
	for _, o := range n.Outputs {
		outputs[o.Name] = o.rest()
	}
	m["outputs"] = outputs
	if n.EnvironmentVariables != nil {
		m["environment_variables"] = anyMap(n.EnvironmentVariables)
	}
	if n.Resources != nil {
		m["resources"] = n.Resources.spec()
	}
	if n.Distribution != nil {
		d := map[string]any{"distribution_type": distributionTypeARM[n.Distribution.Type]}
		if v := n.Distribution.ProcessCountPerInstance; v != nil {
			d["process_count_per_instance"] = *v
		}
		if v := n.Distribution.WorkerCount; v != nil {
			d["worker_count"] = *v
		}
		if v := n.Distribution.ParameterServerCount; v != nil {
			d["parameter_server_count"] = *v
		}
		m["distribution"] = d
	}
	if n.Timeout != nil {
		m["limits"] = map[string]any{"job_limits_type": "Command", "timeout": isoDuration(*n.Timeout)}
	}
	n.Parallel.fill(m, r)
	return m
}

// computeRef is a step's or pipeline's compute as az sends it: the
// workspace compute's ARM id, or a binding as written.
func computeRef(workspaceID, compute string) string {
	if strings.Contains(compute, "${{") {
		return compute
	}
	return ComputeID(workspaceID, compute)
}

// rest is a step input in the REST node form.
func (in *Input) rest(r *Registered) map[string]any {
	switch {
	case in.Binding != nil:
		m := map[string]any{"job_input_type": "literal", "value": in.Binding.Raw}
		if mode, ok := inputModesREST[in.Mode]; ok {
			m["mode"] = mode
		}
		return m
	case in.Literal != nil:
		return map[string]any{"job_input_type": "literal", "value": in.Literal.PyStr()}
	}
	t := in.Type
	if t == "" {
		t = TypeURIFolder
	}
	m := map[string]any{"job_input_type": t, "uri": r.data(in)}
	if mode, ok := inputModesREST[in.Mode]; ok {
		m["mode"] = mode
	}
	return m
}

// rest is a step output in the REST node form.
func (o *Output) rest() map[string]any {
	if o.Binding != nil {
		m := map[string]any{"value": o.Binding.Raw, "type": "literal"}
		if mode, ok := outputModesREST[o.Mode]; ok {
			m["mode"] = mode
		}
		return m
	}
	t := o.Type
	if t == "" {
		t = TypeURIFolder
	}
	m := map[string]any{"job_output_type": t}
	setIf(m, "uri", o.Path)
	if mode, ok := outputModesREST[o.Mode]; ok {
		m["mode"] = mode
	}
	setIf(m, "description", o.Description)
	return m
}

// PyStr is the literal as azure-ai-ml sends it, Python's str() of the
// YAML value: booleans are True and False.
func (l Literal) PyStr() string {
	if l.Kind == LiteralBoolean {
		if strings.EqualFold(l.Text, "true") {
			return "True"
		}
		return "False"
	}
	return l.Text
}

var distributionTypeARM = map[string]string{"mpi": "Mpi", "pytorch": "PyTorch", "tensorflow": "TensorFlow"}

// AnonymousVersion is the version az gives an anonymous component: a GUID
// made of the MD5 of its componentSpec (without name, version, id and
// _source) as Python's json.dumps(sort_keys=True) writes it, so the same
// component gets the same version and is registered once.
func AnonymousVersion(spec map[string]any) string {
	m := map[string]any{}
	for k, v := range spec {
		switch k {
		case "name", "version", "id", "_source":
		default:
			m[k] = v
		}
	}
	sum := md5.Sum([]byte(pyJSON(m)))
	h := hex.EncodeToString(sum[:])
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[:8], h[8:12], h[12:16], h[16:20], h[20:])
}

func setIf(m map[string]any, key, v string) {
	if v != "" {
		m[key] = v
	}
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
