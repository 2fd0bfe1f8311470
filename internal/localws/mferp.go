package localws

import (
	"net/http"
	"strings"

	"github.com/mlbatch/ml/pkg/mlapi"
)

// The batch endpoint data plane ("mferp", api-version
// 2020-09-01-dataplanepreview) at
// /mferp/managementfrontend/subscriptions/.../workspaces/{ws}/batchEndpoints/{ep}/...:
//
//	jobs                              list the endpoint's jobs (?deployment=, $skipToken)
//	jobs/{job}                        one job
//	deployments/{dep}/jobs            list one deployment's jobs (az's batch-deployment list-jobs)
//	deployments/{dep}/jobs/{job}      one job (the Location of a scoring 201)

func (s *Server) serveMFE(w http.ResponseWriter, r *http.Request, segs []string) {
	rest, aerr := s.matchWorkspaceScope(segs)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if len(rest) < 3 || !strings.EqualFold(rest[0], "batchEndpoints") {
		writeError(w, errNotFound("no route for "+r.URL.Path+": expected .../batchEndpoints/{endpoint}/jobs"))
		return
	}
	if r.Method != http.MethodGet {
		methodNotAllowed(w, r, http.MethodGet)
		return
	}
	epRec, _, err := s.loadEndpoint(r, rest[1])
	if err != nil {
		writeError(w, err)
		return
	}
	endpoint, deployment := epRec.Name, r.URL.Query().Get("deployment")
	tail := rest[2:]
	if len(tail) >= 2 && strings.EqualFold(tail[0], "deployments") {
		// A typo in the deployment name is a 404, not an empty list.
		depRec, _, err := s.loadDeployment(r, endpoint, tail[1])
		if err != nil {
			writeError(w, err)
			return
		}
		deployment, tail = depRec.Name, tail[2:]
	}
	switch {
	case len(tail) == 1 && tail[0] == "jobs":
		s.listDataPlaneJobs(w, r, endpoint, deployment)
	case len(tail) == 2 && tail[0] == "jobs":
		j, err := s.loadJob(r.Context(), tail[1])
		if err == nil && (!strings.EqualFold(j.Endpoint, endpoint) || (deployment != "" && !strings.EqualFold(j.Deployment, deployment))) {
			err = errNotFound("Job '" + tail[1] + "' is not a job of batch endpoint '" + endpoint + "'.")
		}
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, s.batchJobResource(r, j))
	default:
		writeError(w, errNotFound("no route for "+r.URL.Path))
	}
}

func (s *Server) listDataPlaneJobs(w http.ResponseWriter, r *http.Request, endpoint, deployment string) {
	jobs, err := s.store.ListJobs(r.Context(), jobFilter{Endpoint: endpoint, Deployment: deployment})
	if err != nil {
		writeError(w, err)
		return
	}
	items := make([]mlapi.BatchJobResource, 0, len(jobs))
	for _, j := range jobs {
		items = append(items, s.batchJobResource(r, j))
	}
	page, aerr := paginate(r, items)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeJSON(w, http.StatusOK, mlapi.BatchJobList{Value: page.Value, NextLink: page.NextLink})
}
