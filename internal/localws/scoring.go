package localws

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"github.com/google/uuid"

	"github.com/mlbatch/ml/internal/invocation"
	"github.com/mlbatch/ml/pkg/mlapi"
)

// dataPlaneAPIVersion is the contract of the scoring URI and the mferp job
// list.
const dataPlaneAPIVersion = "2020-09-01-dataplanepreview"

// defaultOutputName names a model deployment's output when the request
// gives none (Azure's batch scoring step calls it "score").
const defaultOutputName = "score"

// serveScoring handles <server>/endpoints/<name>/jobs.
func (s *Server) serveScoring(w http.ResponseWriter, r *http.Request, segs []string) {
	if len(segs) != 2 || segs[1] != "jobs" {
		writeError(w, errNotFound("no route for "+r.URL.Path+": the scoring URI is /endpoints/<endpoint>/jobs"))
		return
	}
	if r.Method != http.MethodPost {
		methodNotAllowed(w, r, http.MethodPost)
		return
	}
	s.invoke(w, r, segs[0])
}

// invoke creates a batch job from a scoring POST.
func (s *Server) invoke(w http.ResponseWriter, r *http.Request, endpointName string) {
	epRec, ep, err := s.loadEndpoint(r, endpointName)
	if err != nil {
		writeError(w, err)
		return
	}
	body, err := s.readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	requestID := strings.TrimSpace(r.Header.Get(mlapi.HeaderRepeatability))
	if s.replayRepeated(w, r, requestID) {
		return
	}
	// Validation and resolution run outside the creation lock, so
	// concurrent invokes only queue for the final insert.
	j, aerr := s.newJob(r, epRec.Name, ep, body)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	j.RequestID = requestID

	if !s.insertJob(w, r, j) {
		return
	}
	// The job exists now: finish its bookkeeping even if the client hangs up.
	ctx := context.WithoutCancel(r.Context())
	s.recordEvent(ctx, j.Name, jobEvent{Type: "status", Status: j.Status, Message: "job created"})
	switch {
	case j.Error != nil:
		s.recordEvent(ctx, j.Name, jobEvent{Type: "status", Status: statusFailed, Message: j.Error.Message})
	case j.Status == statusPreparing:
		s.jobs.launch(j.Name)
	default:
		s.jobs.enqueue(j.Name)
	}
	s.log.Info("job created", "job", j.Name, "endpoint", j.Endpoint, "deployment", j.Deployment, "status", j.Status)
	s.replayCreated(w, r, j)
}

// insertJob stores a new job under the creation lock: it takes a job
// slot or a place in the queue, renders the 201 body and inserts. It
// writes the answer itself (a replay, a conflict or an error) and returns
// false when the caller must stop.
func (s *Server) insertJob(w http.ResponseWriter, r *http.Request, j *jobRecord) bool {
	s.createMu.Lock()
	defer s.createMu.Unlock()
	// A concurrent request with the same id may have won meanwhile.
	if s.replayRepeated(w, r, j.RequestID) {
		return false
	}
	var err error
	j.Status = s.jobs.admit(j.Name)
	resp := s.batchJobResource(r, j)
	if j.Response, err = json.Marshal(resp); err != nil {
		s.jobs.release(j.Name)
		writeError(w, err)
		return false
	}
	if err := s.store.CreateJob(r.Context(), j); err != nil {
		s.jobs.release(j.Name)
		switch {
		case errors.Is(err, errJobNameTaken):
			writeError(w, errJobTaken(j.Name, s.opts.Workspace))
		default:
			writeError(w, err)
		}
		return false
	}
	return true
}

// replayRepeated answers a repeated repeatability_request-id with the
// first request's 201 and reports whether it did.
func (s *Server) replayRepeated(w http.ResponseWriter, r *http.Request, requestID string) bool {
	if requestID == "" {
		return false
	}
	j, err := s.store.JobByRequestID(r.Context(), requestID)
	switch {
	case err == nil:
		s.replayCreated(w, r, j)
		return true
	case errors.Is(err, errNoRecord):
		return false
	}
	writeError(w, err)
	return true
}

// replayCreated writes the 201 of a job's creation; a repeated
// repeatability_request-id gets exactly the first answer.
func (s *Server) replayCreated(w http.ResponseWriter, r *http.Request, j *jobRecord) {
	w.Header().Set(mlapi.HeaderDeployment, j.Deployment)
	w.Header().Set("Location", s.dataPlaneJobURL(r, j))
	w.Header().Set("x-ms-response-type", "standard")
	writeRawJSON(w, http.StatusCreated, j.Response)
}

func (s *Server) dataPlaneJobURL(r *http.Request, j *jobRecord) string {
	return baseURL(r) + "/mferp/managementfrontend" + s.workspacePath() + "/batchEndpoints/" + j.Endpoint +
		"/deployments/" + j.Deployment + "/jobs/" + j.Name + "?api-version=" + dataPlaneAPIVersion
}

// newJob parses and validates a scoring body against the deployment and
// resolves every location. Nothing is stored yet.
func (s *Server) newJob(r *http.Request, endpoint string, ep *armmachinelearning.BatchEndpoint, body []byte) (*jobRecord, *apiError) {
	inv, err := invocation.ParseScoringBody(body)
	if err != nil {
		return nil, errBadRequest(strings.TrimPrefix(err.Error(), invocation.ErrInvalidBody.Error()+": "))
	}
	depName := strings.TrimSpace(r.Header.Get(mlapi.HeaderDeployment))
	if depName == "" {
		if d := ep.Properties.Defaults; d != nil && d.DeploymentName != nil {
			depName = *d.DeploymentName
		}
	}
	if depName == "" {
		return nil, errBadRequest("Batch endpoint '" + endpoint + "' has no default deployment: name one in the " + mlapi.HeaderDeployment +
			" header (ml batch-endpoint invoke --deployment-name) or set defaults.deploymentName on the endpoint.")
	}
	depRec, dep, err := s.loadDeployment(r, endpoint, depName)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			return nil, ae
		}
		return nil, &apiError{Status: 500, Code: codeInternal, Message: err.Error()}
	}
	name := inv.JobName
	if name == "" {
		name = "batchjob-" + uuid.NewString()
	} else if aerr := checkName("job", name); aerr != nil {
		return nil, aerr
	} else if _, err := s.store.GetJob(r.Context(), name); err == nil {
		// Checked before anything else: the default output folder is named
		// after the job, so a taken name would otherwise surface as a
		// confusing "output exists". CreateJob checks again atomically.
		return nil, errJobTaken(name, s.opts.Workspace)
	}
	j := &jobRecord{
		Name:           name,
		Endpoint:       endpoint,
		Deployment:     depRec.Name,
		DeploymentType: string(armmachinelearning.BatchDeploymentConfigurationTypeModel),
		DisplayName:    displayName(),
		ExperimentName: inv.ExperimentName,
		Description:    "Pipeline submission for endpoint: " + endpoint + ", deployment: " + depRec.Name + ".",
		CreatedAt:      time.Now().UTC(),
		InputData:      echoInputs(inv),
		OutputData:     echoOutputs(inv),
	}
	if j.ExperimentName == "" {
		j.ExperimentName = endpoint
	}
	p := dep.Properties
	if p.Compute != nil {
		j.Compute = *p.Compute
	}
	if cfg, ok := p.DeploymentConfiguration.(*armmachinelearning.BatchPipelineComponentDeploymentConfiguration); ok {
		j.DeploymentType = string(armmachinelearning.BatchDeploymentConfigurationTypePipelineComponent)
		if aerr := s.preparePipelineJob(r, j, inv, cfg); aerr != nil {
			return nil, aerr
		}
	} else if aerr := s.prepareModelJob(r, j, inv, p); aerr != nil {
		return nil, aerr
	}
	j.Tags = map[string]string{
		"outputType":             "output_data",
		"inputType":              "input_data",
		"azureml.batchrun":       "true",
		"azureml.deploymentname": j.Deployment,
		"azureml.jobtype":        "azureml.batchjob",
	}
	if j.DeploymentType != string(armmachinelearning.BatchDeploymentConfigurationTypeModel) {
		j.Tags["azureml.jobtype"] = "azureml.pipelinejob"
	}
	j.Properties = jobProperties(j)
	return j, nil
}

// prepareModelJob validates a job for a model deployment and snapshots the
// deployment: code, model, settings, input and output locations.
func (s *Server) prepareModelJob(r *http.Request, j *jobRecord, inv *invocation.Invocation, p *armmachinelearning.BatchDeploymentProperties) *apiError {
	if errs := validateModelInvocation(inv); len(errs) > 0 {
		return validationFailure(errs)
	}
	ctx := r.Context()
	if cc := p.CodeConfiguration; cc != nil && cc.CodeID != nil {
		ref, aerr := s.parseAssetRef(*cc.CodeID, codeAssets)
		if aerr != nil {
			return aerr
		}
		rec, _, aerr := s.resolveAssetRef(ctx, ref)
		if aerr != nil {
			return errBadRequest("Deployment '" + j.Deployment + "' cannot run: " + aerr.Message)
		}
		var doc assetDoc
		_ = json.Unmarshal(rec.Body, &doc)
		uri, _ := doc.Properties["codeUri"].(string)
		if j.CodePath, aerr = s.assetDatastorePath(r, uri, "code"); aerr != nil {
			return errBadRequest("Deployment '" + j.Deployment + "' cannot run: " + aerr.Message)
		}
		j.CodeID, j.ScoringScript = *cc.CodeID, deref(cc.ScoringScript)
	}
	if ref, ok := p.Model.(*armmachinelearning.IDAssetReference); ok && ref.AssetID != nil {
		mref, aerr := s.parseAssetRef(*ref.AssetID, modelAssets)
		if aerr != nil {
			return aerr
		}
		rec, version, aerr := s.resolveAssetRef(ctx, mref)
		if aerr != nil {
			return errBadRequest("Deployment '" + j.Deployment + "' cannot run: " + aerr.Message)
		}
		var doc assetDoc
		_ = json.Unmarshal(rec.Body, &doc)
		uri, _ := doc.Properties["modelUri"].(string)
		if j.ModelPath, aerr = s.assetDatastorePath(r, uri, "model"); aerr != nil {
			return errBadRequest("Deployment '" + j.Deployment + "' cannot run: " + aerr.Message)
		}
		j.ModelID, j.ModelName, j.ModelVersion = *ref.AssetID, rec.Parent, version
		j.ModelType, _ = doc.Properties["modelType"].(string)
	}
	if p.EnvironmentID != nil {
		j.EnvironmentID = *p.EnvironmentID
	}
	j.EnvironmentVariables = map[string]string{}
	for k, v := range p.EnvironmentVariables {
		if v != nil {
			j.EnvironmentVariables[k] = *v
		}
	}
	if aerr := s.effectiveSettings(j, inv, p); aerr != nil {
		return aerr
	}
	in := inv.Inputs[0]
	loc, aerr := s.resolveDataURI(r, in.Path)
	if aerr != nil {
		return aerr
	}
	// A uri_folder input may name a single file: `--input ./file.csv`
	// uploads a file and sends it as UriFolder, and the runtime reads a file
	// input as a one-file job. A uri_file input must be a file.
	if aerr := s.statDatastorePath(r.Context(), loc.Datastore, loc.Path, false, "input "+in.Name); aerr != nil && in.Type == invocation.TypeURIFile {
		return aerr
	} else if aerr != nil {
		if aerr := s.statDatastorePath(r.Context(), loc.Datastore, loc.Path, true, "input "+in.Name); aerr != nil {
			return aerr
		}
	}
	j.Inputs = []jobInput{{Name: in.Name, Type: in.Type, URI: in.Path, Datastore: loc.Datastore, Path: loc.Path, AssetID: loc.AssetID}}

	out := jobOutput{Name: defaultOutputName, Type: invocation.TypeURIFolder,
		Folder: "azureml/" + j.Name + "/" + defaultOutputName, FileName: j.Settings.OutputFileName}
	if len(inv.Outputs) == 1 {
		o := inv.Outputs[0]
		folder, file, aerr := s.outputLocation(r, o.Path, j.Settings.OutputFileName)
		if aerr != nil {
			return aerr
		}
		out = jobOutput{Name: o.Name, Type: o.Type, URI: o.Path, Folder: folder, FileName: file}
	}
	if j.Settings.OutputAction == string(armmachinelearning.BatchOutputActionAppendRow) {
		if _, aerr := s.datastoreFile(path.Join(out.Folder, out.FileName)); aerr != nil {
			return aerr
		} else if exists, _, err := s.data.Stat(r.Context(), path.Join(out.Folder, out.FileName)); err == nil && exists {
			return errBadRequest("The output file " + datastoreURI(path.Join(out.Folder, out.FileName)) +
				" already exists, and batch jobs never overwrite outputs: choose another output path or file name.")
		}
	}
	j.Outputs = []jobOutput{out}
	return nil
}

// outputLocation splits a model deployment's uri_file output into a folder
// and a file name. The service treats the URI as a file when its last
// segment is the output file name or has an extension, and as a folder
// otherwise (the Azure CLI's --output-path sends a folder as UriFile).
func (s *Server) outputLocation(r *http.Request, uri, fileName string) (string, string, *apiError) {
	p, ok, aerr := s.parseDatastoreURI(r, uri)
	if aerr != nil {
		return "", "", aerr
	}
	if !ok {
		return "", "", errBadRequest("The output " + uri + " is not on the local workspace's storage: outputs go to azureml://datastores/" + defaultDatastore + "/paths/<path>.")
	}
	if _, aerr := s.datastoreFile(p); aerr != nil {
		return "", "", aerr
	}
	trimmed := strings.Trim(p, "/")
	if trimmed == "" {
		return "", "", errBadRequest("The output " + uri + " names the root of the datastore: add a folder, e.g. azureml://datastores/" + defaultDatastore + "/paths/results/.")
	}
	last := path.Base(trimmed)
	if !strings.HasSuffix(p, "/") && (last == fileName || strings.Contains(strings.TrimPrefix(last, "."), ".")) {
		dir := path.Dir(trimmed)
		if dir == "." {
			dir = ""
		}
		if aerr := checkFileName("output file", last); aerr != nil {
			return "", "", aerr
		}
		return dir, last, nil
	}
	return trimmed, fileName, nil
}

// effectiveSettings merges the job's overrides into the deployment's
// settings.
func (s *Server) effectiveSettings(j *jobRecord, inv *invocation.Invocation, p *armmachinelearning.BatchDeploymentProperties) *apiError {
	if p.Resources == nil {
		p.Resources = &armmachinelearning.DeploymentResourceConfiguration{}
	}
	if p.RetrySettings == nil {
		p.RetrySettings = &armmachinelearning.BatchRetrySettings{}
	}
	set := jobSettings{
		MiniBatchSize:             derefOr(p.MiniBatchSize, defaultMiniBatchSize),
		InstanceCount:             int64(derefOr(p.Resources.InstanceCount, defaultInstanceCount)),
		MaxConcurrencyPerInstance: int64(derefOr(p.MaxConcurrencyPerInstance, defaultMaxConcurrencyPerInstance)),
		ErrorThreshold:            int64(derefOr(p.ErrorThreshold, defaultErrorThreshold)),
		MaxRetries:                int64(derefOr(p.RetrySettings.MaxRetries, defaultMaxRetries)),
		OutputFileName:            derefOr(p.OutputFileName, defaultOutputFileName),
		OutputAction:              string(derefOr(p.OutputAction, defaultOutputAction)),
		LoggingLevel:              string(derefOr(p.LoggingLevel, defaultLoggingLevel)),
	}
	timeout, err := parseISODuration(derefOr(p.RetrySettings.Timeout, defaultRetryTimeout))
	if err != nil {
		return errBadRequest("Deployment '" + j.Deployment + "' has an invalid retrySettings.timeout: " + err.Error())
	}
	set.TimeoutSeconds = int64(timeout / time.Second)
	o := inv.Settings
	if o.MiniBatchSize != nil {
		set.MiniBatchSize = *o.MiniBatchSize
	}
	if o.InstanceCount != nil {
		set.InstanceCount = *o.InstanceCount
	}
	if o.ErrorThreshold != nil {
		set.ErrorThreshold = *o.ErrorThreshold
	}
	if o.MaxRetries != nil {
		set.MaxRetries = *o.MaxRetries
	}
	if o.TimeoutSeconds != nil {
		set.TimeoutSeconds = *o.TimeoutSeconds
	}
	if o.OutputFileName != nil {
		if aerr := checkFileName("properties.outputFileName", *o.OutputFileName); aerr != nil {
			return aerr
		}
		set.OutputFileName = *o.OutputFileName
	}
	if o.LoggingLevel != nil {
		level, aerr := canonicalLoggingLevel(*o.LoggingLevel, "properties.loggingLevel")
		if aerr != nil {
			return aerr
		}
		set.LoggingLevel = level
	}
	switch {
	case set.MiniBatchSize < 1:
		return errBadRequest("properties.miniBatchSize must be 1 or more.")
	case set.InstanceCount < 1:
		return errBadRequest("properties.compute.instanceCount must be 1 or more.")
	case set.ErrorThreshold < -1:
		return errBadRequest("properties.errorThreshold must be -1 (ignore all failures) or more.")
	case set.MaxRetries < 0:
		return errBadRequest("properties.retrySettings.maxRetries must be 0 or more.")
	case set.TimeoutSeconds < 1:
		return errBadRequest("properties.retrySettings.timeout must be at least one second.")
	}
	j.Settings = set
	return nil
}

// preparePipelineJob validates a job against the component's interface
// and resolves its data inputs (so bad locations fail as they would for a
// model deployment).
func (s *Server) preparePipelineJob(r *http.Request, j *jobRecord, inv *invocation.Invocation, cfg *armmachinelearning.BatchPipelineComponentDeploymentConfiguration) *apiError {
	if cfg.ComponentID == nil || cfg.ComponentID.AssetID == nil {
		return errBadRequest("Deployment '" + j.Deployment + "' has no componentId.")
	}
	ref, aerr := s.parseAssetRef(*cfg.ComponentID.AssetID, componentAssets)
	if aerr != nil {
		return aerr
	}
	rec, version, aerr := s.resolveAssetRef(r.Context(), ref)
	if aerr != nil {
		return errBadRequest("Deployment '" + j.Deployment + "' cannot run: " + aerr.Message)
	}
	io, aerr := componentInterface(rec)
	if aerr != nil {
		return aerr
	}
	if len(io.Inputs) == 0 && len(io.Outputs) == 0 {
		// A component made from a pipeline job declares the job's ports.
		if io, aerr = s.sourceJobInterface(r, *cfg.ComponentID.AssetID, io); aerr != nil {
			return errBadRequest("Deployment '" + j.Deployment + "' cannot run: " + aerr.Message)
		}
	}
	io.ID = rec.Parent + ":" + version
	if errs := validatePipelineInvocation(inv, io); len(errs) > 0 {
		return validationFailure(errs)
	}
	for _, in := range inv.Inputs {
		ji := jobInput{Name: in.Name, Type: in.Type, Value: in.Value}
		if !in.IsLiteral() {
			loc, aerr := s.resolveDataURI(r, in.Path)
			if aerr != nil {
				return aerr
			}
			ji.URI, ji.Datastore, ji.Path, ji.AssetID = in.Path, loc.Datastore, loc.Path, loc.AssetID
		}
		j.Inputs = append(j.Inputs, ji)
	}
	for _, o := range inv.Outputs {
		jo := jobOutput{Name: o.Name, Type: o.Type, URI: o.Path, Folder: "azureml/" + j.Name + "/" + o.Name}
		if o.Path != "" {
			p, ok, aerr := s.parseDatastoreURI(r, o.Path)
			if aerr != nil {
				return aerr
			}
			if !ok {
				return errBadRequest("The output " + o.Path + " is not on the local workspace's storage: outputs go to azureml://datastores/" + defaultDatastore + "/paths/<path>.")
			}
			jo.Folder = strings.Trim(p, "/")
		}
		j.Outputs = append(j.Outputs, jo)
	}
	j.Settings = jobSettings{MiniBatchSize: defaultMiniBatchSize, InstanceCount: defaultInstanceCount, MaxConcurrencyPerInstance: defaultMaxConcurrencyPerInstance,
		ErrorThreshold: defaultErrorThreshold, MaxRetries: defaultMaxRetries, TimeoutSeconds: 30, OutputFileName: defaultOutputFileName,
		OutputAction: string(defaultOutputAction), LoggingLevel: string(defaultLoggingLevel)}
	return s.preparePipelineComponentJob(r, j, *cfg.ComponentID.AssetID, cfg.Settings)
}

// echoInputs is inputData as the service echoes it: uri inputs gain mode
// ReadOnlyMount.
func echoInputs(inv *invocation.Invocation) map[string]mlapi.JobInput {
	out := map[string]mlapi.JobInput{}
	for _, in := range inv.Inputs {
		if in.IsLiteral() {
			v := in.Value
			out[in.Name] = mlapi.JobInput{JobInputType: mlapi.InputLiteral, Value: &v}
			continue
		}
		mode := "ReadOnlyMount"
		if in.Mode != "" {
			mode = wireMode(in.Mode)
		}
		out[in.Name] = mlapi.JobInput{JobInputType: wireInputType(in.Type), URI: in.Path, Mode: mode}
	}
	return out
}

func echoOutputs(inv *invocation.Invocation) map[string]mlapi.JobOutput {
	if len(inv.Outputs) == 0 {
		return nil
	}
	out := map[string]mlapi.JobOutput{}
	for _, o := range inv.Outputs {
		mode := "Upload"
		if o.Mode != "" {
			mode = wireMode(o.Mode)
		}
		out[o.Name] = mlapi.JobOutput{JobOutputType: wireInputType(o.Type), URI: o.Path, Mode: mode}
	}
	return out
}

// wireMode maps a snake_case delivery mode to its PascalCase wire form.
func wireMode(m string) string {
	switch m {
	case "ro_mount":
		return "ReadOnlyMount"
	case "rw_mount":
		return "ReadWriteMount"
	case "eval_mount":
		return "EvalMount"
	case "eval_download":
		return "EvalDownload"
	}
	if m == "" {
		return ""
	}
	return strings.ToUpper(m[:1]) + m[1:]
}

// jobProperties are the azureml.* properties the service reports.
func jobProperties(j *jobRecord) map[string]string {
	params, _ := json.Marshal(map[string]string{
		"run_max_try":            strconv.FormatInt(j.Settings.MaxRetries, 10),
		"run_invocation_timeout": strconv.FormatInt(j.Settings.TimeoutSeconds, 10),
		"mini_batch_size":        strconv.FormatInt(j.Settings.MiniBatchSize, 10),
		"error_threshold":        strconv.FormatInt(j.Settings.ErrorThreshold, 10),
		"logging_level":          strings.ToUpper(j.Settings.LoggingLevel),
		"process_count_per_node": strconv.FormatInt(j.Settings.MaxConcurrencyPerInstance, 10),
		"NodeCount":              strconv.FormatInt(j.Settings.InstanceCount, 10),
		"append_row_file_name":   j.Settings.OutputFileName,
	})
	return map[string]string{
		"azureml.pipelineid":               uuid.NewString(),
		"azureml.runsource":                "azureml.PipelineRun",
		"runSource":                        "Unavailable",
		"runType":                          "HTTP",
		"azureml.parameters":               string(params),
		"azureml.continue_on_step_failure": "False",
		"azureml.continue_on_failed_optional_input": "False",
		"azureml.pipelineComponent":                 "pipelinerun",
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func derefOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func errJobTaken(name, workspace string) *apiError {
	return errConflict("A job named '" + name + "' already exists in workspace '" + workspace + "': choose another job name (properties.name), or leave it out for a generated one.")
}
