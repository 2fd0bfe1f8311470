package localws

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/mlbatch/ml/internal/invocation"
)

// validationPrefix opens the service's job validation errors (quoted in
// Azure/azure-sdk-for-python#35242 and MicrosoftDocs/azure-docs#115245).
const validationPrefix = "The Job request provided has the following validation errors. Please resolve them and try again."

// validationError is one entry of the service's validation error list.
type validationError struct {
	PropertyName   string `json:"PropertyName"`
	ErrorMessage   string `json:"ErrorMessage"`
	AttemptedValue any    `json:"AttemptedValue"`
	ErrorCode      string `json:"ErrorCode"`
}

// validationFailure renders a list the way the service does: the prefix,
// "Errors:" and the list as JSON, all in error.message.
func validationFailure(errs []validationError) *apiError {
	list, _ := json.MarshalIndent(errs, "", "  ")
	return &apiError{Status: http.StatusBadRequest, Code: codeUserError,
		Message: validationPrefix + "\nErrors:\n" + string(list)}
}

// wireInputTypes maps snake_case input types to the data plane's
// JobInputType, and jobInputClass to the service's class names used in its
// messages ("LiteralJobInput").
var wireInputTypes = map[string]string{
	invocation.TypeURIFile:     "UriFile",
	invocation.TypeURIFolder:   "UriFolder",
	invocation.TypeMLTable:     "MLTable",
	invocation.TypeCustomModel: "CustomModel",
	invocation.TypeMLFlowModel: "MLFlowModel",
	invocation.TypeTritonModel: "TritonModel",
}

func wireInputType(t string) string {
	if w, ok := wireInputTypes[t]; ok {
		return w
	}
	return "Literal"
}

func jobInputClass(t string) string { return wireInputType(t) + "JobInput" }

// validateModelInvocation applies the model-deployment rules: exactly one
// uri_file/uri_folder input, no literals, at most one output, of type
// uri_file. Messages are the service's where it has one.
func validateModelInvocation(inv *invocation.Invocation) []validationError {
	var errs []validationError
	var data []string
	for i, in := range inv.Inputs {
		prop := "InputData.Values[" + strconv.Itoa(i) + "]"
		switch {
		case in.IsLiteral():
			errs = append(errs, validationError{
				PropertyName:   prop,
				ErrorMessage:   "The specified job input type 'LiteralJobInput' is not supported. The supported types are: UriFileJobInput, UriFolderJobInput.",
				AttemptedValue: map[string]string{"JobInputType": "Literal", "Value": in.Value},
				ErrorCode:      "PredicateValidator",
			})
		case in.Type != invocation.TypeURIFile && in.Type != invocation.TypeURIFolder:
			errs = append(errs, validationError{
				PropertyName:   prop,
				ErrorMessage:   "The specified job input type '" + jobInputClass(in.Type) + "' is not supported. The supported types are: UriFileJobInput, UriFolderJobInput.",
				AttemptedValue: map[string]string{"JobInputType": wireInputType(in.Type), "Uri": in.Path},
				ErrorCode:      "PredicateValidator",
			})
		default:
			data = append(data, in.Name)
		}
	}
	switch {
	case len(inv.Inputs) == 0:
		errs = append(errs, validationError{PropertyName: "InputData", ErrorCode: "PredicateValidator",
			ErrorMessage: "A model deployment needs exactly one input of type uri_file or uri_folder; the request has none."})
	case len(errs) == 0 && len(data) > 1:
		errs = append(errs, validationError{PropertyName: "InputData", ErrorCode: "PredicateValidator",
			AttemptedValue: data,
			ErrorMessage:   "A model deployment takes exactly one input of type uri_file or uri_folder; the request has " + strconv.Itoa(len(data)) + " (" + strings.Join(data, ", ") + ")."})
	}
	if len(inv.Outputs) > 1 {
		names := make([]string, len(inv.Outputs))
		for i, o := range inv.Outputs {
			names[i] = o.Name
		}
		errs = append(errs, validationError{PropertyName: "OutputData", ErrorCode: "PredicateValidator", AttemptedValue: names,
			ErrorMessage: "A model deployment takes at most one output; the request has " + strconv.Itoa(len(names)) + " (" + strings.Join(names, ", ") + ")."})
	}
	for i, out := range inv.Outputs {
		if out.Type != invocation.TypeURIFile {
			errs = append(errs, validationError{
				PropertyName:   "OutputData.Values[" + strconv.Itoa(i) + "].JobOutputType",
				ErrorMessage:   "Job output type must be 'uri_file'.",
				AttemptedValue: out.Type,
				ErrorCode:      "PredicateValidator",
			})
		}
	}
	return errs
}

// componentPort is one declared input or output of a pipeline component.
type componentPort struct {
	Type     string `json:"type"`
	Optional bool   `json:"optional"`
	Default  any    `json:"default"`
}

// componentIO is a component's declared interface (componentSpec.inputs
// and .outputs, as the SDK stores the component YAML).
type componentIO struct {
	ID      string
	Inputs  map[string]componentPort
	Outputs map[string]componentPort
}

// componentInterface reads a component version's declared inputs and
// outputs.
func componentInterface(rec resource) (componentIO, *apiError) {
	var doc struct {
		Properties struct {
			ComponentSpec struct {
				Inputs  map[string]componentPort `json:"inputs"`
				Outputs map[string]componentPort `json:"outputs"`
			} `json:"componentSpec"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(rec.Body, &doc); err != nil {
		return componentIO{}, errBadRequest("The component " + rec.Parent + ":" + rec.Name + " has a componentSpec whose inputs or outputs are not objects of {type, optional, default}: " + err.Error())
	}
	return componentIO{Inputs: doc.Properties.ComponentSpec.Inputs, Outputs: doc.Properties.ComponentSpec.Outputs}, nil
}

var literalPortTypes = map[string]bool{"string": true, "integer": true, "number": true, "boolean": true}

// validatePipelineInvocation checks a job against the component's declared
// interface: known names, required inputs present, literal vs data kinds
// and literal values that parse as the declared type.
func validatePipelineInvocation(inv *invocation.Invocation, io componentIO) []validationError {
	var errs []validationError
	sent := map[string]invocation.Input{}
	for _, in := range inv.Inputs {
		sent[in.Name] = in
		port, ok := io.Inputs[in.Name]
		if !ok {
			errs = append(errs, validationError{PropertyName: "InputData." + in.Name, ErrorCode: "PredicateValidator", AttemptedValue: in.Name,
				ErrorMessage: "Input '" + in.Name + "' is not an input of component " + io.ID + "; its inputs are: " + portNames(io.Inputs) + "."})
			continue
		}
		want := strings.ToLower(port.Type)
		switch {
		case literalPortTypes[want] && !in.IsLiteral():
			errs = append(errs, validationError{PropertyName: "InputData." + in.Name, ErrorCode: "PredicateValidator", AttemptedValue: wireInputType(in.Type),
				ErrorMessage: "Input '" + in.Name + "' is a " + want + " literal in component " + io.ID + ": send {\"jobInputType\": \"Literal\", \"value\": ...}."})
		case literalPortTypes[want]:
			if msg := checkLiteral(want, in.Value); msg != "" {
				errs = append(errs, validationError{PropertyName: "InputData." + in.Name + ".Value", ErrorCode: "PredicateValidator", AttemptedValue: in.Value,
					ErrorMessage: "Input '" + in.Name + "' must be " + msg + "."})
			}
		case in.IsLiteral():
			errs = append(errs, validationError{PropertyName: "InputData." + in.Name, ErrorCode: "PredicateValidator", AttemptedValue: "Literal",
				ErrorMessage: "Input '" + in.Name + "' is a " + want + " data input in component " + io.ID + ": send its URI with jobInputType " + wireInputType(want) + "."})
		case want != "" && want != in.Type:
			errs = append(errs, validationError{PropertyName: "InputData." + in.Name + ".JobInputType", ErrorCode: "PredicateValidator", AttemptedValue: wireInputType(in.Type),
				ErrorMessage: "Input '" + in.Name + "' must be of type " + want + " (" + wireInputType(want) + ")."})
		}
	}
	for _, name := range sortedPortNames(io.Inputs) {
		port := io.Inputs[name]
		if _, ok := sent[name]; !ok && !port.Optional && port.Default == nil {
			errs = append(errs, validationError{PropertyName: "InputData." + name, ErrorCode: "PredicateValidator",
				ErrorMessage: "Input '" + name + "' is required by component " + io.ID + " and has no default."})
		}
	}
	for _, out := range inv.Outputs {
		port, ok := io.Outputs[out.Name]
		if !ok {
			errs = append(errs, validationError{PropertyName: "OutputData." + out.Name, ErrorCode: "PredicateValidator", AttemptedValue: out.Name,
				ErrorMessage: "Output '" + out.Name + "' is not an output of component " + io.ID + "; its outputs are: " + portNames(io.Outputs) + "."})
			continue
		}
		if want := strings.ToLower(port.Type); want != "" && want != out.Type {
			errs = append(errs, validationError{PropertyName: "OutputData." + out.Name + ".JobOutputType", ErrorCode: "PredicateValidator", AttemptedValue: out.Type,
				ErrorMessage: "Output '" + out.Name + "' must be of type " + want + "."})
		}
	}
	return errs
}

func checkLiteral(typ, v string) string {
	switch typ {
	case "integer":
		if _, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err != nil {
			return "an integer, not '" + v + "'"
		}
	case "number":
		if _, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
			return "a number, not '" + v + "'"
		}
	case "boolean":
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "false":
		default:
			return "true or false, not '" + v + "'"
		}
	}
	return ""
}

func sortedPortNames(ports map[string]componentPort) []string {
	names := make([]string, 0, len(ports))
	for n := range ports {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func portNames(ports map[string]componentPort) string {
	if len(ports) == 0 {
		return "(none)"
	}
	return strings.Join(sortedPortNames(ports), ", ")
}
