package localws

import (
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// workspaceResource renders the workspace. discoveryUrl points back at this
// server, whose /discovery names it as the data-plane "api" host, so
// clients find the mferp and history routes as they do on Azure.
func (s *Server) workspaceResource(r *http.Request) armmachinelearning.Workspace {
	base := baseURL(r)
	created := time.Unix(0, 0).UTC()
	return armmachinelearning.Workspace{
		ID:       to.Ptr(s.workspacePath()),
		Name:     to.Ptr(s.opts.Workspace),
		Type:     to.Ptr(resourceType("")),
		Location: to.Ptr(DefaultLocation),
		Kind:     to.Ptr("Default"),
		SKU:      &armmachinelearning.SKU{Name: to.Ptr("Basic"), Tier: to.Ptr(armmachinelearning.SKUTierBasic)},
		Tags:     map[string]*string{},
		Properties: &armmachinelearning.WorkspaceProperties{
			FriendlyName:      to.Ptr(s.opts.Workspace),
			Description:       to.Ptr("ml local workspace in " + s.opts.Dir),
			DiscoveryURL:      to.Ptr(base + "/discovery"),
			WorkspaceID:       to.Ptr(s.workspaceID),
			MlFlowTrackingURI: to.Ptr("azureml://" + r.Host + "/mlflow/v1.0" + s.workspacePath()),
			StorageAccount: to.Ptr("/subscriptions/" + s.opts.Subscription + "/resourceGroups/" + s.opts.ResourceGroup +
				"/providers/Microsoft.Storage/storageAccounts/" + s.account),
			ProvisioningState:   to.Ptr(armmachinelearning.ProvisioningStateSucceeded),
			PublicNetworkAccess: to.Ptr(armmachinelearning.PublicNetworkAccessDisabled),
			V1LegacyMode:        to.Ptr(false),
		},
		SystemData: systemData(created, created),
	}
}

func (s *Server) serveWorkspace(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, r, http.MethodGet)
		return
	}
	writeJSON(w, http.StatusOK, s.workspaceResource(r))
}

func (s *Server) serveWorkspaceList(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, r, http.MethodGet)
		return
	}
	writeJSON(w, http.StatusOK, listPage[armmachinelearning.Workspace]{Value: []armmachinelearning.Workspace{s.workspaceResource(r)}})
}

// serveDiscovery answers the workspace's discoveryUrl. Like Azure's it needs
// no token: it only names hosts, and every host it names is this server.
func (s *Server) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, r, http.MethodGet)
		return
	}
	base := baseURL(r)
	writeJSON(w, http.StatusOK, map[string]string{
		"api":             base,
		"catalog":         base,
		"experimentation": base,
		"gallery":         base,
		"history":         base,
		"hyperdrive":      base,
		"labeling":        base,
		"modelmanagement": base,
		"pipelines":       base,
		"studio":          base,
	})
}
