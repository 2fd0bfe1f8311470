package spec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"gopkg.in/yaml.v3"
)

// ARM is the PUT body of job j (…/jobs/{name}) as az sends it: a
// PipelineJob (its steps in the REST node form, settings with
// default_compute as an ARM id and _source) or a CommandJob. experiment is
// the experiment az files the job under when the YAML names none (the
// YAML file's folder name).
func (j *Job) ARM(r *Registered, experiment string) armmachinelearning.JobBase {
	if j.ExperimentName != "" {
		experiment = j.ExperimentName
	}
	props := ptrMap(j.Properties)
	if props == nil {
		props = map[string]*string{}
	}
	tags := ptrMap(j.Tags)
	if tags == nil {
		tags = map[string]*string{}
	}
	inputs := map[string]armmachinelearning.JobInputClassification{}
	for _, in := range j.Inputs {
		inputs[in.Name] = in.ARM(r)
	}
	outputs := map[string]armmachinelearning.JobOutputClassification{}
	for _, o := range j.Outputs {
		outputs[o.Name] = o.ARM()
	}
	var compute *string
	if j.Compute != "" {
		compute = to.Ptr(ComputeID(r.WorkspaceID, j.Compute))
	}
	if j.Type == JobCommand {
		cj := &armmachinelearning.CommandJob{
			JobType: to.Ptr(armmachinelearning.JobTypeCommand), Command: to.Ptr(j.Command),
			DisplayName: optional(j.DisplayName), Description: optional(j.Description), ExperimentName: optional(experiment),
			Tags: tags, Properties: props, ComputeID: compute, Inputs: inputs, Outputs: outputs,
			EnvironmentVariables: ptrMap(j.EnvironmentVariables),
		}
		if j.Code != nil {
			cj.CodeID = to.Ptr(r.code(j.Code))
		}
		if j.Environment != nil {
			cj.EnvironmentID = to.Ptr(r.environment(j.Environment))
		}
		if res := j.Resources; res != nil {
			cj.Resources = &armmachinelearning.JobResourceConfiguration{InstanceCount: res.InstanceCount, InstanceType: optional(res.InstanceType),
				ShmSize: optional(res.ShmSize), DockerArgs: optional(res.DockerArgs), Properties: res.Properties}
		}
		if dist := j.Distribution; dist != nil {
			cj.Distribution = dist.ARM()
		}
		if j.Timeout != nil {
			cj.Limits = &armmachinelearning.CommandJobLimits{JobLimitsType: to.Ptr(armmachinelearning.JobLimitsTypeCommand), Timeout: to.Ptr(isoDuration(*j.Timeout))}
		}
		return armmachinelearning.JobBase{Properties: cj}
	}
	settings := map[string]any{"_source": SourceYAMLJob}
	s := j.Settings
	if s.DefaultCompute != "" {
		settings["default_compute"] = ComputeID(r.WorkspaceID, s.DefaultCompute)
	}
	if s.DefaultDatastore != "" {
		settings["default_datastore"] = DatastoreID(r.WorkspaceID, s.DefaultDatastore)
	}
	if s.ContinueOnStepFailure != nil {
		settings["continue_on_step_failure"] = *s.ContinueOnStepFailure
	}
	if s.ForceRerun != nil {
		settings["force_rerun"] = *s.ForceRerun
	}
	pj := &armmachinelearning.PipelineJob{
		JobType:     to.Ptr(armmachinelearning.JobTypePipeline),
		DisplayName: optional(j.DisplayName), Description: optional(j.Description), ExperimentName: optional(experiment),
		Tags: tags, Properties: props, ComputeID: compute, Inputs: inputs, Outputs: outputs, Settings: settings,
		Jobs: map[string]any{},
	}
	if j.Component != nil && j.Component.Ref != nil {
		pj.ComponentID = to.Ptr(r.component(j.Component))
	}
	for _, n := range j.Jobs {
		pj.Jobs[n.Name] = n.Rest(r)
	}
	return armmachinelearning.JobBase{Properties: pj}
}

// ARM is a job input as the job body carries it: a literal (as Python's
// str() renders it) or a data input with its URI and delivery mode.
func (in *Input) ARM(r *Registered) armmachinelearning.JobInputClassification {
	if in.Literal != nil {
		return &armmachinelearning.LiteralJobInput{JobInputType: to.Ptr(armmachinelearning.JobInputTypeLiteral), Value: to.Ptr(in.Literal.PyStr()), Description: optional(in.Description)}
	}
	uri := to.Ptr(r.data(in))
	var mode *armmachinelearning.InputDeliveryMode
	if m, ok := inputModesREST[in.Mode]; ok {
		mode = to.Ptr(armmachinelearning.InputDeliveryMode(m))
	}
	desc := optional(in.Description)
	switch in.Type {
	case TypeURIFile:
		return &armmachinelearning.URIFileJobInput{JobInputType: to.Ptr(armmachinelearning.JobInputTypeURIFile), URI: uri, Mode: mode, Description: desc}
	case TypeMLTable:
		return &armmachinelearning.MLTableJobInput{JobInputType: to.Ptr(armmachinelearning.JobInputTypeMltable), URI: uri, Mode: mode, Description: desc}
	case TypeCustomModel:
		return &armmachinelearning.CustomModelJobInput{JobInputType: to.Ptr(armmachinelearning.JobInputTypeCustomModel), URI: uri, Mode: mode, Description: desc}
	case TypeMLflowModel:
		return &armmachinelearning.MLFlowModelJobInput{JobInputType: to.Ptr(armmachinelearning.JobInputTypeMlflowModel), URI: uri, Mode: mode, Description: desc}
	case TypeTritonModel:
		return &armmachinelearning.TritonModelJobInput{JobInputType: to.Ptr(armmachinelearning.JobInputTypeTritonModel), URI: uri, Mode: mode, Description: desc}
	}
	return &armmachinelearning.URIFolderJobInput{JobInputType: to.Ptr(armmachinelearning.JobInputTypeURIFolder), URI: uri, Mode: mode, Description: desc}
}

// ARM is a job output as the job body carries it (uri_folder unless a
// type is given).
func (o *Output) ARM() armmachinelearning.JobOutputClassification {
	uri, desc := optional(o.Path), optional(o.Description)
	var mode *armmachinelearning.OutputDeliveryMode
	if m, ok := outputModesREST[o.Mode]; ok {
		mode = to.Ptr(armmachinelearning.OutputDeliveryMode(m))
	}
	switch o.Type {
	case TypeURIFile:
		return &armmachinelearning.URIFileJobOutput{JobOutputType: to.Ptr(armmachinelearning.JobOutputTypeURIFile), URI: uri, Mode: mode, Description: desc}
	case TypeMLTable:
		return &armmachinelearning.MLTableJobOutput{JobOutputType: to.Ptr(armmachinelearning.JobOutputTypeMltable), URI: uri, Mode: mode, Description: desc}
	case TypeCustomModel:
		return &armmachinelearning.CustomModelJobOutput{JobOutputType: to.Ptr(armmachinelearning.JobOutputTypeCustomModel), URI: uri, Mode: mode, Description: desc}
	case TypeMLflowModel:
		return &armmachinelearning.MLFlowModelJobOutput{JobOutputType: to.Ptr(armmachinelearning.JobOutputTypeMlflowModel), URI: uri, Mode: mode, Description: desc}
	case TypeTritonModel:
		return &armmachinelearning.TritonModelJobOutput{JobOutputType: to.Ptr(armmachinelearning.JobOutputTypeTritonModel), URI: uri, Mode: mode, Description: desc}
	}
	return &armmachinelearning.URIFolderJobOutput{JobOutputType: to.Ptr(armmachinelearning.JobOutputTypeURIFolder), URI: uri, Mode: mode, Description: desc}
}

// ARM is the distribution of a command job.
func (dist *Distribution) ARM() armmachinelearning.DistributionConfigurationClassification {
	switch dist.Type {
	case "mpi":
		return &armmachinelearning.Mpi{DistributionType: to.Ptr(armmachinelearning.DistributionTypeMpi), ProcessCountPerInstance: dist.ProcessCountPerInstance}
	case "tensorflow":
		return &armmachinelearning.TensorFlow{DistributionType: to.Ptr(armmachinelearning.DistributionTypeTensorFlow), WorkerCount: dist.WorkerCount, ParameterServerCount: dist.ParameterServerCount}
	}
	return &armmachinelearning.PyTorch{DistributionType: to.Ptr(armmachinelearning.DistributionTypePyTorch), ProcessCountPerInstance: dist.ProcessCountPerInstance}
}

// DatastoreID is the ARM id of datastore name (azureml:<name> or a bare
// name) in the workspace; an ARM id is kept.
func DatastoreID(workspaceID, datastore string) string {
	d := strings.TrimPrefix(datastore, "azureml:")
	if strings.HasPrefix(strings.ToLower(d), "/subscriptions/") {
		return d
	}
	return workspaceID + "/datastores/" + d
}

// JobFromARM decodes a job PUT body or GET answer (a PipelineJob or a
// CommandJob; name is the job's name) into the shape LoadJob gives: a
// pipeline's steps are decoded from their REST node form (see
// ComponentFromDoc) with their components as references to resolve;
// inputs, outputs and settings are read from the typed body. Compute, code
// and environment are the ids the body carries.
func JobFromARM(name string, props armmachinelearning.JobBasePropertiesClassification) (*Job, error) {
	where := "(job " + name + ")"
	j := &Job{Name: name}
	base := props.GetJobBaseProperties()
	j.DisplayName, j.Description, j.ExperimentName = strOf(base.DisplayName), strOf(base.Description), strOf(base.ExperimentName)
	j.Tags, j.Properties = strMapOf(base.Tags), strMapOf(base.Properties)
	j.Compute = strOf(base.ComputeID)
	var (
		inputs  map[string]armmachinelearning.JobInputClassification
		outputs map[string]armmachinelearning.JobOutputClassification
	)
	switch p := props.(type) {
	case *armmachinelearning.PipelineJob:
		j.Type = JobPipeline
		inputs, outputs = p.Inputs, p.Outputs
		if p.ComponentID != nil && *p.ComponentID != "" {
			r, err := ParseRef(KindComponent, *p.ComponentID)
			if err != nil {
				return nil, usageAt(where, "componentId: %v", err)
			}
			j.Component = &ComponentRef{Ref: r, At: where}
		}
		if err := j.settingsFromARM(p.Settings, where); err != nil {
			return nil, err
		}
		if len(p.Jobs) > 0 {
			nodes, err := nodesFromDoc(where, p.Jobs)
			if err != nil {
				return nil, err
			}
			j.Jobs = nodes
		}
	case *armmachinelearning.CommandJob:
		j.Type = JobCommand
		inputs, outputs = p.Inputs, p.Outputs
		j.Command = strOf(p.Command)
		if id := strOf(p.CodeID); id != "" {
			j.Code = &CodeSpec{At: where}
			if r, err := ParseRef(KindCode, id); err == nil {
				j.Code.Ref = r
			} else {
				j.Code.RemoteURI = id
			}
		}
		if id := strOf(p.EnvironmentID); id != "" {
			r := &Ref{Kind: KindEnvironment, Raw: id, ID: id, At: where}
			if pr, err := ParseRef(KindEnvironment, id); err == nil {
				r = pr
			}
			j.Environment = &EnvironmentSpec{Ref: r}
		}
		j.EnvironmentVariables = strMapOf(p.EnvironmentVariables)
		if res := p.Resources; res != nil {
			j.Resources = &Resources{InstanceCount: res.InstanceCount, InstanceType: strOf(res.InstanceType), ShmSize: strOf(res.ShmSize),
				DockerArgs: strOf(res.DockerArgs), Properties: res.Properties}
		}
		if p.Limits != nil && p.Limits.Timeout != nil {
			if secs, ok := parseISODuration(*p.Limits.Timeout); ok {
				j.Timeout = &secs
			}
		}
	default:
		return nil, usageAt(where, "jobs of type %s are not supported; ml runs Pipeline and Command jobs", strOf((*string)(base.JobType)))
	}
	for _, k := range sortedKeys(inputs) {
		in, err := inputFromARM(k, inputs[k], where)
		if err != nil {
			return nil, err
		}
		j.Inputs = append(j.Inputs, in)
	}
	for _, k := range sortedKeys(outputs) {
		j.Outputs = append(j.Outputs, outputFromARM(k, outputs[k], where))
	}
	// A job of a pipeline component carries the component's nodes in jobs
	// too (the SDK sends both); their bindings name the component's ports,
	// which the job's inputs need not all set, so the component decides.
	if j.Type == JobPipeline && len(j.Jobs) > 0 && j.Component == nil {
		if err := checkPipeline(j.Jobs, pipelineScope{inputs: jobPorts(j.Inputs), outputs: outputPorts(j.Outputs)}); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// settingsFromARM reads a pipeline job's settings map.
func (j *Job) settingsFromARM(settings any, where string) error {
	m, ok := settings.(map[string]any)
	if settings != nil && !ok {
		return usageAt(where, "settings must be an object, not %T", settings)
	}
	for k, v := range m {
		key := strings.ToLower(strings.ReplaceAll(k, "_", ""))
		switch key {
		case "defaultcompute":
			j.Settings.DefaultCompute = fmt.Sprint(v)
		case "defaultdatastore":
			j.Settings.DefaultDatastore = fmt.Sprint(v)
		case "continueonstepfailure", "continuerunonstepfailure":
			b, err := boolOf(v)
			if err != nil {
				return usageAt(where, "settings.%s: %v", k, err)
			}
			j.Settings.ContinueOnStepFailure = &b
		case "forcererun":
			b, err := boolOf(v)
			if err != nil {
				return usageAt(where, "settings.%s: %v", k, err)
			}
			j.Settings.ForceRerun = &b
		}
	}
	return nil
}

// nodesFromDoc decodes a pipeline's jobs in their stored (REST) form.
func nodesFromDoc(where string, jobs map[string]any) ([]*Node, error) {
	root, base, err := treeFromDoc(jobs)
	if err != nil {
		return nil, err
	}
	d := &decoder{file: where, baseDir: base, origin: map[*yaml.Node]string{}, stored: true}
	// Encode sorts map keys; steps run by their dependencies, not order.
	return d.nodes(root, componentContext{})
}

// inputFromARM reads one typed job input.
func inputFromARM(name string, ji armmachinelearning.JobInputClassification, where string) (*Input, error) {
	in := &Input{Name: name, At: where}
	if ji == nil {
		return in, nil
	}
	in.Description = strOf(ji.GetJobInput().Description)
	var uri *string
	var mode *armmachinelearning.InputDeliveryMode
	switch v := ji.(type) {
	case *armmachinelearning.LiteralJobInput:
		if b, ok, err := ParseBinding(strOf(v.Value)); ok {
			if err != nil {
				return nil, usageAt(where, "inputs.%s: %v", name, err)
			}
			return nil, usageAt(where, "inputs.%s: %s is a binding; a job's inputs take values", name, b.Raw)
		}
		in.Literal = &Literal{Text: strOf(v.Value)}
		return in, nil
	case *armmachinelearning.URIFolderJobInput:
		in.Type, uri, mode = TypeURIFolder, v.URI, v.Mode
	case *armmachinelearning.URIFileJobInput:
		in.Type, uri, mode = TypeURIFile, v.URI, v.Mode
	case *armmachinelearning.MLTableJobInput:
		in.Type, uri, mode = TypeMLTable, v.URI, v.Mode
	case *armmachinelearning.CustomModelJobInput:
		in.Type, uri, mode = TypeCustomModel, v.URI, v.Mode
	case *armmachinelearning.MLFlowModelJobInput:
		in.Type, uri, mode = TypeMLflowModel, v.URI, v.Mode
	case *armmachinelearning.TritonModelJobInput:
		in.Type, uri, mode = TypeTritonModel, v.URI, v.Mode
	default:
		return nil, usageAt(where, "inputs.%s: input type %s is not supported", name, strOf((*string)(ji.GetJobInput().JobInputType)))
	}
	in.Path = strOf(uri)
	if mode != nil {
		in.Mode = modeNames[strings.ToLower(string(*mode))]
	}
	return in, nil
}

// outputFromARM reads one typed job output.
func outputFromARM(name string, jo armmachinelearning.JobOutputClassification, where string) *Output {
	o := &Output{Name: name, At: where}
	if jo == nil {
		return o
	}
	base := jo.GetJobOutput()
	o.Description = strOf(base.Description)
	if base.JobOutputType != nil {
		o.Type = strings.ToLower(string(*base.JobOutputType))
	}
	var uri *string
	var mode *armmachinelearning.OutputDeliveryMode
	switch v := jo.(type) {
	case *armmachinelearning.URIFolderJobOutput:
		uri, mode = v.URI, v.Mode
	case *armmachinelearning.URIFileJobOutput:
		uri, mode = v.URI, v.Mode
	case *armmachinelearning.MLTableJobOutput:
		uri, mode = v.URI, v.Mode
	case *armmachinelearning.CustomModelJobOutput:
		uri, mode = v.URI, v.Mode
	case *armmachinelearning.MLFlowModelJobOutput:
		uri, mode = v.URI, v.Mode
	case *armmachinelearning.TritonModelJobOutput:
		uri, mode = v.URI, v.Mode
	}
	o.Path = strOf(uri)
	if mode != nil {
		o.Mode = modeNames[strings.ToLower(string(*mode))]
	}
	return o
}

func boolOf(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(x) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, fmt.Errorf("%v is not true or false", v)
}

func strOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func strMapOf(m map[string]*string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = strOf(v)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
