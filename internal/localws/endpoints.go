package localws

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

const (
	endpointKind   = "batchEndpoints"
	deploymentKind = "batchEndpoints/deployments"
)

func (s *Server) serveBatchEndpoints(w http.ResponseWriter, r *http.Request, rest []string) {
	switch {
	case len(rest) == 0:
		if r.Method != http.MethodGet {
			methodNotAllowed(w, r, http.MethodGet)
			return
		}
		s.listEndpoints(w, r)
	case len(rest) == 1:
		switch r.Method {
		case http.MethodGet:
			s.getEndpoint(w, r, rest[0])
		case http.MethodPut:
			s.putEndpoint(w, r, rest[0])
		case http.MethodDelete:
			s.deleteEndpoint(w, r, rest[0])
		default:
			methodNotAllowed(w, r, http.MethodGet, http.MethodPut, http.MethodDelete)
		}
	case strings.EqualFold(rest[1], "deployments"):
		s.serveDeployments(w, r, rest[0], rest[2:])
	default:
		writeError(w, errNotFound("no route for "+r.URL.Path))
	}
}

// loadEndpoint reads a stored endpoint; 404 in ARM format when missing.
func (s *Server) loadEndpoint(r *http.Request, name string) (resource, *armmachinelearning.BatchEndpoint, error) {
	rec, err := s.store.GetResource(r.Context(), endpointKind, "", name)
	if errors.Is(err, errNoRecord) {
		return rec, nil, errNotFound("Batch endpoint '" + name + "' not found in workspace '" + s.opts.Workspace + "'.")
	}
	if err != nil {
		return rec, nil, err
	}
	var ep armmachinelearning.BatchEndpoint
	if err := json.Unmarshal(rec.Body, &ep); err != nil {
		return rec, nil, err
	}
	return rec, &ep, nil
}

// renderEndpoint fills the read-only fields of a stored endpoint.
func (s *Server) renderEndpoint(r *http.Request, rec resource, ep *armmachinelearning.BatchEndpoint, state armmachinelearning.EndpointProvisioningState) *armmachinelearning.BatchEndpoint {
	out := *ep
	props := *ep.Properties
	out.ID = to.Ptr(s.workspacePath() + "/batchEndpoints/" + rec.Name)
	out.Name = to.Ptr(rec.Name)
	out.Type = to.Ptr(resourceType(endpointKind))
	out.SystemData = systemData(rec.Created, rec.Updated)
	props.ScoringURI = to.Ptr(s.scoringURI(r, rec.Name))
	props.ProvisioningState = to.Ptr(state)
	props.Keys = nil
	if props.Defaults == nil {
		props.Defaults = &armmachinelearning.BatchEndpointDefaults{}
	}
	out.Properties = &props
	return &out
}

// scoringURI is where the endpoint accepts jobs on this server.
func (s *Server) scoringURI(r *http.Request, endpoint string) string {
	return baseURL(r) + "/endpoints/" + endpoint + "/jobs"
}

func (s *Server) getEndpoint(w http.ResponseWriter, r *http.Request, name string) {
	rec, ep, err := s.loadEndpoint(r, name)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.renderEndpoint(r, rec, ep, armmachinelearning.EndpointProvisioningStateSucceeded))
}

func (s *Server) listEndpoints(w http.ResponseWriter, r *http.Request) {
	recs, err := s.store.ListResources(r.Context(), endpointKind, "")
	if err != nil {
		writeError(w, err)
		return
	}
	var items []*armmachinelearning.BatchEndpoint
	for _, rec := range recs {
		var ep armmachinelearning.BatchEndpoint
		if err := json.Unmarshal(rec.Body, &ep); err != nil {
			writeError(w, err)
			return
		}
		items = append(items, s.renderEndpoint(r, rec, &ep, armmachinelearning.EndpointProvisioningStateSucceeded))
	}
	writePage(w, r, items)
}

// authModes maps every spelling clients send (the SDK sends "aadToken") to
// the service's echo.
var authModes = map[string]armmachinelearning.EndpointAuthMode{
	"aadtoken": armmachinelearning.EndpointAuthModeAADToken,
	"amltoken": armmachinelearning.EndpointAuthModeAMLToken,
	"key":      armmachinelearning.EndpointAuthModeKey,
}

func (s *Server) putEndpoint(w http.ResponseWriter, r *http.Request, name string) {
	if aerr := checkName("batch endpoint", name); aerr != nil {
		writeError(w, aerr)
		return
	}
	body, err := s.readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	var ep armmachinelearning.BatchEndpoint
	if err := json.Unmarshal(body, &ep); err != nil {
		writeError(w, errBadRequest("The request body is not a valid batch endpoint: "+err.Error()))
		return
	}
	if ep.Properties == nil {
		writeError(w, errBadRequest("The batch endpoint has no 'properties': send {\"location\": \""+DefaultLocation+"\", \"properties\": {\"authMode\": \"AADToken\"}}."))
		return
	}
	if ep.Location == nil || *ep.Location == "" {
		writeError(w, errBadRequest("The batch endpoint has no 'location': it is required by ARM; the local workspace's location is '"+DefaultLocation+"'."))
		return
	}
	if ep.Properties.AuthMode == nil {
		writeError(w, errBadRequest("properties.authMode is required: use AADToken (every mode is checked against the local workspace's bearer token)."))
		return
	}
	mode, ok := authModes[strings.ToLower(string(*ep.Properties.AuthMode))]
	if !ok {
		writeError(w, errBadRequest("properties.authMode '"+string(*ep.Properties.AuthMode)+"' is not supported: use AADToken, AMLToken or Key."))
		return
	}
	ep.Properties.AuthMode = to.Ptr(mode)
	ep.Properties.Keys = nil
	ep.Properties.ScoringURI, ep.Properties.SwaggerURI, ep.Properties.ProvisioningState = nil, nil, nil

	existing, old, err := s.loadEndpoint(r, name)
	creating := err != nil
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status != http.StatusNotFound {
			writeError(w, err)
			return
		}
	}
	if d := ep.Properties.Defaults; d != nil && d.DeploymentName != nil && *d.DeploymentName != "" {
		if _, err := s.store.GetResource(r.Context(), deploymentKind, name, *d.DeploymentName); err != nil {
			writeError(w, errBadRequest("defaults.deploymentName '"+*d.DeploymentName+"' is not a deployment of batch endpoint '"+name+"': create the deployment first, then set it as default."))
			return
		}
	}
	// "Properties can be added, but not removed or altered": keep old keys.
	merged := map[string]*string{}
	if !creating && old.Properties != nil {
		for k, v := range old.Properties.Properties {
			merged[k] = v
		}
	}
	for k, v := range ep.Properties.Properties {
		if _, kept := merged[k]; !kept {
			merged[k] = v
		}
	}
	if creating {
		merged["BatchEndpointCreationApiVersion"] = to.Ptr(r.URL.Query().Get("api-version"))
		merged["azureml.onlineendpointid"] = to.Ptr(s.workspacePath() + "/batchEndpoints/" + name)
	}
	ep.Properties.Properties = merged
	ep.ID, ep.Name, ep.Type, ep.SystemData = nil, nil, nil, nil
	stored, err := json.Marshal(ep)
	if err != nil {
		writeError(w, err)
		return
	}
	rec := resource{Kind: endpointKind, Name: name, Body: stored}
	if !creating {
		rec.Name, rec.Created = existing.Name, existing.Created
	}
	if err := s.store.PutResource(r.Context(), rec); err != nil {
		writeError(w, err)
		return
	}
	rec, saved, err := s.loadEndpoint(r, name)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := s.acceptedCreate(w, r); err != nil {
		writeError(w, err)
		return
	}
	// The first answer shows the resource mid-flight, as Azure's does; the
	// operation it points at is already Succeeded.
	if creating {
		writeJSON(w, http.StatusCreated, s.renderEndpoint(r, rec, saved, armmachinelearning.EndpointProvisioningStateCreating))
		return
	}
	writeJSON(w, http.StatusOK, s.renderEndpoint(r, rec, saved, armmachinelearning.EndpointProvisioningStateUpdating))
}

func (s *Server) deleteEndpoint(w http.ResponseWriter, r *http.Request, name string) {
	_, _, err := s.loadEndpoint(r, name)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			// ARM answers 204 for a delete of something already gone.
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeError(w, err)
		return
	}
	if err := s.store.DeleteChildren(r.Context(), deploymentKind, name); err != nil {
		writeError(w, err)
		return
	}
	if err := s.store.DeleteResource(r.Context(), endpointKind, "", name); err != nil && !errors.Is(err, errNoRecord) {
		writeError(w, err)
		return
	}
	s.acceptedDelete(w, r)
}
