package localws

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// Compute clusters at {ws}/computes[/{name}]: the local workspace records
// them (scripts create one before deploying, and check it with `compute
// show`) and answers like Azure, but runs every job on this machine.

const computeKind = "computes"

func (s *Server) serveComputes(w http.ResponseWriter, r *http.Request, rest []string) {
	switch {
	case len(rest) == 0 && r.Method == http.MethodGet:
		s.listComputes(w, r)
	case len(rest) == 0:
		methodNotAllowed(w, r, http.MethodGet)
	case len(rest) == 1 && r.Method == http.MethodGet:
		rec, c, err := s.loadCompute(r, rest[0])
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, s.renderCompute(rec, c, armmachinelearning.ProvisioningStateSucceeded))
	case len(rest) == 1 && r.Method == http.MethodPut:
		s.putCompute(w, r, rest[0])
	case len(rest) == 1 && r.Method == http.MethodDelete:
		s.deleteCompute(w, r, rest[0])
	case len(rest) == 1:
		methodNotAllowed(w, r, http.MethodGet, http.MethodPut, http.MethodDelete)
	default:
		writeError(w, errNotFound("no route for "+r.URL.Path+" (the local workspace has no compute operations beyond GET, PUT and DELETE)"))
	}
}

// loadCompute reads a stored compute; 404 in ARM format when missing.
func (s *Server) loadCompute(r *http.Request, name string) (resource, *armmachinelearning.ComputeResource, error) {
	rec, err := s.store.GetResource(r.Context(), computeKind, "", name)
	if errors.Is(err, errNoRecord) {
		return rec, nil, errNotFound("Compute '" + name + "' not found in workspace '" + s.opts.Workspace + "': create it with `ml compute create -n " + name + " --type amlcompute`.")
	}
	if err != nil {
		return rec, nil, err
	}
	var c armmachinelearning.ComputeResource
	if err := json.Unmarshal(rec.Body, &c); err != nil {
		return rec, nil, err
	}
	return rec, &c, nil
}

// renderCompute is a stored cluster as Azure shows one: provisioned, idle
// (no node allocated: jobs do not run on it), with its times.
func (s *Server) renderCompute(rec resource, c *armmachinelearning.ComputeResource, state armmachinelearning.ProvisioningState) *armmachinelearning.ComputeResource {
	out := *c
	out.ID = to.Ptr(s.workspacePath() + "/computes/" + rec.Name)
	out.Name = to.Ptr(rec.Name)
	out.Type = to.Ptr(resourceType(computeKind))
	out.SystemData = systemData(rec.Created, rec.Updated)
	if aml, ok := c.Properties.(*armmachinelearning.AmlCompute); ok {
		a := *aml
		a.ProvisioningState = to.Ptr(state)
		a.CreatedOn, a.ModifiedOn = to.Ptr(rec.Created.UTC()), to.Ptr(rec.Updated.UTC())
		a.IsAttachedCompute = to.Ptr(false)
		if aml.Properties != nil {
			p := *aml.Properties
			p.AllocationState = to.Ptr(armmachinelearning.AllocationStateSteady)
			p.AllocationStateTransitionTime = to.Ptr(rec.Updated.UTC())
			p.CurrentNodeCount = to.Ptr[int32](0)
			p.TargetNodeCount = to.Ptr[int32](0)
			p.NodeStateCounts = &armmachinelearning.NodeStateCounts{IdleNodeCount: to.Ptr[int32](0), LeavingNodeCount: to.Ptr[int32](0),
				PreemptedNodeCount: to.Ptr[int32](0), PreparingNodeCount: to.Ptr[int32](0), RunningNodeCount: to.Ptr[int32](0), UnusableNodeCount: to.Ptr[int32](0)}
			a.Properties = &p
		}
		out.Properties = &a
	}
	return &out
}

func (s *Server) listComputes(w http.ResponseWriter, r *http.Request) {
	recs, err := s.store.ListResources(r.Context(), computeKind, "")
	if err != nil {
		writeError(w, err)
		return
	}
	items := make([]*armmachinelearning.ComputeResource, 0, len(recs))
	for _, rec := range recs {
		var c armmachinelearning.ComputeResource
		if err := json.Unmarshal(rec.Body, &c); err != nil {
			writeError(w, err)
			return
		}
		items = append(items, s.renderCompute(rec, &c, armmachinelearning.ProvisioningStateSucceeded))
	}
	writePage(w, r, items)
}

func (s *Server) putCompute(w http.ResponseWriter, r *http.Request, name string) {
	if aerr := checkName("compute", name); aerr != nil {
		writeError(w, aerr)
		return
	}
	body, err := s.readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	var c armmachinelearning.ComputeResource
	if err := json.Unmarshal(body, &c); err != nil {
		writeError(w, errBadRequest("The request body is not a valid compute resource: "+err.Error()))
		return
	}
	aml, ok := c.Properties.(*armmachinelearning.AmlCompute)
	if !ok {
		writeError(w, errBadRequest("The local workspace records compute clusters of type AmlCompute only (properties.computeType: AmlCompute); jobs run on this machine whatever the compute."))
		return
	}
	if c.Location == nil || *c.Location == "" {
		c.Location = to.Ptr(DefaultLocation)
	}
	if p := aml.Properties; p != nil && p.ScaleSettings != nil && p.ScaleSettings.MaxNodeCount != nil && p.ScaleSettings.MinNodeCount != nil &&
		*p.ScaleSettings.MinNodeCount > *p.ScaleSettings.MaxNodeCount {
		writeError(w, errBadRequest("scaleSettings.minNodeCount must not exceed maxNodeCount."))
		return
	}
	aml.ProvisioningState, aml.CreatedOn, aml.ModifiedOn, aml.ProvisioningErrors = nil, nil, nil, nil
	c.ID, c.Name, c.Type, c.SystemData = nil, nil, nil, nil
	existing, err := s.store.GetResource(r.Context(), computeKind, "", name)
	creating := errors.Is(err, errNoRecord)
	if err != nil && !creating {
		writeError(w, err)
		return
	}
	stored, err := json.Marshal(c)
	if err != nil {
		writeError(w, err)
		return
	}
	rec := resource{Kind: computeKind, Name: name, Body: stored}
	if !creating {
		rec.Name, rec.Created = existing.Name, existing.Created
	}
	if err := s.store.PutResource(r.Context(), rec); err != nil {
		writeError(w, err)
		return
	}
	rec, saved, err := s.loadCompute(r, name)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := s.acceptedCreate(w, r); err != nil {
		writeError(w, err)
		return
	}
	status, state := http.StatusOK, armmachinelearning.ProvisioningStateUpdating
	if creating {
		status, state = http.StatusCreated, armmachinelearning.ProvisioningStateCreating
	}
	writeJSON(w, status, s.renderCompute(rec, saved, state))
}

func (s *Server) deleteCompute(w http.ResponseWriter, r *http.Request, name string) {
	err := s.store.DeleteResource(r.Context(), computeKind, "", name)
	if errors.Is(err, errNoRecord) {
		// ARM answers 204 for a delete of something already gone.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err != nil {
		writeError(w, err)
		return
	}
	s.acceptedDelete(w, r)
}
