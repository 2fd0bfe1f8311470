package localws

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/invocation"
	"github.com/mlbatch/ml/internal/pipeline"
	"github.com/mlbatch/ml/internal/spec"
)

// Components and jobs as Azure ML stores them, turned into the engine's
// model (internal/pipeline). internal/spec decodes them: a component
// version's componentSpec (ComponentFromDoc: the component's YAML as a
// JSON object, a pipeline's steps in the SDK's REST node form) and a
// PipelineJob or CommandJob body (JobFromARM); ResolveChildren fetches the
// components the steps run. This file resolves what they reference, while
// the submitting request is at hand: code to its datastore folder, data
// and models to their datastore paths; and renders port defaults as the
// command will see them. The result is stored with the job
// (jobRecord.Pipeline) with datastore paths in CodeDir and Path; localize
// (pipelinerun.go) maps them to local files when the job runs.

// specReader reads components for one submission.
type specReader struct {
	s     *Server
	r     *http.Request
	cache map[string]*spec.Component // by component version ARM id
	// sourceJobs are the sourceJobId of components made from a pipeline
	// job, by component version ARM id.
	sourceJobs map[string]string
}

func (s *Server) newSpecReader(r *http.Request) *specReader {
	return &specReader{s: s, r: r, cache: map[string]*spec.Component{}, sourceJobs: map[string]string{}}
}

// component loads a registered component version by reference (ARM id,
// azureml:name:version, azureml:name@latest) with every component its
// steps run, converted for the engine, and its canonical ARM id.
func (c *specReader) component(ref string) (*pipeline.Component, string, *apiError) {
	sc, id, aerr := c.stored(ref)
	if aerr != nil {
		return nil, "", aerr
	}
	if job := c.sourceJobs[id]; job != "" && len(sc.Jobs) == 0 {
		comp, aerr := c.fromSourceJob(sc, job)
		return comp, id, aerr
	}
	if err := sc.ResolveChildren(c.lookup); err != nil {
		return nil, "", errBadRequest("The component " + ref + " cannot run: " + err.Error())
	}
	comp, aerr := c.convert(sc)
	return comp, id, aerr
}

// stored decodes a registered component version.
func (c *specReader) stored(ref string) (*spec.Component, string, *apiError) {
	aref, aerr := c.s.parseAssetRef(ref, componentAssets)
	if aerr != nil {
		return nil, "", aerr
	}
	rec, version, aerr := c.s.resolveAssetRef(c.r.Context(), aref)
	if aerr != nil {
		return nil, "", aerr
	}
	id := c.s.versionID(componentAssets, rec.Parent, version)
	if sc, ok := c.cache[id]; ok {
		return sc, id, nil
	}
	var doc struct {
		Properties struct {
			ComponentSpec map[string]any `json:"componentSpec"`
		} `json:"properties"`
	}
	defer func() {
		if job, ok := doc.Properties.ComponentSpec["sourceJobId"].(string); ok {
			c.sourceJobs[id] = job
		}
	}()
	name := rec.Parent + ":" + version
	if err := json.Unmarshal(rec.Body, &doc); err != nil || doc.Properties.ComponentSpec == nil {
		return nil, "", errBadRequest("The component " + name + " has no componentSpec object.")
	}
	sc, err := spec.ComponentFromDoc(name, doc.Properties.ComponentSpec)
	if err != nil {
		return nil, "", errBadRequest("The component " + name + " cannot be read: " + err.Error())
	}
	if sc.Name == "" {
		sc.Name, sc.Version = rec.Parent, version
	}
	c.cache[id] = sc
	return sc, id, nil
}

// fromSourceJob is a pipeline component made from a pipeline job
// (job_definition: azureml:<job> of a deployment, which az registers as a
// component whose spec is only sourceJobId): the job's own pipeline, its
// literal inputs' values the component's defaults, as Azure takes them.
func (c *specReader) fromSourceJob(sc *spec.Component, sourceJob string) (*pipeline.Component, *apiError) {
	name := sourceJob
	if i := strings.LastIndex(name, "/jobs/"); i >= 0 {
		name = name[i+len("/jobs/"):]
	}
	name = strings.TrimPrefix(name, "azureml:")
	j, err := c.s.store.GetJob(c.r.Context(), name)
	switch {
	case errors.Is(err, errNoRecord):
		return nil, errBadRequest("The component " + sc.Name + ":" + sc.Version + " is made from job " + name + ", which does not exist.")
	case err != nil:
		return nil, &apiError{Status: 500, Code: codeInternal, Message: err.Error()}
	case j.JobType != jobTypePipeline || j.Parent != "" || len(j.Pipeline) == 0:
		return nil, errBadRequest("The component " + sc.Name + ":" + sc.Version + " is made from job " + name + ", which is not a pipeline job.")
	}
	var comp pipeline.Component
	if err := json.Unmarshal(j.Pipeline, &comp); err != nil {
		return nil, &apiError{Status: 500, Code: codeInternal, Message: "decode the pipeline of job " + name + ": " + err.Error()}
	}
	comp.Name = sc.Name + ":" + sc.Version
	for _, in := range j.Inputs {
		if port, ok := comp.Inputs[in.Name]; ok && in.Type == "literal" && port.IsLiteral() {
			port.Default = pipeline.Lit(in.Value)
			comp.Inputs[in.Name] = port
		}
	}
	return &comp, nil
}

// sourceJobInterface is the interface of a component made from a pipeline
// job (its job's ports), or io when the component is not one.
func (s *Server) sourceJobInterface(r *http.Request, componentID string, io componentIO) (componentIO, *apiError) {
	c := s.newSpecReader(r)
	if _, id, aerr := c.stored(componentID); aerr != nil || c.sourceJobs[id] == "" {
		return io, aerr
	}
	comp, _, aerr := c.component(componentID)
	if aerr != nil {
		return io, aerr
	}
	out := componentIO{Inputs: map[string]componentPort{}, Outputs: map[string]componentPort{}}
	for name, p := range comp.Inputs {
		cp := componentPort{Type: p.Type, Optional: p.Optional}
		if p.Default != nil {
			cp.Default = *p.Default
		}
		out.Inputs[name] = cp
	}
	for name, p := range comp.Outputs {
		out.Outputs[name] = componentPort{Type: p.Type}
	}
	return out, nil
}

// lookup is ResolveChildren's: the component a step references.
func (c *specReader) lookup(ref *spec.Ref) (*spec.Component, error) {
	sc, _, aerr := c.stored(firstNonEmptyString(ref.ID, ref.Raw))
	if aerr != nil {
		return nil, errors.New(aerr.Message)
	}
	return sc, nil
}

// armJob decodes a PipelineJob or CommandJob body: its component (a
// registered one, its steps, or its command) and its settings.
func (c *specReader) armJob(name string, props armmachinelearning.JobBasePropertiesClassification) (*spec.Job, *pipeline.Component, *apiError) {
	job, err := spec.JobFromARM(name, props)
	if err != nil {
		return nil, nil, errBadRequest(err.Error())
	}
	switch {
	case job.Type == spec.JobCommand:
		comp := &pipeline.Component{Name: name, Type: pipeline.TypeCommand, Command: job.Command, EnvironmentVariables: job.EnvironmentVariables}
		if strings.TrimSpace(comp.Command) == "" {
			return nil, nil, errBadRequest("The command job has no properties.command.")
		}
		comp.Inputs, comp.Outputs = c.jobPorts(job)
		var aerr *apiError
		if comp.CodeDir, aerr = c.codePath("of job "+name, job.Code); aerr != nil {
			return nil, nil, aerr
		}
		return job, comp, nil
	case job.Component != nil && job.Component.Ref != nil:
		comp, _, aerr := c.component(firstNonEmptyString(job.Component.Ref.ID, job.Component.Ref.Raw))
		return job, comp, aerr
	case len(job.Jobs) == 0:
		return nil, nil, errBadRequest("The pipeline job has neither jobs nor a componentId: give it steps under jobs, or a pipeline component.")
	}
	// Steps of the job itself: a pipeline whose ports are the job's own
	// inputs and outputs.
	sc := &spec.Component{Name: name, Type: spec.ComponentPipeline, Jobs: job.Jobs}
	for _, in := range job.Inputs {
		typ := firstNonEmptyString(in.Type, spec.TypeURIFolder)
		if in.Literal != nil {
			typ = spec.TypeString
		}
		sc.Inputs = append(sc.Inputs, &spec.Port{Name: in.Name, Type: typ})
	}
	for _, o := range job.Outputs {
		sc.Outputs = append(sc.Outputs, &spec.Port{Name: o.Name, Type: firstNonEmptyString(o.Type, spec.TypeURIFolder)})
	}
	if err := sc.ResolveChildren(c.lookup); err != nil {
		return nil, nil, errBadRequest(err.Error())
	}
	comp, aerr := c.convert(sc)
	return job, comp, aerr
}

// jobPorts declares a job's own inputs and outputs as ports: literals as
// strings (a step's port checks the value), data with its type.
func (c *specReader) jobPorts(job *spec.Job) (map[string]pipeline.Port, map[string]pipeline.Port) {
	ins, outs := map[string]pipeline.Port{}, map[string]pipeline.Port{}
	for _, in := range job.Inputs {
		typ := firstNonEmptyString(in.Type, spec.TypeURIFolder)
		if in.Literal != nil {
			typ = spec.TypeString
		}
		ins[in.Name] = pipeline.Port{Type: typ}
	}
	for _, o := range job.Outputs {
		outs[o.Name] = pipeline.Port{Type: firstNonEmptyString(o.Type, spec.TypeURIFolder)}
	}
	return ins, outs
}

// convert turns a decoded component, its children resolved, into the
// engine's.
func (c *specReader) convert(sc *spec.Component) (*pipeline.Component, *apiError) {
	name := sc.Name
	if sc.Version != "" {
		name += ":" + sc.Version
	}
	comp := &pipeline.Component{Name: name, Type: string(sc.Type), EnvironmentVariables: sc.EnvironmentVariables,
		Inputs: map[string]pipeline.Port{}, Outputs: map[string]pipeline.Port{}}
	for _, p := range sc.Inputs {
		port, aerr := convertPort(name, p)
		if aerr != nil {
			return nil, aerr
		}
		comp.Inputs[p.Name] = port
	}
	for _, p := range sc.Outputs {
		comp.Outputs[p.Name] = pipeline.Port{Type: firstNonEmptyString(p.Type, spec.TypeURIFolder), Mode: p.Mode}
	}
	var aerr *apiError
	switch sc.Type {
	case spec.ComponentCommand:
		comp.Command = sc.Command
		comp.CodeDir, aerr = c.codePath(name, sc.Code)
	case spec.ComponentParallel:
		comp.Parallel, aerr = c.parallel(comp, sc.Parallel, nil, sc.Resources)
	case spec.ComponentPipeline:
		comp.Jobs = map[string]*pipeline.Step{}
		for _, n := range sc.Jobs {
			if comp.Jobs[n.Name], aerr = c.node(name, n); aerr != nil {
				return nil, aerr
			}
		}
	}
	if aerr != nil {
		return nil, aerr
	}
	return comp, nil
}

// convertPort is a declared input; a default is rendered as az renders
// literals (a number input's as a Python float, booleans True/False).
func convertPort(comp string, p *spec.Port) (pipeline.Port, *apiError) {
	port := pipeline.Port{Type: p.Type, Optional: p.Optional, Mode: p.Mode}
	if p.Default == nil || !port.IsLiteral() {
		return port, nil
	}
	rendered, err := invocation.CanonicalLiteral(strings.ToLower(p.Type), p.Default.Text)
	if err != nil {
		return port, errBadRequest("Component " + comp + ": the default of input " + p.Name + ": " + err.Error() + ".")
	}
	port.Default = &rendered
	return port, nil
}

// node is one step of a pipeline.
func (c *specReader) node(pipelineName string, n *spec.Node) (*pipeline.Step, *apiError) {
	where := "Step " + n.Name + " of " + pipelineName
	def := n.Component.Definition()
	if def == nil {
		return nil, errBadRequest(where + " has no component.")
	}
	comp, aerr := c.convert(def)
	if aerr != nil {
		return nil, aerr
	}
	if n.Parallel != nil || n.Resources != nil {
		copied := *comp
		if copied.Parallel, aerr = c.parallel(&copied, n.Parallel, comp.Parallel, n.Resources); aerr != nil {
			return nil, aerr
		}
		comp = &copied
	}
	step := &pipeline.Step{Component: comp, Inputs: map[string]pipeline.Binding{}, Outputs: map[string]pipeline.Binding{},
		EnvironmentVariables: n.EnvironmentVariables}
	for _, in := range n.Inputs {
		b, aerr := c.input(where+", input "+in.Name, comp.Inputs[in.Name], in)
		if aerr != nil {
			return nil, aerr
		}
		step.Inputs[in.Name] = b
	}
	for _, o := range n.Outputs {
		b, aerr := c.output(where+", output "+o.Name, o)
		if aerr != nil {
			return nil, aerr
		}
		step.Outputs[o.Name] = b
	}
	return step, nil
}

// input is a step input: a binding as written, a literal as the service
// stores it (its text), or data resolved to its datastore path.
func (c *specReader) input(where string, port pipeline.Port, in *spec.Input) (pipeline.Binding, *apiError) {
	switch {
	case in.Binding != nil:
		return pipeline.Binding{Ref: in.Binding.Raw, Type: in.Type, Mode: in.Mode}, nil
	case in.Literal != nil:
		return pipeline.Binding{Literal: pipeline.Lit(in.Literal.Text)}, nil
	case in.Local:
		return pipeline.Binding{}, errBadRequest(where + ": " + in.Path + " is a local path; upload it and give its azureml:// URI.")
	}
	p, aerr := c.dataPath(firstNonEmptyString(in.Type, port.Type), in.Path)
	if aerr != nil {
		return pipeline.Binding{}, errBadRequest(where + ": " + aerr.Message)
	}
	return pipeline.Binding{Path: p, Type: in.Type, Mode: in.Mode}, nil
}

// output is a step output: bound to the pipeline's, placed on the
// datastore, or at Azure's default place.
func (c *specReader) output(where string, o *spec.Output) (pipeline.Binding, *apiError) {
	switch {
	case o.Binding != nil:
		return pipeline.Binding{Ref: o.Binding.Raw, Mode: o.Mode}, nil
	case o.Path != "":
		p, aerr := c.outputFolder(where, o.Path)
		return pipeline.Binding{Path: p, Mode: o.Mode}, aerr
	}
	return pipeline.Binding{Mode: o.Mode}, nil
}

// outputFolder is the datastore folder an output URI names.
func (c *specReader) outputFolder(where, uri string) (string, *apiError) {
	p, ok, aerr := c.s.parseDatastoreURI(c.r, uri)
	if aerr != nil {
		return "", errBadRequest(where + ": " + aerr.Message)
	}
	p = strings.Trim(p, "/")
	if !ok || p == "" {
		return "", errBadRequest(where + ": the output " + uri + " is not a folder on the local workspace's storage: outputs go to azureml://datastores/" + defaultDatastore + "/paths/<path>/.")
	}
	if _, aerr := c.s.datastoreFile(p + "/"); aerr != nil {
		return "", aerr
	}
	return p, nil
}

// modelTypes are the input types whose azureml: references name models.
var modelTypes = map[string]bool{spec.TypeCustomModel: true, spec.TypeMLflowModel: true, spec.TypeTritonModel: true}

// dataPath resolves a data input's URI to its datastore path (a
// locatedPath: on a created datastore, its short URI): datastore URIs and
// data assets as for batch jobs, models (azureml:<model>@latest
// for the model input types) through their modelUri.
func (c *specReader) dataPath(typ, uri string) (string, *apiError) {
	lower := strings.ToLower(uri)
	isModelRef := strings.HasPrefix(lower, "azureml:") && !strings.HasPrefix(lower, "azureml://datastores/") || strings.Contains(lower, "/models/")
	if !modelTypes[strings.ToLower(typ)] || !isModelRef {
		loc, aerr := c.s.resolveDataURI(c.r, uri)
		return locatedPath(loc.Datastore, loc.Path), aerr
	}
	ref, aerr := c.s.parseAssetRef(uri, modelAssets)
	if aerr != nil {
		return "", aerr
	}
	rec, _, aerr := c.s.resolveAssetRef(c.r.Context(), ref)
	if aerr != nil {
		return "", aerr
	}
	var doc assetDoc
	_ = json.Unmarshal(rec.Body, &doc)
	modelURI, _ := doc.Properties["modelUri"].(string)
	return c.s.assetDatastorePath(c.r, modelURI, "model")
}

// codePath resolves code (a registered code version, or a datastore URI)
// to its datastore folder; nil code is "".
func (c *specReader) codePath(comp string, code *spec.CodeSpec) (string, *apiError) {
	switch {
	case code == nil:
		return "", nil
	case code.Path != "":
		return "", errBadRequest("Component " + comp + ": code " + code.Path + " is a local folder; the client uploads code and registers it as a code version.")
	case code.RemoteURI != "":
		p, ok, aerr := c.s.parseDatastoreURI(c.r, code.RemoteURI)
		if aerr == nil && !ok {
			aerr = errBadRequest("Component " + comp + ": code " + code.RemoteURI + " is not on the local workspace's storage.")
		}
		return strings.Trim(p, "/"), aerr
	}
	aref, aerr := c.s.parseAssetRef(firstNonEmptyString(code.Ref.ID, code.Ref.Raw), codeAssets)
	if aerr != nil {
		return "", aerr
	}
	rec, _, aerr := c.s.resolveAssetRef(c.r.Context(), aref)
	if aerr != nil {
		return "", errBadRequest("Component " + comp + ": " + aerr.Message)
	}
	var doc assetDoc
	_ = json.Unmarshal(rec.Body, &doc)
	uri, _ := doc.Properties["codeUri"].(string)
	p, aerr := c.s.assetDatastorePath(c.r, uri, "code")
	return strings.Trim(p, "/"), aerr
}

// parallel is a parallel component's task and settings for the batch
// runtime: set's fields over base's (a step's over its component's).
func (c *specReader) parallel(comp *pipeline.Component, set *spec.ParallelSettings, base *pipeline.Parallel, res *spec.Resources) (*pipeline.Parallel, *apiError) {
	t := &pipeline.Parallel{}
	if base != nil {
		copied := *base
		t = &copied
	}
	bad := func(format string, args ...any) (*pipeline.Parallel, *apiError) {
		return nil, errBadRequest("Parallel component " + comp.Name + ": " + fmt.Sprintf(format, args...))
	}
	if res != nil && res.InstanceCount != nil {
		t.InstanceCount = int(*res.InstanceCount)
	}
	if set == nil {
		return t, nil
	}
	if task := set.Task; task != nil {
		if task.Type != "" && task.Type != "run_function" {
			return bad("task.type %s does not run on the local workspace: use run_function.", task.Type)
		}
		t.EntryScript, t.ProgramArguments, t.AppendRowTo = task.EntryScript, task.ProgramArguments, task.AppendRowTo
		dir, aerr := c.codePath(comp.Name, task.Code)
		if aerr != nil {
			return nil, aerr
		}
		comp.CodeDir = dir
	}
	if set.MiniBatchSize != "" {
		n, err := strconv.Atoi(strings.TrimSpace(set.MiniBatchSize))
		if err != nil || n < 1 {
			return bad("mini_batch_size %q is not a number of files; the local runtime cuts file inputs into mini-batches of 1 or more files (sizes such as 10kb are for tabular data, which it does not read).", set.MiniBatchSize)
		}
		t.MiniBatchSize = n
	}
	if len(set.PartitionKeys) > 0 {
		return bad("partition_keys split tabular data, which the local runtime does not read; use a file input.")
	}
	if v := set.MiniBatchErrorThreshold; v != nil && *v != -1 {
		return bad("mini_batch_error_threshold is not supported on the local workspace; use error_threshold (failed files).")
	}
	if set.InputData != "" {
		t.InputData = set.InputData
	}
	if v := set.MaxConcurrencyPerInstance; v != nil {
		t.MaxConcurrencyPerInstance = int(*v)
	}
	if v := set.ErrorThreshold; v != nil {
		n := int(*v)
		t.ErrorThreshold = &n
	}
	if v := set.MaxRetries; v != nil {
		n := int(*v)
		t.MaxRetries = &n
	}
	if v := set.RetryTimeout; v != nil {
		t.Timeout = time.Duration(*v) * time.Second
	}
	if set.LoggingLevel != "" {
		t.LoggingLevel = set.LoggingLevel
	}
	return t, nil
}

func firstNonEmptyString(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
