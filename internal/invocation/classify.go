package invocation

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/mlbatch/ml/internal/clierr"
)

// RefKind is the form of a data input path. Classification is by form
// (prefix and shape), never by substring: az sends any path containing
// "http" unresolved, so a local folder named ./http_data is never uploaded.
type RefKind int

// The forms an input path can take. The zero value InvalidRef is returned
// with an error.
const (
	InvalidRef RefKind = iota
	// LocalPath is a local file or folder, uploaded before the job is sent.
	LocalPath
	// AssetVersion is azureml:<name>:<version>.
	AssetVersion
	// AssetLabel is azureml:<name>@<label> or azureml:/<name>@<label>.
	AssetLabel
	// DatastorePath is azureml://datastores/<ds>/paths/<p>.
	DatastorePath
	// DatastorePathLong is azureml://subscriptions/<s>/resourcegroups/<rg>/workspaces/<ws>/datastores/<ds>/paths/<p>.
	DatastorePathLong
	// ARMDatastorePath is a datastore ARM id followed by /paths/<p> (with or
	// without an azureml: prefix), as the Azure docs build it. az rejects it
	// ("Invalid input path"); we accept it and send the equivalent
	// DatastorePathLong URI, the form az itself passes through (see Ref.URI).
	ARMDatastorePath
	// ARMDataVersion is /subscriptions/.../workspaces/<ws>/data/<n>/versions/<v>.
	ARMDataVersion
	// LocationsDataVersion is azureml://locations/<loc>/workspaces/<ws>/data/<n>/versions/<v>
	// (or .../versions/labels/<label>), the form the REST docs send directly.
	LocationsDataVersion
	// HTTPURL is an http:// or https:// URL.
	HTTPURL
	// WASBS is a wasbs:// Blob storage URI.
	WASBS
	// ABFSS is an abfss:// Data Lake Storage Gen2 URI.
	ABFSS
	// ADL is an adl:// Data Lake Storage Gen1 URI.
	ADL
)

var refKindNames = [...]string{
	InvalidRef:           "invalid",
	LocalPath:            "local_path",
	AssetVersion:         "asset_version",
	AssetLabel:           "asset_label",
	DatastorePath:        "datastore_path",
	DatastorePathLong:    "datastore_path_long",
	ARMDatastorePath:     "arm_datastore_path",
	ARMDataVersion:       "arm_data_version",
	LocationsDataVersion: "locations_data_version",
	HTTPURL:              "http_url",
	WASBS:                "wasbs",
	ABFSS:                "abfss",
	ADL:                  "adl",
}

// String returns the kind's snake_case name, e.g. "asset_label".
func (k RefKind) String() string {
	if k < 0 || int(k) >= len(refKindNames) {
		return fmt.Sprintf("RefKind(%d)", int(k))
	}
	return refKindNames[k]
}

// Ref is a classified input path. Raw is the path as written; the other
// fields are filled as the kind defines them and empty otherwise.
type Ref struct {
	Kind RefKind
	Raw  string
	// Name, Version and Label identify a data asset (Label "latest" for @latest).
	Name, Version, Label string
	// Datastore and Path locate data on a datastore (Path is inside it).
	Datastore, Path string
	// Subscription, ResourceGroup and Workspace come from long URIs and ARM ids.
	Subscription, ResourceGroup, Workspace string
	// Location is the region of an azureml://locations/... URI.
	Location string
}

// NeedsWorkspace reports whether turning the reference into the URI sent on
// the wire needs the target workspace: data assets (azureml:name:version
// becomes an ARM id built from the workspace's subscription and resource
// group; a label needs a lookup) and local paths (uploaded to the
// workspace's datastore). Every other kind is sent as URI() returns it.
func (r Ref) NeedsWorkspace() bool {
	switch r.Kind {
	case AssetVersion, AssetLabel, LocalPath:
		return true
	}
	return false
}

// NeedsUpload reports whether the reference is local data to upload.
func (r Ref) NeedsUpload() bool { return r.Kind == LocalPath }

// URI is the reference as it goes on the wire when no workspace is needed.
// ARM datastore paths become the long azureml:// datastore URI (the service
// and the SDK understand that form; the docs' ARM form is rejected by az),
// and an azureml: prefix on an ARM data id is dropped (the SDK sends bare ARM
// ids). Every other kind returns Raw.
func (r Ref) URI() string {
	switch r.Kind {
	case ARMDatastorePath:
		return LongDatastoreURI(r.Subscription, r.ResourceGroup, r.Workspace, r.Datastore, r.Path)
	case ARMDataVersion:
		return strings.TrimPrefix(r.Raw, "azureml:")
	}
	return r.Raw
}

// LongDatastoreURI builds azureml://subscriptions/<s>/resourcegroups/<rg>/workspaces/<ws>/datastores/<ds>/paths/<p>,
// spelled as the SDK's LONG_URI_FORMAT.
func LongDatastoreURI(sub, rg, ws, datastore, path string) string {
	return fmt.Sprintf("azureml://subscriptions/%s/resourcegroups/%s/workspaces/%s/datastores/%s/paths/%s", sub, rg, ws, datastore, path)
}

// ShortDatastoreURI builds azureml://datastores/<ds>/paths/<p>.
func ShortDatastoreURI(datastore, path string) string {
	return "azureml://datastores/" + datastore + "/paths/" + path
}

// DataVersionID builds the ARM id of a data asset version, the URI az sends
// for azureml:<name>:<version>.
func DataVersionID(sub, rg, ws, name, version string) string {
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.MachineLearningServices/workspaces/%s/data/%s/versions/%s",
		sub, rg, ws, name, version)
}

// AcceptedForms lists the input path forms, for error messages and help.
const AcceptedForms = "a local path (./data, /abs/data), azureml:<name>:<version>, azureml:<name>@latest, " +
	"azureml://datastores/<datastore>/paths/<path>, " +
	"azureml://subscriptions/<sub>/resourcegroups/<rg>/workspaces/<ws>/datastores/<datastore>/paths/<path>, " +
	"/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<ws>/datastores/<datastore>/paths/<path>, " +
	"/subscriptions/.../workspaces/<ws>/data/<name>/versions/<version>, " +
	"azureml://locations/<region>/workspaces/<ws>/data/<name>/versions/<version>, " +
	"https://..., wasbs://..., abfss://..., adl://..."

// Reasons quoted from the Azure docs for inputs batch endpoints refuse.
const (
	reasonV1Dataset = "Batch endpoints support only V2 data assets (uri_file, uri_folder); register the data as a V2 asset " +
		"(az ml data create --type uri_folder ...) and pass azureml:<name>:<version>"
	reasonMLTable = "MLTable data assets aren't currently supported by batch endpoints; " +
		"register or pass the data as uri_folder or uri_file instead"
)

var schemeRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*)://`)

// Classify recognises the form of a data input path. It reads nothing but
// the file system (to see whether a path exists locally). A path that exists
// locally is LocalPath unless it has a URI or azureml: form; a path that
// merely looks local (./x, ../x, /x, C:\x, dir/file) is LocalPath too, and
// its absence is reported by the upload. Anything else is a usage error
// listing the accepted forms; its message starts with the quoted path
// (secrets redacted) so callers can prefix the flag or key.
func Classify(path string) (Ref, error) {
	if strings.TrimSpace(path) == "" {
		return Ref{Raw: path}, clierr.Usagef("the input path is empty; give %s", AcceptedForms)
	}
	if strings.HasPrefix(path, "azureml:") {
		return classifyAzureML(path)
	}
	if m := schemeRE.FindStringSubmatch(path); m != nil && len(m[1]) > 1 {
		return classifyURL(path, strings.ToLower(m[1]))
	}
	if hasFoldPrefix(path, "/subscriptions/") {
		r, err := classifyARM(path, path)
		if err == nil {
			return r, nil
		}
		var notARM *notARMError
		if !errors.As(err, &notARM) || !existsLocally(path) {
			return Ref{Raw: path}, clierr.Usagef("%s", err)
		}
	}
	if existsLocally(path) || looksLocal(path) {
		return Ref{Kind: LocalPath, Raw: path, Path: path}, nil
	}
	return Ref{Raw: path}, clierr.Usagef("%s is not a local file or folder and not a recognised data reference; accepted forms: %s",
		quote(path), AcceptedForms)
}

func existsLocally(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// looksLocal reports whether path has the shape of a file system path.
func looksLocal(p string) bool {
	if p == "." || p == ".." || p == "~" {
		return true
	}
	for _, prefix := range []string{"./", "../", `.\`, `..\`, "/", `\`, "~/", `~\`} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	if len(p) >= 3 && isASCIILetter(p[0]) && p[1] == ':' && (p[2] == '\\' || p[2] == '/') {
		return true // a Windows drive path
	}
	return !strings.Contains(p, ":") && strings.ContainsAny(p, `/\`)
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func hasFoldPrefix(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
