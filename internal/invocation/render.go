package invocation

import (
	"fmt"

	"github.com/mlbatch/ml/pkg/mlapi"
)

// Request renders the scoring-POST body az sends for this invocation
// (camelCase, only the fields that are set), plus the settings az cannot
// send (errorThreshold, retrySettings, outputFileName, loggingLevel).
// resolved maps input names to their final URI after upload or asset
// resolution; inputs without an entry are sent as their Path. A name in
// resolved that is not an input is an error (it is a caller bug).
//
// Mode is dropped for uri_file/uri_folder inputs, as the SDK drops it, and
// translated to the data plane's spelling (ReadOnlyMount) elsewhere.
func (inv *Invocation) Request(resolved map[string]string) (*mlapi.BatchJobRequest, error) {
	known := map[string]bool{}
	for _, in := range inv.Inputs {
		known[in.Name] = true
	}
	for name := range resolved {
		if !known[name] {
			return nil, fmt.Errorf("resolved URI given for %s, which is not an input of this invocation", quote(name))
		}
	}
	if inv.SingleInput && len(inv.Inputs) != 1 {
		return nil, fmt.Errorf("a single --input invocation must have exactly one input, has %d", len(inv.Inputs))
	}

	job := mlapi.BatchJob{Name: inv.JobName}
	if len(inv.Inputs) > 0 {
		job.InputData = map[string]mlapi.JobInput{}
	}
	for _, in := range inv.Inputs {
		wire, err := renderInput(in, resolved)
		if err != nil {
			return nil, err
		}
		key := in.Name
		if inv.SingleInput {
			if !isURIType(in.Type) {
				return nil, fmt.Errorf("a single --input must be uri_folder or uri_file, not %s", quote(in.Type))
			}
			key = wire.JobInputType
		}
		job.InputData[key] = wire
	}
	if len(inv.Outputs) > 0 {
		job.OutputData = map[string]mlapi.JobOutput{}
	}
	for _, out := range inv.Outputs {
		wire, err := renderOutput(out)
		if err != nil {
			return nil, err
		}
		job.OutputData[out.Name] = wire
	}
	renderSettings(&job, inv.Settings)
	if inv.ExperimentName != "" {
		job.Properties = map[string]string{"experimentName": inv.ExperimentName}
	}
	return &mlapi.BatchJobRequest{Properties: job}, nil
}

func renderInput(in Input, resolved map[string]string) (mlapi.JobInput, error) {
	if in.IsLiteral() {
		v := in.Value
		return mlapi.JobInput{JobInputType: mlapi.InputLiteral, Value: &v}, nil
	}
	typ, ok := dataTypeWire[in.Type]
	if !ok {
		return mlapi.JobInput{}, fmt.Errorf("input %s has unknown type %s", quote(in.Name), quote(in.Type))
	}
	uri := in.Path
	if r, ok := resolved[in.Name]; ok {
		uri = r
	}
	if uri == "" {
		return mlapi.JobInput{}, fmt.Errorf("input %s has no path", quote(in.Name))
	}
	wire := mlapi.JobInput{JobInputType: typ, URI: uri}
	if in.Mode != "" && !isURIType(in.Type) {
		mode, ok := inputModeWire[in.Mode]
		if !ok {
			return mlapi.JobInput{}, fmt.Errorf("input %s has unknown mode %s", quote(in.Name), quote(in.Mode))
		}
		wire.Mode = mode
	}
	return wire, nil
}

func renderOutput(out Output) (mlapi.JobOutput, error) {
	typ, ok := dataTypeWire[out.Type]
	if !ok {
		return mlapi.JobOutput{}, fmt.Errorf("output %s has unknown type %s", quote(out.Name), quote(out.Type))
	}
	wire := mlapi.JobOutput{JobOutputType: typ, URI: out.Path}
	if out.Mode != "" {
		mode, ok := outputModeWire[out.Mode]
		if !ok {
			return mlapi.JobOutput{}, fmt.Errorf("output %s has unknown mode %s", quote(out.Name), quote(out.Mode))
		}
		wire.Mode = mode
	}
	return wire, nil
}

func renderSettings(job *mlapi.BatchJob, s Settings) {
	job.MiniBatchSize = s.MiniBatchSize
	if s.InstanceCount != nil {
		// The SDK's ComputeConfiguration defaults its target to "local",
		// which renders as isLocal: true with no target: "keep the
		// deployment's compute, change the node count".
		local := true
		job.Compute = &mlapi.ComputeConfig{InstanceCount: s.InstanceCount, IsLocal: &local}
	}
	job.ErrorThreshold = s.ErrorThreshold
	if s.MaxRetries != nil || s.TimeoutSeconds != nil {
		job.RetrySettings = &mlapi.RetrySettings{MaxRetries: s.MaxRetries}
		if s.TimeoutSeconds != nil {
			job.RetrySettings.Timeout = formatISODuration(*s.TimeoutSeconds)
		}
	}
	if s.OutputFileName != nil {
		job.OutputFileName = *s.OutputFileName
	}
	if s.LoggingLevel != nil {
		job.LoggingLevel = *s.LoggingLevel
	}
}
