package invocation

import (
	"sort"
	"strings"

	"github.com/mlbatch/ml/pkg/mlapi"
)

// dataTypeWire maps the YAML/CLI spelling of data input and output types to
// the data plane's JobInputType/JobOutputType.
var dataTypeWire = map[string]string{
	TypeURIFolder:   mlapi.InputUriFolder,
	TypeURIFile:     mlapi.InputUriFile,
	TypeMLTable:     mlapi.InputMLTable,
	TypeCustomModel: mlapi.InputCustomModel,
	TypeMLFlowModel: mlapi.InputMLFlowModel,
	TypeTritonModel: mlapi.InputTritonModel,
}

// inputModeWire maps input delivery modes to the data plane's
// InputDeliveryMode. The SDK forwards the YAML spelling untranslated for
// mltable and model inputs; the data-plane enum is PascalCase, so we
// translate (the service matches enum values case-insensitively at best,
// never across spellings).
var inputModeWire = map[string]string{
	"ro_mount":      "ReadOnlyMount",
	"rw_mount":      "ReadWriteMount",
	"download":      "Download",
	"direct":        "Direct",
	"eval_mount":    "EvalMount",
	"eval_download": "EvalDownload",
}

// outputModeWire maps output delivery modes to OutputDeliveryMode.
var outputModeWire = map[string]string{
	"rw_mount": "ReadWriteMount",
	"upload":   "Upload",
	"direct":   "Direct",
}

// literalTypes lists the literal input types users may write.
var literalTypes = []string{TypeString, TypeInteger, TypeNumber, TypeBoolean}

// inputTypeNames lists every input type a user may write, for error messages.
var inputTypeNames = []string{
	TypeURIFolder, TypeURIFile, TypeCustomModel, TypeMLFlowModel, TypeTritonModel,
	TypeString, TypeInteger, TypeNumber, TypeBoolean,
}

// outputTypeNames lists every output type a user may write.
var outputTypeNames = []string{
	TypeURIFile, TypeURIFolder, TypeMLTable, TypeCustomModel, TypeMLFlowModel, TypeTritonModel,
}

// isURIType reports whether t is uri_file or uri_folder, whose mode the SDK
// drops from the body.
func isURIType(t string) bool { return t == TypeURIFile || t == TypeURIFolder }

// fromWire finds the snake_case key of table whose value (or key) equals v,
// ignoring case: bodies and users spell enums either way.
func fromWire(table map[string]string, v string) (string, bool) {
	for snake, wire := range table {
		if strings.EqualFold(v, wire) || strings.EqualFold(v, snake) {
			return snake, true
		}
	}
	return "", false
}

// keysOf returns the sorted keys of a string map, for error messages.
func keysOf(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
