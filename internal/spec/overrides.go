package spec

import (
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/usertext"
	"github.com/mlbatch/ml/internal/yamlnode"
)

// Override is one KEY=VALUE set on the YAML tree before it is validated, as
// az applies its params_override: --set tokens and flags such as --name or
// --endpoint-name. The zero value is not valid; build overrides with
// ParseSet or Flag.
type Override struct {
	// Key is a dotted path into the YAML (settings.mini_batch_size); a
	// numeric segment indexes a list.
	Key string
	// Value is always text, as az's --set values are; numeric fields accept
	// numeric text.
	Value string
	// Source names the override in messages: "--set settings.mini_batch_size"
	// or "--name". It never carries the value, which may be a secret URL.
	Source string
}

// Flag returns the override a flag stands for (--name → name).
func Flag(flag, key, value string) Override {
	return Override{Key: key, Value: value, Source: flag}
}

// ParseSet turns the tokens of --set (each KEY=VALUE, split on the first
// "=") into overrides, in order; a later key wins, as in az.
func ParseSet(tokens []string) ([]Override, error) {
	out := make([]Override, 0, len(tokens))
	for _, tok := range tokens {
		key, value, ok := strings.Cut(tok, "=")
		if !ok {
			return nil, clierr.Usagef("--set: %q is not KEY=VALUE; usage: --set KEY=VALUE [KEY=VALUE ...], e.g. --set settings.mini_batch_size=20", tokenKey(tok))
		}
		key = strings.TrimSpace(key)
		if !setKeyRE.MatchString(key) {
			return nil, clierr.Usagef("--set: %q is not KEY=VALUE with a dotted key (letters, digits, _ and -); e.g. --set settings.mini_batch_size=20", tokenKey(tok))
		}
		if err := usertext.Check("--set "+key, value); err != nil {
			return nil, err
		}
		out = append(out, Override{Key: key, Value: value, Source: "--set " + key})
	}
	return out, nil
}

// setKeyRE is what a --set key may look like: dotted names.
var setKeyRE = regexp.MustCompile(`^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$`)

// tokenKey shortens a malformed token for messages: it may be a value (a
// SAS URL pasted without its key), so its query string is dropped.
func tokenKey(tok string) string {
	if i := strings.IndexByte(tok, '?'); i >= 0 {
		tok = tok[:i] + "?..."
	}
	if len(tok) > 60 {
		return tok[:60] + "..."
	}
	return tok
}

// apply sets every override on root (a mapping), creating the mappings a
// dotted key goes through, and records which nodes each one created so
// errors about them name the override.
func (d *decoder) apply(root *yaml.Node, overrides []Override) error {
	for _, o := range overrides {
		if err := d.applyOne(root, o); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) applyOne(root *yaml.Node, o Override) error {
	segs := strings.Split(o.Key, ".")
	cur := root
	for i, seg := range segs {
		last := i == len(segs)-1
		value := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: o.Value}
		switch cur.Kind {
		case yaml.MappingNode:
			idx := -1
			for j := 0; j+1 < len(cur.Content); j += 2 {
				if yamlnode.Deref(cur.Content[j]).Value == seg {
					idx = j + 1
				}
			}
			if idx < 0 {
				key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: seg}
				next := value
				if !last {
					next = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
				}
				d.origin[key], d.origin[next] = o.Source, o.Source
				cur.Content = append(cur.Content, key, next)
				cur = next
				continue
			}
			if last {
				d.origin[value] = o.Source
				cur.Content[idx] = value
				continue
			}
			next := yamlnode.Deref(cur.Content[idx])
			if yamlnode.IsNull(next) {
				next = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
				d.origin[next] = o.Source
				cur.Content[idx] = next
			}
			cur = next
		case yaml.SequenceNode:
			n, err := strconv.Atoi(seg)
			if err != nil || n < 0 || n >= len(cur.Content) {
				return clierr.Usagef("%s: %s is a list of %d item(s) (%s); index it with a number from 0 to %d",
					o.Source, strings.Join(segs[:i], "."), len(cur.Content), d.at(cur), len(cur.Content)-1)
			}
			if last {
				d.origin[value] = o.Source
				cur.Content[n] = value
				continue
			}
			cur = yamlnode.Deref(cur.Content[n])
		default:
			return clierr.Usagef("%s: %s is %s (%s), not a mapping; set %s=VALUE instead, or change the file",
				o.Source, strings.Join(segs[:i], "."), kindName(cur), d.at(cur), strings.Join(segs[:i], "."))
		}
	}
	return nil
}
