package invocation

import (
	"github.com/mlbatch/ml/internal/yamlnode"
	"gopkg.in/yaml.v3"
)

// settings decodes ml's settings: block (az has none): the batch
// deployment settings a job may override, spelled as in deployment YAML.
// Integers must be YAML integers, not quoted strings.
func (d *fileDecoder) settings(n *yaml.Node) error {
	if yamlnode.IsNull(n) {
		return nil
	}
	pairs, err := d.mapping(n, "settings", "a mapping of settings")
	if err != nil {
		return err
	}
	var instanceCountAt *yaml.Node
	setInt := func(p yamlnode.Pair, key string) error {
		v, err := d.integer(p.Value, "settings."+key)
		if err != nil {
			return err
		}
		if err := setIntSetting(&d.spec.Settings, key, v); err != nil {
			return d.errf(p.Value, "settings.%s %v", key, err)
		}
		return nil
	}
	for _, p := range pairs {
		switch p.Key {
		case KeyMiniBatchSize, KeyErrorThreshold:
			err = setInt(p, p.Key)
		case KeyInstanceCount:
			if instanceCountAt != nil {
				return d.errf(p.KeyNode, "settings.instance_count is also given as settings.compute.instance_count (line %d); keep one", instanceCountAt.Line)
			}
			instanceCountAt = p.KeyNode
			err = setInt(p, KeyInstanceCount)
		case KeyOutputFileName, KeyLoggingLevel:
			var v string
			if v, err = d.text(p.Value, "settings."+p.Key); err == nil {
				if e := setStringSetting(&d.spec.Settings, p.Key, v); e != nil {
					err = d.errf(p.Value, "settings.%s %v", p.Key, e)
				}
			}
		case "compute":
			err = d.computeSettings(p.Value, &instanceCountAt, setInt)
		case "retry_settings":
			err = d.retrySettings(p.Value, setInt)
		default:
			err = d.unknownKey(p, "in settings", settingsKeys)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// computeSettings decodes settings.compute, which may only hold
// instance_count (given at most once across both spellings).
func (d *fileDecoder) computeSettings(n *yaml.Node, instanceCountAt **yaml.Node, setInt func(yamlnode.Pair, string) error) error {
	pairs, err := d.mapping(n, "settings.compute", "a mapping with instance_count")
	if err != nil {
		return err
	}
	for _, p := range pairs {
		if p.Key != "instance_count" {
			return d.unknownKey(p, "in settings.compute", computeKeys)
		}
		if *instanceCountAt != nil {
			return d.errf(p.KeyNode, "settings.compute.instance_count is also given as settings.instance_count (line %d); keep one", (*instanceCountAt).Line)
		}
		*instanceCountAt = p.KeyNode
		if err := setInt(p, KeyComputeInstanceCount); err != nil {
			return err
		}
	}
	return nil
}

// retrySettings decodes settings.retry_settings; timeout is in seconds.
func (d *fileDecoder) retrySettings(n *yaml.Node, setInt func(yamlnode.Pair, string) error) error {
	pairs, err := d.mapping(n, "settings.retry_settings", "a mapping with max_retries and timeout")
	if err != nil {
		return err
	}
	for _, p := range pairs {
		switch p.Key {
		case "max_retries":
			err = setInt(p, KeyMaxRetries)
		case "timeout":
			err = setInt(p, KeyTimeout)
		default:
			err = d.unknownKey(p, "in settings.retry_settings", retryKeys)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
