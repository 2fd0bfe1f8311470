package spec

import (
	"context"
	"io"

	"gopkg.in/yaml.v3"
)

// modelFileKeys are the keys of a model YAML file (model.schema.json).
var modelFileKeys = append([]string{"$schema"}, modelKeys...)

// LoadModel reads a model YAML file (path "" = flags only), applies
// overrides (--name, --version, --path, --type ... are overrides too, as in
// az) and validates it: the name and path are required, the type is one of
// custom_model, mlflow_model, triton_model, and a local path must exist.
// Relative paths start from the file's folder (the current directory
// without a file). Nothing is uploaded here.
func LoadModel(ctx context.Context, path string, stdin io.Reader, overrides []Override) (*Model, error) {
	root, file, base, err := readTree(ctx, path, stdin, "model")
	if err != nil {
		return nil, err
	}
	d := &decoder{ctx: ctx, file: file, baseDir: base, origin: map[*yaml.Node]string{}}
	if err := d.apply(root, overrides); err != nil {
		return nil, err
	}
	o, err := d.object(root, "the model", modelFileKeys)
	if err != nil {
		return nil, err
	}
	if err := o.require("name", "add name: <model name> to the file or pass --name"); err != nil {
		return nil, err
	}
	return d.model(o, "")
}
