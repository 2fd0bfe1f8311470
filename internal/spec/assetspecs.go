package spec

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mlbatch/ml/internal/yamlnode"
)

// ModelSpec is a deployment's model: a registered model (Ref) or an inline
// one to register (Inline). Exactly one is set.
type ModelSpec struct {
	Ref    *Ref
	Inline *Model
}

// Model is an inline model. With a Name it is registered under that name
// (the next version unless Version is given); without one it is anonymous,
// named after its content as az names it.
type Model struct {
	Name, Version string
	// Type is custom_model (the default), mlflow_model or triton_model.
	Type string
	// Path is the absolute local file or folder to upload, or the remote
	// URI when Remote is set.
	Path   string
	Remote bool
	// Description, Tags, Properties, Flavors and Stage are sent as given.
	Description      string
	Tags, Properties map[string]string
	Flavors          map[string]map[string]string
	Stage            string
	// Datastore receives a local path's upload; "" means workspaceblobstore.
	Datastore string
	// At locates the model in the YAML, for messages.
	At string
}

// CodeSpec is code_configuration.code: a registered code asset (Ref), a
// local folder to upload (Path, absolute) or a remote URI (RemoteURI).
// Exactly one is set.
type CodeSpec struct {
	Ref       *Ref
	Path      string
	RemoteURI string
	At        string
}

// EnvironmentSpec is a deployment's environment: a registered one (Ref) or
// an inline one to register (Inline). Exactly one is set.
type EnvironmentSpec struct {
	Ref    *Ref
	Inline *Environment
}

// Environment is an inline environment. With a Name it is registered under
// that name (the next version unless Version is given); without one it is
// registered as CliV2AnonymousEnvironment with a content-hash version, as
// az does.
type Environment struct {
	Name, Version string
	// Image is the base Docker image; exactly one of Image and Build* is set.
	// ImageAt locates it in the YAML.
	Image, ImageAt string
	// CondaFile is the absolute path of the conda file ("" when inline or
	// absent); CondaYAML is the conda specification as az sends it (PyYAML's
	// dump with sorted keys), "" when there is none.
	CondaFile string
	CondaYAML string
	// BuildPath is the Docker build context: an absolute local folder to
	// upload, or a URL when BuildRemote is set. DockerfilePath is relative
	// to it.
	BuildPath      string
	BuildRemote    bool
	DockerfilePath string
	// OSType is Linux or Windows ("" = the service default, Linux).
	OSType string
	// InferenceConfig holds the routes of inference_config, "" paths when
	// absent.
	InferenceConfig  *InferenceConfig
	Description      string
	Tags, Properties map[string]string
	// Datastore receives a local build context's upload; "" means
	// workspaceblobstore.
	Datastore string
	At        string
}

// InferenceConfig is an environment's inference_config.
type InferenceConfig struct {
	Liveness, Readiness, Scoring Route
}

// Route is one inference route.
type Route struct {
	Port int32
	Path string
}

var (
	modelKeys = []string{"name", "version", "type", "path", "description", "tags", "properties", "flavors",
		"stage", "datastore", "utc_time_created", "id", "job_name", "creation_context", "latest_version"}
	modelTypes       = []string{"custom_model", "mlflow_model", "triton_model"}
	environmentKeys  = []string{"name", "version", "description", "tags", "properties", "image", "build", "conda_file", "inference_config", "os_type", "datastore", "id", "creation_context", "latest_version"}
	buildKeys        = []string{"path", "dockerfile_path"}
	inferenceKeys    = []string{"liveness_route", "readiness_route", "scoring_route"}
	routeKeys        = []string{"port", "path"}
	osTypes          = []string{"Linux", "Windows"}
	refOrInlineModel = "a registered model (azureml:<name>:<version>, azureml:<name>@latest) or an inline model {path: <local folder>, name: ...}"
)

// modelSpec reads model:.
func (d *decoder) modelSpec(n *yaml.Node) (*ModelSpec, error) {
	if n.Kind == yaml.ScalarNode {
		if n.ShortTag() != "!!str" {
			return nil, d.errf(n, "model must be %s, not %s", refOrInlineModel, kindName(n))
		}
		r, err := ParseRef(KindModel, n.Value)
		if err != nil {
			return nil, d.errf(n, "model: %v; or give an inline model {path: <local folder>}", err)
		}
		r.At = d.at(n)
		return &ModelSpec{Ref: r}, nil
	}
	o, err := d.object(n, "model", modelKeys)
	if err != nil {
		return nil, err
	}
	m, err := d.model(o, "model.")
	if err != nil {
		return nil, err
	}
	if m.Version != "" && m.Name == "" {
		return nil, d.errf(o.node("version"), "model.version is set but model.name is not; a version needs a name (add name: <model name>)")
	}
	return &ModelSpec{Inline: m}, nil
}

// model reads the keys of a model (inline in a deployment, or a model
// file): prefix is how its keys are named in messages ("model." or "").
func (d *decoder) model(o *object, prefix string) (*Model, error) {
	m := &Model{At: d.at(o.n), Type: "custom_model"}
	var err error
	if m.Name, err = o.str("name"); err != nil {
		return nil, err
	}
	if m.Version, err = o.version("version"); err != nil {
		return nil, err
	}
	if o.has("type") {
		if m.Type, err = o.enum("type", modelTypes); err != nil {
			return nil, err
		}
	}
	hint := "add path: <local file or folder of the model> (relative to the YAML file), or reference a registered model with model: azureml:<name>:<version>"
	if prefix == "" {
		hint = "add path: <local file or folder of the model, or its URI> to the file or pass --path"
	}
	if err = o.require("path", hint); err != nil {
		return nil, err
	}
	raw, err := o.str("path")
	if err != nil {
		return nil, err
	}
	if isURL(raw) || strings.HasPrefix(raw, "runs:/") {
		m.Path, m.Remote = raw, true
	} else if m.Path, err = d.localPath(o.node("path"), prefix+"path", raw, anyPath); err != nil {
		return nil, err
	}
	if m.Description, err = o.str("description"); err != nil {
		return nil, err
	}
	if m.Tags, err = o.strMap("tags"); err != nil {
		return nil, err
	}
	if m.Properties, err = o.strMap("properties"); err != nil {
		return nil, err
	}
	if m.Stage, err = o.str("stage"); err != nil {
		return nil, err
	}
	if m.Datastore, err = o.str("datastore"); err != nil {
		return nil, err
	}
	if fl := o.node("flavors"); fl != nil {
		if m.Flavors, err = d.flavors(o, fl); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// flavors reads model.flavors: {flavor: {key: value}}.
func (d *decoder) flavors(o *object, n *yaml.Node) (map[string]map[string]string, error) {
	ps, err := d.pairs(n, "model.flavors")
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	for _, p := range ps {
		inner := &object{d: d, n: n, where: "model.flavors", vals: map[string]*yaml.Node{p.Key: p.Value}, keys: map[string]*yaml.Node{p.Key: p.KeyNode}}
		m, err := inner.strMap(p.Key)
		if err != nil {
			return nil, err
		}
		if m == nil {
			m = map[string]string{}
		}
		out[p.Key] = m
	}
	return out, nil
}

// codeSpec reads a code reference (code_configuration.code, a
// component's code:); key names it in messages. want is what a local path
// must be.
func (d *decoder) codeSpec(n *yaml.Node, key string, want pathKind) (*CodeSpec, error) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return nil, d.errf(n, "%s must be a local folder, azureml:<name>:<version> or a code asset's ARM id, not %s", key, kindName(n))
	}
	raw := n.Value
	lower := strings.ToLower(raw)
	c := &CodeSpec{At: d.at(n)}
	switch {
	case strings.HasPrefix(lower, "azureml:") && !strings.HasPrefix(lower, "azureml://"),
		strings.HasPrefix(lower, "/subscriptions/"), strings.HasPrefix(lower, "azureml://registries/"):
		r, err := ParseRef(KindCode, raw)
		if err != nil {
			return nil, d.errf(n, "%s: %v; or give a local folder", key, err)
		}
		r.At = c.At
		c.Ref = r
	case isURL(raw):
		c.RemoteURI = raw
	default:
		if d.stored {
			return nil, d.errf(n, "%s %q is not a registered code asset (azureml:<ARM id>) nor a URL", key, raw)
		}
		p, err := d.localPath(n, key, raw, want)
		if err != nil {
			return nil, err
		}
		c.Path = p
	}
	return c, nil
}

// environmentSpec reads environment:.
func (d *decoder) environmentSpec(n *yaml.Node) (*EnvironmentSpec, error) {
	if n.Kind == yaml.ScalarNode {
		if n.ShortTag() != "!!str" {
			return nil, d.errf(n, "environment must be azureml:<name>:<version>, azureml:<name>@latest or an inline {image: ..., conda_file: ...}, not %s", kindName(n))
		}
		r, err := ParseRef(KindEnvironment, n.Value)
		if err != nil {
			return nil, d.errf(n, "environment: %v; or give an inline environment {image: ..., conda_file: ...}", err)
		}
		r.At = d.at(n)
		return &EnvironmentSpec{Ref: r}, nil
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Value == "channels" || k.Value == "dependencies" {
				return nil, d.errf(k, "environment.%s belongs in a conda file, not in the environment; move channels: and dependencies: to a file (e.g. conda.yaml) and write environment.conda_file: conda.yaml", k.Value)
			}
		}
	}
	o, err := d.object(n, "environment", environmentKeys)
	if err != nil {
		return nil, err
	}
	e, err := d.environment(o, "environment.")
	if err != nil {
		return nil, err
	}
	if e.Version != "" && e.Name == "" {
		return nil, d.errf(o.node("version"), "environment.version is set but environment.name is not; a version needs a name (add name: <environment name>)")
	}
	return &EnvironmentSpec{Inline: e}, nil
}

// environment reads the keys of an environment (inline in a deployment, or
// an environment file): prefix is how its keys are named in messages
// ("environment." or "").
func (d *decoder) environment(o *object, prefix string) (*Environment, error) {
	e := &Environment{At: d.at(o.n)}
	var err error
	if e.Name, err = o.str("name"); err != nil {
		return nil, err
	}
	if e.Version, err = o.version("version"); err != nil {
		return nil, err
	}
	if e.Image, err = o.str("image"); err != nil {
		return nil, err
	}
	e.ImageAt = d.at(o.node("image"))
	if b := o.node("build"); b != nil {
		if err = d.buildContext(b, e, prefix); err != nil {
			return nil, err
		}
	}
	switch {
	case e.Image == "" && e.BuildPath == "":
		return nil, d.errf(o.n, "%s needs a Docker image or a build context; add image: <image> (e.g. mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest) or build: {path: <folder with a Dockerfile>}", envWhere(prefix))
	case e.Image != "" && e.BuildPath != "":
		return nil, d.errf(o.node("build"), "%s has both image and build; keep one", envWhere(prefix))
	}
	if c := o.node("conda_file"); c != nil {
		if err = d.condaFile(c, e, prefix); err != nil {
			return nil, err
		}
	}
	if o.has("os_type") {
		if e.OSType, err = o.enum("os_type", osTypes); err != nil {
			return nil, err
		}
	}
	if ic := o.node("inference_config"); ic != nil {
		if e.InferenceConfig, err = d.inferenceConfig(ic); err != nil {
			return nil, err
		}
	}
	if e.Description, err = o.str("description"); err != nil {
		return nil, err
	}
	if e.Tags, err = o.strMap("tags"); err != nil {
		return nil, err
	}
	if e.Properties, err = o.strMap("properties"); err != nil {
		return nil, err
	}
	if e.Datastore, err = o.str("datastore"); err != nil {
		return nil, err
	}
	return e, nil
}

// envWhere names the environment in messages: "environment" inline, "the
// environment" for a file.
func envWhere(prefix string) string {
	if prefix == "" {
		return "the environment"
	}
	return strings.TrimSuffix(prefix, ".")
}

// buildContext reads environment.build.
func (d *decoder) buildContext(n *yaml.Node, e *Environment, prefix string) error {
	o, err := d.object(n, prefix+"build", buildKeys)
	if err != nil {
		return err
	}
	if err = o.require("path", "add path: <folder holding the Dockerfile>"); err != nil {
		return err
	}
	raw, err := o.str("path")
	if err != nil {
		return err
	}
	if e.DockerfilePath, err = o.str("dockerfile_path"); err != nil {
		return err
	}
	if isURL(raw) {
		e.BuildPath, e.BuildRemote = raw, true
		return nil
	}
	if e.BuildPath, err = d.localPath(o.node("path"), prefix+"build.path", raw, dirPath); err != nil {
		return err
	}
	df := e.DockerfilePath
	if df == "" {
		df = "Dockerfile"
	}
	_, err = d.localPath(o.node("path"), prefix+"build.dockerfile_path", joinInside(e.BuildPath, df), filePath)
	return err
}

// condaFile reads environment.conda_file: a path to a conda YAML file or
// the conda specification inline.
func (d *decoder) condaFile(n *yaml.Node, e *Environment, prefix string) error {
	key := prefix + "conda_file"
	spec := n
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str":
		p, err := d.localPath(n, key, n.Value, filePath)
		if err != nil {
			return err
		}
		// The conda file is read within the same limits as the YAML
		// that names it: its text is sent in the environment version.
		data, err := yamlnode.ReadPath(p)
		if err != nil {
			return d.wrapErr(n, key, err)
		}
		root, second, err := yamlnode.Document(p, data)
		switch {
		case err != nil:
			return d.wrapErr(n, key, err)
		case second != nil:
			return d.errf(n, "%s %s holds a second YAML document (line %d); a conda file is one document", key, p, second.Line)
		case root == nil:
			return d.errf(n, "%s %s is empty; write channels: and dependencies: in it", key, p)
		}
		e.CondaFile, spec = p, root
	case n.Kind != yaml.MappingNode:
		return d.errf(n, "%s must be the path of a conda YAML file or the conda specification as a mapping, not %s", key, kindName(n))
	}
	text, err := pyYAMLDump(spec)
	if err != nil {
		return d.errf(n, "%s: %v", key, err)
	}
	e.CondaYAML = text
	return nil
}

// inferenceConfig reads environment.inference_config.
func (d *decoder) inferenceConfig(n *yaml.Node) (*InferenceConfig, error) {
	o, err := d.object(n, "environment.inference_config", inferenceKeys)
	if err != nil {
		return nil, err
	}
	ic := &InferenceConfig{}
	for _, r := range []struct {
		key string
		dst *Route
	}{{"liveness_route", &ic.Liveness}, {"readiness_route", &ic.Readiness}, {"scoring_route", &ic.Scoring}} {
		if err := o.require(r.key, "add "+r.key+": {port: <port>, path: <path>}"); err != nil {
			return nil, err
		}
		ro, err := d.object(o.node(r.key), "environment.inference_config."+r.key, routeKeys)
		if err != nil {
			return nil, err
		}
		for _, k := range routeKeys {
			if err := ro.require(k, "add "+k+":"); err != nil {
				return nil, err
			}
		}
		port, err := ro.int32("port", 1)
		if err != nil {
			return nil, err
		}
		r.dst.Port = *port
		if r.dst.Path, err = ro.str("path"); err != nil {
			return nil, err
		}
	}
	return ic, nil
}
