package localws

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// The local workspace has exactly one datastore. It is synthesised on each
// request because its endpoint depends on the address the client used.
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
	case rest[0] != defaultDatastore:
		if len(rest) == 1 && r.Method == http.MethodPut {
			writeError(w, errBadRequest("The local workspace has a single datastore, "+defaultDatastore+"; creating datastores is not supported."))
			return
		}
		writeError(w, errNotFound("Datastore '"+rest[0]+"' not found: the local workspace has one datastore, "+defaultDatastore+"."))
	case len(rest) == 1 && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.datastoreResource(r))
	case len(rest) == 1:
		methodNotAllowed(w, r, http.MethodGet)
	case len(rest) == 2 && strings.EqualFold(rest[1], "listSecrets") && r.Method == http.MethodPost:
		s.listSecrets(w, r)
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
	if set && !isDefault {
		items = nil
	}
	if names := q.Get("names"); names != "" {
		found := false
		for _, n := range strings.Split(names, ",") {
			found = found || strings.TrimSpace(n) == defaultDatastore
		}
		if !found {
			items = nil
		}
	}
	if text := q.Get("searchText"); text != "" && !strings.Contains(defaultDatastore, strings.ToLower(text)) {
		items = nil
	}
	writePage(w, r, items)
}

// listSecrets returns the account key (or the SAS of an account given by
// a SAS connection string). It accepts the empty body older
// SDKs send and the {"expirableSecret": true} body of newer ones; either
// way the answer is the account key (the SDK falls back to it).
func (s *Server) listSecrets(w http.ResponseWriter, r *http.Request) {
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
