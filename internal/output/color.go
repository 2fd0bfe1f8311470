package output

import (
	"bytes"
	"encoding/json"
	"io"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// ANSI colors for jsonc/yamlc, close to pygments' terminal palette.
const (
	colorKey    = "\x1b[94m"
	colorString = "\x1b[33m"
	colorOther  = "\x1b[32m"
	colorReset  = "\x1b[0m"
)

// writeJSONColor prints the same text as writeJSON with keys and values
// colored; it walks the value itself so the layout stays identical.
func writeJSONColor(w io.Writer, v any) error {
	var b strings.Builder
	writeColored(&b, v, 0)
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeColored(b *strings.Builder, v any, depth int) {
	indent := strings.Repeat("  ", depth)
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			b.WriteString("{}")
			return
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("{\n")
		for i, k := range keys {
			b.WriteString(indent + "  " + colorKey + jsonText(k) + colorReset + ": ")
			writeColored(b, x[k], depth+1)
			if i < len(keys)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(indent + "}")
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i, e := range x {
			b.WriteString(indent + "  ")
			writeColored(b, e, depth+1)
			if i < len(x)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(indent + "]")
	case string:
		b.WriteString(colorString + jsonText(x) + colorReset)
	default:
		b.WriteString(colorOther + jsonText(x) + colorReset)
	}
}

func jsonText(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(buf.String(), "\n")
}

// writeYAML prints block-style YAML with two-space indentation and sorted
// keys, like az's yaml.safe_dump; yamlc colors the keys.
func writeYAML(w io.Writer, v any, color bool) error {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	text := buf.String()
	if color {
		var b strings.Builder
		for _, line := range strings.SplitAfter(text, "\n") {
			trimmed := strings.TrimLeft(line, " -")
			if i := strings.Index(trimmed, ":"); i > 0 && !strings.HasPrefix(trimmed, "\"") {
				prefix := line[:len(line)-len(trimmed)]
				line = prefix + colorKey + trimmed[:i] + colorReset + trimmed[i:]
			}
			b.WriteString(line)
		}
		text = b.String()
	}
	_, err := io.WriteString(w, text)
	return err
}
