package spec

import (
	"strings"
	"testing"
)

const testWS = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws"

// TestParseRef covers the reference forms az's ArmVersionedStr and
// RegistryStr accept, and the ones it refuses.
func TestParseRef(t *testing.T) {
	tests := []struct {
		in                   string
		name, version, label string
		id                   string
		err                  string
	}{
		{in: "azureml:heart:3", name: "heart", version: "3"},
		{in: "azureml:heart@latest", name: "heart", label: "latest"},
		{in: "azureml:" + testWS + "/models/heart/versions/3", id: testWS + "/models/heart/versions/3"},
		{in: testWS + "/models/heart/versions/3", id: testWS + "/models/heart/versions/3"},
		{in: "azureml://registries/azureml/models/heart/versions/3", id: "azureml://registries/azureml/models/heart/versions/3"},
		{in: "azureml:heart", err: "has no version; use azureml:heart:<version> or azureml:heart@latest"},
		{in: "heart:3", err: "is not a model reference"},
		{in: "azureml:a/b:1", err: "cannot contain '/'"},
		{in: testWS + "/codes/c/versions/1", err: "not the ARM id of a model"},
		{in: "azureml:@latest", err: "empty name or label"},
	}
	for _, tc := range tests {
		r, err := ParseRef(KindModel, tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseRef(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseRef(%q): %v", tc.in, err)
			continue
		}
		if r.Name != tc.name || r.Version != tc.version || r.Label != tc.label || r.ID != tc.id {
			t.Errorf("ParseRef(%q) = %+v", tc.in, r)
		}
	}
}

// TestComputeID: azureml:<name> and <name> become the workspace compute;
// ARM ids stay.
func TestComputeID(t *testing.T) {
	for in, want := range map[string]string{
		"azureml:batch-cluster":             testWS + "/computes/batch-cluster",
		"batch-cluster":                     testWS + "/computes/batch-cluster",
		testWS + "/computes/x":              testWS + "/computes/x",
		"azureml:" + testWS + "/computes/x": testWS + "/computes/x",
		"":                                  "",
	} {
		if got := ComputeID(testWS, in); got != want {
			t.Errorf("ComputeID(%q) = %q, want %q", in, got, want)
		}
	}
	if got := ComputeName("azureml:" + testWS + "/computes/gpu"); got != "gpu" {
		t.Errorf("ComputeName = %q", got)
	}
}

// TestISODuration: seconds as azure-ai-ml sends them, and back.
func TestISODuration(t *testing.T) {
	for secs, want := range map[int64]string{30: "PT30S", 300: "PT5M", 3600: "PT1H", 3690: "PT1H1M30S", 86400: "P1D", 90061: "P1DT1H1M1S", 0: "P0D"} {
		if got := isoDuration(secs); got != want {
			t.Errorf("isoDuration(%d) = %q, want %q", secs, got, want)
		}
		if back, ok := parseISODuration(want); !ok || back != secs {
			t.Errorf("parseISODuration(%q) = %d, %v", want, back, ok)
		}
	}
	for _, bad := range []string{"P", "PT", "30", "PT5X", "P1DT"} {
		if _, ok := parseISODuration(bad); ok {
			t.Errorf("parseISODuration(%q) accepted", bad)
		}
	}
}
