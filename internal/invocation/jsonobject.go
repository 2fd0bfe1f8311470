package invocation

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// object is a decoded JSON object whose values are decoded on demand.
type object map[string]json.RawMessage

// decodeObject decodes raw as an object; JSON null (or nothing) yields nil.
func decodeObject(raw json.RawMessage, where string) (object, error) {
	if isJSONNull(raw) {
		return nil, nil
	}
	var o object
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, bodyErrorf("%s must be a JSON object", where)
	}
	return o, nil
}

func isJSONNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// get returns the value of key, matched case-insensitively (the service
// accepts InputData as well as inputData). Two keys differing only in case
// are ambiguous and refused. where is the object's path for errors ("" for
// the top level).
func (o object) get(key, where string) (json.RawMessage, error) {
	var found json.RawMessage
	var foundKey string
	for k, v := range o {
		if !strings.EqualFold(k, key) {
			continue
		}
		if foundKey != "" {
			return nil, bodyErrorf("%s has both %s and %s; send one", fieldPath(where, key), quote(foundKey), quote(k))
		}
		found, foundKey = v, k
	}
	return found, nil
}

// fieldPath names a field for errors: "properties.inputData".
func fieldPath(where, key string) string {
	if where == "" {
		return key
	}
	return where + "." + key
}

// str reads an optional string field.
func (o object) str(key, where string) (string, error) {
	raw, err := o.get(key, where)
	if err != nil || isJSONNull(raw) {
		return "", err
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", bodyErrorf("%s must be a string", fieldPath(where, key))
	}
	return s, nil
}

// integer reads an optional integer field; a whole JSON number or a string
// holding an integer is accepted.
func (o object) integer(key, where string) (*int64, error) {
	raw, err := o.get(key, where)
	if err != nil || isJSONNull(raw) {
		return nil, err
	}
	text := string(bytes.TrimSpace(raw))
	var s string
	if json.Unmarshal(raw, &s) == nil {
		text = strings.TrimSpace(s)
	}
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return &i, nil
	}
	if f, err := strconv.ParseFloat(text, 64); err == nil {
		if i, ok := wholeFloat(f); ok {
			return &i, nil
		}
	}
	return nil, bodyErrorf("%s must be an integer", fieldPath(where, key))
}

// sub reads an optional nested object.
func (o object) sub(key, where string) (object, error) {
	raw, err := o.get(key, where)
	if err != nil {
		return nil, err
	}
	return decodeObject(raw, fieldPath(where, key))
}
