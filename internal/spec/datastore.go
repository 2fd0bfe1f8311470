package spec

import (
	"context"
	"io"
	"regexp"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"gopkg.in/yaml.v3"

	"github.com/mlbatch/ml/internal/yamlnode"
)

// Datastore types, as az's YAML writes them.
const (
	DatastoreAzureBlob = "azure_blob"
)

// Datastore credential kinds (Datastore.Credentials).
const (
	// CredentialsNone is an identity-based datastore: no secret is stored,
	// data is read with the caller's (or the workspace's) identity.
	CredentialsNone = "none"
	// CredentialsAccountKey stores the storage account key.
	CredentialsAccountKey = "account_key"
	// CredentialsSAS stores a SAS token.
	CredentialsSAS = "sas_token"
)

// Datastore is an Azure Blob datastore YAML file
// (azureBlob.schema.json, azure-ai-ml's AzureBlobSchema) after overrides.
// az's defaults apply where a key is absent: protocol https, the cloud's
// storage endpoint (Endpoint "" here: the caller knows the cloud).
type Datastore struct {
	// File is the YAML file.
	File string
	Name string
	// Type is azure_blob, the one type ml creates.
	Type          string
	AccountName   string
	ContainerName string
	// Protocol is https (default), http, wasbs or wasb.
	Protocol string
	// Endpoint is the storage DNS suffix (core.windows.net) or, for a
	// path-style service (Azurite, 127.0.0.1:10000), host:port; "" means
	// the cloud's suffix.
	Endpoint    string
	Description string
	Tags        map[string]string
	// Credentials is CredentialsNone, CredentialsAccountKey or
	// CredentialsSAS; Secret is the account key or SAS token (never
	// printed).
	Credentials string
	Secret      string
}

var (
	datastoreKeys = []string{"$schema", "name", "type", "description", "tags", "account_name", "container_name",
		"endpoint", "protocol", "credentials"}
	datastoreCredentialKeys = []string{"account_key", "sas_token"}
	// wasbs and wasb are az's Hadoop spellings (azureml-examples'
	// blob-protocol.yml); the blob service itself is reached over https
	// (http for wasb).
	datastoreProtocols = []string{"https", "http", "wasbs", "wasb"}
	// Types az knows that ml does not create yet, with their schema names.
	unsupportedDatastoreTypes = []string{"azure_file", "azure_data_lake_gen1", "azure_data_lake_gen2", "one_lake"}
	// datastoreNameRE is what a datastore name may look like: letters,
	// digits, underscores and dashes (azureml-examples name datastores
	// blob-example and blob_protocol_example); the service has the last
	// word, this catches names that cannot even be a URL path segment.
	datastoreNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$`)
)

// LoadDatastore reads a datastore YAML file ("-" = standard input),
// applies overrides (--name and --set KEY=VALUE, as in az) and validates
// it. Only azure_blob datastores are created by ml; the other types az
// knows are refused as not supported yet. Errors name the file and line
// (or the override) and never repeat a secret.
func LoadDatastore(ctx context.Context, path string, stdin io.Reader, overrides []Override) (*Datastore, error) {
	root, file, base, err := readTree(ctx, path, stdin, "datastore")
	if err != nil {
		return nil, err
	}
	d := &decoder{ctx: ctx, file: file, baseDir: base, origin: map[*yaml.Node]string{}}
	if err := d.apply(root, overrides); err != nil {
		return nil, err
	}
	// The type decides the schema, so it is read before the keys are
	// checked: an azure_file datastore's file_share_name is then reported
	// as "azure_file is not supported yet", not as an unknown key.
	if err := d.datastoreType(root); err != nil {
		return nil, err
	}
	o, err := d.object(root, "the datastore", datastoreKeys)
	if err != nil {
		return nil, err
	}
	ds := &Datastore{File: path, Type: DatastoreAzureBlob, Protocol: "https", Credentials: CredentialsNone}
	if err = o.require("name", "add name: <datastore name> to the file or pass --name"); err != nil {
		return nil, err
	}
	if ds.Name, err = o.str("name"); err != nil {
		return nil, err
	}
	if !datastoreNameRE.MatchString(ds.Name) {
		return nil, d.errf(o.node("name"), "name: %q is not a datastore name: start with a letter or digit and use letters, digits, _ and - only (e.g. %s)", ds.Name, suggestDatastoreName(ds.Name))
	}
	for _, s := range []struct {
		key, hint string
		dst       *string
	}{
		{"account_name", "add account_name: <storage account name>", &ds.AccountName},
		{"container_name", "add container_name: <blob container name>", &ds.ContainerName},
	} {
		if err := o.require(s.key, s.hint); err != nil {
			return nil, err
		}
		if *s.dst, err = o.str(s.key); err != nil {
			return nil, err
		}
		if strings.TrimSpace(*s.dst) == "" {
			return nil, d.errf(o.node(s.key), "%s is empty; %s", s.key, s.hint)
		}
	}
	if p, err := o.enum("protocol", datastoreProtocols); err != nil {
		return nil, err
	} else if p != "" {
		ds.Protocol = p
	}
	if ds.Endpoint, err = o.str("endpoint"); err != nil {
		return nil, err
	}
	if strings.Contains(ds.Endpoint, "://") {
		return nil, d.errf(o.node("endpoint"), "endpoint: %q must be the storage DNS suffix (core.windows.net) or host:port, without a scheme; put the scheme in protocol: (https or http)", ds.Endpoint)
	}
	if ds.Description, err = o.str("description"); err != nil {
		return nil, err
	}
	if ds.Tags, err = o.strMap("tags"); err != nil {
		return nil, err
	}
	if n := o.node("credentials"); n != nil {
		if ds.Credentials, ds.Secret, err = d.datastoreCredentials(n); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// datastoreType checks type: before the keys of the schema it selects.
func (d *decoder) datastoreType(root *yaml.Node) error {
	k, v := entry(root, "type")
	if k == nil || v == nil || (v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null") {
		at := root
		if k != nil {
			at = k
		}
		return d.errf(at, "missing required key \"type\" in the datastore; add type: %s (the one type ml creates)", DatastoreAzureBlob)
	}
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
		return d.errf(v, "type must be text, not %s; use type: %s", kindName(v), DatastoreAzureBlob)
	}
	t := v.Value
	if c, ok := canonicalEnum(t, []string{DatastoreAzureBlob}); ok {
		v.Value = c
		return nil
	}
	if c, ok := canonicalEnum(t, unsupportedDatastoreTypes); ok {
		return d.errf(v, "type: %s datastores are not supported yet by ml datastore create; create it with az ml datastore create, or use a type: %s datastore", c, DatastoreAzureBlob)
	}
	return d.errf(v, "type: %q is not a datastore type; use %s (%s are not supported yet)", t, DatastoreAzureBlob, strings.Join(unsupportedDatastoreTypes, ", "))
}

// datastoreCredentials reads credentials: {account_key: ...} or
// {sas_token: ...}; an empty mapping is an identity-based datastore.
// Secrets are never quoted in errors.
func (d *decoder) datastoreCredentials(n *yaml.Node) (kind, secret string, err error) {
	n = yamlnode.Deref(n)
	if n.Kind != yaml.MappingNode {
		return "", "", d.errf(n, "credentials must be a mapping (account_key: ... or sas_token: ...), not %s", secretKindName(n))
	}
	ps, err := d.pairs(n, "credentials")
	if err != nil {
		return "", "", err
	}
	for _, p := range ps {
		if !contains(datastoreCredentialKeys, p.Key) {
			hint := ""
			switch p.Key {
			case "tenant_id", "client_id", "client_secret", "certificate", "thumbprint", "authority_url", "resource_url":
				hint = " (service principal and certificate credentials are for Data Lake datastores, which ml does not create yet)"
			}
			return "", "", d.errf(p.KeyNode, "unknown key %q in credentials%s; an azure_blob datastore takes account_key or sas_token, or no credentials for identity-based access", p.Key, hint)
		}
		if kind != CredentialsNone && kind != "" {
			return "", "", d.errf(p.KeyNode, "credentials has both account_key and sas_token; keep one")
		}
		v := p.Value
		if v.Kind != yaml.ScalarNode || yamlnode0(v) {
			return "", "", d.errf(v, "credentials.%s must be text, not %s", p.Key, secretKindName(v))
		}
		if v.ShortTag() != "!!str" {
			return "", "", d.errf(v, "credentials.%s must be text; quote it", p.Key)
		}
		if strings.TrimSpace(v.Value) == "" {
			return "", "", d.errf(v, "credentials.%s is empty; give the secret, or remove credentials for identity-based access", p.Key)
		}
		kind, secret = p.Key, v.Value
	}
	if kind == "" {
		kind = CredentialsNone
	}
	return kind, secret, nil
}

// yamlnode0 reports a null scalar.
func yamlnode0(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// secretKindName is kindName without the value, for fields that hold
// secrets.
func secretKindName(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case yamlnode0(n):
		return "empty"
	case n.Kind == yaml.ScalarNode:
		return "a single value"
	}
	return "a value of another kind"
}

// suggestDatastoreName replaces what a datastore name may not hold.
func suggestDatastoreName(name string) string {
	s := strings.Trim(regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(name, "_"), "_-")
	if s == "" {
		return "my_datastore"
	}
	return s
}

// ARM is the PUT body az sends (AzureBlobDatastore._to_rest_object):
// account, container, credentials with their secret, endpoint (the
// file's, else defaultEndpoint: the cloud's storage suffix), protocol,
// tags (always, {} when none) and description when set.
func (ds *Datastore) ARM(defaultEndpoint string) armmachinelearning.Datastore {
	endpoint := ds.Endpoint
	if endpoint == "" {
		endpoint = defaultEndpoint
	}
	var creds armmachinelearning.DatastoreCredentialsClassification
	switch ds.Credentials {
	case CredentialsAccountKey:
		creds = &armmachinelearning.AccountKeyDatastoreCredentials{
			CredentialsType: to.Ptr(armmachinelearning.CredentialsTypeAccountKey),
			Secrets: &armmachinelearning.AccountKeyDatastoreSecrets{
				SecretsType: to.Ptr(armmachinelearning.SecretsTypeAccountKey), Key: to.Ptr(ds.Secret)},
		}
	case CredentialsSAS:
		creds = &armmachinelearning.SasDatastoreCredentials{
			CredentialsType: to.Ptr(armmachinelearning.CredentialsTypeSas),
			Secrets: &armmachinelearning.SasDatastoreSecrets{
				SecretsType: to.Ptr(armmachinelearning.SecretsTypeSas), SasToken: to.Ptr(ds.Secret)},
		}
	default:
		creds = &armmachinelearning.NoneDatastoreCredentials{CredentialsType: to.Ptr(armmachinelearning.CredentialsTypeNone)}
	}
	tags := map[string]*string{}
	for k, v := range ds.Tags {
		tags[k] = to.Ptr(v)
	}
	props := &armmachinelearning.AzureBlobDatastore{
		DatastoreType: to.Ptr(armmachinelearning.DatastoreTypeAzureBlob),
		AccountName:   to.Ptr(ds.AccountName),
		ContainerName: to.Ptr(ds.ContainerName),
		Credentials:   creds,
		Endpoint:      to.Ptr(endpoint),
		Protocol:      to.Ptr(ds.Protocol),
		Tags:          tags,
	}
	if ds.Description != "" {
		props.Description = to.Ptr(ds.Description)
	}
	return armmachinelearning.Datastore{Properties: props}
}
