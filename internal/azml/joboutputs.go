package azml

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/mlbatch/ml/internal/clierr"
)

// Where the named outputs of an Azure job are, found the way azure-ai-ml's
// JobOperations.download finds them (_get_named_output_uri and
// get_job_output_uris_from_dataplane): run history's rundata names each
// output's asset id and type, the data and model registries resolve the ids
// to datastore URIs, the default artifacts come from the job's "default"
// output, and a requested output run history does not report is looked for
// at the two folders the service writes unregistered outputs to.

// DefaultArtifactsOutput is the name az gives a job's default artifacts
// (logs and the outputs folder): DEFAULT_ARTIFACT_STORE_OUTPUT_NAME.
const DefaultArtifactsOutput = "default"

// OutputSelection says which outputs of a job JobOutputs returns.
type OutputSelection struct {
	// ModelBatch marks the job of a model deployment (az's is_batch_job):
	// its one output is the score folder of its batchscoring child run.
	ModelBatch bool
	// Name selects one named output; "" selects every one.
	Name string
	// Artifacts adds the job's default artifacts under the name
	// DefaultArtifactsOutput, as az's --all does.
	Artifacts bool
}

// runDataRequest is run history's GetRunDataRequest as the SDK's
// RunOperations.get_run_data fills it.
type runDataRequest struct {
	RunID                  string `json:"runId"`
	SelectRunMetadata      bool   `json:"selectRunMetadata"`
	SelectRunDefinition    bool   `json:"selectRunDefinition"`
	SelectJobSpecification bool   `json:"selectJobSpecification"`
}

// runData is the part of GetRunDataResult the download reads: each
// output's TypedAssetReference.
type runData struct {
	RunMetadata struct {
		Outputs map[string]struct {
			AssetID string `json:"assetId"`
			Type    string `json:"type"`
		} `json:"outputs"`
	} `json:"runMetadata"`
}

// resolvedURIs is both registries' batchGetResolvedUris answer: data
// versions carry "uri" (BatchDataUriResponse), models "path"
// (BatchModelPathResponseDto).
type resolvedURIs struct {
	Values map[string]struct {
		URI  string `json:"uri"`
		Path string `json:"path"`
	} `json:"values"`
}

// assetKind sorts a run output's type into the SDK's DataType or
// ModelType families; other types (none today) are not downloadable.
func assetKind(t string) string {
	switch strings.ToLower(strings.ReplaceAll(t, "_", "")) {
	case "urifile", "urifolder", "mltable":
		return "data"
	case "custommodel", "mlflowmodel", "tritonmodel":
		return "model"
	}
	return ""
}

// namedOutputs is JobOutputs on Azure for every job but a model
// deployment's.
func (c *Client) namedOutputs(ctx context.Context, job string, sel OutputSelection) ([]JobOutput, error) {
	api, err := c.APIURL(ctx)
	if err != nil {
		return nil, err
	}
	ws := c.T.WorkspaceID()
	var rd runData
	if err := c.postJSON(ctx, api+"/history/v1.0"+ws+"/rundata",
		runDataRequest{RunID: job, SelectRunMetadata: true, SelectRunDefinition: true, SelectJobSpecification: true}, &rd); err != nil {
		return nil, fmt.Errorf("job %s: read its outputs from run history: %w", job, err)
	}
	outs := rd.RunMetadata.Outputs
	var names []string
	for n := range outs {
		if sel.Name == "" || n == sel.Name {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	byKind := map[string][]string{}
	owner := map[string]string{} // asset id → output name
	for _, n := range names {
		if k := assetKind(outs[n].Type); k != "" && outs[n].AssetID != "" {
			byKind[k] = append(byKind[k], outs[n].AssetID)
			owner[outs[n].AssetID] = n
		}
	}
	uris := map[string]string{}
	for _, r := range []struct{ kind, route string }{
		{"data", "/data/v1.0" + ws + "/dataversion/batchGetResolvedUris"},
		{"model", "/modelregistry/v1.0" + ws + "/models/batchGetResolvedUris"},
	} {
		ids := byKind[r.kind]
		if len(ids) == 0 {
			continue
		}
		var res resolvedURIs
		if err := c.postJSON(ctx, api+r.route, map[string][]string{"values": ids}, &res); err != nil {
			return nil, fmt.Errorf("job %s: resolve where its %s outputs are: %w", job, r.kind, err)
		}
		for id, v := range res.Values {
			u := v.URI
			if r.kind == "model" {
				u = v.Path
			}
			if n, ok := owner[id]; ok && u != "" {
				uris[n] = u
			}
		}
	}

	var j *armmachinelearning.JobBase
	getJob := func() (*armmachinelearning.JobBase, error) {
		if j == nil {
			var err error
			if j, err = c.GetJob(ctx, job); err != nil {
				return nil, err
			}
		}
		return j, nil
	}
	if sel.Artifacts || sel.Name == DefaultArtifactsOutput {
		j, err := getJob()
		if err != nil {
			return nil, err
		}
		uris[DefaultArtifactsOutput] = defaultArtifactsURI(j, job)
	}
	if sel.Name != "" && uris[sel.Name] == "" {
		u, err := c.probeUnreportedOutput(ctx, job, sel.Name)
		if err != nil {
			return nil, err
		}
		if u == "" {
			j, err := getJob()
			if err != nil {
				return nil, err
			}
			return nil, clierr.Usagef("--output-name %s: job %s has no output of that name; its outputs are: %s (or pass --all)",
				sel.Name, job, strings.Join(knownOutputs(j, outs), ", "))
		}
		uris[sel.Name] = u
	}

	res := make([]JobOutput, 0, len(uris))
	for n, u := range uris {
		ds, p, ok := parseDatastoreURI(u)
		if !ok {
			return nil, fmt.Errorf("job %s: output %s is at %s, which is not an azureml:// datastore URI; it cannot be downloaded", job, n, u)
		}
		res = append(res, JobOutput{Name: n, Datastore: ds, Path: p})
	}
	sort.Slice(res, func(a, b int) bool { return res[a].Name < res[b].Name })
	return res, nil
}

// defaultArtifactsURI is the job's "default" output, or where the service
// keeps a run's artifacts when the job names none (the SDK's fallback).
func defaultArtifactsURI(j *armmachinelearning.JobBase, job string) string {
	if j != nil && j.Properties != nil {
		if o := jobOutputURI(jobOutputs(j.Properties)[DefaultArtifactsOutput]); o != "" {
			return o
		}
	}
	return "azureml://datastores/workspaceartifactstore/paths/ExperimentRun/dcid." + job + "/"
}

// probeUnreportedOutput looks for an output run history did not report at
// the folders the SDK tries on the workspace's default datastore:
// azureml/<job>/<name>/, then dataset/<job>/<name>/. It returns the URI of
// the first that holds a blob, "" when neither does.
func (c *Client) probeUnreportedOutput(ctx context.Context, job, name string) (string, error) {
	dsName, err := c.defaultDatastoreName(ctx)
	if err != nil {
		return "", err
	}
	ds, err := c.OpenDatastore(ctx, dsName)
	if err != nil {
		return "", err
	}
	for _, p := range []string{"azureml/" + job + "/" + name + "/", "dataset/" + job + "/" + name + "/"} {
		pager := ds.Client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: to.Ptr(p), MaxResults: to.Ptr(int32(1))})
		page, err := pager.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("job %s: look for output %s under %s on datastore %s: %w", job, name, p, dsName, storageError{err})
		}
		if len(page.Segment.BlobItems) > 0 {
			return "azureml://datastores/" + dsName + "/paths/" + p, nil
		}
	}
	return "", nil
}

// defaultDatastoreName asks ARM for the workspace's default datastore, as
// the SDK's DatastoreOperations.get_default does (list with isDefault=true).
func (c *Client) defaultDatastoreName(ctx context.Context) (string, error) {
	pager := c.arm.NewDatastoresClient().NewListPager(c.T.ResourceGroup, c.T.Workspace, &armmachinelearning.DatastoresClientListOptions{IsDefault: to.Ptr(true)})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return "", c.check(err, "default datastore")
		}
		for _, d := range page.Value {
			if d != nil && d.Name != nil {
				return *d.Name, nil
			}
		}
	}
	return "", fmt.Errorf("workspace %q has no default datastore", c.T.Workspace)
}

// knownOutputs lists the output names the job declares and run history
// reports, for the error of an unknown --output-name.
func knownOutputs(j *armmachinelearning.JobBase, reported map[string]struct {
	AssetID string `json:"assetId"`
	Type    string `json:"type"`
}) []string {
	seen := map[string]bool{}
	for n := range reported {
		seen[n] = true
	}
	if j != nil && j.Properties != nil {
		for n := range jobOutputs(j.Properties) {
			seen[n] = true
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return []string{"(none)"}
	}
	return names
}

// parseDatastoreURI splits azureml://datastores/<ds>/paths/<p> and the
// long form azureml://subscriptions/.../workspaces/<ws>/datastores/<ds>/paths/<p>
// (the one registries answer with) into datastore and path.
func parseDatastoreURI(u string) (datastore, path string, ok bool) {
	rest, found := strings.CutPrefix(u, "azureml://")
	if !found {
		return "", "", false
	}
	if !strings.HasPrefix(rest, "datastores/") {
		i := strings.Index(rest, "/datastores/")
		if i < 0 || !strings.HasPrefix(rest, "subscriptions/") {
			return "", "", false
		}
		rest = rest[i+1:]
	}
	rest = strings.TrimPrefix(rest, "datastores/")
	ds, p, found := strings.Cut(rest, "/paths/")
	if !found || ds == "" || strings.Contains(ds, "/") || strings.Trim(p, "/") == "" {
		return "", "", false
	}
	return ds, p, true
}

// postJSON POSTs v as JSON to u through the data-plane pipeline and
// decodes the JSON answer into out.
func (c *Client) postJSON(ctx context.Context, u string, v, out any) error {
	req, err := runtime.NewRequest(ctx, http.MethodPost, u)
	if err != nil {
		return err
	}
	if err := runtime.MarshalAsJSON(req, v); err != nil {
		return err
	}
	resp, err := c.data.Do(req)
	if err != nil {
		return ClassifyAuth(err, c.getenv)
	}
	if !runtime.HasStatusCode(resp, http.StatusOK) {
		return c.check(runtime.NewResponseError(resp), "POST "+redactedPath(u))
	}
	return runtime.UnmarshalAsJSON(resp, out)
}

// jobOutputs returns the outputs a job's ARM properties declare.
func jobOutputs(p armmachinelearning.JobBasePropertiesClassification) map[string]armmachinelearning.JobOutputClassification {
	switch j := p.(type) {
	case *armmachinelearning.PipelineJob:
		return j.Outputs
	case *armmachinelearning.CommandJob:
		return j.Outputs
	case *armmachinelearning.SweepJob:
		return j.Outputs
	case *armmachinelearning.AutoMLJob:
		return j.Outputs
	}
	return nil
}

// jobOutputURI is an ARM job output's uri ("" when it has none). Every
// output type has one; going through JSON spares a switch over them.
func jobOutputURI(o armmachinelearning.JobOutputClassification) string {
	if o == nil {
		return ""
	}
	data, err := json.Marshal(o)
	if err != nil {
		return ""
	}
	var v struct {
		URI string `json:"uri"`
	}
	_ = json.Unmarshal(data, &v)
	return v.URI
}
