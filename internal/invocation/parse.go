package invocation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrInvalidBody is wrapped by every error of ParseScoringBody, so a server
// can answer 400 with the message.
var ErrInvalidBody = errors.New("invalid batch job request")

func bodyErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidBody, fmt.Sprintf(format, args...))
}

// ParseScoringBody reads a scoring-POST body back into the model, as the
// local workspace server does. It accepts the camelCase body az sends and
// the PascalCase one of the REST docs (keys match case-insensitively, enum
// values in either spelling), tolerates unknown keys as the service does,
// and maps wire types back to snake_case. Literal inputs come back as
// TypeLiteral with their string value (the wire does not say which literal
// type they were); a literal sent as a JSON number or boolean is rendered as
// az would have sent it ("0.5", "True").
//
// Endpoint and Deployment are not in the body (they travel in the URL and
// the azureml-model-deployment header) and stay empty. SingleInput is set
// when the body holds exactly one uri_folder/uri_file input keyed by its
// type ("UriFolder"/"UriFile"), the shape --input produces.
func ParseScoringBody(data []byte) (*Invocation, error) {
	top, err := decodeObject(data, "the body")
	if err != nil {
		return nil, err
	}
	if top == nil {
		return nil, bodyErrorf("the body must be a JSON object with a properties object")
	}
	propsRaw, err := top.get("properties", "")
	if err != nil {
		return nil, err
	}
	props, err := decodeObject(propsRaw, "properties")
	if err != nil {
		return nil, err
	}
	if props == nil {
		return nil, bodyErrorf("the body has no properties object")
	}
	inv := &Invocation{}
	if err := parseInputs(props, inv); err != nil {
		return nil, err
	}
	if err := parseOutputs(props, inv); err != nil {
		return nil, err
	}
	if err := parseJobFields(props, inv); err != nil {
		return nil, err
	}
	return inv, nil
}

func parseInputs(props object, inv *Invocation) error {
	const where = "properties.inputData"
	data, err := props.sub("inputData", "properties")
	if err != nil {
		return err
	}
	for _, name := range sortedKeys(data) {
		at := where + "." + name
		if name == "" {
			return bodyErrorf("%s has an input with an empty name", where)
		}
		o, err := decodeObject(data[name], at)
		if err != nil {
			return err
		}
		if o == nil {
			return bodyErrorf("%s is null", at)
		}
		in, err := parseInput(name, o, at)
		if err != nil {
			return err
		}
		inv.Inputs = append(inv.Inputs, in)
	}
	if len(inv.Inputs) == 1 {
		in := inv.Inputs[0]
		inv.SingleInput = isURIType(in.Type) && in.Name == dataTypeWire[in.Type]
	}
	return nil
}

func parseInput(name string, o object, at string) (Input, error) {
	typ, err := o.str("jobInputType", at)
	if err != nil {
		return Input{}, err
	}
	if typ == "" {
		return Input{}, bodyErrorf("%s.jobInputType is required", at)
	}
	in := Input{Name: name}
	if strings.EqualFold(typ, "Literal") {
		in.Type = TypeLiteral
		raw, err := o.get("value", at)
		if err != nil {
			return Input{}, err
		}
		if in.Value, err = literalFromJSON(raw, at+".value"); err != nil {
			return Input{}, err
		}
		return in, nil
	}
	var ok bool
	if in.Type, ok = fromWire(dataTypeWire, typ); !ok {
		return Input{}, bodyErrorf("%s.jobInputType %s is not one of UriFile, UriFolder, MLTable, Literal, CustomModel, MLFlowModel, TritonModel", at, quote(typ))
	}
	if in.Path, err = o.str("uri", at); err != nil {
		return Input{}, err
	}
	if in.Path == "" {
		return Input{}, bodyErrorf("%s.uri is required for a %s input", at, typ)
	}
	mode, err := o.str("mode", at)
	if err != nil {
		return Input{}, err
	}
	if mode != "" {
		if in.Mode, ok = fromWire(inputModeWire, mode); !ok {
			return Input{}, bodyErrorf("%s.mode %s is not one of ReadOnlyMount, ReadWriteMount, Download, Direct, EvalMount, EvalDownload", at, quote(mode))
		}
	}
	return in, nil
}

// literalFromJSON reads a Literal's value: a string as is, a number as
// written, a boolean as Python's str() renders it.
func literalFromJSON(raw json.RawMessage, at string) (string, error) {
	if isJSONNull(raw) {
		return "", bodyErrorf("%s is required for a Literal input", at)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", bodyErrorf("%s is not valid JSON", at)
	}
	switch t := v.(type) {
	case string:
		return t, nil
	case json.Number:
		return t.String(), nil
	case bool:
		return pyBool(t), nil
	}
	return "", bodyErrorf("%s must be a string, number or boolean", at)
}

func parseOutputs(props object, inv *Invocation) error {
	const where = "properties.outputData"
	data, err := props.sub("outputData", "properties")
	if err != nil {
		return err
	}
	for _, name := range sortedKeys(data) {
		at := where + "." + name
		o, err := decodeObject(data[name], at)
		if err != nil {
			return err
		}
		if o == nil {
			return bodyErrorf("%s is null", at)
		}
		typ, err := o.str("jobOutputType", at)
		if err != nil {
			return err
		}
		out := Output{Name: name}
		var ok bool
		if out.Type, ok = fromWire(dataTypeWire, typ); !ok {
			return bodyErrorf("%s.jobOutputType %s is not one of UriFile, UriFolder, MLTable, CustomModel, MLFlowModel, TritonModel", at, quote(typ))
		}
		if out.Path, err = o.str("uri", at); err != nil {
			return err
		}
		mode, err := o.str("mode", at)
		if err != nil {
			return err
		}
		if mode != "" {
			if out.Mode, ok = fromWire(outputModeWire, mode); !ok {
				return bodyErrorf("%s.mode %s is not one of ReadWriteMount, Upload, Direct", at, quote(mode))
			}
		}
		inv.Outputs = append(inv.Outputs, out)
	}
	sort.Slice(inv.Outputs, func(i, j int) bool { return inv.Outputs[i].Name < inv.Outputs[j].Name })
	return nil
}

// parseJobFields reads the name, experiment and settings, checking the
// settings as Build does.
func parseJobFields(props object, inv *Invocation) error {
	const at = "properties"
	var err error
	if inv.JobName, err = props.str("name", at); err != nil {
		return err
	}
	bag, err := props.sub("properties", at)
	if err != nil {
		return err
	}
	if inv.ExperimentName, err = bag.str("experimentName", "properties.properties"); err != nil {
		return err
	}
	s := &inv.Settings
	compute, err := props.sub("compute", at)
	if err != nil {
		return err
	}
	retry, err := props.sub("retrySettings", at)
	if err != nil {
		return err
	}
	ints := []intProp{
		{props, "miniBatchSize", at, KeyMiniBatchSize},
		{props, "errorThreshold", at, KeyErrorThreshold},
		{compute, "instanceCount", "properties.compute", KeyInstanceCount},
		{retry, "maxRetries", "properties.retrySettings", KeyMaxRetries},
	}
	for _, f := range ints {
		v, err := f.o.integer(f.wire, f.at)
		if err != nil {
			return err
		}
		if v == nil {
			continue
		}
		if err := setIntSetting(s, f.key, *v); err != nil {
			return bodyErrorf("%s.%s %v", f.at, f.wire, err)
		}
	}
	if timeout, err := retry.str("timeout", "properties.retrySettings"); err != nil {
		return err
	} else if timeout != "" {
		secs, err := parseISODuration(timeout)
		if err != nil {
			return bodyErrorf("properties.retrySettings.timeout: %v", err)
		}
		if err := setIntSetting(s, KeyTimeout, secs); err != nil {
			return bodyErrorf("properties.retrySettings.timeout %v", err)
		}
	}
	for _, f := range []struct{ wire, key string }{{"outputFileName", KeyOutputFileName}, {"loggingLevel", KeyLoggingLevel}} {
		v, err := props.str(f.wire, at)
		if err != nil {
			return err
		}
		if v == "" {
			continue
		}
		if err := setStringSetting(s, f.key, v); err != nil {
			return bodyErrorf("properties.%s %v", f.wire, err)
		}
	}
	return nil
}

// intProp is an integer property of the body and the setting it feeds.
type intProp struct {
	o        object
	wire, at string
	key      string
}
