package azml

import (
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// ComponentView is a component version as `az ml component show` prints
// it: the component's YAML keys ($schema, name, version, display_name,
// type, inputs, outputs, command, code, environment, jobs, ...) with code
// and environment as their registered ids, a pipeline's steps in the YAML
// form (component: azureml:<name>:<version>, inputs as bindings or
// {type, path, mode}), plus id and creation_context. Name and version come
// from the id, as the SDK reads them. A nil cv gives an empty map.
func ComponentView(cv *armmachinelearning.ComponentVersion) map[string]any {
	v := map[string]any{}
	if cv == nil {
		return v
	}
	if cv.Properties != nil {
		if doc, err := asDoc(cv.Properties.ComponentSpec); err == nil {
			for k, val := range doc {
				v[k] = val
			}
		}
		if _, ok := v["description"]; !ok {
			setStr(v, "description", cv.Properties.Description)
		}
		if _, ok := v["tags"]; !ok && cv.Properties.Tags != nil {
			v["tags"] = strMap(cv.Properties.Tags)
		}
	}
	delete(v, "_source")
	delete(v, "sourceJobId")
	if jobs, ok := v["jobs"].(map[string]any); ok {
		out := map[string]any{}
		for name, n := range jobs {
			if node, ok := n.(map[string]any); ok {
				out[name] = nodeView(node)
			}
		}
		v["jobs"] = out
	}
	setStr(v, "id", cv.ID)
	if cv.ID != nil {
		if name, version, ok := componentNameVersion(*cv.ID); ok {
			v["name"], v["version"] = name, version
		}
	}
	if cc := creationContext(cv.SystemData); cc != nil {
		v["creation_context"] = cc
	}
	return v
}

// nodeView is a stored (REST) pipeline step in the YAML form az prints.
func nodeView(n map[string]any) map[string]any {
	v := map[string]any{}
	for k, val := range n {
		switch k {
		case "componentId":
			v["component"] = azuremlRef(val)
		case "computeId":
			if s, ok := val.(string); ok {
				v["compute"] = s[strings.LastIndex(s, "/")+1:]
			}
		case "inputs":
			v["inputs"] = stepIOView(val, "job_input_type")
		case "outputs":
			v["outputs"] = stepIOView(val, "job_output_type")
		case "_source", "name":
		default:
			v[k] = val
		}
	}
	return v
}

// azuremlRef shows a component id as azureml:<name>:<version>.
func azuremlRef(id any) any {
	s, ok := id.(string)
	if !ok {
		return id
	}
	if name, version, ok := componentNameVersion(s); ok {
		return "azureml:" + name + ":" + version
	}
	return s
}

// stepIOView shows REST step inputs or outputs as YAML: a literal or binding
// as its value, data as {type, path, mode}.
func stepIOView(val any, typeKey string) any {
	m, ok := val.(map[string]any)
	if !ok {
		return val
	}
	out := map[string]any{}
	for name, raw := range m {
		e, ok := raw.(map[string]any)
		if !ok {
			out[name] = raw
			continue
		}
		t, _ := e[typeKey].(string)
		if t == "" {
			t, _ = e["type"].(string)
		}
		if strings.EqualFold(t, "literal") {
			out[name] = e["value"]
			continue
		}
		d := map[string]any{"type": t}
		if uri, ok := e["uri"]; ok {
			d["path"] = uri
		}
		if mode, ok := e["mode"].(string); ok {
			d["mode"] = yamlMode(mode)
		}
		out[name] = d
	}
	return out
}

// yamlMode is a REST delivery mode in its YAML spelling.
func yamlMode(mode string) string {
	switch strings.ToLower(mode) {
	case "readonlymount":
		return "ro_mount"
	case "readwritemount":
		return "rw_mount"
	case "evalmount":
		return "eval_mount"
	case "evaldownload":
		return "eval_download"
	}
	return strings.ToLower(mode)
}

// ComponentContainerView is a component (all its versions) as `az ml
// component list` prints it: name, latest_version, description, tags,
// properties, id and creation_context.
func ComponentContainerView(c *armmachinelearning.ComponentContainer) map[string]any {
	v := map[string]any{}
	if c == nil {
		return v
	}
	setStr(v, "name", c.Name)
	setStr(v, "id", c.ID)
	if p := c.Properties; p != nil {
		setStr(v, "latest_version", p.LatestVersion)
		setStr(v, "description", p.Description)
		v["tags"] = strMap(p.Tags)
		v["properties"] = strMap(p.Properties)
	}
	if cc := creationContext(c.SystemData); cc != nil {
		v["creation_context"] = cc
	}
	return v
}
