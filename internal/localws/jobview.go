package localws

import (
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/invocation"
	"github.com/mlbatch/ml/pkg/mlapi"
)

// Renderings of a job: the data plane's BatchJobResource (scoring 201, the
// mferp list) and ARM's JobBase (jobs GET/LIST), both shaped like the
// recorded Azure responses.

func (s *Server) trackingURI(r *http.Request) string {
	return "azureml://" + r.Host + "/mlflow/v1.0" + s.workspacePath() + "?"
}

// outputURI is the datastore URI of an output: the file for a model
// deployment's output, the folder otherwise.
func outputURI(o jobOutput) string {
	if o.FileName != "" {
		return datastoreURI(path.Join(o.Folder, o.FileName))
	}
	return datastoreURI(o.Folder + "/")
}

func (s *Server) batchJobResource(r *http.Request, j *jobRecord) mlapi.BatchJobResource {
	set := j.Settings
	target := j.Compute
	if target == "" {
		target = "local"
	}
	props := mlapi.BatchJob{
		ProvisioningState: "Succeeded",
		Status:            j.Status,
		InputData:         j.InputData,
		OutputData:        j.OutputData,
		MiniBatchSize:     to.Ptr(set.MiniBatchSize),
		Compute:           &mlapi.ComputeConfig{Target: target, InstanceCount: to.Ptr(set.InstanceCount), IsLocal: to.Ptr(true)},
		ErrorThreshold:    to.Ptr(set.ErrorThreshold),
		RetrySettings:     &mlapi.RetrySettings{MaxRetries: to.Ptr(set.MaxRetries), Timeout: formatISODuration(time.Duration(set.TimeoutSeconds) * time.Second)},
		OutputFileName:    set.OutputFileName,
		LoggingLevel:      set.LoggingLevel,
		InteractionEndpoints: map[string]mlapi.InteractionEndpoint{
			"Tracking": {JobEndpointType: "Tracking", Endpoint: s.trackingURI(r)},
			"Studio":   {JobEndpointType: "Studio", Endpoint: s.studioURI(r, j.Name)},
		},
		Tags:       j.Tags,
		Properties: j.Properties,
		Name:       j.DisplayName,
	}
	if len(j.Outputs) > 0 {
		props.Output = &mlapi.OutputLocation{
			DatastoreID: s.workspacePath() + "/datastores/" + defaultDatastore,
			Path:        j.Outputs[0].Folder + "/",
		}
	}
	return mlapi.BatchJobResource{
		ID:         s.workspacePath() + "/batchEndpoints/" + j.Endpoint + "/deployments/" + j.Deployment + "/jobs/" + j.Name,
		Name:       j.Name,
		Type:       mlapi.BatchJobResourceType,
		Properties: props,
		SystemData: &mlapi.SystemData{
			CreatedAt:     j.CreatedAt.UTC().Format(time.RFC3339Nano),
			CreatedBy:     localUser,
			CreatedByType: "User",
		},
	}
}

// armJob renders a job as ARM's PipelineJob, like the recorded job GET,
// or as a CommandJob for command jobs and pipeline steps (pipelinejobs.go).
func (s *Server) armJob(r *http.Request, j *jobRecord) armmachinelearning.JobBase {
	if j.JobType == jobTypeCommand {
		return s.armCommandJob(r, j)
	}
	v := s.armJobView(r, j)
	pj := &armmachinelearning.PipelineJob{
		JobType:        to.Ptr(armmachinelearning.JobTypePipeline),
		Description:    to.Ptr(j.Description),
		DisplayName:    to.Ptr(j.DisplayName),
		ExperimentName: to.Ptr(j.ExperimentName),
		Status:         to.Ptr(armmachinelearning.JobStatus(j.Status)),
		IsArchived:     to.Ptr(false),
		Tags:           v.tags,
		Properties:     v.props,
		Inputs:         v.inputs,
		Outputs:        v.outputs,
		Services:       v.services,
	}
	if j.Compute != "" {
		pj.ComputeID = to.Ptr(j.Compute)
	}
	if j.ComponentID != "" {
		pj.ComponentID = to.Ptr(j.ComponentID)
	}
	return s.armJobBase(j, pj)
}

// armJobView is what every ARM rendering of a job shares.
type armJobView struct {
	inputs      map[string]armmachinelearning.JobInputClassification
	outputs     map[string]armmachinelearning.JobOutputClassification
	tags, props map[string]*string
	services    map[string]*armmachinelearning.JobService
}

func (s *Server) armJobView(r *http.Request, j *jobRecord) armJobView {
	v := armJobView{
		inputs:  map[string]armmachinelearning.JobInputClassification{},
		outputs: map[string]armmachinelearning.JobOutputClassification{},
		tags:    map[string]*string{},
		props:   map[string]*string{},
		services: map[string]*armmachinelearning.JobService{
			"Tracking": {JobServiceType: to.Ptr("Tracking"), Endpoint: to.Ptr(s.trackingURI(r))},
			"Studio":   {JobServiceType: to.Ptr("Studio"), Endpoint: to.Ptr(s.studioURI(r, j.Name))},
		},
	}
	for _, in := range j.Inputs {
		v.inputs[in.Name] = armJobInput(in)
	}
	for _, o := range j.Outputs {
		uri := outputURI(o)
		mode := to.Ptr(armmachinelearning.OutputDeliveryModeUpload)
		// Pipeline outputs may be models or tables; Azure answers each with
		// its own output type.
		switch armmachinelearning.JobOutputType(strings.ToLower(o.Type)) {
		case armmachinelearning.JobOutputTypeMlflowModel:
			v.outputs[o.Name] = &armmachinelearning.MLFlowModelJobOutput{JobOutputType: to.Ptr(armmachinelearning.JobOutputTypeMlflowModel), URI: to.Ptr(uri), Mode: mode}
		case armmachinelearning.JobOutputTypeCustomModel:
			v.outputs[o.Name] = &armmachinelearning.CustomModelJobOutput{JobOutputType: to.Ptr(armmachinelearning.JobOutputTypeCustomModel), URI: to.Ptr(uri), Mode: mode}
		case armmachinelearning.JobOutputTypeTritonModel:
			v.outputs[o.Name] = &armmachinelearning.TritonModelJobOutput{JobOutputType: to.Ptr(armmachinelearning.JobOutputTypeTritonModel), URI: to.Ptr(uri), Mode: mode}
		case armmachinelearning.JobOutputTypeMltable:
			v.outputs[o.Name] = &armmachinelearning.MLTableJobOutput{JobOutputType: to.Ptr(armmachinelearning.JobOutputTypeMltable), URI: to.Ptr(uri), Mode: mode}
		default:
			if o.FileName == "" || o.Type == invocation.TypeURIFolder {
				v.outputs[o.Name] = &armmachinelearning.URIFolderJobOutput{JobOutputType: to.Ptr(armmachinelearning.JobOutputTypeURIFolder), URI: to.Ptr(uri), Mode: mode}
			} else {
				v.outputs[o.Name] = &armmachinelearning.URIFileJobOutput{JobOutputType: to.Ptr(armmachinelearning.JobOutputTypeURIFile), URI: to.Ptr(uri), Mode: mode}
			}
		}
	}
	for k, val := range j.Tags {
		v.tags[k] = to.Ptr(val)
	}
	for k, val := range j.Properties {
		v.props[k] = to.Ptr(val)
	}
	return v
}

// armJobBase wraps a job's properties in ARM's JobBase.
func (s *Server) armJobBase(j *jobRecord, props armmachinelearning.JobBasePropertiesClassification) armmachinelearning.JobBase {
	return armmachinelearning.JobBase{
		ID:         to.Ptr(s.workspacePath() + "/jobs/" + j.Name),
		Name:       to.Ptr(j.Name),
		Type:       to.Ptr(resourceType("jobs")),
		Properties: props,
		SystemData: &armmachinelearning.SystemData{
			CreatedAt:     to.Ptr(j.CreatedAt.UTC()),
			CreatedBy:     to.Ptr(localUser),
			CreatedByType: to.Ptr(armmachinelearning.CreatedByTypeUser),
		},
	}
}

func armJobInput(in jobInput) armmachinelearning.JobInputClassification {
	uri, mode := to.Ptr(in.URI), to.Ptr(armmachinelearning.InputDeliveryModeReadOnlyMount)
	switch in.Type {
	case invocation.TypeURIFile:
		return &armmachinelearning.URIFileJobInput{JobInputType: to.Ptr(armmachinelearning.JobInputTypeURIFile), URI: uri, Mode: mode}
	case invocation.TypeURIFolder:
		return &armmachinelearning.URIFolderJobInput{JobInputType: to.Ptr(armmachinelearning.JobInputTypeURIFolder), URI: uri, Mode: mode}
	case invocation.TypeMLTable:
		return &armmachinelearning.MLTableJobInput{JobInputType: to.Ptr(armmachinelearning.JobInputTypeMltable), URI: uri, Mode: mode}
	case invocation.TypeCustomModel:
		return &armmachinelearning.CustomModelJobInput{JobInputType: to.Ptr(armmachinelearning.JobInputTypeCustomModel), URI: uri, Mode: mode}
	case invocation.TypeMLFlowModel:
		return &armmachinelearning.MLFlowModelJobInput{JobInputType: to.Ptr(armmachinelearning.JobInputTypeMlflowModel), URI: uri, Mode: mode}
	case invocation.TypeTritonModel:
		return &armmachinelearning.TritonModelJobInput{JobInputType: to.Ptr(armmachinelearning.JobInputTypeTritonModel), URI: uri, Mode: mode}
	}
	return &armmachinelearning.LiteralJobInput{JobInputType: to.Ptr(armmachinelearning.JobInputTypeLiteral), Value: to.Ptr(in.Value)}
}
