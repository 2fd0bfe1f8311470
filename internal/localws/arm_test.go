package localws

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// TestARMLifecycle drives the control plane with the real
// armmachinelearning clients: code, model, endpoint and deployment are
// created, read, listed, updated and deleted, and pollers complete.
func TestARMLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	setup := e.setupModelDeployment()
	f := e.factory()

	ep, err := f.NewBatchEndpointsClient().Get(ctx, rg, ws, "ep", nil)
	if err != nil {
		t.Fatalf("get endpoint: %v", err)
	}
	if got, want := *ep.Properties.ScoringURI, e.url+"/endpoints/ep/jobs"; got != want {
		t.Errorf("scoringUri = %s, want %s", got, want)
	}
	if *ep.Properties.AuthMode != armmachinelearning.EndpointAuthModeAADToken {
		t.Errorf("authMode = %s, want AADToken (the SDK sends aadToken)", *ep.Properties.AuthMode)
	}
	if *ep.Properties.ProvisioningState != armmachinelearning.EndpointProvisioningStateSucceeded {
		t.Errorf("provisioningState = %s", *ep.Properties.ProvisioningState)
	}
	if got := *ep.Properties.Defaults.DeploymentName; got != "blue" {
		t.Errorf("defaults.deploymentName = %s, want blue", got)
	}
	if *ep.ID != wsPath()+"/batchEndpoints/ep" || *ep.Type != "Microsoft.MachineLearningServices/workspaces/batchEndpoints" {
		t.Errorf("id/type = %s %s", *ep.ID, *ep.Type)
	}
	if ep.Properties.Properties["azureml.onlineendpointid"] == nil {
		t.Errorf("endpoint properties lack azureml.onlineendpointid: %v", ep.Properties.Properties)
	}

	dep, err := f.NewBatchDeploymentsClient().Get(ctx, rg, ws, "ep", "blue", nil)
	if err != nil {
		t.Fatalf("get deployment: %v", err)
	}
	p := dep.Properties
	defaults := []struct {
		field     string
		got, want any
	}{
		{"errorThreshold", *p.ErrorThreshold, int32(-1)},
		{"loggingLevel", *p.LoggingLevel, armmachinelearning.BatchLoggingLevelInfo},
		{"maxConcurrencyPerInstance", *p.MaxConcurrencyPerInstance, int32(1)},
		{"miniBatchSize", *p.MiniBatchSize, int64(10)},
		{"outputAction", *p.OutputAction, armmachinelearning.BatchOutputActionAppendRow},
		{"outputFileName", *p.OutputFileName, "predictions.csv"},
		{"resources.instanceCount", *p.Resources.InstanceCount, int32(1)},
		{"retrySettings.maxRetries", *p.RetrySettings.MaxRetries, int32(3)},
		{"retrySettings.timeout", *p.RetrySettings.Timeout, "PT30S"},
		{"codeConfiguration.codeId", *p.CodeConfiguration.CodeID, setup.codeID},
		{"model.assetId", *p.Model.(*armmachinelearning.IDAssetReference).AssetID, setup.modelID},
		{"provisioningState", *p.ProvisioningState, armmachinelearning.DeploymentProvisioningStateSucceeded},
	}
	for _, d := range defaults {
		if d.got != d.want {
			t.Errorf("deployment %s = %v, want %v", d.field, d.got, d.want)
		}
	}

	var names []string
	pager := f.NewBatchEndpointsClient().NewListPager(rg, ws, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("list endpoints: %v", err)
		}
		for _, v := range page.Value {
			names = append(names, *v.Name)
		}
	}
	if strings.Join(names, ",") != "ep" {
		t.Errorf("endpoints = %v, want [ep]", names)
	}
	dpager := f.NewBatchDeploymentsClient().NewListPager(rg, ws, "ep", nil)
	var deps []string
	for dpager.More() {
		page, err := dpager.NextPage(ctx)
		if err != nil {
			t.Fatalf("list deployments: %v", err)
		}
		for _, v := range page.Value {
			deps = append(deps, *v.Name)
		}
	}
	if strings.Join(deps, ",") != "blue" {
		t.Errorf("deployments = %v, want [blue]", deps)
	}

	// Deleting the default deployment is refused; after moving the
	// default, it goes.
	green := e.createDeployment("ep", "green", armmachinelearning.BatchDeploymentProperties{
		CodeConfiguration: &armmachinelearning.CodeConfiguration{CodeID: to.Ptr("azureml:score-code:1"), ScoringScript: to.Ptr("score.py")},
		Model:             &armmachinelearning.IDAssetReference{ReferenceType: to.Ptr(armmachinelearning.ReferenceTypeID), AssetID: to.Ptr("azureml:heart-model@latest")},
		MiniBatchSize:     to.Ptr[int64](3),
		LoggingLevel:      to.Ptr(armmachinelearning.BatchLoggingLevel("debug")),
	})
	if *green.Properties.CodeConfiguration.CodeID != setup.codeID || *green.Properties.LoggingLevel != armmachinelearning.BatchLoggingLevelDebug {
		t.Errorf("green: codeId %s (want the ARM id), loggingLevel %s (want Debug)", *green.Properties.CodeConfiguration.CodeID, *green.Properties.LoggingLevel)
	}
	_, err = f.NewBatchDeploymentsClient().BeginDelete(ctx, rg, ws, "ep", "blue", nil)
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusBadRequest {
		t.Fatalf("delete default deployment: err %v, want 400", err)
	}
	e.setDefault("ep", "green")
	del, err := f.NewBatchDeploymentsClient().BeginDelete(ctx, rg, ws, "ep", "blue", nil)
	if err != nil {
		t.Fatalf("delete blue: %v", err)
	}
	if _, err := del.PollUntilDone(ctx, pollFast); err != nil {
		t.Fatalf("delete blue: poll: %v", err)
	}
	if _, err := f.NewBatchDeploymentsClient().Get(ctx, rg, ws, "ep", "blue", nil); !isStatus(err, http.StatusNotFound) {
		t.Errorf("get deleted deployment: %v, want 404", err)
	}

	delEP, err := f.NewBatchEndpointsClient().BeginDelete(ctx, rg, ws, "ep", nil)
	if err != nil {
		t.Fatalf("delete endpoint: %v", err)
	}
	if _, err := delEP.PollUntilDone(ctx, pollFast); err != nil {
		t.Fatalf("delete endpoint: poll: %v", err)
	}
	_, err = f.NewBatchEndpointsClient().Get(ctx, rg, ws, "ep", nil)
	if !errors.As(err, &re) || re.StatusCode != http.StatusNotFound || re.ErrorCode != codeNotFound {
		t.Fatalf("get deleted endpoint: %v, want 404 %s", err, codeNotFound)
	}
	if _, err := f.NewBatchDeploymentsClient().Get(ctx, rg, ws, "ep", "green", nil); !isStatus(err, http.StatusNotFound) {
		t.Errorf("deployments of a deleted endpoint survive: %v", err)
	}
}

func isStatus(err error, status int) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == status
}
