package spec

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mlbatch/ml/internal/yamlnode"
)

// Node is one step of a pipeline (jobs.<name> of a pipeline component or
// pipeline job), in the YAML form or the REST form the service stores.
type Node struct {
	// Name is the step's key under jobs:.
	Name string
	// Type is the step's type (command when not given).
	Type ComponentType
	// Component is what the step runs.
	Component *ComponentRef
	// Inputs and Outputs are what the step binds or sets, in YAML order;
	// unset (null) entries are left out, as az leaves them out.
	Inputs  []*Input
	Outputs []*Output
	// Compute is the step's compute as written (azureml:<cluster>, a name
	// or an ARM id), "" for the pipeline's default.
	Compute                  string
	DisplayName, Description string
	// Tags, Properties and EnvironmentVariables (merged over the
	// component's when run) are nil when not given.
	Tags, Properties, EnvironmentVariables map[string]string
	Resources                              *Resources
	Distribution                           *Distribution
	// Timeout is limits.timeout in seconds, nil when not given.
	Timeout *int64
	// Parallel holds a parallel step's settings over its component's
	// (nil fields keep the component's).
	Parallel *ParallelSettings
	// At locates the step ("pipeline.yml:14").
	At string
}

// Input returns the step's input name, nil when it does not set it.
func (n *Node) Input(name string) *Input {
	for _, in := range n.Inputs {
		if in.Name == name {
			return in
		}
	}
	return nil
}

// Output returns the step's output name, nil when it does not set it.
func (n *Node) Output(name string) *Output {
	for _, o := range n.Outputs {
		if o.Name == name {
			return o
		}
	}
	return nil
}

// Needs lists the steps whose outputs this step reads
// (${{parent.jobs.<step>.outputs.<name>}}), each once, in input order: the
// step can start when they have succeeded.
func (n *Node) Needs() []string {
	var out []string
	for _, in := range n.Inputs {
		if b := in.Binding; b != nil && b.Kind == BindStepOutput && !contains(out, b.Step) {
			out = append(out, b.Step)
		}
	}
	return out
}

// ComponentRef is what a step runs: a registered component (Ref), or one
// defined inline or in a local file (Inline), which az registers as an
// anonymous component. Exactly one of Ref and Inline is set.
type ComponentRef struct {
	Ref    *Ref
	Inline *Component
	// Resolved is the component Ref names, once ResolveChildren has
	// fetched it; nil before.
	Resolved *Component
	// At locates component: in the YAML.
	At string
}

// Definition is the component the step runs when it is known: Inline, or
// Resolved; nil for a reference not resolved yet.
func (r *ComponentRef) Definition() *Component {
	if r == nil {
		return nil
	}
	if r.Inline != nil {
		return r.Inline
	}
	return r.Resolved
}

// BindingKind is what a ${{...}} binding refers to.
type BindingKind int

// Binding kinds.
const (
	// BindParentInput is ${{parent.inputs.<name>}}: an input of the
	// enclosing pipeline.
	BindParentInput BindingKind = iota + 1
	// BindParentOutput is ${{parent.outputs.<name>}}: an output of the
	// enclosing pipeline (a step's output bound to it).
	BindParentOutput
	// BindStepOutput is ${{parent.jobs.<step>.outputs.<name>}}: an output
	// of a sibling step.
	BindStepOutput
)

// Binding is a data-binding expression of a pipeline step's input or
// output.
type Binding struct {
	// Raw is the expression as written, "${{parent.inputs.x}}".
	Raw  string
	Kind BindingKind
	// Step is the sibling step of a BindStepOutput, "" otherwise.
	Step string
	// Name is the input or output named.
	Name string
}

// Input is a value given to an input: by a pipeline step (a binding, a
// literal or data), or by a job (a literal or data). Exactly one of
// Binding, Literal and Path is set.
type Input struct {
	Name    string
	Binding *Binding
	Literal *Literal
	// Path is data: an absolute local path (Local), a URI (https://,
	// azureml://datastores/...), an asset ARM id, or an asset reference
	// (Asset) such as azureml:heart-classifier@latest.
	Path  string
	Local bool
	// Asset is Path parsed when it references a registered data or model
	// asset (by Type: model types name models); nil otherwise.
	Asset *Ref
	// Type is the data type when given (uri_folder, ...), or the literal
	// type a job input declares; "" when not given.
	Type string
	// Mode is how data is delivered (ro_mount, download, direct, ...), ""
	// for the default.
	Mode        string
	Description string
	At          string
}

// Output is how a step or job configures an output: bound to an output
// of the enclosing pipeline (Binding), or given a type, mode or datastore
// path.
type Output struct {
	Name    string
	Binding *Binding
	// Type, Mode (rw_mount, upload, direct) and Path (a datastore URI,
	// possibly with ${{name}} for the job name) are "" when not given.
	Type, Mode, Path string
	// AssetName and AssetVersion register the output as a data asset.
	AssetName, AssetVersion string
	Description             string
	At                      string
}

var (
	nodeCommonKeys = []string{"type", "component", "inputs", "outputs", "compute", "display_name", "description",
		"tags", "properties", "experiment_name", "comment", "identity"}
	commandNodeKeys = concat(nodeCommonKeys, []string{"environment_variables", "resources", "distribution", "limits",
		"services", "queue_settings", "command", "code", "environment"})
	parallelNodeKeys = concat(nodeCommonKeys, []string{"environment_variables"}, parallelKeys)
	pipelineNodeKeys = nodeCommonKeys
	// storedNodeKeys are the REST node keys the service stores.
	storedNodeKeys = []string{"name", "componentId", "computeId", "_source"}

	dataInputKeys        = []string{"type", "path", "mode", "description"}
	literalInputKeys     = []string{"type", "value", "description"}
	storedInputKeys      = []string{"job_input_type", "jobInputType", "value", "uri", "mode", "description"}
	outputKeys           = []string{"type", "path", "mode", "name", "version", "description"}
	storedOutputKeys     = []string{"job_output_type", "jobOutputType", "type", "value", "uri", "mode", "name", "version", "description", "asset_name", "asset_version"}
	limitsKeys           = []string{"timeout"}
	nodeNameRE           = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	bindingRE            = regexp.MustCompile(`^\$\{\{\s*([^{}]*?)\s*\}\}$`)
	placeholderRE        = regexp.MustCompile(`\$\{\{\s*([^{}]*?)\s*\}\}`)
	unsupportedNodeTypes = []string{"sweep", "spark", "automl", "data_transfer", "import", "if_else", "do_while", "parallel_for"}

	// modeNames maps the REST spellings of input and output modes to the
	// YAML ones.
	modeNames = map[string]string{
		"readonlymount": "ro_mount", "readwritemount": "rw_mount", "download": "download", "upload": "upload",
		"direct": "direct", "evalmount": "eval_mount", "evaldownload": "eval_download",
	}
)

// findNode returns the step name, nil when there is none.
func findNode(nodes []*Node, name string) *Node {
	for _, n := range nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// ParseBinding parses a step input's or output's value as a binding:
// ok is false when s holds no ${{...}} at all; an error says what is wrong
// with one that does (text around it, an unknown form).
func ParseBinding(s string) (b *Binding, ok bool, err error) {
	if !strings.Contains(s, "${{") {
		return nil, false, nil
	}
	m := bindingRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return nil, true, fmt.Errorf("%q mixes text with a ${{...}} binding; give the binding alone, e.g. ${{parent.inputs.<name>}}", s)
	}
	segs := strings.Split(m[1], ".")
	b = &Binding{Raw: strings.TrimSpace(s)}
	switch {
	case len(segs) == 3 && segs[0] == "parent" && segs[1] == "inputs":
		b.Kind, b.Name = BindParentInput, segs[2]
	case len(segs) == 3 && segs[0] == "parent" && segs[1] == "outputs":
		b.Kind, b.Name = BindParentOutput, segs[2]
	case len(segs) == 5 && segs[0] == "parent" && segs[1] == "jobs" && segs[3] == "outputs":
		b.Kind, b.Step, b.Name = BindStepOutput, segs[2], segs[4]
	default:
		return nil, true, fmt.Errorf("%q is not a binding ml knows; use ${{parent.inputs.<name>}}, ${{parent.jobs.<step>.outputs.<name>}} or (for outputs) ${{parent.outputs.<name>}}", s)
	}
	for _, seg := range segs {
		if seg == "" {
			return nil, true, fmt.Errorf("%q has an empty name", s)
		}
	}
	return b, true, nil
}

// innerRef is ${{inputs.x}} or ${{outputs.y}}, as a component's command
// refers to its own ports.
type innerRef struct{ scope, name string }

func parseInnerRef(s string) (innerRef, bool) {
	m := bindingRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return innerRef{}, false
	}
	scope, name, ok := strings.Cut(m[1], ".")
	if !ok || strings.Contains(name, ".") {
		return innerRef{}, false
	}
	return innerRef{scope, name}, true
}

// checkPlaceholders checks that every ${{inputs.x}} and ${{outputs.y}} in
// text (a command line) names a declared port.
func (d *decoder) checkPlaceholders(n *yaml.Node, key, text string, inputs, outputs []*Port) error {
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		scope, name, ok := strings.Cut(m[1], ".")
		if !ok {
			continue
		}
		switch {
		case scope == "inputs" && findPort(inputs, name) == nil:
			return d.errf(n, "%s uses %s, but the component declares no input %q; declared inputs: %s", key, m[0], name, portNames(inputs))
		case scope == "outputs" && findPort(outputs, name) == nil:
			return d.errf(n, "%s uses %s, but the component declares no output %q; declared outputs: %s", key, m[0], name, portNames(outputs))
		}
	}
	return nil
}

// nodes reads jobs: of a pipeline, in order.
func (d *decoder) nodes(n *yaml.Node, cc componentContext) ([]*Node, error) {
	ps, err := d.pairs(n, "jobs")
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, d.errf(n, "jobs is empty; a pipeline needs at least one step")
	}
	out := make([]*Node, 0, len(ps))
	for _, p := range ps {
		if !d.stored && !nodeNameRE.MatchString(p.Key) {
			return nil, d.errf(p.KeyNode, "step name %q must start with a lower-case letter or _ and contain only lower-case letters, digits and _", p.Key)
		}
		node, err := d.node(p.Key, p.Value, cc)
		if err != nil {
			return nil, err
		}
		out = append(out, node)
	}
	return out, nil
}

// node reads one step.
func (d *decoder) node(name string, n *yaml.Node, cc componentContext) (*Node, error) {
	where := "jobs." + name
	if n.Kind != yaml.MappingNode {
		return nil, d.errf(n, "%s must be a mapping (type: command, component: ..., inputs: ...), not %s", where, kindName(n))
	}
	typ := ComponentCommand
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value != "type" || yamlnode.IsNull(v) {
			continue
		}
		c, ok := canonicalEnum(v.Value, componentTypes)
		switch {
		case v.Kind == yaml.ScalarNode && ok:
			typ = ComponentType(c)
		case v.Kind == yaml.ScalarNode && contains(unsupportedNodeTypes, strings.ToLower(v.Value)):
			return nil, d.errf(v, "%s: steps of type %s are not supported by ml; use command, parallel or pipeline steps", where, v.Value)
		default:
			return nil, d.errf(v, "%s.type %s is not a step type; use command, parallel or pipeline", where, describe(v))
		}
	}
	keys := map[ComponentType][]string{ComponentCommand: commandNodeKeys, ComponentParallel: parallelNodeKeys, ComponentPipeline: pipelineNodeKeys}[typ]
	if d.stored {
		keys = concat(keys, storedNodeKeys)
	}
	o, err := d.object(n, where, keys)
	if err != nil {
		return nil, err
	}
	node := &Node{Name: name, Type: typ, At: d.at(n)}
	if node.DisplayName, err = o.str("display_name"); err != nil {
		return nil, err
	}
	if node.Description, err = o.str("description"); err != nil {
		return nil, err
	}
	if node.Tags, err = o.strMap("tags"); err != nil {
		return nil, err
	}
	if node.Properties, err = o.strMap("properties"); err != nil {
		return nil, err
	}
	for _, k := range []string{"compute", "computeId"} {
		if o.has(k) {
			if node.Compute, err = o.str(k); err != nil {
				return nil, err
			}
		}
	}
	if o.has("experiment_name") {
		d.note(o.node("experiment_name"), "%s.experiment_name: a step runs in its pipeline's experiment; it is not sent", where)
	}
	for _, k := range []string{"services", "identity", "queue_settings"} {
		if n := o.node(k); n != nil {
			d.note(n, "%s.%s is not sent by ml", where, k)
		}
	}
	if typ != ComponentPipeline {
		if node.EnvironmentVariables, err = o.strMap("environment_variables"); err != nil {
			return nil, err
		}
		if rn := o.node("resources"); rn != nil {
			if node.Resources, err = d.jobResources(rn, where+".resources"); err != nil {
				return nil, err
			}
		}
	}
	if typ == ComponentCommand {
		if dn := o.node("distribution"); dn != nil {
			if node.Distribution, err = d.distribution(dn, where+".distribution"); err != nil {
				return nil, err
			}
		}
		if ln := o.node("limits"); ln != nil {
			lo, err := d.object(ln, where+".limits", limitsKeys)
			if err != nil {
				return nil, err
			}
			if node.Timeout, err = d.timeoutSeconds(lo); err != nil {
				return nil, err
			}
		}
	}
	if in := o.node("inputs"); in != nil {
		if node.Inputs, err = d.inputValues(in, where+".inputs", true); err != nil {
			return nil, err
		}
	}
	if out := o.node("outputs"); out != nil {
		if node.Outputs, err = d.outputValues(out, where+".outputs", true); err != nil {
			return nil, err
		}
	}
	if node.Component, err = d.nodeComponent(o, node, cc); err != nil {
		return nil, err
	}
	if def := node.Component.Definition(); typ == ComponentParallel && (def == nil || !def.inferred) {
		// Settings written in the step override its component's.
		var ports []*Port
		if def != nil {
			ports = def.Inputs
		}
		if node.Parallel, err = d.parallelSettings(o, ports, nil); err != nil {
			return nil, err
		}
	}
	return node, nil
}

// nodeComponent reads what a step runs: component: (a reference, a file or
// an inline definition), componentId (stored), or, for a command step
// without component:, the command job written in the step itself.
func (d *decoder) nodeComponent(o *object, node *Node, cc componentContext) (*ComponentRef, error) {
	where := "jobs." + node.Name
	inlineJob := []string{"command", "code", "environment"}
	if node.Type == ComponentParallel {
		inlineJob = []string{"task"}
	}
	cn := o.node("component")
	if cn == nil && d.stored {
		cn = o.node("componentId")
	}
	if cn == nil {
		if node.Type == ComponentPipeline || !o.has(inlineJob[0]) {
			hint := "component: azureml:<name>:<version>, azureml:<name>@latest, ./component.yml or an inline {command: ..., environment: ...}"
			if node.Type == ComponentCommand {
				hint += ", or write command: and environment: in the step itself"
			}
			return nil, d.errf(o.n, "%s has no component; add %s", where, hint)
		}
		return d.inlineJobComponent(o, node)
	}
	for _, k := range inlineJob {
		if kn := o.node(k); kn != nil {
			return nil, d.errf(kn, "%s.%s belongs in the component; with component: given, the component's %s is used (remove one of them)", where, k, k)
		}
	}
	ref := &ComponentRef{At: d.at(cn)}
	if cn.Kind == yaml.MappingNode {
		c, err := d.component(cn, componentContext{want: node.Type, inline: true, stack: cc.stack})
		if err != nil {
			return nil, err
		}
		ref.Inline = c
		return ref, nil
	}
	if cn.Kind != yaml.ScalarNode || cn.ShortTag() != "!!str" {
		return nil, d.errf(cn, "%s.component must be a reference (azureml:<name>:<version>), a file (./component.yml) or an inline component, not %s", where, kindName(cn))
	}
	raw := cn.Value
	lower := strings.ToLower(raw)
	if d.stored {
		// A stored step names its component by id; one ml cannot parse is
		// kept as written for the lookup to answer.
		r, err := ParseRef(KindComponent, raw)
		if err != nil {
			r = &Ref{Kind: KindComponent, Raw: raw, ID: raw}
		}
		r.At = ref.At
		ref.Ref = r
		return ref, nil
	}
	if strings.HasPrefix(lower, "azureml:") || strings.HasPrefix(lower, "/subscriptions/") {
		r, err := ParseRef(KindComponent, raw)
		if err != nil {
			return nil, d.errf(cn, "%s.component: %v; or give a component file (./component.yml)", where, err)
		}
		r.At = ref.At
		ref.Ref = r
		return ref, nil
	}
	c, err := d.loadComponentFile(cn, raw, componentContext{want: node.Type, stack: cc.stack})
	if err != nil {
		return nil, err
	}
	ref.Inline = c
	return ref, nil
}

// inlineJobComponent makes the anonymous component of a step that writes
// its command job in place (jobs.a: {command: ..., environment: ...}), as
// azure-ai-ml turns such a step into a component: its ports are inferred
// from what the step binds (inferPorts).
func (d *decoder) inlineJobComponent(o *object, node *Node) (*ComponentRef, error) {
	c := &Component{At: node.At, Type: node.Type, inferred: true}
	var err error
	if node.Type == ComponentParallel {
		if c.Parallel, err = d.parallelSettings(o, nil, nil); err != nil {
			return nil, err
		}
		return &ComponentRef{Inline: c, At: node.At}, nil
	}
	if c.Command, err = o.str("command"); err != nil {
		return nil, err
	}
	if cn := o.node("code"); cn != nil {
		if c.Code, err = d.codeSpec(cn, "jobs."+node.Name+".code", anyPath); err != nil {
			return nil, err
		}
	}
	if err = o.require("environment", "add environment: azureml:<name>:<version> (or @latest), azureml://registries/..., or an inline {image: ...}"); err != nil {
		return nil, err
	}
	if c.Environment, err = d.environmentSpec(o.node("environment")); err != nil {
		return nil, err
	}
	return &ComponentRef{Inline: c, At: node.At}, nil
}

// inputValues reads the inputs: of a step (bindings allowed) or of a job.
func (d *decoder) inputValues(n *yaml.Node, where string, step bool) ([]*Input, error) {
	ps, err := d.pairs(n, where)
	if err != nil {
		return nil, err
	}
	var out []*Input
	for _, p := range ps {
		if yamlnode.IsNull(p.Value) {
			continue
		}
		in, err := d.inputValue(p.Value, where+"."+p.Key, step)
		if err != nil {
			return nil, err
		}
		in.Name = p.Key
		out = append(out, in)
	}
	return out, nil
}

// inputValue reads one input value.
func (d *decoder) inputValue(n *yaml.Node, where string, step bool) (*Input, error) {
	in := &Input{At: d.at(n)}
	switch n.Kind {
	case yaml.ScalarNode:
		if b, err := d.binding(n, where, n.Value, step, BindParentInput, BindStepOutput); err != nil || b != nil {
			in.Binding = b
			return in, err
		}
		l := literalOf(n)
		in.Literal = &l
		return in, nil
	case yaml.MappingNode:
	default:
		return nil, d.errf(n, "%s must be a value, a binding or a mapping {type: uri_folder, path: ...}, not %s", where, kindName(n))
	}
	if d.stored && hasAnyKey(n, "job_input_type", "jobInputType", "uri", "value") {
		return d.storedInput(n, where, in)
	}
	if hasAnyKey(n, "value") {
		return d.literalInput(n, where, in)
	}
	o, err := d.object(n, where, dataInputKeys)
	if err != nil {
		return nil, err
	}
	if o.has("type") {
		if in.Type, err = o.enum("type", concat(DataTypes, LiteralTypes)); err != nil {
			return nil, err
		}
	}
	if in.Mode, err = o.enum("mode", inputModes); err != nil {
		return nil, err
	}
	if in.Description, err = o.str("description"); err != nil {
		return nil, err
	}
	if IsLiteralType(in.Type) {
		return nil, d.errf(n, "%s is a %s: give its value directly (%s: <value>), not as a mapping", where, in.Type, where[strings.LastIndex(where, ".")+1:])
	}
	if err := o.require("path", "add path: <local folder or file, datastore URI, https URL or azureml:<asset>@latest>"); err != nil {
		return nil, err
	}
	raw, err := o.str("path")
	if err != nil {
		return nil, err
	}
	pn := o.node("path")
	if b, err := d.binding(pn, where+".path", raw, step, BindParentInput, BindStepOutput); err != nil || b != nil {
		in.Binding = b
		return in, err
	}
	return in, d.dataPath(pn, where+".path", raw, in)
}

// literalInput reads a literal written out: {type: <literal type>,
// value: ..., description: ...}.
func (d *decoder) literalInput(n *yaml.Node, where string, in *Input) (*Input, error) {
	o, err := d.object(n, where, literalInputKeys)
	if err != nil {
		return nil, err
	}
	if o.has("type") {
		if in.Type, err = o.enum("type", LiteralTypes); err != nil {
			return nil, err
		}
	}
	if in.Description, err = o.str("description"); err != nil {
		return nil, err
	}
	vn := o.node("value")
	if vn == nil || vn.Kind != yaml.ScalarNode {
		return nil, d.errf(n, "%s.value must be a single value", where)
	}
	l := literalOf(vn)
	if in.Type != "" {
		if msg := (&Port{Type: in.Type}).CheckLiteral(l.Text); msg != "" {
			return nil, d.errf(vn, "%s.value: %s", where, msg)
		}
	}
	in.Literal = &l
	return in, nil
}

// storedInput reads a REST input of a stored step: {job_input_type,
// value} (a literal or binding) or {job_input_type, uri, mode}.
func (d *decoder) storedInput(n *yaml.Node, where string, in *Input) (*Input, error) {
	o, err := d.object(n, where, storedInputKeys)
	if err != nil {
		return nil, err
	}
	typ, err := o.str("job_input_type")
	if err != nil {
		return nil, err
	}
	if typ == "" {
		if typ, err = o.str("jobInputType"); err != nil {
			return nil, err
		}
	}
	if in.Description, err = o.str("description"); err != nil {
		return nil, err
	}
	if in.Mode, err = d.restMode(o); err != nil {
		return nil, err
	}
	if strings.EqualFold(typ, "literal") || typ == "" && o.has("value") {
		vn := o.node("value")
		if vn == nil || vn.Kind != yaml.ScalarNode {
			return nil, d.errf(n, "%s: a literal input needs a value", where)
		}
		if b, err := d.binding(vn, where+".value", vn.Value, true, BindParentInput, BindStepOutput); err != nil || b != nil {
			in.Binding = b
			return in, err
		}
		in.Literal = &Literal{Text: vn.Value}
		return in, nil
	}
	c, ok := canonicalEnum(typ, DataTypes)
	if !ok {
		return nil, d.errf(o.node("job_input_type"), "%s: job input type %q is not one of literal, %s", where, typ, strings.Join(DataTypes, ", "))
	}
	in.Type = c
	raw, err := o.str("uri")
	if err != nil {
		return nil, err
	}
	if raw == "" {
		return nil, d.errf(n, "%s: a %s input needs a uri", where, c)
	}
	if b, err := d.binding(o.node("uri"), where+".uri", raw, true, BindParentInput, BindStepOutput); err != nil || b != nil {
		in.Binding = b
		return in, err
	}
	return in, d.dataPath(o.node("uri"), where+".uri", raw, in)
}

// restMode reads mode: in either spelling (ro_mount or ReadOnlyMount) as
// the YAML one.
func (d *decoder) restMode(o *object) (string, error) {
	m, err := o.str("mode")
	if m == "" || err != nil {
		return "", err
	}
	if y, ok := modeNames[strings.ToLower(strings.ReplaceAll(m, "_", ""))]; ok {
		return y, nil
	}
	if c, ok := canonicalEnum(m, concat(inputModes, outputModes)); ok {
		return c, nil
	}
	return "", d.errf(o.node("mode"), "%s: %q is not a mode; use one of: %s", o.path("mode"), m, strings.Join(concat(inputModes, []string{"upload"}), ", "))
}

// dataPath classifies a data input's path: a URI or asset id is kept; an
// asset reference (azureml:<name>:<version>, @latest) is parsed; anything
// else is a local path, which must exist.
func (d *decoder) dataPath(n *yaml.Node, key, raw string, in *Input) error {
	lower := strings.ToLower(raw)
	switch {
	case isURL(raw), strings.HasPrefix(lower, "/subscriptions/"), strings.HasPrefix(lower, "azureml:/subscriptions/"):
		in.Path = raw
	case strings.HasPrefix(lower, "azureml:"):
		kind := KindData
		if strings.HasSuffix(in.Type, "_model") {
			kind = KindModel
		}
		r, err := ParseRef(kind, raw)
		if err != nil {
			return d.errf(n, "%s: %v", key, err)
		}
		r.At = d.at(n)
		in.Path, in.Asset = raw, r
	default:
		p, err := d.localPath(n, key, raw, anyPath)
		if err != nil {
			return err
		}
		in.Path, in.Local = p, true
	}
	return nil
}

// binding parses s as a binding when it holds ${{...}}: nil when it does
// not. step is false for job inputs and outputs, which cannot bind.
// allowed are the kinds valid here.
func (d *decoder) binding(n *yaml.Node, where, s string, step bool, allowed ...BindingKind) (*Binding, error) {
	b, ok, err := ParseBinding(s)
	switch {
	case !ok:
		return nil, nil
	case err != nil:
		return nil, d.errf(n, "%s: %v", where, err)
	case !step:
		return nil, d.errf(n, "%s: %s is a binding, which only pipeline steps can use; give a value", where, s)
	}
	for _, k := range allowed {
		if b.Kind == k {
			return b, nil
		}
	}
	if b.Kind == BindParentOutput {
		return nil, d.errf(n, "%s: %s binds a pipeline output; an input takes ${{parent.inputs.<name>}} or ${{parent.jobs.<step>.outputs.<name>}}", where, s)
	}
	return nil, d.errf(n, "%s: %s binds an input; an output takes ${{parent.outputs.<name>}}", where, s)
}

// outputValues reads the outputs: of a step (bindings allowed) or a job.
func (d *decoder) outputValues(n *yaml.Node, where string, step bool) ([]*Output, error) {
	ps, err := d.pairs(n, where)
	if err != nil {
		return nil, err
	}
	var out []*Output
	for _, p := range ps {
		if yamlnode.IsNull(p.Value) {
			if !step {
				// A job output with no settings still names an output.
				out = append(out, &Output{Name: p.Key, At: d.at(p.KeyNode)})
			}
			continue
		}
		o, err := d.outputValue(p.Value, where+"."+p.Key, step)
		if err != nil {
			return nil, err
		}
		o.Name = p.Key
		out = append(out, o)
	}
	return out, nil
}

// outputValue reads one output setting.
func (d *decoder) outputValue(n *yaml.Node, where string, step bool) (*Output, error) {
	out := &Output{At: d.at(n)}
	switch n.Kind {
	case yaml.ScalarNode:
		b, err := d.binding(n, where, n.Value, step, BindParentOutput)
		if err != nil {
			return nil, err
		}
		if b == nil {
			return nil, d.errf(n, "%s must be a binding (${{parent.outputs.<name>}}) or a mapping {type: uri_folder, mode: upload, path: ...}, not %s", where, describe(n))
		}
		out.Binding = b
		return out, nil
	case yaml.MappingNode:
	default:
		return nil, d.errf(n, "%s must be a binding or a mapping {type: uri_folder, mode: upload, path: ...}, not %s", where, kindName(n))
	}
	keys := outputKeys
	if d.stored {
		keys = storedOutputKeys
	}
	o, err := d.object(n, where, keys)
	if err != nil {
		return nil, err
	}
	typ, err := o.str("type")
	if err != nil {
		return nil, err
	}
	if d.stored {
		if jt, _ := o.str("job_output_type"); jt != "" {
			typ = jt
		} else if jt, _ := o.str("jobOutputType"); jt != "" {
			typ = jt
		}
	}
	value := o.node("value")
	if value == nil {
		value = o.node("path")
	}
	if d.stored && value == nil {
		value = o.node("uri")
	}
	if strings.EqualFold(typ, "literal") {
		if value == nil {
			return nil, d.errf(n, "%s: a literal output needs a value", where)
		}
		b, err := d.binding(value, where, value.Value, step, BindParentOutput)
		if err != nil || b == nil {
			if err == nil {
				err = d.errf(value, "%s: a literal output must be a binding ${{parent.outputs.<name>}}", where)
			}
			return nil, err
		}
		out.Binding = b
		return out, nil
	}
	if typ != "" {
		c, ok := canonicalEnum(typ, concat(DataTypes, LiteralTypes))
		if !ok {
			return nil, d.errf(n, "%s.type %q is not an output type; use one of: %s", where, typ, strings.Join(DataTypes, ", "))
		}
		out.Type = c
	}
	if out.Mode, err = d.restMode(o); err != nil {
		return nil, err
	}
	if out.Mode != "" && !contains(outputModes, out.Mode) {
		return nil, d.errf(o.node("mode"), "%s.mode %q is not an output mode; use one of: %s", where, out.Mode, strings.Join(outputModes, ", "))
	}
	if out.Description, err = o.str("description"); err != nil {
		return nil, err
	}
	for _, k := range []string{"name", "asset_name"} {
		if v, err := o.str(k); err != nil {
			return nil, err
		} else if v != "" {
			out.AssetName = v
		}
	}
	for _, k := range []string{"version", "asset_version"} {
		if o.has(k) {
			if out.AssetVersion, err = o.version(k); err != nil {
				return nil, err
			}
		}
	}
	if value != nil {
		if value.Kind != yaml.ScalarNode {
			return nil, d.errf(value, "%s.path must be a datastore URI (azureml://datastores/<name>/paths/<path>) or a binding, not %s", where, kindName(value))
		}
		raw := value.Value
		b, ok, err := ParseBinding(raw)
		switch {
		case ok && err == nil && b.Kind == BindParentOutput && step:
			out.Binding = b
		case ok && strings.Contains(raw, "${{name}}") || ok && strings.Contains(raw, "${{output_name}}"):
			// ${{name}} (the job's name) and ${{output_name}} are filled in
			// by the service when the job runs.
			out.Path = raw
		case ok && err != nil:
			return nil, d.errf(value, "%s.path: %v", where, err)
		case ok:
			return nil, d.errf(value, "%s.path: %s; an output path binds ${{parent.outputs.<name>}}", where, raw)
		case isURL(raw):
			out.Path = raw
		default:
			return nil, d.errf(value, "%s.path %q must be a datastore URI such as azureml://datastores/workspaceblobstore/paths/<folder>/; outputs are written to a datastore, not to a local path", where, raw)
		}
	}
	return out, nil
}

// hasAnyKey reports whether mapping n has one of keys.
func hasAnyKey(n *yaml.Node, keys ...string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if contains(keys, n.Content[i].Value) {
			return true
		}
	}
	return false
}

// pipelineScope is what a pipeline's steps can bind: its declared inputs
// and outputs (a job's are derived from the values it gives).
type pipelineScope struct {
	inputs, outputs []*Port
}

// checkPipeline checks a pipeline's steps against each other and against
// the components they run, where those are known: every binding names
// something that exists, every input a step sets is declared by its
// component with a value of the right kind, every required input is set,
// and no steps depend on each other in a circle. It works on the decoded
// steps alone (their At locations), so it runs again after ResolveChildren.
func checkPipeline(nodes []*Node, scope pipelineScope) error {
	for _, n := range nodes {
		if def := n.Component.Definition(); def != nil && def.inferred {
			inferPorts(def, n, nodes, scope)
		}
	}
	for _, n := range nodes {
		if err := checkNode(n, nodes, scope); err != nil {
			return err
		}
	}
	return checkCycles(nodes)
}

// checkNode checks one step.
func checkNode(n *Node, nodes []*Node, scope pipelineScope) error {
	def := n.Component.Definition()
	for _, in := range n.Inputs {
		if b := in.Binding; b != nil {
			if err := checkBinding(in.At, b, n, nodes, scope); err != nil {
				return err
			}
		}
		if def == nil {
			continue
		}
		port := def.Input(in.Name)
		if port == nil {
			return yamlnode.Usagef(in.At, "jobs.%s.inputs.%s: the step's component has no input %q; its inputs are: %s", n.Name, in.Name, in.Name, portNames(def.Inputs))
		}
		switch {
		case in.Literal != nil && !port.IsLiteral():
			return yamlnode.Usagef(in.At, "jobs.%s.inputs.%s is a %s data input; give {type: %s, path: ...} or bind it, not the value %q", n.Name, in.Name, port.Type, port.Type, in.Literal.Text)
		case in.Literal != nil:
			if msg := port.CheckLiteral(in.Literal.Text); msg != "" {
				return yamlnode.Usagef(in.At, "jobs.%s.inputs.%s (%s): %s", n.Name, in.Name, port.Type, msg)
			}
		case in.Path != "" && port.IsLiteral():
			return yamlnode.Usagef(in.At, "jobs.%s.inputs.%s is a %s; give its value, not a path", n.Name, in.Name, port.Type)
		}
	}
	if def != nil {
		for _, port := range def.Inputs {
			if port.Required() && n.Input(port.Name) == nil {
				return yamlnode.Usagef(n.At, "jobs.%s: required input %q of the step's component is not set; add inputs.%s: <value or ${{parent.inputs.<name>}}>", n.Name, port.Name, port.Name)
			}
		}
	}
	for _, out := range n.Outputs {
		if b := out.Binding; b != nil {
			if err := checkBinding(out.At, b, n, nodes, scope); err != nil {
				return err
			}
		}
		if def != nil && def.Output(out.Name) == nil {
			return yamlnode.Usagef(out.At, "jobs.%s.outputs.%s: the step's component has no output %q; its outputs are: %s", n.Name, out.Name, out.Name, portNames(def.Outputs))
		}
	}
	return nil
}

// checkBinding checks that b names an existing pipeline input or output,
// or an output of a sibling step.
func checkBinding(at string, b *Binding, n *Node, nodes []*Node, scope pipelineScope) error {
	switch b.Kind {
	case BindParentInput:
		if findPort(scope.inputs, b.Name) == nil {
			return yamlnode.Usagef(at, "jobs.%s: %s names pipeline input %q, which is not declared; declared inputs: %s", n.Name, b.Raw, b.Name, portNames(scope.inputs))
		}
	case BindParentOutput:
		if findPort(scope.outputs, b.Name) == nil {
			return yamlnode.Usagef(at, "jobs.%s: %s names pipeline output %q, which is not declared; declared outputs: %s", n.Name, b.Raw, b.Name, portNames(scope.outputs))
		}
	case BindStepOutput:
		if b.Step == n.Name {
			return yamlnode.Usagef(at, "jobs.%s: %s reads the step's own output; a step cannot consume what it produces", n.Name, b.Raw)
		}
		src := findNode(nodes, b.Step)
		if src == nil {
			return yamlnode.Usagef(at, "jobs.%s: %s names step %q, which this pipeline does not have; its steps are: %s", n.Name, b.Raw, b.Step, nodeNames(nodes))
		}
		if def := src.Component.Definition(); def != nil && def.Output(b.Name) == nil {
			return yamlnode.Usagef(at, "jobs.%s: %s names output %q of step %s, which its component does not declare; its outputs are: %s", n.Name, b.Raw, b.Name, b.Step, portNames(def.Outputs))
		}
	}
	return nil
}

// checkCycles refuses steps that wait on each other.
func checkCycles(nodes []*Node) error {
	const (
		unseen = iota
		visiting
		done
	)
	state := map[string]int{}
	var visit func(n *Node, path []string) error
	visit = func(n *Node, path []string) error {
		switch state[n.Name] {
		case done:
			return nil
		case visiting:
			return yamlnode.Usagef(n.At, "steps depend on each other in a circle (%s -> %s); a step can only read outputs of steps that do not wait for it", strings.Join(path, " -> "), n.Name)
		}
		state[n.Name] = visiting
		for _, s := range n.Needs() {
			if src := findNode(nodes, s); src != nil {
				if err := visit(src, append(path, n.Name)); err != nil {
					return err
				}
			}
		}
		state[n.Name] = done
		return nil
	}
	for _, n := range nodes {
		if err := visit(n, nil); err != nil {
			return err
		}
	}
	return nil
}

// inferPorts gives a step's in-place command job (no component:) the
// inputs and outputs it uses, typed from what it binds, as azure-ai-ml
// infers them when it turns the step into a component.
func inferPorts(c *Component, n *Node, nodes []*Node, scope pipelineScope) {
	c.Inputs, c.Outputs = nil, nil
	for _, in := range n.Inputs {
		p := &Port{Name: in.Name, Type: in.Type, At: in.At}
		switch {
		case in.Literal != nil:
			p.Type = literalType(in.Literal.Kind)
		case in.Binding != nil && in.Binding.Kind == BindParentInput:
			if sp := findPort(scope.inputs, in.Binding.Name); sp != nil && p.Type == "" {
				p.Type = sp.Type
			}
		case in.Binding != nil && in.Binding.Kind == BindStepOutput:
			if src := findNode(nodes, in.Binding.Step); src != nil && p.Type == "" {
				if def := src.Component.Definition(); def != nil && !def.inferred {
					if op := def.Output(in.Binding.Name); op != nil {
						p.Type = op.Type
					}
				}
			}
		}
		if p.Type == "" {
			p.Type = TypeURIFolder
		}
		c.Inputs = append(c.Inputs, p)
	}
	for _, out := range n.Outputs {
		p := &Port{Name: out.Name, Type: out.Type, Mode: out.Mode, At: out.At}
		if p.Type == "" {
			p.Type = TypeURIFolder
		}
		c.Outputs = append(c.Outputs, p)
	}
	// Outputs the command writes to without setting them in the step
	// (${{outputs.x}}) are outputs too.
	for _, m := range placeholderRE.FindAllStringSubmatch(c.Command, -1) {
		if scope, name, ok := strings.Cut(m[1], "."); ok && scope == "outputs" && c.Output(name) == nil {
			c.Outputs = append(c.Outputs, &Port{Name: name, Type: TypeURIFolder, At: n.At})
		}
	}
}

// literalType is the input type of a literal as YAML typed it.
func literalType(k LiteralKind) string {
	switch k {
	case LiteralInteger:
		return TypeInteger
	case LiteralNumber:
		return TypeNumber
	case LiteralBoolean:
		return TypeBoolean
	}
	return TypeString
}

// nodeNames lists step names for messages.
func nodeNames(nodes []*Node) string {
	names := make([]string, len(nodes))
	for i, n := range nodes {
		names[i] = n.Name
	}
	return strings.Join(names, ", ")
}

// ResolveChildren fetches, with lookup, every component the pipeline's
// steps reference by name or id (azureml:<name>:<version>, @latest, an
// ARM id), and those components' own references, sets each step's
// Component.Resolved, and checks the steps against what they now know of
// their components (inputs, outputs, types; see LoadComponent). lookup
// returns the referenced component, e.g. decoded with ComponentFromDoc, or
// nil when it cannot know it (a registry component), which leaves that
// step unchecked. Steps already Resolved are not looked up again.
// Components that are not pipelines have nothing to resolve.
func (c *Component) ResolveChildren(lookup func(*Ref) (*Component, error)) error {
	if c.Type != ComponentPipeline {
		return nil
	}
	if err := resolveNodes(c.Jobs, lookup, 0); err != nil {
		return err
	}
	return checkPipeline(c.Jobs, pipelineScope{inputs: c.Inputs, outputs: c.Outputs})
}

func resolveNodes(nodes []*Node, lookup func(*Ref) (*Component, error), depth int) error {
	if depth > maxComponentNeting {
		return fmt.Errorf("components nest more than %d levels deep", maxComponentNeting)
	}
	for _, n := range nodes {
		cr := n.Component
		if cr.Ref != nil && cr.Resolved == nil {
			child, err := lookup(cr.Ref)
			if err != nil {
				return err
			}
			if child == nil {
				// Unknown to the lookup (a registry component): the step
				// cannot be checked here.
				continue
			}
			if child.Type != n.Type {
				return yamlnode.Usagef(cr.At, "jobs.%s is a %s step but %s is a %s component; make them agree", n.Name, n.Type, cr.Ref.Raw, child.Type)
			}
			cr.Resolved = child
		}
		if def := cr.Definition(); def != nil && def.Type == ComponentPipeline {
			if err := resolveNodes(def.Jobs, lookup, depth+1); err != nil {
				return err
			}
			if cr.Ref != nil {
				if err := checkPipeline(def.Jobs, pipelineScope{inputs: def.Inputs, outputs: def.Outputs}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
