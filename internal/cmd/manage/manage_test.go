package manage

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/cmdutil"
	"github.com/mlbatch/ml/internal/iostreams"
	"github.com/mlbatch/ml/internal/spec"
)

func testFactory() (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	ios, in, _, errOut := iostreams.Test()
	return &cmdutil.Factory{IOStreams: ios, Globals: &cmdutil.Globals{}}, in, errOut
}

// TestProgressLines: off a terminal the line is printed when waiting
// starts and when it ends; on one it is redrawn in place; quiet prints
// nothing; an operation that never waited prints nothing.
func TestProgressLines(t *testing.T) {
	f, _, errOut := testFactory()
	p := NewProgress(f, "Creating batch endpoint heart")
	w := p.Wait(false)
	w.Progress(0)
	w.Progress(2 * time.Second)
	p.Done(true)
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if len(lines) != 2 || lines[0] != "Creating batch endpoint heart ..." || !strings.HasPrefix(lines[1], "Creating batch endpoint heart: done (") {
		t.Errorf("plain progress = %q", errOut.String())
	}

	f, _, errOut = testFactory()
	f.IOStreams.SetStderrTTY(true)
	p = NewProgress(f, "Deleting x")
	p.Wait(false).Progress(0)
	p.Wait(false).Progress(3 * time.Second)
	p.Done(false)
	if got := errOut.String(); got != "\rDeleting x ... 0s\rDeleting x ... 3s\n" {
		t.Errorf("terminal progress = %q", got)
	}

	f, _, errOut = testFactory()
	f.Globals.OnlyShowErrors = true
	p = NewProgress(f, "Creating x")
	p.Wait(false).Progress(0)
	p.Done(true)
	NewProgress(f, "never started").Done(true)
	if errOut.Len() != 0 {
		t.Errorf("quiet progress printed %q", errOut.String())
	}
	if w := NewProgress(f, "x").Wait(true); !w.NoWait {
		t.Error("Wait(true) does not set NoWait")
	}
}

// TestConfirmDelete: --yes goes ahead; without a terminal ml refuses with
// a usage error; on a terminal y/yes confirm and anything else cancels.
func TestConfirmDelete(t *testing.T) {
	f, _, _ := testFactory()
	if err := ConfirmDelete(f, true, "batch endpoint heart"); err != nil {
		t.Errorf("--yes: %v", err)
	}
	if err := ConfirmDelete(f, false, "batch endpoint heart"); !clierr.IsUsage(err) || !strings.Contains(err.Error(), "--yes") {
		t.Errorf("no terminal: %v", err)
	}
	for answer, ok := range map[string]bool{"y\n": true, "YES\n": true, "n\n": false, "\n": false, "": false} {
		f, in, errOut := testFactory()
		f.IOStreams.SetStdinTTY(true)
		in.WriteString(answer)
		err := ConfirmDelete(f, false, "batch endpoint heart")
		if (err == nil) != ok {
			t.Errorf("answer %q: error %v", answer, err)
		}
		if !strings.Contains(errOut.String(), "Are you sure you want to delete batch endpoint heart? (y/n)") {
			t.Errorf("prompt = %q", errOut.String())
		}
	}
}

// TestDeploymentDocRoundTrip: a deployment read back and turned into its
// YAML form converts to the same PUT body (what update without --file
// relies on), for the spec example's deployment.
func TestDeploymentDocRoundTrip(t *testing.T) {
	dir := filepath.Join("..", "..", "spec", "testdata", "fixture_yaml")
	d, err := spec.LoadDeployment(context.Background(), filepath.Join(dir, "spec_deployment_model.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ws := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws"
	ids := spec.Resolved{ModelID: ws + "/models/m/versions/1", CodeID: ws + "/codes/c/versions/1", EnvironmentID: ws + "/environments/e/versions/2", ComputeID: ws + "/computes/cpu"}
	body := d.ARM("westus", ids)
	// The service echoes outputFileName with summary_only; az's read-back
	// drops it, and so must the doc, or the update would warn about it.
	read := body
	read.Name = to.Ptr("testDeploymentName")
	doc := DeploymentDoc(&read, "testendpointname")
	back, err := spec.DeploymentFromDoc(context.Background(), "testDeploymentName", roundTripJSON(t, doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Notes) != 0 {
		t.Errorf("notes on read-back: %v", back.Notes)
	}
	got := back.ARM("westus", spec.Resolved{ModelID: back.Model.Ref.ID, CodeID: back.Code.Ref.ID, EnvironmentID: back.Environment.Ref.ID, ComputeID: spec.ComputeID(ws, back.Compute)})
	want := body
	want.Properties.OutputFileName = nil
	if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
		t.Errorf("round trip\n got %s\nwant %s", g, w)
	}
}

// TestEndpointDocRoundTrip: the same for an endpoint, identity included.
func TestEndpointDocRoundTrip(t *testing.T) {
	e := &armmachinelearning.BatchEndpoint{
		Name: to.Ptr("heart"), Location: to.Ptr("westus"), Tags: map[string]*string{"a": to.Ptr("b")},
		Identity: &armmachinelearning.ManagedServiceIdentity{Type: to.Ptr(armmachinelearning.ManagedServiceIdentityTypeSystemAssignedUserAssigned),
			UserAssignedIdentities: map[string]*armmachinelearning.UserAssignedIdentity{"/sub/id1": {}}},
		Properties: &armmachinelearning.BatchEndpointProperties{
			AuthMode: to.Ptr(armmachinelearning.EndpointAuthModeAADToken), Description: to.Ptr("d"),
			Properties: map[string]*string{"k": to.Ptr("v")}, Defaults: &armmachinelearning.BatchEndpointDefaults{DeploymentName: to.Ptr("blue")},
			ScoringURI: to.Ptr("https://x/jobs"),
		},
	}
	back, err := spec.EndpointFromDoc("heart", roundTripJSON(t, EndpointDoc(e)), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := *e
	want.Name = nil
	want.Properties = &armmachinelearning.BatchEndpointProperties{AuthMode: e.Properties.AuthMode, Description: e.Properties.Description,
		Properties: e.Properties.Properties, Defaults: e.Properties.Defaults}
	if g, w := mustJSON(t, back.ARM("westus")), mustJSON(t, want); g != w {
		t.Errorf("round trip\n got %s\nwant %s", g, w)
	}
}

// TestSnakeCase: REST spellings to az's.
func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{"AADToken": "aad_token", "AMLToken": "aml_token", "Key": "key", "AppendRow": "append_row",
		"SummaryOnly": "summary_only", "SystemAssigned": "system_assigned", "UserAssigned": "user_assigned"} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// roundTripJSON turns a doc into what JSON decoding would give (numbers
// as float64), as a real read would.
func roundTripJSON(t *testing.T, doc map[string]any) map[string]any {
	t.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var generic any
	_ = json.Unmarshal(data, &generic)
	data, _ = json.Marshal(generic)
	return string(data)
}
