package spec

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
)

// TestLoadDatastoreExamples: azureml-examples' blob datastore files load
// with az's defaults (protocol https, endpoint left to the cloud), each
// credential kind, and the body az sends.
func TestLoadDatastoreExamples(t *testing.T) {
	tests := []struct {
		file, name, creds, protocol, secretPrefix string
	}{
		{"blob.yml", "blob-example", CredentialsAccountKey, "https", "XXXxxx"},
		{"blob-sas.yml", "blob-sas-example", CredentialsSAS, "https", "?xx="},
		{"blob-credless.yml", "blob-credless-example", CredentialsNone, "https", ""},
		{"blob-protocol.yml", "blob_protocol_example", CredentialsAccountKey, "wasbs", "XXXxxx"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ds, err := LoadDatastore(context.Background(), filepath.Join("testdata", "datastore", tt.file), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if ds.Name != tt.name || ds.Type != DatastoreAzureBlob || ds.AccountName != "mytestblobstore" || ds.ContainerName != "data-container" ||
				ds.Protocol != tt.protocol || ds.Endpoint != "" || ds.Credentials != tt.creds || !strings.HasPrefix(ds.Secret, tt.secretPrefix) ||
				(tt.secretPrefix == "") != (ds.Secret == "") || ds.Description == "" {
				t.Errorf("loaded %+v", ds)
			}
		})
	}

	ds, err := LoadDatastore(context.Background(), filepath.Join("testdata", "datastore", "blob.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(ds.ARM("core.windows.net"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"properties":{"accountName":"mytestblobstore","containerName":"data-container","credentials":{"credentialsType":"AccountKey",` +
		`"secrets":{"key":"` + ds.Secret + `","secretsType":"AccountKey"}},"datastoreType":"AzureBlob","description":"Datastore pointing to a blob container.",` +
		`"endpoint":"core.windows.net","protocol":"https","tags":{}}}`
	if string(body) != want {
		t.Errorf("body\n got %s\nwant %s", body, want)
	}
	none, _ := LoadDatastore(context.Background(), filepath.Join("testdata", "datastore", "blob-credless.yml"), nil, nil)
	if b, _ := json.Marshal(none.ARM("core.chinacloudapi.cn").Properties); !strings.Contains(string(b), `"credentials":{"credentialsType":"None"}`) ||
		!strings.Contains(string(b), `"endpoint":"core.chinacloudapi.cn"`) {
		t.Errorf("identity-based body %s", b)
	}
}

// TestLoadDatastoreOverrides: --name and --set override the file, as in
// az (the secret can come from --set, as azureml-examples' scripts pass
// it), and a flags-only datastore from standard input works.
func TestLoadDatastoreOverrides(t *testing.T) {
	set, err := ParseSet([]string{"credentials.account_key=c2VjcmV0", "endpoint=127.0.0.1:10000", "protocol=http", "tags.team=ml"})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := LoadDatastore(context.Background(), filepath.Join("testdata", "datastore", "blob-credless.yml"), nil,
		append(set, Flag("--name", "name", "azurite_data")))
	if err != nil {
		t.Fatal(err)
	}
	if ds.Name != "azurite_data" || ds.Credentials != CredentialsAccountKey || ds.Secret != "c2VjcmV0" || ds.Endpoint != "127.0.0.1:10000" ||
		ds.Protocol != "http" || ds.Tags["team"] != "ml" {
		t.Errorf("loaded %+v", ds)
	}
	ds, err = LoadDatastore(context.Background(), "-", strings.NewReader("name: d\ntype: AzureBlob\naccount_name: a\ncontainer_name: c\ncredentials: {}\n"), nil)
	if err != nil || ds.Type != DatastoreAzureBlob || ds.Credentials != CredentialsNone {
		t.Errorf("stdin: %+v, %v", ds, err)
	}
}

// TestLoadDatastoreErrors: each bad file is a usage error naming the file
// and line (or the override), the key and the fix, and never the secret.
func TestLoadDatastoreErrors(t *testing.T) {
	const secret = "c2VjcmV0LWtleS1kby1ub3QtcHJpbnQ="
	good := "name: d\ntype: azure_blob\naccount_name: a\ncontainer_name: c\n"
	tests := []struct {
		name, yaml string
		set        []string
		want       string
	}{
		{"unknown key", good + "file_share_name: s\n", nil, `datastore.yml:5: unknown key "file_share_name" in the datastore; valid keys:`},
		{"azure_file", "", nil, "file.yml:3: type: azure_file datastores are not supported yet"},
		{"adls gen2", "name: d\ntype: azure_data_lake_gen2\naccount_name: a\nfilesystem: f\n", nil, "datastore.yml:2: type: azure_data_lake_gen2 datastores are not supported yet"},
		{"adls gen1", "name: d\ntype: azure_data_lake_gen1\nstore_name: s\n", nil, "type: azure_data_lake_gen1 datastores are not supported yet"},
		{"bad type", "name: d\ntype: s3\n", nil, `datastore.yml:2: type: "s3" is not a datastore type; use azure_blob`},
		{"no type", "name: d\naccount_name: a\n", nil, `missing required key "type" in the datastore; add type: azure_blob`},
		{"no name", "type: azure_blob\naccount_name: a\ncontainer_name: c\n", nil, `missing required key "name" in the datastore; add name: <datastore name> to the file or pass --name`},
		{"bad name", strings.Replace(good, "name: d", "name: my store/x", 1), nil, `datastore.yml:1: name: "my store/x" is not a datastore name`},
		{"no account", "name: d\ntype: azure_blob\ncontainer_name: c\n", nil, `missing required key "account_name"`},
		{"no container", "name: d\ntype: azure_blob\naccount_name: a\n", nil, `missing required key "container_name"`},
		{"bad protocol", good + "protocol: ftp\n", nil, `datastore.yml:5: protocol: "ftp" is not allowed; use one of: https, http, wasbs, wasb`},
		{"endpoint with scheme", good + "endpoint: http://127.0.0.1:10000\n", nil, "endpoint: \"http://127.0.0.1:10000\" must be the storage DNS suffix"},
		{"both secrets", good + "credentials:\n  account_key: " + secret + "\n  sas_token: sv=1&sig=" + secret + "\n", nil, "datastore.yml:7: credentials has both account_key and sas_token; keep one"},
		{"service principal", good + "credentials:\n  tenant_id: t\n  client_id: c\n  client_secret: " + secret + "\n", nil, `unknown key "tenant_id" in credentials (service principal`},
		{"secret not text", good + "credentials:\n  account_key: [" + secret + "]\n", nil, "credentials.account_key must be text, not a list"},
		{"empty secret", good + "credentials:\n  sas_token: \"\"\n", nil, "credentials.sas_token is empty"},
		{"credentials not a mapping", good + "credentials: " + secret + "\n", nil, "credentials must be a mapping"},
		{"override names itself", good, []string{"protocol=gopher"}, `--set protocol: protocol: "gopher" is not allowed`},
		{"tags not a mapping", good + "tags: [a]\n", nil, "tags must be a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join("testdata", "datastore", "file.yml")
			if tt.yaml != "" {
				dir := writeTree(t, map[string]string{"datastore.yml": tt.yaml})
				file = filepath.Join(dir, "datastore.yml")
			}
			set, err := ParseSet(tt.set)
			if err != nil {
				t.Fatal(err)
			}
			_, err = LoadDatastore(context.Background(), file, nil, set)
			var usage *clierr.UsageError
			if err == nil || !errors.As(err, &usage) {
				t.Fatalf("error %v, want a usage error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error\n %v\nwant %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q repeats the secret", err)
			}
		})
	}
}
