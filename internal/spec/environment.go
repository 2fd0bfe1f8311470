package spec

import (
	"context"
	"io"

	"gopkg.in/yaml.v3"
)

// environmentFileKeys are the keys of an environment YAML file
// (environment.schema.json).
var environmentFileKeys = append([]string{"$schema"}, environmentKeys...)

// LoadEnvironment reads an environment YAML file (path "" = flags only),
// applies overrides (--name, --image, --conda-file, --build-context ... are
// overrides too, as in az) and validates it: a name, and an image or a
// build context (not both); a conda file or build context must exist.
// Relative paths start from the file's folder (the current directory
// without a file). Nothing is uploaded here.
func LoadEnvironment(ctx context.Context, path string, stdin io.Reader, overrides []Override) (*Environment, error) {
	root, file, base, err := readTree(ctx, path, stdin, "environment")
	if err != nil {
		return nil, err
	}
	d := &decoder{ctx: ctx, file: file, baseDir: base, origin: map[*yaml.Node]string{}}
	if err := d.apply(root, overrides); err != nil {
		return nil, err
	}
	for _, key := range []string{"channels", "dependencies"} {
		if n, _ := entry(root, key); n != nil {
			return nil, d.errf(n, "%s belongs in a conda file, not in the environment file; move channels: and dependencies: to a file (e.g. conda.yaml) and write conda_file: conda.yaml", key)
		}
	}
	o, err := d.object(root, "the environment", environmentFileKeys)
	if err != nil {
		return nil, err
	}
	if err := o.require("name", "add name: <environment name> to the file or pass --name"); err != nil {
		return nil, err
	}
	return d.environment(o, "")
}
