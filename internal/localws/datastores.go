package localws

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// The local workspace's own datastore, workspaceblobstore, is synthesised
// on each request because its endpoint depends on the address the client
// used. Datastores created with PUT are stored (below).
//
// Azure clients build the account URL as {protocol}://{account}.blob.{endpoint};
// that cannot work for a path-style local service, so a local datastore's
// endpoint is "<host:port>/blob" and its account URL is
// {protocol}://{endpoint}/{accountName} (docs/local-workspace.md). The
// property "ml.local.accountUrl" spells the result out.

// accountURL is the URL of the datastore's storage account, as clients
// reach it.
func (s *Server) accountURL(r *http.Request) string {
	if s.remote {
		return s.data.Account().URL
	}
	return baseURL(r) + "/blob/" + s.account
}

func (s *Server) datastoreResource(r *http.Request) armmachinelearning.Datastore {
	accountURL := s.accountURL(r)
	acct := s.data.Account()
	endpoint, protocol := r.Host+"/blob", "http"
	description := "Blob storage of the ml local workspace (account URL " + accountURL + ")"
	if s.remote {
		endpoint, protocol = acct.Endpoint, acct.Protocol
		description = "Storage account " + acct.Name + " (" + accountURL + ") given to ml local serve"
	}
	var creds armmachinelearning.DatastoreCredentialsClassification = &armmachinelearning.AccountKeyDatastoreCredentials{
		CredentialsType: to.Ptr(armmachinelearning.CredentialsTypeAccountKey),
	}
	if acct.SAS != "" {
		creds = &armmachinelearning.SasDatastoreCredentials{CredentialsType: to.Ptr(armmachinelearning.CredentialsTypeSas)}
	}
	created := time.Unix(0, 0).UTC()
	return armmachinelearning.Datastore{
		ID:   to.Ptr(s.workspacePath() + "/datastores/" + defaultDatastore),
		Name: to.Ptr(defaultDatastore),
		Type: to.Ptr(resourceType("datastores")),
		Properties: &armmachinelearning.AzureBlobDatastore{
			DatastoreType:                 to.Ptr(armmachinelearning.DatastoreTypeAzureBlob),
			AccountName:                   to.Ptr(acct.Name),
			ContainerName:                 to.Ptr(acct.Container),
			Endpoint:                      to.Ptr(endpoint),
			Protocol:                      to.Ptr(protocol),
			IsDefault:                     to.Ptr(true),
			Credentials:                   creds,
			ServiceDataAccessAuthIdentity: to.Ptr(armmachinelearning.ServiceDataAccessAuthIdentityNone),
			Description:                   to.Ptr(description),
			Properties:                    map[string]*string{"ml.local.accountUrl": to.Ptr(accountURL)},
			Tags:                          map[string]*string{},
		},
		SystemData: systemData(created, created),
	}
}

func (s *Server) serveDatastores(w http.ResponseWriter, r *http.Request, rest []string) {
	switch {
	case len(rest) == 0 && r.Method == http.MethodGet:
		s.listDatastores(w, r)
	case len(rest) == 0:
		methodNotAllowed(w, r, http.MethodGet)
	case len(rest) == 1 && r.Method == http.MethodPut:
		s.putDatastore(w, r, rest[0])
	case len(rest) == 1 && r.Method == http.MethodDelete:
		s.deleteDatastore(w, r, rest[0])
	case len(rest) == 1 && r.Method == http.MethodGet:
		if rest[0] == defaultDatastore {
			writeJSON(w, http.StatusOK, s.datastoreResource(r))
			return
		}
		rec, d, aerr := s.createdDatastore(r.Context(), rest[0])
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		writeJSON(w, http.StatusOK, s.renderCreatedDatastore(rec, d))
	case len(rest) == 1:
		methodNotAllowed(w, r, http.MethodGet, http.MethodPut, http.MethodDelete)
	case len(rest) == 2 && strings.EqualFold(rest[1], "listSecrets") && r.Method == http.MethodPost:
		s.listSecrets(w, r, rest[0])
	case len(rest) == 2 && strings.EqualFold(rest[1], "listSecrets"):
		methodNotAllowed(w, r, http.MethodPost)
	default:
		writeError(w, errNotFound("no route for "+r.URL.Path))
	}
}

func (s *Server) listDatastores(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	isDefault, set, aerr := queryBool(q, "isDefault")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	items := []armmachinelearning.Datastore{s.datastoreResource(r)}
	recs, err := s.store.ListResources(r.Context(), datastoreKind, "")
	if err != nil {
		writeError(w, err)
		return
	}
	for _, rec := range recs {
		d, aerr := decodeCreatedDatastore(rec)
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		items = append(items, s.renderCreatedDatastore(rec, d))
	}
	var names []string
	if v := q.Get("names"); v != "" {
		for _, n := range strings.Split(v, ",") {
			names = append(names, strings.TrimSpace(n))
		}
	}
	text := strings.ToLower(q.Get("searchText"))
	kept := items[:0]
	for _, d := range items {
		name := *d.Name
		switch {
		case set && isDefault != (name == defaultDatastore):
		case names != nil && !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, name) }):
		case text != "" && !strings.Contains(strings.ToLower(name), text):
		default:
			kept = append(kept, d)
		}
	}
	writePage(w, r, kept)
}

// Datastores created with PUT (ml datastore create) are stored as sent,
// secrets included: state.db is private to the server's user (see
// docs/local-workspace.md, State folder), and GET and list answers are
// rendered from the stored body without the secrets, as Azure answers
// them. listSecrets returns the secret.

// datastoreKind is the resource kind of created datastores.
const datastoreKind = "datastores"

// notFoundDatastore is Azure's answer for a datastore that does not exist.
func notFoundDatastore(name string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: codeUserError,
		Message: "Could not find datastore: " + name + ". The local workspace has " + defaultDatastore + " and the datastores created with ml datastore create (ml datastore list)."}
}

// createdDatastore loads a datastore created with PUT.
func (s *Server) createdDatastore(ctx context.Context, name string) (resource, *armmachinelearning.Datastore, *apiError) {
	rec, err := s.store.GetResource(ctx, datastoreKind, "", name)
	if errors.Is(err, errNoRecord) {
		return resource{}, nil, notFoundDatastore(name)
	}
	if err != nil {
		return resource{}, nil, &apiError{Status: http.StatusInternalServerError, Code: codeInternal, Message: "read datastore " + name + ": " + err.Error()}
	}
	d, aerr := decodeCreatedDatastore(rec)
	return rec, d, aerr
}

func decodeCreatedDatastore(rec resource) (*armmachinelearning.Datastore, *apiError) {
	var d armmachinelearning.Datastore
	if err := json.Unmarshal(rec.Body, &d); err != nil {
		return nil, &apiError{Status: http.StatusInternalServerError, Code: codeInternal, Message: "decode stored datastore " + rec.Name + ": " + err.Error()}
	}
	if _, ok := d.Properties.(*armmachinelearning.AzureBlobDatastore); !ok {
		return nil, &apiError{Status: http.StatusInternalServerError, Code: codeInternal, Message: "stored datastore " + rec.Name + " is not an AzureBlob datastore"}
	}
	return &d, nil
}

// renderCreatedDatastore is a created datastore as GET answers it: the
// stored properties, credentials with their type only.
func (s *Server) renderCreatedDatastore(rec resource, d *armmachinelearning.Datastore) armmachinelearning.Datastore {
	blob := *d.Properties.(*armmachinelearning.AzureBlobDatastore)
	blob.Credentials = credentialsTypeOnly(blob.Credentials)
	blob.IsDefault = to.Ptr(false)
	if blob.ServiceDataAccessAuthIdentity == nil {
		blob.ServiceDataAccessAuthIdentity = to.Ptr(armmachinelearning.ServiceDataAccessAuthIdentityNone)
	}
	if blob.Tags == nil {
		blob.Tags = map[string]*string{}
	}
	return armmachinelearning.Datastore{
		ID:         to.Ptr(s.workspacePath() + "/datastores/" + rec.Name),
		Name:       to.Ptr(rec.Name),
		Type:       to.Ptr(resourceType("datastores")),
		Properties: &blob,
		SystemData: systemData(rec.Created, rec.Updated),
	}
}

// credentialsTypeOnly drops the secrets of credentials.
func credentialsTypeOnly(c armmachinelearning.DatastoreCredentialsClassification) armmachinelearning.DatastoreCredentialsClassification {
	switch c.(type) {
	case *armmachinelearning.AccountKeyDatastoreCredentials:
		return &armmachinelearning.AccountKeyDatastoreCredentials{CredentialsType: to.Ptr(armmachinelearning.CredentialsTypeAccountKey)}
	case *armmachinelearning.SasDatastoreCredentials:
		return &armmachinelearning.SasDatastoreCredentials{CredentialsType: to.Ptr(armmachinelearning.CredentialsTypeSas)}
	}
	return &armmachinelearning.NoneDatastoreCredentials{CredentialsType: to.Ptr(armmachinelearning.CredentialsTypeNone)}
}

// putDatastore creates or replaces an AzureBlob datastore. The body is
// checked (account, container, credentials with their secret); the
// account itself is not contacted, as with az's skipValidation=true.
// workspaceblobstore is the workspace's own storage and is refused.
func (s *Server) putDatastore(w http.ResponseWriter, r *http.Request, name string) {
	if strings.EqualFold(name, defaultDatastore) {
		writeError(w, errBadRequest("Datastore "+defaultDatastore+" is the local workspace's own storage (its blob store, or the account of --storage-connection-string) and cannot be overwritten: create a datastore with another name."))
		return
	}
	if aerr := checkName("datastore", name); aerr != nil {
		writeError(w, aerr)
		return
	}
	body, err := s.readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	var d armmachinelearning.Datastore
	if err := json.Unmarshal(body, &d); err != nil {
		writeError(w, &apiError{Status: http.StatusBadRequest, Code: codeInvalidRequestContent, Message: "The datastore body is not valid JSON: " + err.Error()})
		return
	}
	blob, aerr := checkDatastoreBody(name, &d)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	stored := armmachinelearning.Datastore{Properties: blob}
	data, err := json.Marshal(stored)
	if err != nil {
		writeError(w, err)
		return
	}
	_, err = s.store.GetResource(r.Context(), datastoreKind, "", name)
	creating := errors.Is(err, errNoRecord)
	if err != nil && !creating {
		writeError(w, err)
		return
	}
	if err := s.store.PutResource(r.Context(), resource{Kind: datastoreKind, Name: name, Body: data}); err != nil {
		writeError(w, err)
		return
	}
	rec, saved, aerr := s.createdDatastore(r.Context(), name)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	s.log.Info("datastore stored", "datastore", rec.Name, "account", deref(blob.AccountName), "container", deref(blob.ContainerName))
	status := http.StatusOK
	if creating {
		status = http.StatusCreated
	}
	writeJSON(w, status, s.renderCreatedDatastore(rec, saved))
}

// checkDatastoreBody returns the properties to store: an AzureBlob
// datastore with account, container and credentials (account key or SAS
// with its secret, or none).
func checkDatastoreBody(name string, d *armmachinelearning.Datastore) (*armmachinelearning.AzureBlobDatastore, *apiError) {
	if d.Properties == nil {
		return nil, errBadRequest("The datastore body has no properties: send {\"properties\": {\"datastoreType\": \"AzureBlob\", \"accountName\": ..., \"containerName\": ..., \"credentials\": ...}}.")
	}
	blob, ok := d.Properties.(*armmachinelearning.AzureBlobDatastore)
	if !ok {
		t := "(none)"
		if dt := d.Properties.GetDatastoreProperties().DatastoreType; dt != nil {
			t = string(*dt)
		}
		return nil, errBadRequest("Datastore " + name + ": datastoreType " + t + " is not supported by the local workspace; it reads AzureBlob datastores only.")
	}
	if strings.TrimSpace(deref(blob.AccountName)) == "" || strings.TrimSpace(deref(blob.ContainerName)) == "" {
		return nil, errBadRequest("Datastore " + name + ": properties.accountName and properties.containerName are required.")
	}
	if p := strings.ToLower(deref(blob.Protocol)); p != "" && p != "https" && p != "http" && p != "wasbs" && p != "wasb" {
		return nil, errBadRequest("Datastore " + name + ": protocol " + deref(blob.Protocol) + " is not supported: use https or http.")
	}
	if strings.Contains(deref(blob.Endpoint), "://") {
		return nil, errBadRequest("Datastore " + name + ": endpoint " + deref(blob.Endpoint) + " must be a DNS suffix (core.windows.net) or host:port, without a scheme.")
	}
	out := *blob
	out.IsDefault = nil
	switch c := blob.Credentials.(type) {
	case *armmachinelearning.AccountKeyDatastoreCredentials:
		if c.Secrets == nil || deref(c.Secrets.Key) == "" {
			return nil, errBadRequest("Datastore " + name + ": AccountKey credentials need secrets.key, the storage account key.")
		}
		if _, err := base64.StdEncoding.DecodeString(*c.Secrets.Key); err != nil {
			return nil, errBadRequest("Datastore " + name + ": the account key is not base64; copy it again from the storage account's Access keys.")
		}
	case *armmachinelearning.SasDatastoreCredentials:
		if c.Secrets == nil || deref(c.Secrets.SasToken) == "" {
			return nil, errBadRequest("Datastore " + name + ": Sas credentials need secrets.sasToken.")
		}
	case *armmachinelearning.NoneDatastoreCredentials:
	case nil:
		return nil, errBadRequest("Datastore " + name + ": properties.credentials is required (AccountKey, Sas, or None for identity-based access).")
	default:
		t := "unknown"
		if ct := c.GetDatastoreCredentials().CredentialsType; ct != nil {
			t = string(*ct)
		}
		return nil, errBadRequest("Datastore " + name + ": credentials of type " + t + " are not supported by the local workspace: use AccountKey, Sas or None.")
	}
	return &out, nil
}

// deleteDatastore forgets a created datastore and its secret (the account
// and its data are untouched); 200 with no body, as Azure answers.
func (s *Server) deleteDatastore(w http.ResponseWriter, r *http.Request, name string) {
	if strings.EqualFold(name, defaultDatastore) {
		writeError(w, errBadRequest("Datastore "+defaultDatastore+" is the local workspace's own storage and cannot be deleted."))
		return
	}
	err := s.store.DeleteResource(r.Context(), datastoreKind, "", name)
	if errors.Is(err, errNoRecord) {
		// Azure answers 204 for a datastore that is not there (the
		// recorded exchange), as ARM does for every DELETE: deleting is
		// idempotent, and a retried DELETE whose answer was lost succeeds.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err != nil {
		writeError(w, err)
		return
	}
	s.log.Info("datastore deleted", "datastore", name)
	w.WriteHeader(http.StatusOK)
}

// listSecrets returns the account key (or the SAS of an account given by
// a SAS connection string). It accepts the empty body older
// SDKs send and the {"expirableSecret": true} body of newer ones; either
// way the answer is the account key (the SDK falls back to it).
func (s *Server) listSecrets(w http.ResponseWriter, r *http.Request, name string) {
	body, err := s.readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if len(strings.TrimSpace(string(body))) > 0 && strings.TrimSpace(string(body)) != "null" {
		var req struct {
			ExpirableSecret  *bool `json:"expirableSecret"`
			ExpireAfterHours *int  `json:"expireAfterHours"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			writeError(w, errBadRequest("The listSecrets body must be empty or {\"expirableSecret\": true}: "+err.Error()))
			return
		}
	}
	if name != defaultDatastore {
		_, d, aerr := s.createdDatastore(r.Context(), name)
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		switch c := d.Properties.(*armmachinelearning.AzureBlobDatastore).Credentials.(type) {
		case *armmachinelearning.AccountKeyDatastoreCredentials:
			writeJSON(w, http.StatusOK, c.Secrets)
		case *armmachinelearning.SasDatastoreCredentials:
			writeJSON(w, http.StatusOK, c.Secrets)
		default:
			writeError(w, errBadRequest("Datastore "+name+" is identity-based: it has no secrets to list."))
		}
		return
	}
	acct := s.data.Account()
	if acct.SAS != "" {
		writeJSON(w, http.StatusOK, &armmachinelearning.SasDatastoreSecrets{
			SecretsType: to.Ptr(armmachinelearning.SecretsTypeSas),
			SasToken:    to.Ptr(acct.SAS),
		})
		return
	}
	writeJSON(w, http.StatusOK, &armmachinelearning.AccountKeyDatastoreSecrets{
		SecretsType: to.Ptr(armmachinelearning.SecretsTypeAccountKey),
		Key:         to.Ptr(acct.Key),
	})
}
