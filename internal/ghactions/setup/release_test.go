package setup

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestScriptMatchesReleaseConfig: install.sh builds asset names and
// supports targets by itself (it runs before ml exists); this keeps them
// in step with what goreleaser publishes.
func TestScriptMatchesReleaseConfig(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		ProjectName string `yaml:"project_name"`
		Builds      []struct {
			Binary string   `yaml:"binary"`
			Goos   []string `yaml:"goos"`
			Goarch []string `yaml:"goarch"`
		} `yaml:"builds"`
		Archives []struct {
			Formats         []string `yaml:"formats"`
			NameTemplate    string   `yaml:"name_template"`
			FormatOverrides []struct {
				Goos    string   `yaml:"goos"`
				Formats []string `yaml:"formats"`
			} `yaml:"format_overrides"`
		} `yaml:"archives"`
		Checksum struct {
			NameTemplate string `yaml:"name_template"`
			Algorithm    string `yaml:"algorithm"`
		} `yaml:"checksum"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile("install.sh")
	if err != nil {
		t.Fatal(err)
	}
	s := string(script)

	if cfg.ProjectName != "ml" || len(cfg.Builds) != 1 || cfg.Builds[0].Binary != "ml" || len(cfg.Archives) != 1 {
		t.Fatalf("install.sh expects one ml build and one archive: %+v", cfg)
	}
	a := cfg.Archives[0]
	if a.NameTemplate != "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}" || !strings.Contains(s, `asset="ml_${version}_${os}_${arch}.${ext}"`) {
		t.Errorf("archive name_template %q and install.sh's asset name differ", a.NameTemplate)
	}
	if !slices.Equal(a.Formats, []string{"tar.gz"}) || len(a.FormatOverrides) != 1 || a.FormatOverrides[0].Goos != "windows" || !slices.Equal(a.FormatOverrides[0].Formats, []string{"zip"}) {
		t.Errorf("install.sh expects tar.gz, and zip on Windows: %+v", a)
	}
	if cfg.Checksum.NameTemplate != "checksums.txt" || cfg.Checksum.Algorithm != "sha256" || !strings.Contains(s, `"$url/checksums.txt"`) {
		t.Errorf("install.sh verifies checksums.txt with sha256: %+v", cfg.Checksum)
	}
	for _, goos := range cfg.Builds[0].Goos {
		if !strings.Contains(s, ") os="+goos+" ;;") {
			t.Errorf("goreleaser builds %s; install.sh does not map a runner OS to it", goos)
		}
	}
	for _, goarch := range cfg.Builds[0].Goarch {
		if !strings.Contains(s, ") arch="+goarch+" ;;") {
			t.Errorf("goreleaser builds %s; install.sh does not map a runner CPU to it", goarch)
		}
	}
}
