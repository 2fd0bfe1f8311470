package localws

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mlbatch/ml/internal/pipeline"
)

// Components and pipeline jobs as Azure ML stores them, turned into the
// engine's model (internal/pipeline). A component version's componentSpec
// is the component's YAML as a JSON object (inputs, outputs, command, code
// as a code version's ARM id, task, ...); a pipeline component's jobs, and a
// PipelineJob's properties.jobs, are nodes in the SDK's REST form:
//
//	{"type": "command", "componentId": "<ARM id>",
//	 "inputs":  {"x": {"job_input_type": "literal", "value": "${{parent.inputs.x}}"},
//	             "m": {"job_input_type": "mlflow_model", "uri": "azureml:model@latest"}},
//	 "outputs": {"y": {"type": "literal", "value": "${{parent.outputs.y}}"},
//	             "z": {"job_output_type": "uri_folder", "mode": "Upload"}},
//	 "environment_variables": {...}}
//
// The YAML form (component: azureml:x:1, inputs as plain values or
// {path, type, mode}) is read too. Every reference is resolved here, while
// the request that submits the job is at hand: components by id, code to
// its folder, data and models to their datastore paths. Literals are
// rendered to the strings the command will see. The result is stored with
// the job (jobRecord.Pipeline) with datastore paths in CodeDir and Path;
// localize maps them to local files when the job runs.

// maxComponentDepth bounds nested pipeline components (and so reference
// cycles between them).
const maxComponentDepth = 16

// specReader reads components for one submission.
type specReader struct {
	s     *Server
	r     *http.Request
	cache map[string]*pipeline.Component // by component version ARM id
}

func (s *Server) newSpecReader(r *http.Request) *specReader {
	return &specReader{s: s, r: r, cache: map[string]*pipeline.Component{}}
}

// component loads a registered component version by reference (ARM id,
// azureml:name:version, azureml:name@latest) and returns it with its
// canonical ARM id.
func (c *specReader) component(ref string, depth int) (*pipeline.Component, string, *apiError) {
	if depth > maxComponentDepth {
		return nil, "", errBadRequest("Component " + ref + " nests pipelines more than " + strconv.Itoa(maxComponentDepth) + " deep (or refers to itself).")
	}
	aref, aerr := c.s.parseAssetRef(ref, componentAssets)
	if aerr != nil {
		return nil, "", aerr
	}
	rec, version, aerr := c.s.resolveAssetRef(c.r.Context(), aref)
	if aerr != nil {
		return nil, "", aerr
	}
	id := c.s.versionID(componentAssets, rec.Parent, version)
	if comp, ok := c.cache[id]; ok {
		return comp, id, nil
	}
	var doc struct {
		Properties struct {
			ComponentSpec map[string]any `json:"componentSpec"`
		} `json:"properties"`
	}
	if err := decodeNumbers(rec.Body, &doc); err != nil || doc.Properties.ComponentSpec == nil {
		return nil, "", errBadRequest("The component " + rec.Parent + ":" + version + " has no componentSpec object.")
	}
	comp, aerr := c.fromSpec(rec.Parent+":"+version, doc.Properties.ComponentSpec, depth)
	if aerr != nil {
		return nil, "", aerr
	}
	c.cache[id] = comp
	return comp, id, nil
}

// fromSpec builds a component from its spec object.
func (c *specReader) fromSpec(name string, spec map[string]any, depth int) (*pipeline.Component, *apiError) {
	bad := func(format string, args ...any) (*pipeline.Component, *apiError) {
		return nil, errBadRequest("Component " + name + ": " + fmt.Sprintf(format, args...))
	}
	comp := &pipeline.Component{Name: name, Type: strings.ToLower(str(spec["type"]))}
	var aerr *apiError
	if comp.Inputs, aerr = c.ports(name, "inputs", spec["inputs"]); aerr != nil {
		return nil, aerr
	}
	if comp.Outputs, aerr = c.ports(name, "outputs", spec["outputs"]); aerr != nil {
		return nil, aerr
	}
	if comp.EnvironmentVariables, aerr = stringMap(name, "environment_variables", spec["environment_variables"]); aerr != nil {
		return nil, aerr
	}
	switch comp.Type {
	case pipeline.TypeCommand:
		comp.Command = str(spec["command"])
		if comp.Command == "" {
			return bad("a command component needs a command.")
		}
		if comp.CodeDir, aerr = c.codePath(name, spec["code"]); aerr != nil {
			return nil, aerr
		}
	case pipeline.TypeParallel:
		if comp.Parallel, aerr = c.parallelTask(comp, spec, nil); aerr != nil {
			return nil, aerr
		}
	case pipeline.TypePipeline:
		jobs, ok := spec["jobs"].(map[string]any)
		if !ok || len(jobs) == 0 {
			return bad("a pipeline component needs jobs: the local workspace runs the steps it defines.")
		}
		comp.Jobs = map[string]*pipeline.Step{}
		for stepName, raw := range jobs {
			node, ok := raw.(map[string]any)
			if !ok {
				return bad("jobs.%s is not an object.", stepName)
			}
			if comp.Jobs[stepName], aerr = c.node(name, stepName, node, depth); aerr != nil {
				return nil, aerr
			}
		}
	case "":
		return bad("the componentSpec has no type: use command, parallel or pipeline.")
	default:
		return bad("type %q does not run on the local workspace: it runs command, parallel and pipeline components.", comp.Type)
	}
	return comp, nil
}

// ports reads declared inputs or outputs: {name: {type, optional, default, mode}}.
func (c *specReader) ports(comp, key string, v any) (map[string]pipeline.Port, *apiError) {
	out := map[string]pipeline.Port{}
	if v == nil {
		return out, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errBadRequest("Component " + comp + ": " + key + " is not an object of ports.")
	}
	for name, raw := range m {
		pm, _ := raw.(map[string]any)
		if pm == nil {
			pm = map[string]any{}
		}
		p := pipeline.Port{Type: strings.ToLower(str(pm["type"])), Mode: snakeMode(str(pm["mode"]))}
		if p.Type == "" && key == "outputs" {
			p.Type = "uri_folder"
		}
		p.Optional = truthy(pm["optional"])
		if d, ok := pm["default"]; ok && d != nil && p.IsLiteral() {
			rendered, err := pipeline.RenderLiteral(p.Type, d)
			if err != nil {
				return nil, errBadRequest("Component " + comp + ": the default of input " + name + ": " + err.Error() + ".")
			}
			p.Default = rendered
		}
		out[name] = p
	}
	return out, nil
}

// node reads one step of a pipeline.
func (c *specReader) node(pipelineName, stepName string, node map[string]any, depth int) (*pipeline.Step, *apiError) {
	where := "Step " + stepName + " of " + pipelineName
	comp, aerr := c.nodeComponent(where, node, depth)
	if aerr != nil {
		return nil, aerr
	}
	if t := strings.ToLower(str(node["type"])); t != "" && t != comp.Type {
		return nil, errBadRequest(where + " has type " + t + " but its component " + comp.Name + " is a " + comp.Type + " component.")
	}
	if comp.Type == pipeline.TypeParallel && hasParallelOverrides(node) {
		copied := *comp
		if copied.Parallel, aerr = c.parallelTask(&copied, nil, node); aerr != nil {
			return nil, aerr
		}
		comp = &copied
	}
	step := &pipeline.Step{Component: comp, Inputs: map[string]pipeline.Binding{}, Outputs: map[string]pipeline.Binding{}}
	if step.EnvironmentVariables, aerr = stringMap(where, "environment_variables", node["environment_variables"]); aerr != nil {
		return nil, aerr
	}
	ins, _ := node["inputs"].(map[string]any)
	for name, v := range ins {
		port, ok := comp.Inputs[name]
		if !ok {
			return nil, errBadRequest(where + ": " + name + " is not an input of component " + comp.Name + "; its inputs are: " + portList(comp.Inputs) + ".")
		}
		b, aerr := c.inputBinding(where+", input "+name, port, v)
		if aerr != nil {
			return nil, aerr
		}
		if !b.IsZero() {
			step.Inputs[name] = b
		}
	}
	outs, _ := node["outputs"].(map[string]any)
	for name, v := range outs {
		if _, ok := comp.Outputs[name]; !ok {
			return nil, errBadRequest(where + ": " + name + " is not an output of component " + comp.Name + "; its outputs are: " + portList(comp.Outputs) + ".")
		}
		b, aerr := c.outputBinding(where+", output "+name, v)
		if aerr != nil {
			return nil, aerr
		}
		if !b.IsZero() {
			step.Outputs[name] = b
		}
	}
	return step, nil
}

// nodeComponent finds a node's component: componentId (REST form),
// component as a reference or an inline spec (YAML form).
func (c *specReader) nodeComponent(where string, node map[string]any, depth int) (*pipeline.Component, *apiError) {
	if id := str(node["componentId"]); id != "" {
		comp, _, aerr := c.component(id, depth+1)
		return comp, aerr
	}
	switch v := node["component"].(type) {
	case string:
		comp, _, aerr := c.component(v, depth+1)
		return comp, aerr
	case map[string]any:
		return c.fromSpec(where+" (inline component)", v, depth+1)
	}
	return nil, errBadRequest(where + " has no componentId: register its component and reference it by ARM id.")
}

// inputBinding reads a node input in REST form ({job_input_type, value |
// uri, mode}) or YAML form (a value, or {path, type, mode}).
func (c *specReader) inputBinding(where string, port pipeline.Port, v any) (pipeline.Binding, *apiError) {
	m, isMap := v.(map[string]any)
	if !isMap {
		return c.valueBinding(where, port, v, "", "")
	}
	typ := strings.ToLower(firstString(m["job_input_type"], m["jobInputType"], m["type"]))
	mode := snakeMode(str(m["mode"]))
	switch {
	case typ == "literal":
		return c.valueBinding(where, port, m["value"], "", mode)
	case m["uri"] != nil || m["path"] != nil:
		return c.valueBinding(where, port, firstString(m["uri"], m["path"]), typ, mode)
	case m["value"] != nil:
		return c.valueBinding(where, port, m["value"], typ, mode)
	}
	return pipeline.Binding{}, nil
}

// valueBinding turns one input value into a binding: references stay as
// they are, literals are rendered for the port, data is resolved to its
// datastore path.
func (c *specReader) valueBinding(where string, port pipeline.Port, v any, typ, mode string) (pipeline.Binding, *apiError) {
	if v == nil {
		return pipeline.Binding{}, nil
	}
	if s, ok := v.(string); ok && strings.Contains(s, "${{") {
		return pipeline.Binding{Value: s, Type: typ, Mode: mode}, nil
	}
	if port.IsLiteral() {
		rendered, err := pipeline.RenderLiteral(port.Type, v)
		if err != nil {
			return pipeline.Binding{}, errBadRequest(where + ": " + err.Error() + ".")
		}
		return pipeline.Binding{Value: rendered}, nil
	}
	uri, ok := v.(string)
	if !ok {
		return pipeline.Binding{}, errBadRequest(fmt.Sprintf("%s: it is a %s data input, but is given the literal %v: give it a path.", where, port.Type, v))
	}
	path, aerr := c.dataPath(firstNonEmptyString(typ, port.Type), uri)
	if aerr != nil {
		return pipeline.Binding{}, errBadRequest(where + ": " + aerr.Message)
	}
	return pipeline.Binding{Path: path, Type: typ, Mode: mode}, nil
}

// outputBinding reads a node output: a ${{parent.outputs.y}} binding, a
// {job_output_type, uri, mode} placement or nothing (the default place).
func (c *specReader) outputBinding(where string, v any) (pipeline.Binding, *apiError) {
	switch x := v.(type) {
	case nil:
		return pipeline.Binding{}, nil
	case string:
		if !strings.Contains(x, "${{") {
			return c.outputPath(where, x, "")
		}
		return pipeline.Binding{Value: x}, nil
	case map[string]any:
		mode := snakeMode(str(x["mode"]))
		if val := str(x["value"]); val != "" {
			return pipeline.Binding{Value: val, Mode: mode}, nil
		}
		if uri := firstString(x["uri"], x["path"]); uri != "" {
			if strings.Contains(uri, "${{") {
				return pipeline.Binding{Path: uri, Mode: mode}, nil
			}
			return c.outputPath(where, uri, mode)
		}
		return pipeline.Binding{Mode: mode}, nil
	}
	return pipeline.Binding{}, errBadRequest(where + " is neither a binding nor an object.")
}

func (c *specReader) outputPath(where, uri, mode string) (pipeline.Binding, *apiError) {
	p, ok, aerr := c.s.parseDatastoreURI(c.r, uri)
	if aerr != nil {
		return pipeline.Binding{}, errBadRequest(where + ": " + aerr.Message)
	}
	if !ok || strings.Trim(p, "/") == "" {
		return pipeline.Binding{}, errBadRequest(where + ": the output " + uri + " is not a folder on the local workspace's storage: outputs go to azureml://datastores/" + defaultDatastore + "/paths/<path>/.")
	}
	if _, aerr := c.s.datastoreFile(strings.Trim(p, "/") + "/"); aerr != nil {
		return pipeline.Binding{}, aerr
	}
	return pipeline.Binding{Path: strings.Trim(p, "/"), Mode: mode}, nil
}

// modelTypes are the input types whose azureml: references name models.
var modelTypes = map[string]bool{"custom_model": true, "mlflow_model": true, "triton_model": true}

// dataPath resolves a data input's URI to its datastore path: datastore
// URIs and data assets as for batch jobs, models (azureml:<model>@latest
// for the model input types) through their modelUri.
func (c *specReader) dataPath(typ, uri string) (string, *apiError) {
	lower := strings.ToLower(uri)
	if modelTypes[strings.ToLower(typ)] && (strings.HasPrefix(lower, "azureml:") && !strings.HasPrefix(lower, "azureml://datastores/") || strings.Contains(lower, "/models/")) {
		ref, aerr := c.s.parseAssetRef(uri, modelAssets)
		if aerr != nil {
			return "", aerr
		}
		rec, _, aerr := c.s.resolveAssetRef(c.r.Context(), ref)
		if aerr != nil {
			return "", aerr
		}
		var doc assetDoc
		_ = json.Unmarshal(rec.Body, &doc)
		modelURI, _ := doc.Properties["modelUri"].(string)
		return c.s.assetDatastorePath(c.r, modelURI, "model")
	}
	loc, aerr := c.s.resolveDataURI(c.r, uri)
	if aerr != nil {
		return "", aerr
	}
	return loc.Path, nil
}

// codePath resolves a component's code (a code version's ARM id or
// azureml:name:version, or a datastore URI) to its datastore folder.
func (c *specReader) codePath(comp string, v any) (string, *apiError) {
	ref := str(v)
	if ref == "" {
		return "", nil
	}
	if p, ok, aerr := c.s.parseDatastoreURI(c.r, ref); ok || aerr != nil {
		return strings.Trim(p, "/"), aerr
	}
	if !strings.HasPrefix(strings.ToLower(ref), "azureml:") && !strings.HasPrefix(ref, "/subscriptions/") {
		return "", errBadRequest("Component " + comp + ": code " + ref + " is a local path; the client uploads code and registers it as a code version, which the component then names by id.")
	}
	aref, aerr := c.s.parseAssetRef(ref, codeAssets)
	if aerr != nil {
		return "", aerr
	}
	rec, _, aerr := c.s.resolveAssetRef(c.r.Context(), aref)
	if aerr != nil {
		return "", errBadRequest("Component " + comp + ": " + aerr.Message)
	}
	var doc assetDoc
	_ = json.Unmarshal(rec.Body, &doc)
	uri, _ := doc.Properties["codeUri"].(string)
	p, aerr := c.s.assetDatastorePath(c.r, uri, "code")
	return strings.Trim(p, "/"), aerr
}

// parallelKeys are the settings a parallel node may override.
var parallelKeys = []string{"mini_batch_size", "resources", "max_concurrency_per_instance", "retry_settings", "error_threshold", "logging_level", "input_data", "task", "mini_batch_error_threshold"}

func hasParallelOverrides(node map[string]any) bool {
	for _, k := range parallelKeys {
		if node[k] != nil {
			return true
		}
	}
	return false
}

// parallelTask reads a parallel component's task and settings from spec,
// with a node's overrides on top (either may be nil; with spec nil the
// component's current task is the base).
func (c *specReader) parallelTask(comp *pipeline.Component, spec, node map[string]any) (*pipeline.Parallel, *apiError) {
	t := &pipeline.Parallel{}
	if spec == nil && comp.Parallel != nil {
		copied := *comp.Parallel
		t = &copied
	}
	bad := func(format string, args ...any) (*pipeline.Parallel, *apiError) {
		return nil, errBadRequest("Parallel component " + comp.Name + ": " + fmt.Sprintf(format, args...))
	}
	for _, src := range []map[string]any{spec, node} {
		if src == nil {
			continue
		}
		if v := str(src["input_data"]); v != "" {
			t.InputData = v
		}
		if v, ok := src["mini_batch_size"]; ok && v != nil {
			n, ok := asInt(v)
			if !ok || n < 1 {
				return bad("mini_batch_size %v is not a number of files; the local runtime cuts file inputs into mini-batches of 1 or more files (sizes such as 10kb are for tabular data, which it does not read).", v)
			}
			t.MiniBatchSize = n
		}
		if res, ok := src["resources"].(map[string]any); ok {
			if n, ok := asInt(res["instance_count"]); ok {
				t.InstanceCount = n
			}
		}
		if n, ok := asInt(src["max_concurrency_per_instance"]); ok {
			t.MaxConcurrencyPerInstance = n
		}
		if n, ok := asInt(src["error_threshold"]); ok {
			t.ErrorThreshold = &n
		}
		if rs, ok := src["retry_settings"].(map[string]any); ok {
			if n, ok := asInt(rs["max_retries"]); ok {
				t.MaxRetries = &n
			}
			if n, ok := asInt(rs["timeout"]); ok {
				t.Timeout = time.Duration(n) * time.Second
			}
		}
		if v := str(src["logging_level"]); v != "" {
			t.LoggingLevel = v
		}
		if task, ok := src["task"].(map[string]any); ok {
			if typ := strings.ToLower(str(task["type"])); typ != "" && typ != "run_function" && typ != "function" {
				return bad("task.type %q does not run locally: use run_function.", typ)
			}
			if v := str(task["entry_script"]); v != "" {
				t.EntryScript = v
			}
			if v, ok := task["program_arguments"]; ok {
				t.ProgramArguments = str(v)
			}
			if v := str(task["append_row_to"]); v != "" {
				t.AppendRowTo = v
			}
			if code, ok := task["code"]; ok && code != nil {
				dir, aerr := c.codePath(comp.Name, code)
				if aerr != nil {
					return nil, aerr
				}
				comp.CodeDir = dir
			}
			if env, aerr := stringMap(comp.Name, "task.environment_variables", task["environment_variables"]); aerr != nil {
				return nil, aerr
			} else if len(env) > 0 {
				comp.EnvironmentVariables = env
			}
		}
	}
	return t, nil
}

// decodeNumbers decodes JSON keeping numbers as json.Number, so literal
// defaults render exactly as written.
func decodeNumbers(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func firstString(vs ...any) string {
	for _, v := range vs {
		if s := str(v); s != "" {
			return s
		}
	}
	return ""
}

func firstNonEmptyString(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func asInt(v any) (int, bool) {
	switch x := v.(type) {
	case json.Number:
		n, err := strconv.Atoi(x.String())
		return n, err == nil
	case float64:
		return int(x), x == float64(int(x))
	case int:
		return x, true
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		return n, err == nil
	}
	return 0, false
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true")
	}
	return false
}

func stringMap(where, key string, v any) (map[string]string, *apiError) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errBadRequest(where + ": " + key + " is not an object of names and values.")
	}
	out := map[string]string{}
	for k, val := range m {
		out[k] = str(val)
	}
	return out, nil
}

// snakeMode spells a delivery mode as YAML does (ReadOnlyMount → ro_mount).
func snakeMode(m string) string {
	switch strings.ToLower(m) {
	case "readonlymount", "ro_mount":
		return "ro_mount"
	case "readwritemount", "rw_mount":
		return "rw_mount"
	case "evalmount", "eval_mount":
		return "eval_mount"
	case "evaldownload", "eval_download":
		return "eval_download"
	}
	return strings.ToLower(m)
}

func portList(ports map[string]pipeline.Port) string {
	if len(ports) == 0 {
		return "(none)"
	}
	names := make([]string, 0, len(ports))
	for n := range ports {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
