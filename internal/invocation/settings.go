package invocation

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Settings keys, spelled as in a batch deployment's YAML. az accepts them in
// --set and silently drops them; ml honours them.
const (
	KeyMiniBatchSize        = "mini_batch_size"
	KeyInstanceCount        = "instance_count"
	KeyComputeInstanceCount = "compute.instance_count" // alias of instance_count used by az docs and scripts
	KeyOutputFileName       = "output_file_name"
	KeyErrorThreshold       = "error_threshold"
	KeyMaxRetries           = "retry_settings.max_retries"
	KeyTimeout              = "retry_settings.timeout"
	KeyLoggingLevel         = "logging_level"
)

// settingKeys lists the settings keys in the order they are documented.
var settingKeys = []string{
	KeyMiniBatchSize, KeyInstanceCount, KeyComputeInstanceCount, KeyOutputFileName,
	KeyErrorThreshold, KeyMaxRetries, KeyTimeout, KeyLoggingLevel,
}

// intRule is the lower bound of an integer setting and how to say it.
type intRule struct {
	min     int64
	meaning string
}

var intRules = map[string]intRule{
	KeyMiniBatchSize:  {1, "a positive integer (files per mini-batch)"},
	KeyInstanceCount:  {1, "a positive integer (number of nodes)"},
	KeyErrorThreshold: {-1, "an integer >= -1 (-1 ignores all failures)"},
	KeyMaxRetries:     {0, "an integer >= 0"},
	KeyTimeout:        {1, "a positive integer number of seconds"},
}

// loggingLevels are the deployment logging levels, in their wire spelling.
var loggingLevels = []string{"Info", "Warning", "Debug"}

// canonicalKey folds the compute.instance_count alias into instance_count.
func canonicalKey(key string) string {
	if key == KeyComputeInstanceCount {
		return KeyInstanceCount
	}
	return key
}

// isSettingKey reports whether key is one of the settings keys.
func isSettingKey(key string) bool {
	for _, k := range settingKeys {
		if k == key {
			return true
		}
	}
	return false
}

// isIntSetting reports whether key holds an integer.
func isIntSetting(key string) bool { _, ok := intRules[canonicalKey(key)]; return ok }

// intField returns the Settings field behind an integer key.
func intField(s *Settings, key string) **int64 {
	switch canonicalKey(key) {
	case KeyMiniBatchSize:
		return &s.MiniBatchSize
	case KeyInstanceCount:
		return &s.InstanceCount
	case KeyErrorThreshold:
		return &s.ErrorThreshold
	case KeyMaxRetries:
		return &s.MaxRetries
	case KeyTimeout:
		return &s.TimeoutSeconds
	}
	return nil
}

// checkIntSetting validates v for key; the error completes "KEY ...".
func checkIntSetting(key string, v int64) error {
	r := intRules[canonicalKey(key)]
	if v < r.min {
		return fmt.Errorf("must be %s, got %d", r.meaning, v)
	}
	return nil
}

// setIntSetting validates v and stores it.
func setIntSetting(s *Settings, key string, v int64) error {
	if err := checkIntSetting(key, v); err != nil {
		return err
	}
	*intField(s, key) = &v
	return nil
}

// setStringSetting validates and stores output_file_name or logging_level.
func setStringSetting(s *Settings, key, v string) error {
	switch key {
	case KeyOutputFileName:
		if err := checkOutputFileName(v); err != nil {
			return err
		}
		s.OutputFileName = &v
	case KeyLoggingLevel:
		level, err := canonicalLoggingLevel(v)
		if err != nil {
			return err
		}
		s.LoggingLevel = &level
	default:
		return fmt.Errorf("is not a string setting")
	}
	return nil
}

// applySetting parses a --set value for a settings key and stores it; the
// error completes "KEY ...".
func applySetting(s *Settings, key, raw string) error {
	if isIntSetting(key) {
		v, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil {
			return fmt.Errorf("must be %s, got %s", intRules[canonicalKey(key)].meaning, quote(raw))
		}
		return setIntSetting(s, key, v)
	}
	return setStringSetting(s, key, raw)
}

// canonicalLoggingLevel accepts Info, Warning or Debug in any case.
func canonicalLoggingLevel(v string) (string, error) {
	for _, l := range loggingLevels {
		if strings.EqualFold(strings.TrimSpace(v), l) {
			return l, nil
		}
	}
	return "", fmt.Errorf("must be one of Info, Warning, Debug, got %s", quote(v))
}

// checkOutputFileName requires a plain file name: the deployment writes it
// inside the job's output folder, so separators and dot names make no sense.
func checkOutputFileName(v string) error {
	switch {
	case v == "":
		return fmt.Errorf("must not be empty; give a file name such as predictions.csv")
	case v == "." || v == "..":
		return fmt.Errorf("must be a file name, got %s", quote(v))
	case strings.ContainsAny(v, `/\`):
		return fmt.Errorf("must be a plain file name without / or \\, got %s", quote(v))
	case len(v) > 255:
		return fmt.Errorf("must be at most 255 bytes long")
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return fmt.Errorf("must not contain control characters, got %s", quote(v))
		}
	}
	return nil
}

// mergeSettings overlays the fields set in top onto base.
func mergeSettings(base, top Settings) Settings {
	if top.MiniBatchSize != nil {
		base.MiniBatchSize = top.MiniBatchSize
	}
	if top.InstanceCount != nil {
		base.InstanceCount = top.InstanceCount
	}
	if top.OutputFileName != nil {
		base.OutputFileName = top.OutputFileName
	}
	if top.ErrorThreshold != nil {
		base.ErrorThreshold = top.ErrorThreshold
	}
	if top.MaxRetries != nil {
		base.MaxRetries = top.MaxRetries
	}
	if top.TimeoutSeconds != nil {
		base.TimeoutSeconds = top.TimeoutSeconds
	}
	if top.LoggingLevel != nil {
		base.LoggingLevel = top.LoggingLevel
	}
	return base
}
