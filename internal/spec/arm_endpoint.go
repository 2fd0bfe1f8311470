package spec

import (
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// authModeARM maps az's auth_mode spellings to the REST enum.
var authModeARM = map[string]armmachinelearning.EndpointAuthMode{
	AuthAADToken: armmachinelearning.EndpointAuthModeAADToken,
	AuthAMLToken: armmachinelearning.EndpointAuthModeAMLToken,
	AuthKey:      armmachinelearning.EndpointAuthModeKey,
}

// ARM is the PUT body of the endpoint. location is the workspace's
// location, which az sends whatever the YAML says. Tags are always sent
// ({} when none), as az sends them.
func (e *Endpoint) ARM(location string) armmachinelearning.BatchEndpoint {
	props := &armmachinelearning.BatchEndpointProperties{
		AuthMode:    to.Ptr(authModeARM[e.AuthMode]),
		Description: optional(e.Description),
		Properties:  ptrMap(e.Properties),
	}
	if e.DefaultDeployment != "" {
		props.Defaults = &armmachinelearning.BatchEndpointDefaults{DeploymentName: to.Ptr(e.DefaultDeployment)}
	}
	tags := ptrMap(e.Tags)
	if tags == nil {
		tags = map[string]*string{}
	}
	return armmachinelearning.BatchEndpoint{
		Location:   to.Ptr(location),
		Tags:       tags,
		Properties: props,
		Identity:   e.Identity.ARM(),
	}
}

// identityTypeARM maps az's identity type spellings to the REST enum.
var identityTypeARM = map[string]armmachinelearning.ManagedServiceIdentityType{
	"system_assigned":               armmachinelearning.ManagedServiceIdentityTypeSystemAssigned,
	"user_assigned":                 armmachinelearning.ManagedServiceIdentityTypeUserAssigned,
	"none":                          armmachinelearning.ManagedServiceIdentityTypeNone,
	"system_assigned,user_assigned": armmachinelearning.ManagedServiceIdentityTypeSystemAssignedUserAssigned,
}

// ARM is the identity as the REST API takes it (nil for a nil identity).
func (id *Identity) ARM() *armmachinelearning.ManagedServiceIdentity {
	if id == nil {
		return nil
	}
	out := &armmachinelearning.ManagedServiceIdentity{Type: to.Ptr(identityTypeARM[strings.ToLower(id.Type)])}
	if len(id.UserAssigned) > 0 {
		out.UserAssignedIdentities = map[string]*armmachinelearning.UserAssignedIdentity{}
		for _, rid := range id.UserAssigned {
			out.UserAssignedIdentities[rid] = &armmachinelearning.UserAssignedIdentity{}
		}
	}
	return out
}

// optional is nil for "", else a pointer to s.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ptrMap converts a string map to the SDK's pointer map (nil stays nil).
func ptrMap(m map[string]string) map[string]*string {
	if m == nil {
		return nil
	}
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = to.Ptr(v)
	}
	return out
}
