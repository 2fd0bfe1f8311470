package localws

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/invocation"
	"github.com/mlbatch/ml/internal/pipeline"
)

// Pipeline and command jobs submitted on the ARM jobs route
// (PUT …/jobs/{name}, what `az ml job create` sends) and the jobs of
// pipeline component deployments. Both become a jobRecord that carries the
// resolved component (jobRecord.Pipeline); the scheduler runs it with the
// pipeline engine (pipelinerun.go).

const (
	jobTypePipeline = string(armmachinelearning.JobTypePipeline)
	jobTypeCommand  = string(armmachinelearning.JobTypeCommand)
)

// putJob answers PUT …/jobs/{name}: a new PipelineJob or CommandJob is
// checked completely (components, code, data, bindings, commands) and
// queued; a PUT of an existing job updates what Azure lets change (tags,
// description, display name).
func (s *Server) putJob(w http.ResponseWriter, r *http.Request, name string) {
	if aerr := checkName("job", name); aerr != nil {
		writeError(w, aerr)
		return
	}
	body, err := s.readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	var jb armmachinelearning.JobBase
	if err := json.Unmarshal(body, &jb); err != nil {
		writeError(w, errBadRequest("The request body is not a valid job: "+err.Error()))
		return
	}
	if existing, err := s.store.GetJob(r.Context(), name); err == nil {
		s.updateJob(w, r, existing, jb.Properties)
		return
	} else if !errors.Is(err, errNoRecord) {
		writeError(w, err)
		return
	}
	j, aerr := s.newARMJob(r, name, jb.Properties)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if aerr := s.createJob(r.Context(), j); aerr != nil {
		writeError(w, aerr)
		return
	}
	writeJSON(w, http.StatusCreated, s.armJob(r, j))
}

// updateJob applies a re-PUT's tags, description and display name.
func (s *Server) updateJob(w http.ResponseWriter, r *http.Request, j *jobRecord, props armmachinelearning.JobBasePropertiesClassification) {
	if props == nil {
		writeError(w, errBadRequest("The job has no 'properties'."))
		return
	}
	base := props.GetJobBaseProperties()
	updated, err := s.mutateJob(r.Context(), j.Name, func(j *jobRecord) bool {
		if base.Tags != nil {
			j.Tags = derefMap(base.Tags)
		}
		if base.Description != nil {
			j.Description = *base.Description
		}
		if base.DisplayName != nil {
			j.DisplayName = *base.DisplayName
		}
		return true
	})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.armJob(r, updated))
}

// createJob stores a new job and hands it to the scheduler.
func (s *Server) createJob(ctx context.Context, j *jobRecord) *apiError {
	s.createMu.Lock()
	j.Status = s.jobs.admit(j.Name)
	err := s.store.CreateJob(ctx, j)
	s.createMu.Unlock()
	if err != nil {
		s.jobs.release(j.Name)
		if errors.Is(err, errJobNameTaken) {
			return errJobTaken(j.Name, s.opts.Workspace)
		}
		return &apiError{Status: 500, Code: codeInternal, Message: err.Error()}
	}
	ctx = context.WithoutCancel(ctx)
	s.recordEvent(ctx, j.Name, jobEvent{Type: "status", Status: j.Status, Message: "job created"})
	if j.Status == statusPreparing {
		s.jobs.launch(j.Name)
	} else {
		s.jobs.enqueue(j.Name)
	}
	s.log.Info("job created", "job", j.Name, "type", j.JobType, "status", j.Status)
	return nil
}

// newARMJob checks a PipelineJob or CommandJob and resolves everything it
// references. Nothing is stored.
func (s *Server) newARMJob(r *http.Request, name string, props armmachinelearning.JobBasePropertiesClassification) (*jobRecord, *apiError) {
	if props == nil {
		return nil, errBadRequest("The job has no 'properties'.")
	}
	base := props.GetJobBaseProperties()
	j := &jobRecord{
		Name:           name,
		DisplayName:    deref(base.DisplayName),
		ExperimentName: deref(base.ExperimentName),
		Description:    deref(base.Description),
		CreatedAt:      time.Now().UTC(),
		Compute:        deref(base.ComputeID),
		Tags:           derefMap(base.Tags),
		Properties:     derefMap(base.Properties),
	}
	if j.DisplayName == "" {
		j.DisplayName = displayName()
	}
	if j.ExperimentName == "" {
		j.ExperimentName = "Default"
	}
	sr := s.newSpecReader(r)
	var comp *pipeline.Component
	var aerr *apiError
	switch p := props.(type) {
	case *armmachinelearning.PipelineJob:
		j.JobType = jobTypePipeline
		if j.Inputs, j.Outputs, aerr = s.armJobIO(r, name, p.Inputs, p.Outputs); aerr != nil {
			return nil, aerr
		}
		j.ContinueOnStepFailure = settingTrue(p.Settings, "continue_on_step_failure")
		comp, aerr = s.pipelineJobComponent(sr, j, p)
	case *armmachinelearning.CommandJob:
		j.JobType = jobTypeCommand
		if j.Inputs, j.Outputs, aerr = s.armJobIO(r, name, p.Inputs, p.Outputs); aerr != nil {
			return nil, aerr
		}
		comp, aerr = commandJobComponent(sr, j, p)
		j.Command = deref(p.Command)
		j.EnvironmentID = deref(p.EnvironmentID)
	default:
		return nil, errBadRequest("The local workspace runs Pipeline and Command jobs; jobType " + string(derefOr(base.JobType, "")) + " is not supported.")
	}
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.setPipeline(j, comp); aerr != nil {
		return nil, aerr
	}
	return j, nil
}

// pipelineJobComponent is what a PipelineJob runs: its registered pipeline
// component (componentId), else its jobs, with the job's inputs and outputs
// as the pipeline's ports.
func (s *Server) pipelineJobComponent(sr *specReader, j *jobRecord, p *armmachinelearning.PipelineJob) (*pipeline.Component, *apiError) {
	if id := deref(p.ComponentID); id != "" {
		comp, canonical, aerr := sr.component(id, 0)
		if aerr != nil {
			return nil, aerr
		}
		j.ComponentID = canonical
		return comp, nil
	}
	if len(p.Jobs) == 0 {
		return nil, errBadRequest("The pipeline job has neither jobs nor a componentId: give it steps under jobs, or a pipeline component.")
	}
	comp := &pipeline.Component{Name: j.Name, Type: pipeline.TypePipeline, Jobs: map[string]*pipeline.Step{}}
	comp.Inputs, comp.Outputs = impliedPorts(j)
	for stepName, raw := range p.Jobs {
		node, ok := raw.(map[string]any)
		if !ok {
			return nil, errBadRequest("properties.jobs." + stepName + " is not an object.")
		}
		step, aerr := sr.node("pipeline job "+j.Name, stepName, node, 0)
		if aerr != nil {
			return nil, aerr
		}
		comp.Jobs[stepName] = step
	}
	return comp, nil
}

// commandJobComponent is a CommandJob as a command component whose ports
// are the job's inputs and outputs.
func commandJobComponent(sr *specReader, j *jobRecord, p *armmachinelearning.CommandJob) (*pipeline.Component, *apiError) {
	if strings.TrimSpace(deref(p.Command)) == "" {
		return nil, errBadRequest("The command job has no properties.command.")
	}
	comp := &pipeline.Component{Name: j.Name, Type: pipeline.TypeCommand, Command: *p.Command, EnvironmentVariables: derefMap(p.EnvironmentVariables)}
	comp.Inputs, comp.Outputs = impliedPorts(j)
	var aerr *apiError
	if comp.CodeDir, aerr = sr.codePath("of job "+j.Name, deref(p.CodeID)); aerr != nil {
		return nil, aerr
	}
	return comp, nil
}

// impliedPorts declares a job's own inputs and outputs as ports: literals
// as strings (a step's port checks the value), data with its type.
func impliedPorts(j *jobRecord) (map[string]pipeline.Port, map[string]pipeline.Port) {
	ins, outs := map[string]pipeline.Port{}, map[string]pipeline.Port{}
	for _, in := range j.Inputs {
		typ := in.Type
		if in.Path == "" {
			typ = "string"
		}
		ins[in.Name] = pipeline.Port{Type: typ}
	}
	for _, o := range j.Outputs {
		outs[o.Name] = pipeline.Port{Type: o.Type}
	}
	return ins, outs
}

// armJobIO resolves a job's inputs (literals, data URIs, models) and
// places its outputs (their URI, else azureml/<job>/<output>/).
func (s *Server) armJobIO(r *http.Request, job string, inputs map[string]armmachinelearning.JobInputClassification, outputs map[string]armmachinelearning.JobOutputClassification) ([]jobInput, []jobOutput, *apiError) {
	sr := s.newSpecReader(r)
	var ins []jobInput
	for _, name := range sortedMapKeys(inputs) {
		var v struct {
			Type  string  `json:"jobInputType"`
			URI   string  `json:"uri"`
			Value *string `json:"value"`
		}
		raw, _ := json.Marshal(inputs[name])
		_ = json.Unmarshal(raw, &v)
		typ := strings.ToLower(v.Type)
		if typ == "literal" || v.Value != nil {
			ins = append(ins, jobInput{Name: name, Type: "literal", Value: deref(v.Value)})
			continue
		}
		if v.URI == "" {
			return nil, nil, errBadRequest("Input " + name + " has no uri: give data inputs a path.")
		}
		p, aerr := sr.dataPath(typ, v.URI)
		if aerr != nil {
			return nil, nil, errBadRequest("Input " + name + ": " + aerr.Message)
		}
		if _, aerr := s.datastoreFile(p); aerr != nil {
			return nil, nil, aerr
		}
		ins = append(ins, jobInput{Name: name, Type: typ, URI: v.URI, Path: p})
	}
	var outs []jobOutput
	for _, name := range sortedMapKeys(outputs) {
		var v struct {
			Type string `json:"jobOutputType"`
			URI  string `json:"uri"`
		}
		raw, _ := json.Marshal(outputs[name])
		_ = json.Unmarshal(raw, &v)
		o := jobOutput{Name: name, Type: strings.ToLower(v.Type), URI: v.URI, Folder: "azureml/" + job + "/" + name}
		if o.Type == "" {
			o.Type = invocation.TypeURIFolder
		}
		if v.URI != "" {
			b, aerr := sr.outputPath("Output "+name, v.URI, "")
			if aerr != nil {
				return nil, nil, aerr
			}
			o.Folder = b.Path
		}
		outs = append(outs, o)
	}
	return ins, outs, nil
}

// setPipeline checks comp with the job's inputs and outputs the way it
// will run (pipeline.Validate on the local paths) and stores it in j.
func (s *Server) setPipeline(j *jobRecord, comp *pipeline.Component) *apiError {
	// Every declared output is a named output of the job, at Azure's
	// default place unless the submission placed it.
	placed := map[string]bool{}
	for _, o := range j.Outputs {
		placed[o.Name] = true
	}
	for _, name := range sortedMapKeys(comp.Outputs) {
		if !placed[name] {
			typ := firstNonEmptyString(comp.Outputs[name].Type, invocation.TypeURIFolder)
			j.Outputs = append(j.Outputs, jobOutput{Name: name, Type: typ, Folder: defaultOutputFolder(j.Name, name)})
		}
	}
	raw, err := json.Marshal(comp)
	if err != nil {
		return &apiError{Status: 500, Code: codeInternal, Message: err.Error()}
	}
	j.Pipeline = raw
	job, aerr := s.pipelineJob(j)
	if aerr != nil {
		return aerr
	}
	if _, err := pipeline.Validate(job, s.pipelineOptions()); err != nil {
		return errBadRequest(err.Error())
	}
	return nil
}

// preparePipelineComponentJob resolves a pipeline component deployment's
// component for a job whose inputs and outputs are already resolved.
func (s *Server) preparePipelineComponentJob(r *http.Request, j *jobRecord, componentID string, settings map[string]*string) *apiError {
	comp, canonical, aerr := s.newSpecReader(r).component(componentID, 0)
	if aerr != nil {
		return errBadRequest("Deployment '" + j.Deployment + "' cannot run: " + aerr.Message)
	}
	j.JobType, j.ComponentID = jobTypePipeline, canonical
	if v := settings["continue_on_step_failure"]; v != nil {
		j.ContinueOnStepFailure = strings.EqualFold(*v, "true")
	}
	return s.setPipeline(j, comp)
}

func settingTrue(settings any, key string) bool {
	m, _ := settings.(map[string]any)
	return truthy(m[key])
}

func derefMap(m map[string]*string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if v != nil {
			out[k] = *v
		}
	}
	return out
}

func sortedMapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
