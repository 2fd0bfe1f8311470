// Package config resolves ml's defaults the way az does, so az and ml share
// them: flag > environment (AZURE_<SECTION>_<KEY>, e.g. AZURE_DEFAULTS_GROUP)
// > az's config file ($AZURE_CONFIG_DIR/config, else ~/.azure/config, an INI
// file with a [defaults] section). It owns the process's single viper
// instance; nothing else touches viper.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/viper"
	"gopkg.in/ini.v1"
)

// Keys ml reads. Each maps to an environment variable by az's rule
// AZURE_<SECTION>_<KEY>.
const (
	KeyGroup     = "defaults.group"
	KeyWorkspace = "defaults.workspace"
	KeyLocal     = "defaults.local"
	KeyOutput    = "core.output"
	KeyCloud     = "cloud.name"
)

// Config is the resolved configuration of one ml process.
type Config struct {
	v    *viper.Viper
	path string
}

// Source tells where a default's value came from.
type Source struct {
	Name   string `json:"name"`
	Source string `json:"source"`
	Value  string `json:"value"`
}

// Load reads az's config file (if any) and binds the AZURE_* environment.
// getenv is os.Getenv outside tests; a missing file is not an error.
func Load(getenv func(string) string) (*Config, error) {
	path, err := filePath(getenv)
	if err != nil {
		return nil, err
	}
	codecs := viper.NewCodecRegistry()
	if err := codecs.RegisterCodec("ini", iniCodec{}); err != nil {
		return nil, err
	}
	v := viper.NewWithOptions(viper.WithCodecRegistry(codecs))
	v.SetConfigFile(path)
	v.SetConfigType("ini")
	if err := v.ReadInConfig(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		var notFound viper.ConfigFileNotFoundError
		if !errors.As(err, &notFound) {
			return nil, fmt.Errorf("read az config file %s: %w (fix or remove the file)", path, err)
		}
	}
	// Environment beats the file (az's precedence). It is read through getenv
	// rather than viper.AutomaticEnv so tests and embedders can inject it.
	for _, key := range []string{KeyGroup, KeyWorkspace, KeyLocal, KeyOutput, KeyCloud} {
		if val := getenv(envName(key)); val != "" {
			v.Set(key, val)
		}
	}
	return &Config{v: v, path: path}, nil
}

// envName returns az's environment variable for a dotted key.
func envName(key string) string {
	return "AZURE_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

func filePath(getenv func(string) string) (string, error) {
	if dir := getenv("AZURE_CONFIG_DIR"); dir != "" {
		return filepath.Join(dir, "config"), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot find the home directory for az's config file; set AZURE_CONFIG_DIR: %w", err)
		}
		home = h
	}
	return filepath.Join(home, ".azure", "config"), nil
}

// Path is the az config file this process reads and writes.
func (c *Config) Path() string { return c.path }

// Get returns the resolved value of key ("" when unset).
func (c *Config) Get(key string) string { return c.v.GetString(key) }

// Defaults lists the [defaults] entries of the config file, sorted by name,
// as `az configure --list-defaults` does.
func (c *Config) Defaults() ([]Source, error) {
	f, err := c.loadFile()
	if err != nil {
		return nil, err
	}
	sec := f.Section("defaults")
	var out []Source
	for _, k := range sec.Keys() {
		out = append(out, Source{Name: k.Name(), Source: c.path, Value: k.Value()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// SetDefaults writes name=value pairs into the [defaults] section of the
// config file, keeping every other section and key. An empty value removes
// the key, as `az configure --defaults group=”` does.
func (c *Config) SetDefaults(pairs map[string]string) error {
	f, err := c.loadFile()
	if err != nil {
		return err
	}
	sec := f.Section("defaults")
	names := make([]string, 0, len(pairs))
	for k := range pairs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if pairs[k] == "" {
			sec.DeleteKey(k)
			continue
		}
		sec.Key(k).SetValue(pairs[k])
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(c.path), err)
	}
	tmp := c.path + ".tmp"
	if err := f.SaveTo(tmp); err != nil {
		return fmt.Errorf("write %s: %w", c.path, err)
	}
	if err := os.Rename(tmp, c.path); err != nil {
		return fmt.Errorf("write %s: %w", c.path, err)
	}
	for k, val := range pairs {
		c.v.Set("defaults."+k, val)
	}
	return nil
}

func (c *Config) loadFile() (*ini.File, error) {
	opts := ini.LoadOptions{Loose: true, AllowPythonMultilineValues: true, SpaceBeforeInlineComment: true}
	f, err := ini.LoadSources(opts, c.path)
	if err != nil {
		return nil, fmt.Errorf("read az config file %s: %w", c.path, err)
	}
	return f, nil
}
