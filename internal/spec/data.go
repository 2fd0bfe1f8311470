package spec

import (
	"context"
	"io"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// Data asset types, as written in YAML.
const (
	DataURIFolder = "uri_folder"
	DataURIFile   = "uri_file"
	DataMLTable   = "mltable"
)

// DataAsset is a data asset YAML file (data.schema.json) after overrides.
type DataAsset struct {
	// File is the YAML file, "" when every key came from flags.
	File string
	// Name is required; Version "" means the next version of Name.
	Name, Version, Description string
	// Type is uri_folder (the default), uri_file or mltable.
	Type string
	// Path is the absolute local path to upload when Local is set, else
	// the remote URI sent as is.
	Path  string
	Local bool
	// Datastore receives local uploads; "" means workspaceblobstore.
	Datastore string
	Tags      map[string]string
	// At locates path: for messages.
	At string
}

var dataKeys = []string{"$schema", "name", "version", "description", "tags", "path", "type", "datastore",
	"id", "properties", "creation_context", "latest_version", "auto_delete_setting"}

// LoadData reads a data asset YAML file (path "" = flags only, "-" = stdin), applies
// overrides (--name, --version, --path, --type ... are overrides too, as
// in az) and validates it, checking a local path against its type.
func LoadData(ctx context.Context, path string, stdin io.Reader, overrides []Override) (*DataAsset, error) {
	root, file, base, err := readTree(ctx, path, stdin, "data asset")
	if err != nil {
		return nil, err
	}
	d := &decoder{ctx: ctx, file: file, baseDir: base, origin: map[*yaml.Node]string{}}
	if err := d.apply(root, overrides); err != nil {
		return nil, err
	}
	o, err := d.object(root, "the data asset", dataKeys)
	if err != nil {
		return nil, err
	}
	a := &DataAsset{File: path, Type: DataURIFolder}
	if err = o.require("name", "add name: <data asset name> to the file or pass --name"); err != nil {
		return nil, err
	}
	if a.Name, err = o.str("name"); err != nil {
		return nil, err
	}
	if a.Version, err = o.version("version"); err != nil {
		return nil, err
	}
	if a.Description, err = o.str("description"); err != nil {
		return nil, err
	}
	if a.Tags, err = o.strMap("tags"); err != nil {
		return nil, err
	}
	if a.Datastore, err = o.str("datastore"); err != nil {
		return nil, err
	}
	if t := o.node("type"); t != nil {
		if a.Type, err = o.str("type"); err != nil {
			return nil, err
		}
		if a.Type != DataURIFolder && a.Type != DataURIFile && a.Type != DataMLTable {
			return nil, d.errf(t, "type: %q: value must be uri_file, uri_folder, or mltable", a.Type)
		}
	}
	if err = o.require("path", "add path: <local file or folder, or a datastore/https URI> to the file or pass --path"); err != nil {
		return nil, err
	}
	pn := o.node("path")
	a.At = d.at(pn)
	raw, err := o.str("path")
	if err != nil {
		return nil, err
	}
	if isURL(raw) {
		a.Path = raw
		return a, nil
	}
	want := dirPath
	if a.Type == DataURIFile {
		want = filePath
	}
	if a.Path, err = d.localPath(pn, "path", raw, want); err != nil {
		return nil, wrapUsage(err, typeHint(a.Type))
	}
	a.Local = true
	if a.Type == DataMLTable {
		if _, err := os.Stat(filepath.Join(a.Path, "MLTable")); err != nil {
			return nil, d.errf(pn, "path: %s has no MLTable file; an mltable data asset is a folder holding an MLTable file (or use type: uri_folder)", a.Path)
		}
	}
	return a, nil
}

// typeHint suggests the other type when a path has the wrong kind.
func typeHint(typ string) string {
	if typ == DataURIFile {
		return " (or use type: uri_folder / --type uri_folder for a folder)"
	}
	return " (or use type: uri_file / --type uri_file for a single file)"
}
