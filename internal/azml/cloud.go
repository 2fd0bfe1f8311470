// Package azml is ml's client for an Azure ML workspace. One code path
// serves both targets: a real workspace (ARM, the endpoint's scoring URI,
// Blob storage) and the local workspace started by `ml local serve`, which
// speaks the same wire shapes. Only the Target (endpoints and credential)
// differs.
package azml

import (
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"

	"github.com/mlbatch/ml/internal/clierr"
)

// Cloud is one Azure cloud: where ARM lives and which audiences its tokens
// need.
type Cloud struct {
	Name string
	// ARM is the azcore configuration of the control plane.
	ARM cloud.Configuration
	// MLScope is the token scope of batch endpoint scoring URIs.
	MLScope string
	// StorageScope is the token scope for Blob storage when a datastore has
	// no secret.
	StorageScope string
	// StorageSuffix is the default endpoint suffix of storage accounts.
	StorageSuffix string
	// RegistryDiscovery is the base URL of the registry discovery service
	// (azure-ai-ml _azure_environments.py registry_discovery_endpoint).
	RegistryDiscovery string
}

// Clouds are the clouds az knows, by az's names (AZURE_CLOUD_NAME, --cloud).
var Clouds = map[string]Cloud{
	"azurecloud": {
		Name:          "AzureCloud",
		ARM:           cloud.AzurePublic,
		MLScope:       "https://ml.azure.com/.default",
		StorageScope:  "https://storage.azure.com/.default",
		StorageSuffix: "core.windows.net",

		RegistryDiscovery: "https://eastus.api.azureml.ms/",
	},
	"azurechinacloud": {
		Name:          "AzureChinaCloud",
		ARM:           cloud.AzureChina,
		MLScope:       "https://ml.azure.cn/.default",
		StorageScope:  "https://storage.azure.com/.default",
		StorageSuffix: "core.chinacloudapi.cn",

		RegistryDiscovery: "https://chinaeast2.api.ml.azure.cn/",
	},
	"azureusgovernment": {
		Name:          "AzureUSGovernment",
		ARM:           cloud.AzureGovernment,
		MLScope:       "https://ml.azure.us/.default",
		StorageScope:  "https://storage.azure.com/.default",
		StorageSuffix: "core.usgovcloudapi.net",

		RegistryDiscovery: "https://usgovarizona.api.ml.azure.us/",
	},
}

// LookupCloud returns the cloud named name (case-insensitive); "" is
// AzureCloud.
func LookupCloud(name string) (Cloud, error) {
	if name == "" {
		name = "AzureCloud"
	}
	c, ok := Clouds[strings.ToLower(name)]
	if !ok {
		return Cloud{}, clierr.Usagef("--cloud: unknown cloud %q; use AzureCloud, AzureChinaCloud or AzureUSGovernment", name)
	}
	return c.withEndpointAudience(), nil
}

// ARMScope is the token scope of the control plane as az asks for it: the
// resource manager endpoint without its trailing slash, plus "/.default"
// (azcore's own audience for public cloud is management.core.windows.net;
// both are accepted by ARM, az uses this one).
func (c Cloud) ARMScope() string {
	return strings.TrimSuffix(c.ARMEndpoint(), "/") + "/.default"
}

// ARMEndpoint is the control plane's base URL.
func (c Cloud) ARMEndpoint() string {
	return c.ARM.Services[cloud.ResourceManager].Endpoint
}

// withEndpointAudience makes ARM clients ask for the token az asks for
// (scope https://management.azure.com/.default in public cloud) rather than
// azcore's default audience.
func (c Cloud) withEndpointAudience() Cloud {
	services := map[cloud.ServiceName]cloud.ServiceConfiguration{}
	for k, v := range c.ARM.Services {
		services[k] = v
	}
	rm := services[cloud.ResourceManager]
	rm.Audience = strings.TrimSuffix(rm.Endpoint, "/")
	services[cloud.ResourceManager] = rm
	c.ARM = cloud.Configuration{ActiveDirectoryAuthorityHost: c.ARM.ActiveDirectoryAuthorityHost, Services: services}
	return c
}

func (c Cloud) String() string { return fmt.Sprintf("%s (%s)", c.Name, c.ARMEndpoint()) }
