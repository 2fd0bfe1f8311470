package invocation

import (
	"strconv"

	"gopkg.in/yaml.v3"
)

// Encode renders the spec as a --file that DecodeFile reads back to an
// equal spec (useful to show what a command line amounts to). Every input
// is written in its mapping form with an explicit type and quoted values,
// so no value depends on YAML's type guessing. Paths are written verbatim,
// so the output may hold secrets (a SAS URL): do not log it.
func (s *FileSpec) Encode() ([]byte, error) {
	root := mappingNode()
	for _, kv := range [][2]string{
		{"endpoint", s.Endpoint}, {"deployment", s.Deployment},
		{"job_name", s.JobName}, {"experiment_name", s.ExperimentName},
	} {
		if kv[1] != "" {
			addPair(root, kv[0], strNode(kv[1]))
		}
	}
	if len(s.Inputs) > 0 {
		inputs := mappingNode()
		for _, in := range s.Inputs {
			m := mappingNode()
			addPair(m, "type", strNode(in.Type))
			if in.IsLiteral() {
				addPair(m, "default", strNode(in.Value))
				addOptional(m, "min", in.Min)
				addOptional(m, "max", in.Max)
			} else {
				addPair(m, "path", strNode(in.Path))
				addOptional(m, "mode", in.Mode)
			}
			addPair(inputs, in.Name, m)
		}
		addPair(root, "inputs", inputs)
	}
	if len(s.Outputs) > 0 {
		outputs := mappingNode()
		for _, out := range s.Outputs {
			m := mappingNode()
			addPair(m, "type", strNode(out.Type))
			addOptional(m, "path", out.Path)
			addOptional(m, "mode", out.Mode)
			addPair(outputs, out.Name, m)
		}
		addPair(root, "outputs", outputs)
	}
	if settings := encodeSettings(s.Settings); len(settings.Content) > 0 {
		addPair(root, "settings", settings)
	}
	return yaml.Marshal(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}})
}

func encodeSettings(s Settings) *yaml.Node {
	m := mappingNode()
	addInt := func(n *yaml.Node, key string, v *int64) {
		if v != nil {
			addPair(n, key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(*v, 10)})
		}
	}
	addInt(m, KeyMiniBatchSize, s.MiniBatchSize)
	addInt(m, KeyInstanceCount, s.InstanceCount)
	if s.OutputFileName != nil {
		addPair(m, KeyOutputFileName, strNode(*s.OutputFileName))
	}
	addInt(m, KeyErrorThreshold, s.ErrorThreshold)
	if s.MaxRetries != nil || s.TimeoutSeconds != nil {
		retry := mappingNode()
		addInt(retry, "max_retries", s.MaxRetries)
		addInt(retry, "timeout", s.TimeoutSeconds)
		addPair(m, "retry_settings", retry)
	}
	if s.LoggingLevel != nil {
		addPair(m, KeyLoggingLevel, strNode(*s.LoggingLevel))
	}
	return m
}

func mappingNode() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

func strNode(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Style: yaml.DoubleQuotedStyle}
}

func addPair(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

func addOptional(m *yaml.Node, key, v string) {
	if v != "" {
		addPair(m, key, strNode(v))
	}
}
