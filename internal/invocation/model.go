// Package invocation is the one model every way of passing inputs to
// `ml batch-endpoint invoke` is turned into: --input/--input-type, --file
// (YAML) and --set. It renders the scoring-POST body the Azure CLI sends and
// parses both spellings of that body (camelCase and PascalCase), so the local
// workspace reuses it on the server side. It does no I/O beyond reading the
// --file and stat-ing local paths, and imports no CLI framework.
package invocation

// Data input types (the YAML/CLI spelling).
const (
	TypeURIFolder   = "uri_folder"
	TypeURIFile     = "uri_file"
	TypeMLTable     = "mltable"
	TypeCustomModel = "custom_model"
	TypeMLFlowModel = "mlflow_model"
	TypeTritonModel = "triton_model"
)

// Literal input types.
const (
	TypeString  = "string"
	TypeBoolean = "boolean"
	TypeInteger = "integer"
	TypeNumber  = "number"
	// TypeLiteral is a literal whose specific type is unknown. The scoring
	// body carries every literal as {"jobInputType": "Literal", "value":
	// "<string>"}, so ParseScoringBody can only say "literal" (the spelling
	// the ARM job API uses).
	TypeLiteral = "literal"
)

// Input is one named job input: either data (Type is a data type, Path set)
// or a literal (Type is a literal type, Value set).
type Input struct {
	Name string
	Type string
	// Path is the data reference as the user wrote it (local path, azureml:
	// reference, datastore URI, URL, ARM id); resolution rewrites it.
	Path string
	// Mode is the delivery mode (ro_mount, download, ...); dropped on the
	// wire for uri_file/uri_folder, as the SDK drops it.
	Mode string
	// Value is a literal's value in the canonical string form the Azure CLI
	// sends ("5", "0.5", "True", "text").
	Value string
	// Min and Max bound integer/number literals; empty when unset.
	Min, Max string
}

// IsLiteral reports whether the input is a literal rather than data.
func (in Input) IsLiteral() bool {
	switch in.Type {
	case TypeString, TypeBoolean, TypeInteger, TypeNumber, TypeLiteral:
		return true
	}
	return false
}

// Output is one named job output.
type Output struct {
	Name string
	Type string
	Path string
	Mode string
}

// Settings are per-job overrides of the deployment's batch settings. A nil
// field means "use the deployment's value". The Azure CLI can only send
// MiniBatchSize and InstanceCount; ml sends all of them.
type Settings struct {
	MiniBatchSize  *int64
	InstanceCount  *int64
	OutputFileName *string
	ErrorThreshold *int64
	MaxRetries     *int64
	// TimeoutSeconds is retry_settings.timeout, in seconds as in Azure's YAML.
	TimeoutSeconds *int64
	LoggingLevel   *string
}

// Invocation is everything one `invoke` sends: which endpoint and deployment,
// the inputs, outputs, naming and settings overrides.
type Invocation struct {
	Endpoint       string
	Deployment     string
	JobName        string
	ExperimentName string
	// Inputs and Outputs keep a deterministic order (sorted by name) so that
	// rendered bodies are stable.
	Inputs  []Input
	Outputs []Output
	// SingleInput is set when the input came from --input; the body then keys
	// it "UriFolder" or "UriFile" as the Azure CLI does, whatever its Name.
	// Build names it after its type; a caller that learns the real type of a
	// data asset (az looks up azureml:<name>:<version> given without
	// --input-type) may change the input's Type and the key follows.
	SingleInput bool
	Settings    Settings
}
