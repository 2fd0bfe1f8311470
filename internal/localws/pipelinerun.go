package localws

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/mlbatch/ml/internal/invocation"
	"github.com/mlbatch/ml/internal/pipeline"
)

// Running pipeline and command jobs: the stored component's datastore paths
// become local files, the engine runs it, and every step becomes a child
// job (jobRecord with Parent) that clients see through the ARM jobs route,
// run history and `…/runs/{job}/children`.

// pipelineOptions are the engine's options on this workspace: job folders
// under jobs/, default outputs at azureml/<job>/<output>/ on the datastore
// (paths maps them to local folders).
func (s *Server) pipelineOptions(paths *jobPaths) pipeline.Options {
	python := ""
	if b, ok := s.opts.Runner.(BatchRunner); ok {
		python = b.Python
	}
	return pipeline.Options{
		JobDir: s.jobDir,
		OutputDir: func(job, output string) (string, error) {
			dir, aerr := paths.output(defaultOutputFolder(job, output))
			if aerr != nil {
				return "", errors.New(aerr.Message)
			}
			return dir, nil
		},
		Python: python,
	}
}

// defaultOutputFolder is where Azure ML puts an output nothing places.
func defaultOutputFolder(job, output string) string { return "azureml/" + job + "/" + output }

// pipelineJob turns a job record into the engine's job, with local paths.
func (s *Server) pipelineJob(ctx context.Context, j *jobRecord, paths *jobPaths) (pipeline.Job, *apiError) {
	var comp pipeline.Component
	if err := json.Unmarshal(j.Pipeline, &comp); err != nil {
		return pipeline.Job{}, &apiError{Status: 500, Code: codeInternal, Message: "decode the job's stored pipeline: " + err.Error()}
	}
	if aerr := localizeComponent(ctx, &comp, paths); aerr != nil {
		return pipeline.Job{}, aerr
	}
	job := pipeline.Job{Name: j.Name, Component: &comp, Inputs: map[string]pipeline.Binding{}, Outputs: map[string]pipeline.Binding{},
		ContinueOnStepFailure: j.ContinueOnStepFailure}
	for _, in := range j.Inputs {
		if in.Path == "" {
			job.Inputs[in.Name] = pipeline.Binding{Literal: pipeline.Lit(in.Value)}
			continue
		}
		local, aerr := paths.input(ctx, locatedPath(in.Datastore, in.Path), false, "input "+in.Name)
		if aerr != nil {
			return pipeline.Job{}, aerr
		}
		job.Inputs[in.Name] = pipeline.Binding{Path: local, Type: in.Type}
	}
	for _, o := range j.Outputs {
		dir, aerr := paths.output(o.Folder)
		if aerr != nil {
			return pipeline.Job{}, aerr
		}
		job.Outputs[o.Name] = pipeline.Binding{Path: dir}
	}
	return job, nil
}

// localizeComponent maps the datastore paths of a stored component (code folders,
// data and output paths of its steps) to local ones; data must exist.
func localizeComponent(ctx context.Context, c *pipeline.Component, paths *jobPaths) *apiError {
	if c.CodeDir != "" {
		dir, aerr := paths.input(ctx, c.CodeDir+"/", true, "code of component "+c.Name)
		if aerr != nil {
			return aerr
		}
		c.CodeDir = dir
	}
	for name, step := range c.Jobs {
		if aerr := localizeComponent(ctx, step.Component, paths); aerr != nil {
			return aerr
		}
		for port, b := range step.Inputs {
			if b.Path == "" || strings.Contains(b.Path, "${{") {
				continue
			}
			local, aerr := paths.input(ctx, b.Path, false, "input "+port+" of step "+name)
			if aerr != nil {
				return aerr
			}
			b.Path = local
			step.Inputs[port] = b
		}
		for port, b := range step.Outputs {
			if b.Path == "" || strings.Contains(b.Path, "${{") {
				continue
			}
			dir, aerr := paths.output(b.Path)
			if aerr != nil {
				return aerr
			}
			b.Path = dir
			step.Outputs[port] = b
		}
	}
	return nil
}

// runPipelineJob runs a pipeline or command job with the engine and
// records its steps as child jobs. It is runJob's counterpart for jobs
// that carry a component.
func (s *Server) runPipelineJob(ctx context.Context, j *jobRecord, canceled func(string) bool) {
	bg := context.Background()
	paths, aerr := s.newJobPaths(j.Name, false)
	if aerr != nil {
		s.finishJob(bg, j.Name, statusFailed, nil, &jobError{Code: "UserError", Message: aerr.Message})
		return
	}
	job, aerr := s.pipelineJob(ctx, j, paths)
	if aerr != nil {
		s.finishJob(bg, j.Name, statusFailed, nil, &jobError{Code: "UserError", Message: aerr.Message})
		return
	}
	if err := os.MkdirAll(s.jobDir(j.Name), 0o700); err != nil {
		s.finishJob(bg, j.Name, statusFailed, nil, &jobError{Code: codeInternal, Message: "create the job folder: " + err.Error()})
		return
	}
	s.log.Info("pipeline job started", "job", j.Name, "type", j.JobType)
	opts := s.pipelineOptions(paths)
	single := job.Component.Type != pipeline.TypePipeline
	// A step's outputs are published (on an account) on the step's own
	// goroutine before its child job ends, so a client that sees it
	// Completed finds them, steps that end together publish together, and
	// a failure to publish fails the step.
	opts.AfterStep = func(ctx context.Context, step pipeline.StepRun) error {
		return paths.publish(ctx, slices.Sorted(maps.Values(step.Outputs))...)
	}
	opts.OnStep = func(step pipeline.StepRun) {
		if single {
			s.recordCommandStep(bg, j.Name, step)
			return
		}
		s.recordChild(bg, j, paths, step)
	}
	if !single {
		s.setJobStatus(bg, j.Name, statusRunning, "running the pipeline's steps")
	}
	res, err := pipeline.Run(ctx, job, opts)
	// The job's own outputs are its steps' (published above) unless bound
	// to paths of their own.
	publishErr := paths.publish(ctx, slices.Sorted(maps.Values(res.Outputs))...)
	switch {
	case ctx.Err() != nil && canceled(j.Name):
		s.finishJob(bg, j.Name, statusCanceled, nil, &jobError{Code: "JobCanceled", Message: "the job was canceled"})
	case ctx.Err() != nil:
		s.finishJob(bg, j.Name, statusFailed, nil, &jobError{Code: "ServiceStopped", Message: stopReason})
	case err != nil:
		s.finishJob(bg, j.Name, statusFailed, nil, &jobError{Code: "UserError", Message: res.Error})
	case publishErr != nil:
		s.finishJob(bg, j.Name, statusFailed, nil, &jobError{Code: "UserError", Message: publishErr.Error()})
	default:
		s.finishJob(bg, j.Name, statusCompleted, nil, nil)
	}
}

// recordCommandStep follows a single command job: its one step is the job.
func (s *Server) recordCommandStep(ctx context.Context, name string, step pipeline.StepRun) {
	if step.Status == pipeline.StatusRunning {
		s.setJobStatus(ctx, name, statusRunning, "running the command")
		s.mutateJob(ctx, name, func(j *jobRecord) bool { j.Command = step.Command; return true })
	}
}

// recordChild creates a step's child job when it starts and ends it when
// it ends. Steps that never start get no child job, as on Azure.
func (s *Server) recordChild(ctx context.Context, parent *jobRecord, paths *jobPaths, step pipeline.StepRun) {
	switch step.Status {
	case pipeline.StatusRunning:
		child := childRecord(parent, paths, step)
		if err := s.store.CreateJob(ctx, child); err != nil {
			s.log.Warn("create child job", "job", child.Name, "parent", parent.Name, "err", err)
			return
		}
		s.recordEvent(ctx, child.Name, jobEvent{Type: "status", Status: statusRunning, Message: "step " + step.Path + " started"})
	case pipeline.StatusCompleted:
		s.finishJob(ctx, step.Job, statusCompleted, nil, nil)
	case pipeline.StatusFailed:
		s.finishJob(ctx, step.Job, statusFailed, nil, &jobError{Code: "UserError", Message: step.Error})
	case pipeline.StatusCanceled:
		s.finishJob(ctx, step.Job, statusCanceled, nil, &jobError{Code: "JobCanceled", Message: step.Error})
	}
}

// childRecord is a started step's child job.
func childRecord(parent *jobRecord, paths *jobPaths, step pipeline.StepRun) *jobRecord {
	started := step.StartedAt.UTC()
	child := &jobRecord{
		Name:           step.Job,
		JobType:        jobTypeCommand,
		Parent:         parent.Name,
		Step:           step.Path,
		Status:         statusRunning,
		DisplayName:    step.Path,
		ExperimentName: parent.ExperimentName,
		Description:    "Step " + step.Path + " of pipeline job " + parent.Name + " (component " + step.Component + ").",
		CreatedAt:      started,
		StartedAt:      &started,
		Command:        step.Command,
		Compute:        parent.Compute,
		Tags:           map[string]string{},
		Properties: map[string]string{
			"azureml.nodeid":      step.Path,
			"azureml.parentrunid": parent.Name,
			"azureml.rootrunid":   parent.Name,
			"azureml.component":   step.Component,
			"azureml.steptype":    step.Type,
		},
	}
	for _, name := range slices.Sorted(maps.Keys(step.Inputs)) {
		v := step.Inputs[name]
		if v.Path == "" {
			child.Inputs = append(child.Inputs, jobInput{Name: name, Type: "literal", Value: v.Literal})
			continue
		}
		in := jobInput{Name: name, Type: v.Type}
		if p, ok := paths.datastorePath(v.Path); ok {
			in.Path, in.URI = p, datastoreURI(p)
			if ds, rel, ok := splitLocated(p); ok {
				in.Datastore, in.Path, in.URI = ds, rel, p
			}
		}
		child.Inputs = append(child.Inputs, in)
	}
	for _, name := range slices.Sorted(maps.Keys(step.Outputs)) {
		if p, ok := paths.datastorePath(step.Outputs[name]); ok {
			typ := firstNonEmptyString(step.OutputTypes[name], invocation.TypeURIFolder)
			child.Outputs = append(child.Outputs, jobOutput{Name: name, Type: typ, Folder: strings.TrimSuffix(p, "/")})
		}
	}
	return child
}

// childJobs lists a job's child jobs, oldest first.
func (s *Server) childJobs(ctx context.Context, parent string) ([]*jobRecord, error) {
	all, err := s.store.ListJobs(ctx, jobFilter{})
	if err != nil {
		return nil, err
	}
	var out []*jobRecord
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Parent == parent {
			out = append(out, all[i])
		}
	}
	return out, nil
}
