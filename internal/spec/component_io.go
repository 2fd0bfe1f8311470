package spec

import (
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mlbatch/ml/internal/yamlnode"
)

// Input and output types of components, jobs and pipeline nodes, spelled
// as in the YAML.
const (
	TypeURIFolder   = "uri_folder"
	TypeURIFile     = "uri_file"
	TypeMLTable     = "mltable"
	TypeCustomModel = "custom_model"
	TypeMLflowModel = "mlflow_model"
	TypeTritonModel = "triton_model"

	TypeString  = "string"
	TypeInteger = "integer"
	TypeNumber  = "number"
	TypeBoolean = "boolean"
)

var (
	// DataTypes are the types of data (and model) inputs and outputs.
	DataTypes = []string{TypeURIFolder, TypeURIFile, TypeMLTable, TypeCustomModel, TypeMLflowModel, TypeTritonModel}
	// LiteralTypes are the types of literal (parameter) inputs.
	LiteralTypes = []string{TypeString, TypeInteger, TypeNumber, TypeBoolean}

	inputModes  = []string{"ro_mount", "rw_mount", "download", "direct", "eval_mount", "eval_download"}
	outputModes = []string{"rw_mount", "upload", "direct"}

	dataPortKeys    = []string{"type", "description", "optional", "default", "mode"}
	literalPortKeys = []string{"type", "description", "optional", "default", "min", "max", "enum"}
	outputPortKeys  = []string{"type", "description", "mode"}
	// storedPortKeys are the extra keys the service adds to stored ports.
	storedPortKeys = []string{"name", "is_control"}

	portNameRE = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
)

// IsLiteralType reports whether typ (any case) is a literal type
// (string, integer, number, boolean) rather than a data type.
func IsLiteralType(typ string) bool {
	_, ok := canonicalEnum(typ, LiteralTypes)
	return ok
}

// LiteralKind is how a literal was typed in YAML.
type LiteralKind int

// Literal kinds.
const (
	LiteralString LiteralKind = iota
	LiteralInteger
	LiteralNumber
	LiteralBoolean
)

// Literal is a literal value (an input's default, a literal input) as
// written: Text is what a command line receives for ${{inputs.x}}.
// Documents the service stores carry every literal as text, so Kind is
// LiteralString there whatever the declared type; read the declared type
// from the Port.
type Literal struct {
	Text string
	Kind LiteralKind
}

// Value is the literal as a JSON value: a number or boolean when YAML
// typed it so, else its text.
func (l Literal) Value() any {
	switch l.Kind {
	case LiteralInteger:
		if v, err := strconv.ParseInt(l.Text, 0, 64); err == nil {
			return v
		}
	case LiteralNumber:
		if v, err := strconv.ParseFloat(l.Text, 64); err == nil {
			return v
		}
	case LiteralBoolean:
		if v, err := strconv.ParseBool(l.Text); err == nil {
			return v
		}
	}
	return l.Text
}

// Port is one declared input or output of a component.
type Port struct {
	Name string
	// Type is one of DataTypes or LiteralTypes (outputs of pipeline
	// components may be literal too), lower case.
	Type        string
	Description string
	// Optional inputs may be left unbound; an input with a Default is
	// never missing either.
	Optional bool
	// Default is the input's default, nil when it has none.
	Default *Literal
	// Min, Max (integer and number inputs) and Enum (string inputs) bound
	// the values; nil/empty when not given.
	Min, Max *Literal
	Enum     []string
	// Mode is how data is delivered (ro_mount, download, upload, ...), ""
	// for the default.
	Mode string
	// At locates the port ("component.yml:12") for messages.
	At string
}

// IsLiteral reports whether the port takes a literal value rather than
// data.
func (p *Port) IsLiteral() bool { return IsLiteralType(p.Type) }

// Required reports whether an input must be given a value: it is neither
// optional nor defaulted.
func (p *Port) Required() bool { return !p.Optional && p.Default == nil }

// literal reads a scalar node as a literal.
func literalOf(n *yaml.Node) Literal {
	switch n.ShortTag() {
	case "!!int":
		return Literal{Text: n.Value, Kind: LiteralInteger}
	case "!!float":
		return Literal{Text: n.Value, Kind: LiteralNumber}
	case "!!bool":
		return Literal{Text: n.Value, Kind: LiteralBoolean}
	}
	return Literal{Text: n.Value, Kind: LiteralString}
}

// boolean reads an optional boolean: true/false as YAML writes them, or as
// text (--set values and stored documents are text, "True" included).
func (o *object) boolean(key string) (*bool, error) {
	n := o.node(key)
	if n == nil {
		return nil, nil
	}
	if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!bool" || n.ShortTag() == "!!str") {
		switch strings.ToLower(strings.TrimSpace(n.Value)) {
		case "true":
			return ptrTo(true), nil
		case "false":
			return ptrTo(false), nil
		}
	}
	return nil, o.d.errf(n, "%s must be true or false, not %s", o.path(key), kindName(n))
}

// ports reads the inputs: or outputs: mapping of a component, in order.
// what is "inputs" or "outputs"; literalOutputs allows string, integer,
// number and boolean outputs (pipeline components).
func (d *decoder) ports(n *yaml.Node, what string, literalOutputs bool) ([]*Port, error) {
	ps, err := d.pairs(n, what)
	if err != nil {
		return nil, err
	}
	out := make([]*Port, 0, len(ps))
	seen := map[string]string{}
	for _, p := range ps {
		where := what + "." + p.Key
		if !portNameRE.MatchString(p.Key) {
			return nil, d.errf(p.KeyNode, "%q is not a valid %s name: use letters, digits and underscores", p.Key, strings.TrimSuffix(what, "s"))
		}
		if first, dup := seen[strings.ToLower(p.Key)]; dup {
			return nil, d.errf(p.KeyNode, "%s %q and %q differ only in case; Azure ML treats them as one, rename one", what, first, p.Key)
		}
		seen[strings.ToLower(p.Key)] = p.Key
		var port *Port
		if what == "inputs" {
			port, err = d.inputPort(p.Value, where)
		} else {
			port, err = d.outputPort(p.Value, where, literalOutputs)
		}
		if err != nil {
			return nil, err
		}
		port.Name = p.Key
		out = append(out, port)
	}
	return out, nil
}

// portType reads a port's type: before its schema is chosen.
func (d *decoder) portType(n *yaml.Node, where string, allowed []string) (string, error) {
	if n.Kind != yaml.MappingNode {
		return "", d.errf(n, "%s must be a mapping such as {type: uri_folder} or {type: string, default: ...}, not %s", where, kindName(n))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value != "type" {
			continue
		}
		if v.Kind != yaml.ScalarNode || yamlnode.IsNull(v) {
			break
		}
		if c, ok := canonicalEnum(v.Value, allowed); ok {
			return c, nil
		}
		return "", d.errf(v, "%s.type: %q is not a type; use one of: %s", where, v.Value, strings.Join(allowed, ", "))
	}
	return "", d.errf(n, "missing required key \"type\" in %s; add type: <one of %s>", where, strings.Join(allowed, ", "))
}

// inputPort reads one declared input.
func (d *decoder) inputPort(n *yaml.Node, where string) (*Port, error) {
	typ, err := d.portType(n, where, concat(DataTypes, LiteralTypes))
	if err != nil {
		return nil, err
	}
	keys := dataPortKeys
	if IsLiteralType(typ) {
		keys = literalPortKeys
	}
	if d.stored {
		keys = concat(keys, storedPortKeys)
	}
	o, err := d.object(n, where, keys)
	if err != nil {
		return nil, err
	}
	port := &Port{Type: typ, At: d.at(n)}
	if port.Description, err = o.str("description"); err != nil {
		return nil, err
	}
	opt, err := o.boolean("optional")
	if err != nil {
		return nil, err
	}
	port.Optional = opt != nil && *opt
	if !port.IsLiteral() {
		if port.Mode, err = o.enum("mode", inputModes); err != nil {
			return nil, err
		}
		if dn := o.node("default"); dn != nil {
			if dn.Kind != yaml.ScalarNode {
				return nil, d.errf(dn, "%s.default must be a path or URI, not %s", where, kindName(dn))
			}
			l := literalOf(dn)
			port.Default = &l
		}
		return port, nil
	}
	if port.Min, err = d.bound(o, "min", typ); err != nil {
		return nil, err
	}
	if port.Max, err = d.bound(o, "max", typ); err != nil {
		return nil, err
	}
	if en := o.node("enum"); en != nil {
		if typ != TypeString {
			return nil, d.errf(en, "%s.enum is for string inputs; this input is %s", where, typ)
		}
		if en.Kind != yaml.SequenceNode || len(en.Content) == 0 {
			return nil, d.errf(en, "%s.enum must be a non-empty list of the allowed values, not %s", where, kindName(en))
		}
		for _, item := range en.Content {
			if item.Kind != yaml.ScalarNode || yamlnode.IsNull(item) {
				return nil, d.errf(item, "%s.enum values must be single values, not %s", where, kindName(item))
			}
			port.Enum = append(port.Enum, item.Value)
		}
	}
	if dn := o.node("default"); dn != nil {
		if dn.Kind != yaml.ScalarNode {
			return nil, d.errf(dn, "%s.default must be a single %s value, not %s", where, typ, kindName(dn))
		}
		l := literalOf(dn)
		if msg := port.CheckLiteral(l.Text); msg != "" {
			return nil, d.errf(dn, "%s.default: %s", where, msg)
		}
		port.Default = &l
	}
	return port, nil
}

// bound reads min: or max: of a numeric input.
func (d *decoder) bound(o *object, key, typ string) (*Literal, error) {
	n := o.node(key)
	if n == nil {
		return nil, nil
	}
	if typ != TypeInteger && typ != TypeNumber {
		return nil, d.errf(n, "%s is for integer and number inputs; this input is %s", o.path(key), typ)
	}
	if n.Kind != yaml.ScalarNode {
		return nil, d.errf(n, "%s must be a number, not %s", o.path(key), kindName(n))
	}
	l := literalOf(n)
	if msg := checkNumber(typ, l.Text); msg != "" {
		return nil, d.errf(n, "%s: %s", o.path(key), msg)
	}
	return &l, nil
}

// CheckLiteral says what is wrong with text as a value of literal port p
// ("" when it is fine): it must parse as the port's type, lie within min
// and max, and be one of enum.
func (p *Port) CheckLiteral(text string) string {
	switch p.Type {
	case TypeInteger, TypeNumber:
		if msg := checkNumber(p.Type, text); msg != "" {
			return msg
		}
		v, _ := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if p.Min != nil {
			if lo, err := strconv.ParseFloat(p.Min.Text, 64); err == nil && v < lo {
				return strconv.Quote(text) + " is below the minimum " + p.Min.Text
			}
		}
		if p.Max != nil {
			if hi, err := strconv.ParseFloat(p.Max.Text, 64); err == nil && v > hi {
				return strconv.Quote(text) + " is above the maximum " + p.Max.Text
			}
		}
	case TypeBoolean:
		switch strings.ToLower(strings.TrimSpace(text)) {
		case "true", "false":
		default:
			return strconv.Quote(text) + " is not a boolean; use true or false"
		}
	case TypeString:
		if len(p.Enum) > 0 && !contains(p.Enum, text) {
			return strconv.Quote(text) + " is not allowed; use one of: " + strings.Join(p.Enum, ", ")
		}
	}
	return ""
}

// checkNumber says what is wrong with text as an integer or number.
func checkNumber(typ, text string) string {
	t := strings.TrimSpace(text)
	if typ == TypeInteger {
		if _, err := strconv.ParseInt(t, 10, 64); err != nil {
			if f, ferr := strconv.ParseFloat(t, 64); ferr != nil || f != float64(int64(f)) {
				return strconv.Quote(text) + " is not an integer"
			}
		}
		return ""
	}
	if _, err := strconv.ParseFloat(t, 64); err != nil {
		return strconv.Quote(text) + " is not a number"
	}
	return ""
}

// outputPort reads one declared output.
func (d *decoder) outputPort(n *yaml.Node, where string, literal bool) (*Port, error) {
	allowed := DataTypes
	if literal {
		allowed = concat(DataTypes, LiteralTypes)
	}
	typ, err := d.portType(n, where, allowed)
	if err != nil {
		return nil, err
	}
	keys := outputPortKeys
	if IsLiteralType(typ) {
		keys = concat(keys, []string{"is_control"})
	}
	if d.stored {
		keys = concat(keys, storedPortKeys)
	}
	o, err := d.object(n, where, keys)
	if err != nil {
		return nil, err
	}
	port := &Port{Type: typ, At: d.at(n)}
	if port.Description, err = o.str("description"); err != nil {
		return nil, err
	}
	if _, err = o.boolean("is_control"); err != nil {
		return nil, err
	}
	if port.Mode, err = o.enum("mode", outputModes); err != nil {
		return nil, err
	}
	return port, nil
}

// findPort returns the port called name, nil when there is none.
func findPort(ports []*Port, name string) *Port {
	for _, p := range ports {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// portNames lists the ports' names for messages ("(none)" when empty).
func portNames(ports []*Port) string {
	if len(ports) == 0 {
		return "(none)"
	}
	names := make([]string, len(ports))
	for i, p := range ports {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

func ptrTo[T any](v T) *T { return &v }
