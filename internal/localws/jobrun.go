package localws

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// jobDir is the job's private folder (logs and the runtime's files).
func (s *Server) jobDir(name string) string {
	return filepath.Join(s.opts.Dir, "jobs", name)
}

// runJob runs one job through the Runner and records how it ended. It is
// the body of a scheduler goroutine; ctx is canceled by a cancel request
// (canceled(name) then reports true) or by Shutdown.
func (s *Server) runJob(ctx context.Context, name string, canceled func(string) bool) {
	bg := context.Background() // records must be written even after ctx ends
	if canceled(name) {
		s.finishJob(bg, name, statusCanceled, nil, &jobError{Code: "JobCanceled", Message: "the job was canceled before it started"})
		return
	}
	j, err := s.setJobStatus(bg, name, statusPreparing, "preparing the job")
	if err != nil {
		s.log.Warn("start job", "job", name, "err", err)
		return
	}
	if isTerminal(j.Status) {
		return
	}
	if len(j.Pipeline) > 0 {
		s.runPipelineJob(ctx, j, canceled)
		return
	}
	spec, aerr := s.runSpec(j)
	if aerr != nil {
		s.finishJob(bg, name, statusFailed, nil, &jobError{Code: "UserError", Message: aerr.Message})
		return
	}
	s.log.Info("job started", "job", name, "endpoint", j.Endpoint, "deployment", j.Deployment)
	report := func(p Progress) { s.reportProgress(bg, name, p) }
	res, err := s.opts.Runner.Run(ctx, spec, report)
	final := res.Progress
	switch {
	case ctx.Err() != nil && canceled(name):
		s.finishJob(bg, name, statusCanceled, &final, &jobError{Code: "JobCanceled", Message: "the job was canceled"})
	case ctx.Err() != nil:
		s.finishJob(bg, name, statusFailed, &final, &jobError{Code: "ServiceStopped", Message: stopReason})
	case err != nil:
		s.finishJob(bg, name, statusFailed, &final, &jobError{Code: "UserError", Message: err.Error()})
	default:
		s.finishJob(bg, name, statusCompleted, &final, nil)
	}
}

// reportProgress persists a Runner's progress report: the counts always,
// a status event when the runtime's status moved on.
func (s *Server) reportProgress(ctx context.Context, name string, p Progress) {
	var moved string
	_, err := s.mutateJob(ctx, name, func(j *jobRecord) bool {
		if isTerminal(j.Status) {
			return false
		}
		switch p.Status {
		case statusRunning, statusFinalizing:
			if j.Status != p.Status && j.Status != statusCancelRequested {
				j.Status, moved = p.Status, p.Status
			}
		}
		j.Progress = p
		j.Progress.Status = ""
		return true
	})
	if err != nil {
		s.log.Warn("store job progress", "job", name, "err", err)
		return
	}
	if moved != "" {
		s.recordEvent(ctx, name, jobEvent{Type: "status", Status: moved, Message: p.Message})
	}
	snapshot := p
	snapshot.Status = ""
	s.recordEvent(ctx, name, jobEvent{Type: "progress", Progress: &snapshot, Message: p.Message})
}

// runSpec resolves the job's datastore paths to local paths and checks
// that they still exist (the data may have been deleted since submission).
func (s *Server) runSpec(j *jobRecord) (RunSpec, *apiError) {
	spec := RunSpec{
		JobName:                   j.Name,
		Endpoint:                  j.Endpoint,
		Deployment:                j.Deployment,
		ScoringScript:             j.ScoringScript,
		ModelName:                 j.ModelName,
		ModelVersion:              j.ModelVersion,
		EnvironmentVariables:      j.EnvironmentVariables,
		OutputAction:              j.Settings.OutputAction,
		JobDir:                    s.jobDir(j.Name),
		MiniBatchSize:             int(j.Settings.MiniBatchSize),
		InstanceCount:             int(j.Settings.InstanceCount),
		MaxConcurrencyPerInstance: int(j.Settings.MaxConcurrencyPerInstance),
		ErrorThreshold:            int(j.Settings.ErrorThreshold),
		MaxRetries:                int(j.Settings.MaxRetries),
		Timeout:                   time.Duration(j.Settings.TimeoutSeconds) * time.Second,
		LoggingLevel:              j.Settings.LoggingLevel,
	}
	var aerr *apiError
	if j.CodePath != "" {
		if spec.CodeDir, aerr = s.existingPath(j.CodePath, true, "code of "+j.CodeID); aerr != nil {
			return spec, aerr
		}
		script := filepath.Join(spec.CodeDir, filepath.FromSlash(j.ScoringScript))
		if fi, err := os.Stat(script); err != nil || fi.IsDir() {
			return spec, errBadRequest(fmt.Sprintf("The scoring script %s is not in the code folder of %s.", j.ScoringScript, j.CodeID))
		}
	}
	if j.ModelPath != "" {
		if spec.ModelDir, aerr = s.existingPath(j.ModelPath, false, "model "+j.ModelName+":"+j.ModelVersion); aerr != nil {
			return spec, aerr
		}
	}
	for _, in := range j.Inputs {
		if in.Path == "" && in.URI == "" {
			continue // literal
		}
		p, aerr := s.statDatastorePath(in.Path, in.Type == "uri_folder", "input "+in.Name)
		if aerr != nil {
			return spec, aerr
		}
		spec.Inputs = append(spec.Inputs, p)
	}
	if len(j.Outputs) > 0 {
		out := j.Outputs[0]
		dir, aerr := s.datastoreFile(out.Folder + "/")
		if aerr != nil {
			return spec, aerr
		}
		if err := os.MkdirAll(dir, privateDirMode); err != nil {
			return spec, errBadRequest("create the output folder " + datastoreURI(out.Folder) + ": " + err.Error())
		}
		spec.OutputDir, spec.OutputFileName = dir, out.FileName
	}
	if err := os.MkdirAll(spec.JobDir, 0o700); err != nil {
		return spec, &apiError{Status: 500, Code: codeInternal, Message: "create the job folder: " + err.Error()}
	}
	return spec, nil
}

// existingPath maps a datastore path to a local one that must exist (a
// folder when wantDir; a file or folder otherwise).
func (s *Server) existingPath(p string, wantDir bool, what string) (string, *apiError) {
	local, aerr := s.datastoreFile(p)
	if aerr != nil {
		return "", aerr
	}
	fi, err := os.Stat(local)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", errBadRequest("The " + what + " is missing from datastore " + defaultDatastore + " (" + datastoreURI(p) + "): upload it again.")
		}
		return "", errBadRequest("The " + what + " cannot be read: " + err.Error())
	}
	if wantDir && !fi.IsDir() {
		return "", errBadRequest("The " + what + " at " + datastoreURI(p) + " is a file, not a folder.")
	}
	return local, nil
}
