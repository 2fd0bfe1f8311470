package invocation

import (
	"os"
	"path/filepath"
	"testing"
)

// inLocalTree runs the test in a temporary directory holding a few local
// files and folders whose names look like other forms.
func inLocalTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"http_data", "mnist", "https_like", "azureml_stuff"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"data.csv", "mnist/0.png"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	return dir
}

const (
	armWS    = "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-1"
	longURI  = "azureml://subscriptions/sub-1/resourcegroups/rg-1/workspaces/ws-1/datastores/workspaceblobstore/paths/data/mnist"
	shortURI = "azureml://datastores/workspaceblobstore/paths/data/mnist"
)

func TestClassify(t *testing.T) {
	dir := inLocalTree(t)
	tests := []struct {
		path           string
		want           Ref // Raw is filled from path
		uri            string
		needsWorkspace bool
	}{
		// Local paths: existing ones by existence, others by shape.
		{path: "http_data", want: Ref{Kind: LocalPath, Path: "http_data"}, needsWorkspace: true},
		{path: "./http_data", want: Ref{Kind: LocalPath, Path: "./http_data"}, needsWorkspace: true},
		{path: "https_like", want: Ref{Kind: LocalPath, Path: "https_like"}, needsWorkspace: true},
		{path: "mnist", want: Ref{Kind: LocalPath, Path: "mnist"}, needsWorkspace: true},
		{path: "data.csv", want: Ref{Kind: LocalPath, Path: "data.csv"}, needsWorkspace: true},
		{path: filepath.Join(dir, "mnist"), want: Ref{Kind: LocalPath, Path: filepath.Join(dir, "mnist")}, needsWorkspace: true},
		{path: "./not_there_yet", want: Ref{Kind: LocalPath, Path: "./not_there_yet"}, needsWorkspace: true},
		{path: "../elsewhere/data", want: Ref{Kind: LocalPath, Path: "../elsewhere/data"}, needsWorkspace: true},
		{path: "sub/dir/file.csv", want: Ref{Kind: LocalPath, Path: "sub/dir/file.csv"}, needsWorkspace: true},
		{path: "/abs/missing", want: Ref{Kind: LocalPath, Path: "/abs/missing"}, needsWorkspace: true},
		{path: `C:\data\mnist`, want: Ref{Kind: LocalPath, Path: `C:\data\mnist`}, needsWorkspace: true},
		{path: "C:/data/mnist", want: Ref{Kind: LocalPath, Path: "C:/data/mnist"}, needsWorkspace: true},
		{path: ".", want: Ref{Kind: LocalPath, Path: "."}, needsWorkspace: true},
		// Data assets.
		{path: "azureml:heart-unlabeled:1", want: Ref{Kind: AssetVersion, Name: "heart-unlabeled", Version: "1"}, needsWorkspace: true},
		{path: "azureml:my.data_set:2024.06.01", want: Ref{Kind: AssetVersion, Name: "my.data_set", Version: "2024.06.01"}, needsWorkspace: true},
		{path: "azureml:heart@latest", want: Ref{Kind: AssetLabel, Name: "heart", Label: "latest"}, needsWorkspace: true},
		{path: "azureml:/heart@latest", want: Ref{Kind: AssetLabel, Name: "heart", Label: "latest"}, needsWorkspace: true},
		// Datastore URIs.
		{path: shortURI, want: Ref{Kind: DatastorePath, Datastore: "workspaceblobstore", Path: "data/mnist"}},
		{path: shortURI + "/", want: Ref{Kind: DatastorePath, Datastore: "workspaceblobstore", Path: "data/mnist/"}},
		{path: longURI, want: Ref{Kind: DatastorePathLong, Subscription: "sub-1", ResourceGroup: "rg-1", Workspace: "ws-1",
			Datastore: "workspaceblobstore", Path: "data/mnist"}},
		{path: "azureml://subscriptions/s/resourceGroups/rg/workspaces/w/datastores/d/paths/p.csv",
			want: Ref{Kind: DatastorePathLong, Subscription: "s", ResourceGroup: "rg", Workspace: "w", Datastore: "d", Path: "p.csv"}},
		// ARM datastore paths are rewritten to the long URI.
		{path: armWS + "/datastores/workspaceblobstore/paths/data/mnist",
			want: Ref{Kind: ARMDatastorePath, Subscription: "sub-1", ResourceGroup: "rg-1", Workspace: "ws-1",
				Datastore: "workspaceblobstore", Path: "data/mnist"}, uri: longURI},
		{path: "azureml:" + armWS + "/datastores/workspaceblobstore/paths/data/mnist",
			want: Ref{Kind: ARMDatastorePath, Subscription: "sub-1", ResourceGroup: "rg-1", Workspace: "ws-1",
				Datastore: "workspaceblobstore", Path: "data/mnist"}, uri: longURI},
		{path: "/subscriptions/sub-1/resourcegroups/rg-1/providers/microsoft.machinelearningservices/workspaces/ws-1/datastores/d/paths/x",
			want: Ref{Kind: ARMDatastorePath, Subscription: "sub-1", ResourceGroup: "rg-1", Workspace: "ws-1", Datastore: "d", Path: "x"},
			uri:  "azureml://subscriptions/sub-1/resourcegroups/rg-1/workspaces/ws-1/datastores/d/paths/x"},
		// ARM data versions.
		{path: armWS + "/data/heart-unlabeled/versions/1",
			want: Ref{Kind: ARMDataVersion, Subscription: "sub-1", ResourceGroup: "rg-1", Workspace: "ws-1", Name: "heart-unlabeled", Version: "1"}},
		{path: "azureml:" + armWS + "/data/heart/versions/3",
			want: Ref{Kind: ARMDataVersion, Subscription: "sub-1", ResourceGroup: "rg-1", Workspace: "ws-1", Name: "heart", Version: "3"},
			uri:  armWS + "/data/heart/versions/3"},
		// Registry-less locations URIs, sent as is.
		{path: "azureml://locations/westeurope/workspaces/ws-1/data/heart/versions/2",
			want: Ref{Kind: LocationsDataVersion, Location: "westeurope", Workspace: "ws-1", Name: "heart", Version: "2"}},
		{path: "azureml://locations/westeurope/workspaces/ws-1/data/heart/versions/labels/latest",
			want: Ref{Kind: LocationsDataVersion, Location: "westeurope", Workspace: "ws-1", Name: "heart", Label: "latest"}},
		// Storage URLs, by scheme only.
		{path: "https://pipelinedata.blob.core.windows.net/sampledata/mnist", want: Ref{Kind: HTTPURL, Path: "sampledata/mnist"}},
		{path: "http://127.0.0.1:10000/devstoreaccount1/data", want: Ref{Kind: HTTPURL, Path: "devstoreaccount1/data"}},
		{path: "HTTPS://Example.com/x", want: Ref{Kind: HTTPURL, Path: "x"}},
		{path: "https://acct.blob.core.windows.net/c/p?sv=2022-11-02&sig=abc", want: Ref{Kind: HTTPURL, Path: "c/p"}},
		{path: "wasbs://data@acct.blob.core.windows.net/heart/", want: Ref{Kind: WASBS, Path: "heart/"}},
		{path: "abfss://fs@acct.dfs.core.windows.net/heart", want: Ref{Kind: ABFSS, Path: "heart"}},
		{path: "adl://acct.azuredatalakestore.net/heart", want: Ref{Kind: ADL, Path: "heart"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := Classify(tt.path)
			if err != nil {
				t.Fatalf("Classify: %v", err)
			}
			want := tt.want
			want.Raw = tt.path
			if got != want {
				t.Errorf("Classify(%q)\n got %+v\nwant %+v", tt.path, got, want)
			}
			wantURI := tt.uri
			if wantURI == "" {
				wantURI = tt.path
			}
			if got.URI() != wantURI {
				t.Errorf("URI() = %q, want %q", got.URI(), wantURI)
			}
			if got.NeedsWorkspace() != tt.needsWorkspace {
				t.Errorf("NeedsWorkspace() = %v, want %v", got.NeedsWorkspace(), tt.needsWorkspace)
			}
			if got.NeedsUpload() != (got.Kind == LocalPath) {
				t.Errorf("NeedsUpload() = %v for %v", got.NeedsUpload(), got.Kind)
			}
		})
	}
}

func TestClassifyErrors(t *testing.T) {
	inLocalTree(t)
	tests := []struct {
		path string
		want []string
	}{
		{"", []string{"the input path is empty"}},
		{"   ", []string{"the input path is empty"}},
		{"nonexistent", []string{`"nonexistent" is not a local file or folder and not a recognised data reference`, "azureml:<name>:<version>", "https://"}},
		{"azureml:heart", []string{`"azureml:heart": Must provide either version or label.`, "azureml:heart:<version>", "azureml:heart@latest"}},
		{"azureml:/heart", []string{"Must provide either version or label."}},
		{"azureml:heart:1@latest", []string{`version "1@latest" is invalid. It can only contain alphanumeric characters, dashes, underscores, and periods`}},
		{"azureml:heart@", []string{`label "" is invalid`}},
		{"azureml:heart:", []string{`version "" is invalid`}},
		{"azureml:", []string{"is not a data asset reference"}},
		{"azureml:my/data:1", []string{`data asset name "my/data" is not valid`}},
		{"azureml://datastores/ds", []string{"is not a valid azureml:// URI", "azureml://datastores/<datastore>/paths/<path>"}},
		{"azureml://datastores/ds/paths/", []string{"azureml://datastores/<datastore>/paths/<path>"}},
		{"azureml://datastores//paths/x", []string{"is not a valid azureml:// URI"}},
		{"azureml://subscriptions/s/resourcegroups/rg/workspaces/w/datastores/d", []string{"azureml://subscriptions/<sub>/resourcegroups/<rg>"}},
		{"azureml://locations/westeurope/workspaces/ws/data/heart", []string{"azureml://locations/<region>/workspaces/<ws>/data/<name>/versions/<version>"}},
		{"azureml://registries/reg/data/heart/versions/1", []string{"is not a valid azureml:// URI"}},
		{armWS + "/data/heart", []string{`names data asset "heart" but no version`, "/versions/<version>"}},
		{armWS + "/datasets/0f1e2d3c", []string{"is a v1 dataset", "Batch endpoints support only V2 data assets (uri_file, uri_folder)", "register the data as a V2 asset"}},
		{"azureml:" + armWS + "/datasets/0f1e2d3c", []string{"is a v1 dataset"}},
		{armWS + "/models/m/versions/1", []string{"Invalid input path", "data/<name>/versions/<version>", "datastores/<datastore>/paths/<path>"}},
		{"/subscriptions/s/resourceGroups/rg", []string{"Invalid input path"}},
		{armWS + "/datastores/d/paths/", []string{"Invalid input path"}},
		{"s3://bucket/key", []string{`unsupported URI scheme s3://`, "accepted forms"}},
		{"wasb://c@acct.blob.core.windows.net/x", []string{"use wasbs://"}},
		{"abfs://c@acct.dfs.core.windows.net/x", []string{"use abfss://"}},
		{"https://", []string{"is not a valid https:// URI"}},
		{"https:///path-only", []string{"is not a valid https:// URI"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := Classify(tt.path)
			requireUsage(t, err, tt.want...)
			if got.Kind != InvalidRef {
				t.Errorf("Kind = %v on error, want InvalidRef", got.Kind)
			}
		})
	}
}

func TestClassifyRedactsSecrets(t *testing.T) {
	for _, p := range []string{
		"s3://bucket/key?sig=TOPSECRET",
		"ftp://user:hunter2@host/file?token=TOPSECRET",
		"nonexistent?sig=TOPSECRET",
	} {
		_, err := Classify(p)
		requireUsage(t, err)
		for _, secret := range []string{"TOPSECRET", "hunter2"} {
			if stringsContain(err.Error(), secret) {
				t.Errorf("Classify(%q) error leaks %q: %v", p, secret, err)
			}
		}
	}
}

func TestRefKindString(t *testing.T) {
	seen := map[string]bool{}
	for k := InvalidRef; k <= ADL; k++ {
		s := k.String()
		if s == "" || seen[s] {
			t.Errorf("RefKind(%d).String() = %q, empty or duplicate", int(k), s)
		}
		seen[s] = true
	}
	if got := RefKind(99).String(); got != "RefKind(99)" {
		t.Errorf("RefKind(99).String() = %q", got)
	}
	if LocalPath.String() != "local_path" || ARMDatastorePath.String() != "arm_datastore_path" {
		t.Errorf("unexpected names %q, %q", LocalPath, ARMDatastorePath)
	}
}

func TestDataVersionID(t *testing.T) {
	got := DataVersionID("sub-1", "rg-1", "ws-1", "heart", "3")
	if want := armWS + "/data/heart/versions/3"; got != want {
		t.Errorf("DataVersionID = %q, want %q", got, want)
	}
	r, err := Classify(got)
	if err != nil || r.Kind != ARMDataVersion || r.Name != "heart" || r.Version != "3" {
		t.Errorf("Classify(DataVersionID) = %+v, %v", r, err)
	}
}
