package localws

import (
	"encoding/json"
	"errors"
	"net/http"
	"path"
	"path/filepath"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// Azure's defaults for the batch settings of a model deployment
// (BatchDeploymentProperties in the REST spec).
const (
	defaultErrorThreshold            = -1
	defaultLoggingLevel              = armmachinelearning.BatchLoggingLevelInfo
	defaultMaxConcurrencyPerInstance = 1
	defaultMiniBatchSize             = 10
	defaultOutputAction              = armmachinelearning.BatchOutputActionAppendRow
	defaultOutputFileName            = "predictions.csv"
	defaultInstanceCount             = 1
	defaultMaxRetries                = 3
	defaultRetryTimeout              = "PT30S"
)

func (s *Server) serveDeployments(w http.ResponseWriter, r *http.Request, endpoint string, rest []string) {
	switch {
	case len(rest) == 0 && r.Method == http.MethodGet:
		s.listDeployments(w, r, endpoint)
	case len(rest) == 0:
		methodNotAllowed(w, r, http.MethodGet)
	case len(rest) > 1:
		writeError(w, errNotFound("no route for "+r.URL.Path))
	case r.Method == http.MethodGet:
		s.getDeployment(w, r, endpoint, rest[0])
	case r.Method == http.MethodPut:
		s.putDeployment(w, r, endpoint, rest[0])
	case r.Method == http.MethodDelete:
		s.deleteDeployment(w, r, endpoint, rest[0])
	default:
		methodNotAllowed(w, r, http.MethodGet, http.MethodPut, http.MethodDelete)
	}
}

// loadDeployment reads a stored deployment; the endpoint must exist.
func (s *Server) loadDeployment(r *http.Request, endpoint, name string) (resource, *armmachinelearning.BatchDeployment, error) {
	if _, _, err := s.loadEndpoint(r, endpoint); err != nil {
		return resource{}, nil, err
	}
	rec, err := s.store.GetResource(r.Context(), deploymentKind, endpoint, name)
	if errors.Is(err, errNoRecord) {
		return rec, nil, errNotFound("Deployment '" + name + "' not found on batch endpoint '" + endpoint + "'.")
	}
	if err != nil {
		return rec, nil, err
	}
	var d armmachinelearning.BatchDeployment
	if err := json.Unmarshal(rec.Body, &d); err != nil {
		return rec, nil, err
	}
	return rec, &d, nil
}

func (s *Server) renderDeployment(endpoint string, rec resource, d *armmachinelearning.BatchDeployment, state armmachinelearning.DeploymentProvisioningState) *armmachinelearning.BatchDeployment {
	out := *d
	props := *d.Properties
	out.ID = to.Ptr(s.workspacePath() + "/batchEndpoints/" + endpoint + "/deployments/" + rec.Name)
	out.Name = to.Ptr(rec.Name)
	out.Type = to.Ptr(resourceType(deploymentKind))
	out.SystemData = systemData(rec.Created, rec.Updated)
	props.ProvisioningState = to.Ptr(state)
	out.Properties = &props
	return &out
}

func (s *Server) getDeployment(w http.ResponseWriter, r *http.Request, endpoint, name string) {
	rec, d, err := s.loadDeployment(r, endpoint, name)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.renderDeployment(endpoint, rec, d, armmachinelearning.DeploymentProvisioningStateSucceeded))
}

func (s *Server) listDeployments(w http.ResponseWriter, r *http.Request, endpoint string) {
	if _, _, err := s.loadEndpoint(r, endpoint); err != nil {
		writeError(w, err)
		return
	}
	recs, err := s.store.ListResources(r.Context(), deploymentKind, endpoint)
	if err != nil {
		writeError(w, err)
		return
	}
	var items []*armmachinelearning.BatchDeployment
	for _, rec := range recs {
		var d armmachinelearning.BatchDeployment
		if err := json.Unmarshal(rec.Body, &d); err != nil {
			writeError(w, err)
			return
		}
		items = append(items, s.renderDeployment(endpoint, rec, &d, armmachinelearning.DeploymentProvisioningStateSucceeded))
	}
	writePage(w, r, items)
}

func (s *Server) putDeployment(w http.ResponseWriter, r *http.Request, endpoint, name string) {
	if aerr := checkName("deployment", name); aerr != nil {
		writeError(w, aerr)
		return
	}
	epRec, _, err := s.loadEndpoint(r, endpoint)
	if err != nil {
		writeError(w, err)
		return
	}
	endpoint = epRec.Name
	body, err := s.readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	var d armmachinelearning.BatchDeployment
	if err := json.Unmarshal(body, &d); err != nil {
		writeError(w, errBadRequest("The request body is not a valid batch deployment: "+err.Error()))
		return
	}
	if d.Properties == nil {
		writeError(w, errBadRequest("The batch deployment has no 'properties'."))
		return
	}
	if d.Location == nil || *d.Location == "" {
		writeError(w, errBadRequest("The batch deployment has no 'location': it is required by ARM; the local workspace's location is '"+DefaultLocation+"'."))
		return
	}
	if err := s.validateDeployment(r, d.Properties); err != nil {
		writeError(w, err)
		return
	}
	d.ID, d.Name, d.Type, d.SystemData = nil, nil, nil, nil
	d.Properties.ProvisioningState = nil
	stored, err := json.Marshal(d)
	if err != nil {
		writeError(w, err)
		return
	}
	existing, err := s.store.GetResource(r.Context(), deploymentKind, endpoint, name)
	creating := errors.Is(err, errNoRecord)
	if err != nil && !creating {
		writeError(w, err)
		return
	}
	rec := resource{Kind: deploymentKind, Parent: endpoint, Name: name, Body: stored}
	if !creating {
		rec.Name, rec.Created = existing.Name, existing.Created
	}
	if err := s.store.PutResource(r.Context(), rec); err != nil {
		writeError(w, err)
		return
	}
	rec, saved, err := s.loadDeployment(r, endpoint, name)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := s.acceptedCreate(w, r); err != nil {
		writeError(w, err)
		return
	}
	// Azure answers a new deployment's PUT with "Updating" too (recorded
	// in the fixtures), unlike an endpoint's "Creating".
	if creating {
		writeJSON(w, http.StatusCreated, s.renderDeployment(endpoint, rec, saved, armmachinelearning.DeploymentProvisioningStateUpdating))
		return
	}
	writeJSON(w, http.StatusOK, s.renderDeployment(endpoint, rec, saved, armmachinelearning.DeploymentProvisioningStateUpdating))
}

// validateDeployment checks references and settings and fills Azure's
// defaults, in place.
func (s *Server) validateDeployment(r *http.Request, p *armmachinelearning.BatchDeploymentProperties) *apiError {
	if dc := p.DeploymentConfiguration; dc != nil {
		base := dc.GetBatchDeploymentConfiguration()
		if base.DeploymentConfigurationType != nil && *base.DeploymentConfigurationType == armmachinelearning.BatchDeploymentConfigurationTypePipelineComponent {
			return s.validatePipelineDeployment(r, p)
		}
		if base.DeploymentConfigurationType == nil || !strings.EqualFold(string(*base.DeploymentConfigurationType), string(armmachinelearning.BatchDeploymentConfigurationTypeModel)) {
			return errBadRequest("properties.deploymentConfiguration.deploymentConfigurationType must be Model or PipelineComponent.")
		}
	}
	return s.validateModelDeployment(r, p)
}

func (s *Server) validateModelDeployment(r *http.Request, p *armmachinelearning.BatchDeploymentProperties) *apiError {
	ctx := r.Context()
	if p.Model == nil {
		return errBadRequest("A model deployment needs properties.model: {\"referenceType\": \"Id\", \"assetId\": \"azureml:<model>:<version>\"} (or the model version's ARM id).")
	}
	ref, ok := p.Model.(*armmachinelearning.IDAssetReference)
	if !ok || ref.AssetID == nil || *ref.AssetID == "" {
		return errBadRequest("properties.model must be an Id reference with an assetId: the local workspace does not support DataPath or OutputPath model references.")
	}
	mref, aerr := s.parseAssetRef(*ref.AssetID, modelAssets)
	if aerr != nil {
		return aerr
	}
	modelRec, version, aerr := s.resolveAssetRef(ctx, mref)
	if aerr != nil {
		return aerr
	}
	// Store the canonical ARM id so later reads need no resolution.
	ref.AssetID = to.Ptr(s.versionID(modelAssets, modelRec.Parent, version))
	ref.ReferenceType = to.Ptr(armmachinelearning.ReferenceTypeID)

	if cc := p.CodeConfiguration; cc != nil {
		if cc.CodeID == nil || *cc.CodeID == "" {
			return errBadRequest("properties.codeConfiguration.codeId is required: the ARM id of a code version (or azureml:<name>:<version>).")
		}
		cref, aerr := s.parseAssetRef(*cc.CodeID, codeAssets)
		if aerr != nil {
			return aerr
		}
		codeRec, cversion, aerr := s.resolveAssetRef(ctx, cref)
		if aerr != nil {
			return aerr
		}
		cc.CodeID = to.Ptr(s.versionID(codeAssets, codeRec.Parent, cversion))
		if cc.ScoringScript == nil || *cc.ScoringScript == "" {
			return errBadRequest("properties.codeConfiguration.scoringScript is required: the scoring script's path inside the code folder, e.g. score.py.")
		}
		if aerr := checkRelativePath("properties.codeConfiguration.scoringScript", *cc.ScoringScript); aerr != nil {
			return aerr
		}
	} else {
		var doc assetDoc
		_ = json.Unmarshal(modelRec.Body, &doc)
		if mt, _ := doc.Properties["modelType"].(string); !strings.EqualFold(mt, "mlflow_model") {
			return errBadRequest("A deployment of a model that is not an MLflow model needs properties.codeConfiguration (codeId and scoringScript).")
		}
	}
	if env := p.EnvironmentID; env != nil && *env != "" && isWorkspaceAssetRef(*env) {
		eref, aerr := s.parseAssetRef(*env, environmentAssets)
		if aerr != nil {
			return aerr
		}
		envRec, eversion, aerr := s.resolveAssetRef(ctx, eref)
		if aerr != nil {
			return aerr
		}
		p.EnvironmentID = to.Ptr(s.versionID(environmentAssets, envRec.Parent, eversion))
	}
	return fillBatchDefaults(p)
}

// isWorkspaceAssetRef tells references the local workspace can check
// (workspace ARM ids, azureml:name:version) from curated or registry
// environments, which are accepted unchecked: the runtime uses the local
// Python whatever the environment says.
func isWorkspaceAssetRef(ref string) bool {
	l := strings.ToLower(ref)
	if strings.HasPrefix(l, "azureml://registries/") || strings.Contains(l, "/registries/") {
		return false
	}
	if strings.HasPrefix(l, "azureml:azureml-") || strings.HasPrefix(l, "azureml://") {
		return false // curated environments (AzureML-sklearn-1.0@latest)
	}
	return strings.HasPrefix(l, "/subscriptions/") || strings.HasPrefix(l, "azureml:")
}

// fillBatchDefaults validates the batch settings and fills Azure's defaults.
func fillBatchDefaults(p *armmachinelearning.BatchDeploymentProperties) *apiError {
	if p.ErrorThreshold == nil {
		p.ErrorThreshold = to.Ptr[int32](defaultErrorThreshold)
	} else if *p.ErrorThreshold < -1 {
		return errBadRequest("properties.errorThreshold must be -1 (ignore all failures) or more.")
	}
	if p.LoggingLevel == nil {
		p.LoggingLevel = to.Ptr(defaultLoggingLevel)
	} else {
		level, aerr := canonicalLoggingLevel(string(*p.LoggingLevel), "properties.loggingLevel")
		if aerr != nil {
			return aerr
		}
		p.LoggingLevel = to.Ptr(armmachinelearning.BatchLoggingLevel(level))
	}
	if p.MaxConcurrencyPerInstance == nil {
		p.MaxConcurrencyPerInstance = to.Ptr[int32](defaultMaxConcurrencyPerInstance)
	} else if *p.MaxConcurrencyPerInstance < 1 {
		return errBadRequest("properties.maxConcurrencyPerInstance must be 1 or more.")
	}
	if p.MiniBatchSize == nil {
		p.MiniBatchSize = to.Ptr[int64](defaultMiniBatchSize)
	} else if *p.MiniBatchSize < 1 {
		return errBadRequest("properties.miniBatchSize must be 1 or more.")
	}
	if p.OutputAction == nil {
		p.OutputAction = to.Ptr(defaultOutputAction)
	} else {
		switch strings.ToLower(strings.ReplaceAll(string(*p.OutputAction), "_", "")) {
		case "appendrow":
			p.OutputAction = to.Ptr(armmachinelearning.BatchOutputActionAppendRow)
		case "summaryonly":
			p.OutputAction = to.Ptr(armmachinelearning.BatchOutputActionSummaryOnly)
		default:
			return errBadRequest("properties.outputAction '" + string(*p.OutputAction) + "' is not supported: use AppendRow or SummaryOnly.")
		}
	}
	if p.OutputFileName == nil || *p.OutputFileName == "" {
		p.OutputFileName = to.Ptr(defaultOutputFileName)
	} else if aerr := checkFileName("properties.outputFileName", *p.OutputFileName); aerr != nil {
		return aerr
	}
	if p.Resources == nil {
		p.Resources = &armmachinelearning.DeploymentResourceConfiguration{}
	}
	if p.Resources.InstanceCount == nil {
		p.Resources.InstanceCount = to.Ptr[int32](defaultInstanceCount)
	} else if *p.Resources.InstanceCount < 1 {
		return errBadRequest("properties.resources.instanceCount must be 1 or more.")
	}
	if p.RetrySettings == nil {
		p.RetrySettings = &armmachinelearning.BatchRetrySettings{}
	}
	if p.RetrySettings.MaxRetries == nil {
		p.RetrySettings.MaxRetries = to.Ptr[int32](defaultMaxRetries)
	} else if *p.RetrySettings.MaxRetries < 0 {
		return errBadRequest("properties.retrySettings.maxRetries must be 0 or more.")
	}
	if p.RetrySettings.Timeout == nil || *p.RetrySettings.Timeout == "" {
		p.RetrySettings.Timeout = to.Ptr(defaultRetryTimeout)
	} else if d, err := parseISODuration(*p.RetrySettings.Timeout); err != nil || d <= 0 {
		return errBadRequest("properties.retrySettings.timeout must be a positive ISO 8601 duration such as PT30S or PT5M.")
	}
	return nil
}

func canonicalLoggingLevel(v, field string) (string, *apiError) {
	switch strings.ToLower(v) {
	case "info":
		return string(armmachinelearning.BatchLoggingLevelInfo), nil
	case "warning":
		return string(armmachinelearning.BatchLoggingLevelWarning), nil
	case "debug":
		return string(armmachinelearning.BatchLoggingLevelDebug), nil
	}
	return "", errBadRequest(field + " '" + v + "' is not supported: use Info, Warning or Debug.")
}

// checkFileName accepts a single file name: no folders, nothing hidden
// behind "..".
func checkFileName(field, name string) *apiError {
	if name == "." || name == ".." || strings.ContainsAny(name, "/\\\x00") {
		return errBadRequest(field + " '" + name + "' must be a plain file name such as predictions.csv, without folders.")
	}
	return nil
}

// checkRelativePath accepts a relative slash path that stays inside its
// folder.
func checkRelativePath(field, p string) *apiError {
	if strings.ContainsAny(p, "\\\x00") || path.IsAbs(p) || !filepath.IsLocal(filepath.FromSlash(p)) {
		return errBadRequest(field + " '" + p + "' must be a relative path inside the code folder, e.g. score.py or src/score.py.")
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return errBadRequest(field + " '" + p + "' must not contain '..'.")
		}
	}
	return nil
}

func (s *Server) validatePipelineDeployment(r *http.Request, p *armmachinelearning.BatchDeploymentProperties) *apiError {
	cfg, ok := p.DeploymentConfiguration.(*armmachinelearning.BatchPipelineComponentDeploymentConfiguration)
	if !ok || cfg.ComponentID == nil || cfg.ComponentID.AssetID == nil || *cfg.ComponentID.AssetID == "" {
		return errBadRequest("A pipeline component deployment needs properties.deploymentConfiguration.componentId: {\"referenceType\": \"Id\", \"assetId\": \"azureml:<component>:<version>\"}.")
	}
	if p.Model != nil || p.CodeConfiguration != nil {
		return errBadRequest("A pipeline component deployment takes no model or codeConfiguration: the component defines what runs.")
	}
	ref, aerr := s.parseAssetRef(*cfg.ComponentID.AssetID, componentAssets)
	if aerr != nil {
		return aerr
	}
	rec, version, aerr := s.resolveAssetRef(r.Context(), ref)
	if aerr != nil {
		return aerr
	}
	if _, aerr := componentInterface(rec); aerr != nil {
		return aerr
	}
	// The whole component must be runnable (pipelinespec.go), so a broken
	// one fails here rather than at every invoke.
	if _, _, aerr := s.newSpecReader(r).component(*cfg.ComponentID.AssetID); aerr != nil {
		return aerr
	}
	cfg.ComponentID.AssetID = to.Ptr(s.versionID(componentAssets, rec.Parent, version))
	cfg.ComponentID.ReferenceType = to.Ptr(armmachinelearning.ReferenceTypeID)
	return nil
}

func (s *Server) deleteDeployment(w http.ResponseWriter, r *http.Request, endpoint, name string) {
	_, ep, err := s.loadEndpoint(r, endpoint)
	if err != nil {
		writeError(w, err)
		return
	}
	if _, err := s.store.GetResource(r.Context(), deploymentKind, endpoint, name); errors.Is(err, errNoRecord) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if d := ep.Properties.Defaults; d != nil && d.DeploymentName != nil && strings.EqualFold(*d.DeploymentName, name) {
		writeError(w, errBadRequest("Deployment '"+name+"' is the default deployment of batch endpoint '"+endpoint+"' and cannot be deleted: set another default first."))
		return
	}
	if err := s.store.DeleteResource(r.Context(), deploymentKind, endpoint, name); err != nil && !errors.Is(err, errNoRecord) {
		writeError(w, err)
		return
	}
	s.acceptedDelete(w, r)
}
