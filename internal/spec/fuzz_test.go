package spec

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
)

// FuzzDecode: no YAML input makes the decoders panic, and every rejection
// is a usage error (exit 2) rather than an internal one.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"spec_endpoint.yml", "spec_deployment_model.yml", "spec_deployment_toplevel.yml", "recorded_deployment.yml"} {
		data, err := os.ReadFile(filepath.Join("testdata", "fixture_yaml", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "settings.mini_batch_size=3")
	}
	f.Add([]byte(goodDeployment), "model.path=x")
	f.Add([]byte("name: [\n"), "a.0=b")
	f.Add([]byte("*x"), "")
	f.Add([]byte("name: d\ntype: azure_blob\naccount_name: a\ncontainer_name: c\ncredentials: {account_key: k}\n"), "credentials.sas_token=s")
	f.Fuzz(func(t *testing.T, data []byte, set string) {
		dir := t.TempDir()
		for name, content := range goodTree {
			p := filepath.Join(dir, filepath.FromSlash(name))
			_ = os.MkdirAll(filepath.Dir(p), 0o755)
			_ = os.WriteFile(p, []byte(content), 0o644)
		}
		file := filepath.Join(dir, "f.yml")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var overrides []Override
		if set != "" {
			o, err := ParseSet([]string{set})
			if err != nil {
				if !clierr.IsUsage(err) {
					t.Fatalf("ParseSet error is not a usage error: %v", err)
				}
				return
			}
			overrides = o
		}
		for _, load := range []func() error{
			func() error { _, err := LoadEndpoint(context.Background(), file, nil, overrides); return err },
			func() error { _, err := LoadDeployment(context.Background(), file, nil, overrides); return err },
			func() error { _, err := LoadData(context.Background(), file, nil, overrides); return err },
			func() error { _, err := LoadDatastore(context.Background(), file, nil, overrides); return err },
		} {
			if err := load(); err != nil && !clierr.IsUsage(err) {
				t.Fatalf("error is not a usage error: %T %v\ninput: %q", err, err, data)
			}
		}
	})
}
