package invocation

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/mlbatch/ml/internal/clierr"
)

// classifyURL handles scheme:// paths other than azureml://.
func classifyURL(path, scheme string) (Ref, error) {
	kinds := map[string]RefKind{"http": HTTPURL, "https": HTTPURL, "wasbs": WASBS, "abfss": ABFSS, "adl": ADL}
	kind, ok := kinds[scheme]
	if !ok {
		hint := ""
		switch scheme {
		case "wasb":
			hint = " (use wasbs://, the TLS form)"
		case "abfs":
			hint = " (use abfss://, the TLS form)"
		}
		return Ref{Raw: path}, clierr.Usagef("%s: unsupported URI scheme %s://%s; accepted forms: %s", quote(path), scheme, hint, AcceptedForms)
	}
	u, err := url.Parse(path)
	if err != nil || u.Host == "" {
		return Ref{Raw: path}, clierr.Usagef("%s is not a valid %s:// URI; expected %s://<host>/<path>", quote(path), scheme, scheme)
	}
	return Ref{Kind: kind, Raw: path, Path: strings.TrimPrefix(u.Path, "/")}, nil
}

// classifyAzureML handles every azureml: form.
func classifyAzureML(path string) (Ref, error) {
	rest := strings.TrimPrefix(path, "azureml:")
	switch {
	case strings.HasPrefix(rest, "//"):
		return classifyAzureMLURI(path, rest[2:])
	case hasFoldPrefix(rest, "/subscriptions/"):
		r, err := classifyARM(path, rest)
		if err != nil {
			return Ref{Raw: path}, clierr.Usagef("%s", err)
		}
		return r, nil
	}
	// azureml:<name>:<version>, azureml:<name>@<label>, azureml:/<name>@<label>
	// (the docs' spelling of the last one has a leading slash).
	spec := strings.TrimPrefix(rest, "/")
	i := strings.IndexAny(spec, ":@")
	if i < 0 {
		if assetNameRE.MatchString(spec) {
			return Ref{Raw: path}, clierr.Usagef("%s: Must provide either version or label. Use azureml:%s:<version> or azureml:%s@latest",
				quote(path), spec, spec)
		}
		return Ref{Raw: path}, clierr.Usagef("%s is not a data asset reference; use azureml:<name>:<version> or azureml:<name>@latest", quote(path))
	}
	name, tail := spec[:i], spec[i+1:]
	if !assetNameRE.MatchString(name) {
		return Ref{Raw: path}, clierr.Usagef("%s: data asset name %s is not valid; names use letters, digits, '-', '_' and '.'; use azureml:<name>:<version> or azureml:<name>@latest",
			quote(path), quote(name))
	}
	if !assetVersionRE.MatchString(tail) {
		what := "version"
		if spec[i] == '@' {
			what = "label"
		}
		return Ref{Raw: path}, clierr.Usagef("%s: %s %s is invalid. It can only contain alphanumeric characters, dashes, underscores, and periods, with a limit of 50 characters",
			quote(path), what, quote(tail))
	}
	if spec[i] == ':' {
		return Ref{Kind: AssetVersion, Raw: path, Name: name, Version: tail}, nil
	}
	return Ref{Kind: AssetLabel, Raw: path, Name: name, Label: tail}, nil
}

// classifyAzureMLURI handles azureml://<body>.
func classifyAzureMLURI(path, body string) (Ref, error) {
	seg := strings.Split(body, "/")
	fail := func(expected string) (Ref, error) {
		return Ref{Raw: path}, clierr.Usagef("%s is not a valid azureml:// URI; expected %s", quote(path), expected)
	}
	switch seg[0] {
	case "datastores":
		const form = "azureml://datastores/<datastore>/paths/<path>"
		if len(seg) < 4 || seg[1] == "" || seg[2] != "paths" {
			return fail(form)
		}
		p := strings.Join(seg[3:], "/")
		if p == "" {
			return fail(form)
		}
		return Ref{Kind: DatastorePath, Raw: path, Datastore: seg[1], Path: p}, nil
	case "subscriptions":
		const form = "azureml://subscriptions/<sub>/resourcegroups/<rg>/workspaces/<ws>/datastores/<datastore>/paths/<path>"
		if len(seg) < 10 || seg[1] == "" || !strings.EqualFold(seg[2], "resourcegroups") || seg[3] == "" ||
			seg[4] != "workspaces" || seg[5] == "" || seg[6] != "datastores" || seg[7] == "" || seg[8] != "paths" {
			return fail(form)
		}
		p := strings.Join(seg[9:], "/")
		if p == "" {
			return fail(form)
		}
		return Ref{Kind: DatastorePathLong, Raw: path, Subscription: seg[1], ResourceGroup: seg[3], Workspace: seg[5],
			Datastore: seg[7], Path: p}, nil
	case "locations":
		const form = "azureml://locations/<region>/workspaces/<ws>/data/<name>/versions/<version> (or .../versions/labels/latest)"
		if len(seg) < 8 || seg[1] == "" || seg[2] != "workspaces" || seg[3] == "" || seg[4] != "data" ||
			!assetNameRE.MatchString(seg[5]) || seg[6] != "versions" {
			return fail(form)
		}
		r := Ref{Kind: LocationsDataVersion, Raw: path, Location: seg[1], Workspace: seg[3], Name: seg[5]}
		switch {
		case len(seg) == 8 && assetVersionRE.MatchString(seg[7]):
			r.Version = seg[7]
		case len(seg) == 9 && seg[7] == "labels" && assetVersionRE.MatchString(seg[8]):
			r.Label = seg[8]
		default:
			return fail(form)
		}
		return r, nil
	}
	return fail("azureml://datastores/<datastore>/paths/<path>, azureml://subscriptions/.../datastores/<datastore>/paths/<path> " +
		"or azureml://locations/<region>/workspaces/<ws>/data/<name>/versions/<version>")
}

// notARMError is an ARM-looking path that is not one of the accepted ids.
type notARMError struct{ msg string }

func (e *notARMError) Error() string { return e.msg }

// classifyARM parses /subscriptions/<s>/resourceGroups/<rg>/providers/
// Microsoft.MachineLearningServices/workspaces/<ws>/... (fixed segments
// compared case-insensitively, as ARM does). raw is the path as written,
// arm the part starting at /subscriptions/.
func classifyARM(raw, arm string) (Ref, error) {
	seg := strings.Split(strings.TrimPrefix(arm, "/"), "/")
	fixed := []struct {
		at   int
		name string
	}{{0, "subscriptions"}, {2, "resourceGroups"}, {4, "providers"}, {5, "Microsoft.MachineLearningServices"}, {6, "workspaces"}}
	wsForm := "/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<ws>/"
	invalid := &notARMError{fmt.Sprintf("%s: Invalid input path; ARM ids are accepted for data versions (%sdata/<name>/versions/<version>) and datastore paths (%sdatastores/<datastore>/paths/<path>)",
		quote(raw), wsForm, wsForm)}
	if len(seg) < 9 || seg[1] == "" || seg[3] == "" || seg[7] == "" {
		return Ref{}, invalid
	}
	for _, f := range fixed {
		if !strings.EqualFold(seg[f.at], f.name) {
			return Ref{}, invalid
		}
	}
	r := Ref{Raw: raw, Subscription: seg[1], ResourceGroup: seg[3], Workspace: seg[7]}
	rest := seg[8:]
	switch strings.ToLower(rest[0]) {
	case "data":
		if len(rest) == 4 && strings.EqualFold(rest[2], "versions") && assetNameRE.MatchString(rest[1]) && assetVersionRE.MatchString(rest[3]) {
			r.Kind, r.Name, r.Version = ARMDataVersion, rest[1], rest[3]
			return r, nil
		}
		if len(rest) == 2 && rest[1] != "" {
			return Ref{}, fmt.Errorf("%s names data asset %s but no version; append /versions/<version>", quote(raw), quote(rest[1]))
		}
	case "datastores":
		if len(rest) >= 4 && rest[1] != "" && strings.EqualFold(rest[2], "paths") {
			if p := strings.Join(rest[3:], "/"); p != "" {
				r.Kind, r.Datastore, r.Path = ARMDatastorePath, rest[1], p
				return r, nil
			}
		}
	case "datasets":
		return Ref{}, fmt.Errorf("%s is a v1 dataset: %s", quote(raw), reasonV1Dataset)
	}
	return Ref{}, invalid
}
