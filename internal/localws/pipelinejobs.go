package localws

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/invocation"
	"github.com/mlbatch/ml/internal/pipeline"
	"github.com/mlbatch/ml/internal/spec"
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
	sr := s.newSpecReader(r)
	job, comp, aerr := sr.armJob(name, props)
	if aerr != nil {
		return nil, aerr
	}
	j := &jobRecord{
		Name:           name,
		JobType:        jobTypePipeline,
		DisplayName:    job.DisplayName,
		ExperimentName: job.ExperimentName,
		Description:    job.Description,
		CreatedAt:      time.Now().UTC(),
		Compute:        job.Compute,
		Tags:           job.Tags,
		Properties:     job.Properties,
	}
	if j.DisplayName == "" {
		j.DisplayName = displayName()
	}
	if j.ExperimentName == "" {
		j.ExperimentName = "Default"
	}
	if job.Type == spec.JobCommand {
		j.JobType, j.Command = jobTypeCommand, job.Command
		if job.Environment != nil && job.Environment.Ref != nil {
			j.EnvironmentID = firstNonEmptyString(job.Environment.Ref.ID, job.Environment.Ref.Raw)
		}
	}
	if cs := job.Settings.ContinueOnStepFailure; cs != nil {
		j.ContinueOnStepFailure = *cs
	}
	if job.Component != nil && job.Component.Ref != nil {
		j.ComponentID = s.versionIDOf(job.Component.Ref)
	}
	if j.Inputs, j.Outputs, aerr = sr.jobIO(name, job); aerr != nil {
		return nil, aerr
	}
	if aerr := s.setPipeline(r.Context(), j, comp); aerr != nil {
		return nil, aerr
	}
	return j, nil
}

// versionIDOf is the canonical ARM id of a component reference already
// resolved by a specReader.
func (s *Server) versionIDOf(ref *spec.Ref) string {
	aref, aerr := s.parseAssetRef(firstNonEmptyString(ref.ID, ref.Raw), componentAssets)
	if aerr != nil {
		return ref.Raw
	}
	if rec, version, aerr := s.resolveAssetRef(context.Background(), aref); aerr == nil {
		return s.versionID(componentAssets, rec.Parent, version)
	}
	return ref.Raw
}

// jobIO resolves a job's inputs (literals, data URIs, models) and places
// its outputs (their URI, else azureml/<job>/<output>/).
func (c *specReader) jobIO(job string, j *spec.Job) ([]jobInput, []jobOutput, *apiError) {
	var ins []jobInput
	for _, in := range j.Inputs {
		switch {
		case in.Literal != nil:
			ins = append(ins, jobInput{Name: in.Name, Type: "literal", Value: in.Literal.Text})
			continue
		case in.Local:
			return nil, nil, errBadRequest("Input " + in.Name + ": " + in.Path + " is a local path; upload it and give its azureml:// URI.")
		case in.Path == "":
			return nil, nil, errBadRequest("Input " + in.Name + " has no uri: give data inputs a path.")
		}
		typ := firstNonEmptyString(in.Type, invocation.TypeURIFolder)
		p, aerr := c.dataPath(typ, in.Path)
		if aerr != nil {
			return nil, nil, errBadRequest("Input " + in.Name + ": " + aerr.Message)
		}
		ds, rel, ok := splitLocated(p)
		if !ok {
			rel = p
		}
		ins = append(ins, jobInput{Name: in.Name, Type: typ, URI: in.Path, Datastore: ds, Path: rel})
	}
	var outs []jobOutput
	for _, o := range j.Outputs {
		out := jobOutput{Name: o.Name, Type: firstNonEmptyString(o.Type, invocation.TypeURIFolder), Folder: defaultOutputFolder(job, o.Name)}
		if o.Path != "" {
			// ${{name}} in an output path is the job's name.
			out.URI = strings.ReplaceAll(o.Path, "${{name}}", job)
			folder, aerr := c.outputFolder("Output "+o.Name, out.URI)
			if aerr != nil {
				return nil, nil, aerr
			}
			out.Folder = folder
		}
		outs = append(outs, out)
	}
	return ins, outs, nil
}

// setPipeline checks comp with the job's inputs and outputs the way it
// will run (pipeline.Validate on the local paths) and stores it in j.
func (s *Server) setPipeline(ctx context.Context, j *jobRecord, comp *pipeline.Component) *apiError {
	// Every declared output is a named output of the job, at Azure's
	// default place unless the submission placed it.
	placed := map[string]bool{}
	for _, o := range j.Outputs {
		placed[o.Name] = true
	}
	for _, name := range slices.Sorted(maps.Keys(comp.Outputs)) {
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
	paths, aerr := s.newJobPaths(j.Name, true)
	if aerr != nil {
		return aerr
	}
	job, aerr := s.pipelineJob(ctx, j, paths)
	if aerr != nil {
		return aerr
	}
	steps, err := pipeline.Validate(job, s.pipelineOptions(paths))
	if err != nil {
		return errBadRequest(err.Error())
	}
	// A step's child job is named after the job and the step; stored specs
	// may carry any step name, so the result must be a safe job name.
	for _, st := range steps {
		if aerr := checkName("step job", st.Job); aerr != nil {
			return errBadRequest("Step " + st.Path + " cannot run: " + aerr.Message + " Rename the step (letters, digits and '_').")
		}
	}
	return nil
}

// preparePipelineComponentJob resolves a pipeline component deployment's
// component for a job whose inputs and outputs are already resolved.
func (s *Server) preparePipelineComponentJob(r *http.Request, j *jobRecord, componentID string, settings map[string]*string) *apiError {
	comp, canonical, aerr := s.newSpecReader(r).component(componentID)
	if aerr != nil {
		return errBadRequest("Deployment '" + j.Deployment + "' cannot run: " + aerr.Message)
	}
	j.JobType, j.ComponentID = jobTypePipeline, canonical
	if v := settings["continue_on_step_failure"]; v != nil {
		j.ContinueOnStepFailure = strings.EqualFold(*v, "true")
	}
	return s.setPipeline(r.Context(), j, comp)
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
