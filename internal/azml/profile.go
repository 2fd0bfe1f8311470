package azml

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/mlbatch/ml/internal/clierr"
)

// azureProfile is the part of az's azureProfile.json ml reads.
type azureProfile struct {
	Subscriptions []struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		IsDefault bool   `json:"isDefault"`
		TenantID  string `json:"tenantId"`
	} `json:"subscriptions"`
}

// ResolveSubscription picks the subscription id as az does: the flag (an id
// or a subscription name from az's profile), else AZURE_SUBSCRIPTION_ID,
// else the default subscription of `az login` (azureProfile.json in the az
// config dir).
func ResolveSubscription(flag string, getenv func(string) string, configDir string) (string, error) {
	if flag == "" {
		flag = getenv("AZURE_SUBSCRIPTION_ID")
	}
	profile, perr := readProfile(configDir)
	if flag != "" {
		if looksLikeGUID(flag) || profile == nil {
			return flag, nil
		}
		for _, s := range profile.Subscriptions {
			if strings.EqualFold(s.Name, flag) || strings.EqualFold(s.ID, flag) {
				return s.ID, nil
			}
		}
		return "", clierr.Usagef("--subscription: %q is neither a subscription id nor a subscription name in %s; use the id from `az account list`", flag, filepath.Join(configDir, "azureProfile.json"))
	}
	if perr != nil {
		return "", perr
	}
	if profile != nil {
		for _, s := range profile.Subscriptions {
			if s.IsDefault {
				return s.ID, nil
			}
		}
	}
	return "", clierr.Usagef("no subscription: pass --subscription, set AZURE_SUBSCRIPTION_ID, or run `az account set -s <id>`")
}

func readProfile(configDir string) (*azureProfile, error) {
	path := filepath.Join(configDir, "azureProfile.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	// az writes the file with a UTF-8 byte order mark.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var p azureProfile
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("read %s: %w (run `az login` again or remove the file)", path, err)
	}
	return &p, nil
}

func looksLikeGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// AzConfigDir is az's config folder: AZURE_CONFIG_DIR, else ~/.azure.
func AzConfigDir(getenv func(string) string) string {
	if d := getenv("AZURE_CONFIG_DIR"); d != "" {
		return d
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return filepath.Join(home, ".azure")
}
