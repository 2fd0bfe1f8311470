// Package mlapi holds the wire types of Azure ML's batch endpoint data plane
// (the "2020-09-01-dataplanepreview" contract behind a batch endpoint's
// scoring URI). The ml client sends them and the local workspace serves them,
// so both sides agree on one definition.
//
// JSON names are the camelCase names the Azure CLI sends. The REST docs also
// show a PascalCase spelling (InputData, JobInputType, Uri, Value); the
// service accepts both, and invocation.ParseScoringBody reads both.
package mlapi

// Job input types of the data plane (JobInputType).
const (
	InputUriFile     = "UriFile"
	InputUriFolder   = "UriFolder"
	InputMLTable     = "MLTable"
	InputLiteral     = "Literal"
	InputCustomModel = "CustomModel"
	InputMLFlowModel = "MLFlowModel"
	InputTritonModel = "TritonModel"
)

// Job output types of the data plane (JobOutputType).
const (
	OutputUriFile   = "UriFile"
	OutputUriFolder = "UriFolder"
)

// BatchJobRequest is the body POSTed to a batch endpoint's scoring URI.
type BatchJobRequest struct {
	Properties BatchJob `json:"properties"`
}

// BatchJob is the properties bag of a batch job, in requests and responses.
// Pointer and omitempty fields are only sent when set, as the SDK does.
type BatchJob struct {
	ProvisioningState string               `json:"provisioningState,omitempty"`
	Status            string               `json:"status,omitempty"`
	InputData         map[string]JobInput  `json:"inputData,omitempty"`
	OutputData        map[string]JobOutput `json:"outputData,omitempty"`
	MiniBatchSize     *int64               `json:"miniBatchSize,omitempty"`
	Compute           *ComputeConfig       `json:"compute,omitempty"`
	Name              string               `json:"name,omitempty"`
	ErrorThreshold    *int64               `json:"errorThreshold,omitempty"`
	RetrySettings     *RetrySettings       `json:"retrySettings,omitempty"`
	OutputFileName    string               `json:"outputFileName,omitempty"`
	LoggingLevel      string               `json:"loggingLevel,omitempty"`
	Output            *OutputLocation      `json:"output,omitempty"`
	// InteractionEndpoints is echoed by the service (Tracking, Studio).
	InteractionEndpoints map[string]InteractionEndpoint `json:"interactionEndpoints,omitempty"`
	Tags                 map[string]string              `json:"tags,omitempty"`
	// Properties carries experimentName on requests and azureml.* keys on responses.
	Properties map[string]string `json:"properties,omitempty"`
}

// JobInput is one entry of inputData. URI is set for data inputs, Value for literals.
type JobInput struct {
	JobInputType string  `json:"jobInputType"`
	URI          string  `json:"uri,omitempty"`
	Mode         string  `json:"mode,omitempty"`
	Value        *string `json:"value,omitempty"`
	Description  *string `json:"description,omitempty"`
}

// JobOutput is one entry of outputData.
type JobOutput struct {
	JobOutputType string `json:"jobOutputType"`
	URI           string `json:"uri,omitempty"`
	Mode          string `json:"mode,omitempty"`
}

// ComputeConfig overrides the deployment's compute for one job.
type ComputeConfig struct {
	Target        string `json:"target,omitempty"`
	InstanceCount *int64 `json:"instanceCount,omitempty"`
	IsLocal       *bool  `json:"isLocal,omitempty"`
	InstanceType  string `json:"instanceType,omitempty"`
}

// RetrySettings of a batch job; Timeout is an ISO 8601 duration such as "PT30S".
type RetrySettings struct {
	MaxRetries *int64 `json:"maxRetries,omitempty"`
	Timeout    string `json:"timeout,omitempty"`
}

// OutputLocation is the job's default output folder.
type OutputLocation struct {
	DatastoreID string `json:"datastoreId,omitempty"`
	Path        string `json:"path,omitempty"`
}

// InteractionEndpoint is one of the links the service returns (Tracking, Studio).
type InteractionEndpoint struct {
	JobEndpointType string `json:"jobEndpointType,omitempty"`
	Endpoint        string `json:"endpoint,omitempty"`
}

// BatchJobResource is what the scoring URI returns: 201 on create, and the
// items of the data-plane job list.
type BatchJobResource struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Type       string      `json:"type"`
	Properties BatchJob    `json:"properties"`
	SystemData *SystemData `json:"systemData,omitempty"`
}

// SystemData records who created a resource and when (RFC 3339 timestamps).
type SystemData struct {
	CreatedAt     string `json:"createdAt,omitempty"`
	CreatedBy     string `json:"createdBy,omitempty"`
	CreatedByType string `json:"createdByType,omitempty"`
}

// BatchJobList is one page of the data-plane job list.
type BatchJobList struct {
	Value    []BatchJobResource `json:"value"`
	NextLink string             `json:"nextLink,omitempty"`
}

// BatchJobResourceType is the ARM type string of a batch job resource.
const BatchJobResourceType = "Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments/jobs"

// Header names of the scoring POST.
const (
	HeaderDeployment    = "azureml-model-deployment"
	HeaderRepeatability = "repeatability_request-id"
)
