package localws

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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
	spec, publish, aerr := s.runSpec(ctx, j)
	if aerr != nil {
		s.finishJob(bg, name, statusFailed, nil, &jobError{Code: "UserError", Message: aerr.Message})
		return
	}
	s.log.Info("job started", "job", name, "endpoint", j.Endpoint, "deployment", j.Deployment)
	report := func(p Progress) { s.reportProgress(bg, name, p) }
	res, err := s.opts.Runner.Run(ctx, spec, report)
	// What the job wrote reaches the datastore whatever the outcome (an
	// Azure batch job keeps the outputs of the mini-batches that ran).
	if perr := publish(bg); perr != nil && err == nil && ctx.Err() == nil {
		err = fmt.Errorf("publish the outputs to datastore %s: %w", defaultDatastore, perr)
	}
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

// runSpec resolves the job's datastore paths to local paths: code, model
// and inputs materialized (on an external account, downloaded into the
// job's folder), the output folder prepared; publish makes the output
// visible on the datastore after the run. It checks that the data still
// exists (it may have been deleted since submission).
func (s *Server) runSpec(ctx context.Context, j *jobRecord) (RunSpec, func(context.Context) error, *apiError) {
	noPublish := func(context.Context) error { return nil }
	spec := RunSpec{
		JobName:                   j.Name,
		Endpoint:                  j.Endpoint,
		Deployment:                j.Deployment,
		ScoringScript:             j.ScoringScript,
		ModelName:                 j.ModelName,
		ModelVersion:              j.ModelVersion,
		ModelType:                 j.ModelType,
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
	if err := os.MkdirAll(spec.JobDir, 0o700); err != nil {
		return spec, noPublish, &apiError{Status: 500, Code: codeInternal, Message: "create the job folder: " + err.Error()}
	}
	stage := filepath.Join(spec.JobDir, "datastore")
	var aerr *apiError
	if j.CodePath != "" {
		if spec.CodeDir, aerr = s.existingPath(ctx, j.CodePath, true, "code of "+j.CodeID, stage); aerr != nil {
			return spec, noPublish, aerr
		}
		script := filepath.Join(spec.CodeDir, filepath.FromSlash(j.ScoringScript))
		if fi, err := os.Stat(script); err != nil || fi.IsDir() {
			return spec, noPublish, errBadRequest(fmt.Sprintf("The scoring script %s is not in the code folder of %s.", j.ScoringScript, j.CodeID))
		}
	}
	if j.ModelPath != "" {
		if spec.ModelDir, aerr = s.existingPath(ctx, j.ModelPath, false, "model "+j.ModelName+":"+j.ModelVersion, stage); aerr != nil {
			return spec, noPublish, aerr
		}
		// The runtime hard-links read-only files into AZUREML_MODEL_DIR
		// instead of copying them; read-only, a script cannot change the
		// registered model through a link.
		if err := makeReadOnly(spec.ModelDir); err != nil {
			return spec, noPublish, &apiError{Status: 500, Code: codeInternal, Message: "make the files of model " + j.ModelName + ":" + j.ModelVersion + " read-only: " + err.Error()}
		}
	}
	for _, in := range j.Inputs {
		if in.Path == "" && in.URI == "" {
			continue // literal
		}
		if aerr := s.statDatastorePath(ctx, in.Datastore, in.Path, in.Type == "uri_folder", "input "+in.Name); aerr != nil {
			return spec, noPublish, aerr
		}
		// On a created datastore (another account) the input is downloaded
		// into the job's folder, as for an external workspaceblobstore.
		store, aerr := s.storeOf(ctx, in.Datastore)
		if aerr != nil {
			return spec, noPublish, aerr
		}
		p, err := store.Materialize(ctx, strings.TrimLeft(in.Path, "/"), stage)
		if err != nil {
			return spec, noPublish, errBadRequest("The input " + in.Name + " (" + datastoreURIOn(in.Datastore, in.Path) + ") cannot be read: " + err.Error())
		}
		// As for the model: the runtime's read-only view of the input then
		// links these files instead of copying them.
		if err := makeReadOnly(p); err != nil {
			return spec, noPublish, &apiError{Status: 500, Code: codeInternal, Message: "make the files of input " + in.Name + " read-only: " + err.Error()}
		}
		spec.Inputs = append(spec.Inputs, p)
	}
	publish := noPublish
	if len(j.Outputs) > 0 {
		out := j.Outputs[0]
		if _, aerr := s.datastoreFile(out.Folder + "/"); aerr != nil {
			return spec, noPublish, aerr
		}
		dir, pub, err := s.data.OutputDir(ctx, out.Folder, stage)
		if err != nil {
			return spec, noPublish, errBadRequest("create the output folder " + datastoreURI(out.Folder) + ": " + err.Error())
		}
		spec.OutputDir, spec.OutputFileName, publish = dir, out.FileName, pub
	}
	return spec, publish, nil
}

// existingPath materializes a datastore path that must exist (a folder
// when wantDir; a file or folder otherwise) and returns its local path.
func (s *Server) existingPath(ctx context.Context, p string, wantDir bool, what, stage string) (string, *apiError) {
	if aerr := s.checkExistingPath(ctx, p, wantDir, what); aerr != nil {
		return "", aerr
	}
	local, err := s.data.Materialize(ctx, strings.TrimLeft(p, "/"), stage)
	if err != nil {
		return "", errBadRequest("The " + what + " cannot be read: " + err.Error())
	}
	return local, nil
}

// checkExistingPath is existingPath's check without the download.
func (s *Server) checkExistingPath(ctx context.Context, p string, wantDir bool, what string) *apiError {
	if _, aerr := s.datastoreFile(p); aerr != nil {
		return aerr
	}
	exists, isDir, err := s.data.Stat(ctx, strings.TrimLeft(p, "/"))
	if err != nil {
		return errBadRequest("The " + what + " cannot be read: " + err.Error())
	}
	if !exists {
		return errBadRequest("The " + what + " is missing from datastore " + defaultDatastore + " (" + datastoreURI(p) + "): upload it again.")
	}
	if wantDir && !isDir {
		return errBadRequest("The " + what + " at " + datastoreURI(p) + " is a file, not a folder.")
	}
	return nil
}

// makeReadOnly clears the write permission bits of every regular file under
// root (a file or a folder). Blob writes replace files by renaming a new one
// over them, so read-only files stay replaceable, except on Windows, where
// the runtime copies model files anyway and nothing is changed.
func makeReadOnly(root string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	return filepath.WalkDir(root, func(p string, entry fs.DirEntry, err error) error {
		if err != nil || !entry.Type().IsRegular() {
			return err
		}
		info, err := entry.Info()
		if err != nil {
			return err
		}
		if mode := info.Mode().Perm(); mode&0o222 != 0 {
			return os.Chmod(p, mode&^0o222)
		}
		return nil
	})
}
