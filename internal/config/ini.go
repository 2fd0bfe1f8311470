package config

import (
	"bytes"

	"gopkg.in/ini.v1"
)

// iniCodec teaches viper az's config format (Python configparser INI):
// sections become the first level of keys, so [defaults] group=x is
// "defaults.group". Viper dropped INI support in v1.20.
type iniCodec struct{}

func (iniCodec) Decode(b []byte, v map[string]any) error {
	f, err := ini.LoadSources(ini.LoadOptions{AllowPythonMultilineValues: true, SpaceBeforeInlineComment: true}, b)
	if err != nil {
		return err
	}
	for _, sec := range f.Sections() {
		if sec.Name() == ini.DefaultSection && len(sec.Keys()) == 0 {
			continue
		}
		m := map[string]any{}
		for _, k := range sec.Keys() {
			m[k.Name()] = k.Value()
		}
		v[sec.Name()] = m
	}
	return nil
}

func (iniCodec) Encode(v map[string]any) ([]byte, error) {
	f := ini.Empty()
	for name, val := range v {
		m, ok := val.(map[string]any)
		if !ok {
			continue
		}
		sec := f.Section(name)
		for k, x := range m {
			if s, ok := x.(string); ok {
				sec.Key(k).SetValue(s)
			}
		}
	}
	var buf bytes.Buffer
	_, err := f.WriteTo(&buf)
	return buf.Bytes(), err
}
