package invocation

import (
	"reflect"
	"testing"
)

func TestParseSet(t *testing.T) {
	tests := []struct {
		name string
		occ  [][]string
		want SetOverrides
	}{
		{
			name: "empty",
			want: SetOverrides{},
		},
		{
			name: "scalar input is a string literal",
			occ:  [][]string{{"inputs.score_mode=append"}},
			want: SetOverrides{Inputs: map[string]InputOverride{"score_mode": {Literal: ptr("append")}}},
		},
		{
			name: "split on the first = only",
			occ:  [][]string{{"inputs.q=a=b=c"}},
			want: SetOverrides{Inputs: map[string]InputOverride{"q": {Literal: ptr("a=b=c")}}},
		},
		{
			name: "empty value is an empty literal",
			occ:  [][]string{{"inputs.q="}},
			want: SetOverrides{Inputs: map[string]InputOverride{"q": {Literal: ptr("")}}},
		},
		{
			name: "dict fields merge across occurrences",
			occ: [][]string{
				{"inputs.heart.type=uri_folder", "inputs.heart.path=./data"},
				{"inputs.heart.mode=download"},
			},
			want: SetOverrides{Inputs: map[string]InputOverride{"heart": {
				Type: ptr("uri_folder"), Path: ptr("./data"), Mode: ptr("download")}}},
		},
		{
			name: "later key wins, within and across occurrences",
			occ: [][]string{
				{"inputs.h.path=./a", "inputs.h.path=./b"},
				{"inputs.h.path=./c", "mini_batch_size=3"},
				{"mini_batch_size=4"},
			},
			want: SetOverrides{
				Inputs:   map[string]InputOverride{"h": {Path: ptr("./c")}},
				Settings: Settings{MiniBatchSize: ptr(int64(4))},
			},
		},
		{
			name: "value is an alias of default; min and max",
			occ:  [][]string{{"inputs.n.type=integer", "inputs.n.value=5", "inputs.n.min=1", "inputs.n.max=9"}},
			want: SetOverrides{Inputs: map[string]InputOverride{"n": {
				Type: ptr("integer"), Value: ptr("5"), Min: ptr("1"), Max: ptr("9")}}},
		},
		{
			name: "outputs",
			occ:  [][]string{{"outputs.score.type=uri_file", "outputs.score.path=azureml://datastores/ds/paths/o.csv", "outputs.score.mode=upload"}},
			want: SetOverrides{Outputs: map[string]OutputOverride{"score": {
				Type: ptr("uri_file"), Path: ptr("azureml://datastores/ds/paths/o.csv"), Mode: ptr("upload")}}},
		},
		{
			name: "every settings key, az would drop them all",
			occ: [][]string{{
				"mini_batch_size=10", "instance_count=2", "output_file_name=out.csv", "error_threshold=-1",
				"retry_settings.max_retries=0", "retry_settings.timeout=60", "logging_level=warning",
			}},
			want: SetOverrides{Settings: Settings{
				MiniBatchSize: ptr(int64(10)), InstanceCount: ptr(int64(2)), OutputFileName: ptr("out.csv"),
				ErrorThreshold: ptr(int64(-1)), MaxRetries: ptr(int64(0)), TimeoutSeconds: ptr(int64(60)),
				LoggingLevel: ptr("Warning"),
			}},
		},
		{
			name: "compute.instance_count is an alias of instance_count",
			occ:  [][]string{{"instance_count=2"}, {"compute.instance_count=5"}},
			want: SetOverrides{Settings: Settings{InstanceCount: ptr(int64(5))}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSet(tt.occ)
			if err != nil {
				t.Fatalf("ParseSet: %v", err)
			}
			want := tt.want
			if want.Inputs == nil {
				want.Inputs = map[string]InputOverride{}
			}
			if want.Outputs == nil {
				want.Outputs = map[string]OutputOverride{}
			}
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("ParseSet(%q)\n got %+v\nwant %+v", tt.occ, *got, want)
			}
			again, err := ParseSet([][]string{got.Tokens()})
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Errorf("ParseSet(Tokens()) = %+v, %v; want %+v", again, err, got)
			}
		})
	}
}

func TestParseSetErrors(t *testing.T) {
	tests := []struct {
		name string
		occ  [][]string
		want []string
	}{
		{"token without =", [][]string{{"inputs.x"}},
			[]string{`--set: "inputs.x" is not KEY=VALUE`, "usage: --set KEY=VALUE [KEY=VALUE ...]", "not a space"}},
		{"docs' space-separated style", [][]string{{"inputs.heart.type", "uri_folder"}},
			[]string{`"inputs.heart.type" is not KEY=VALUE`, "join key and value with '='"}},
		{"bare word", [][]string{{"hello"}},
			[]string{`--set: "hello" is not KEY=VALUE; usage: --set KEY=VALUE [KEY=VALUE ...]`}},
		{"empty key", [][]string{{"=v"}}, []string{"empty key"}},
		{"inputs as a scalar", [][]string{{"inputs=x"}},
			[]string{"Unsupported 'inputs' type, it should be a dictionary. Example: inputs.keyName=value"}},
		{"outputs as a scalar", [][]string{{"outputs=x"}}, []string{"Unsupported 'outputs' type"}},
		{"output without field", [][]string{{"outputs.score=x"}}, []string{`"outputs.score" is not a valid output key`, "outputs.score.type=uri_file"}},
		{"unknown top-level key", [][]string{{"foo.bar=1"}},
			[]string{`unknown key "foo.bar"`, "valid keys: inputs.<name>", "mini_batch_size", "compute.instance_count", "logging_level"}},
		{"unknown input field", [][]string{{"inputs.x.kind=uri_folder"}},
			[]string{`unknown key "inputs.x.kind"`, "inputs.x.{type,path,mode,default,value,min,max}"}},
		{"too deep input key", [][]string{{"inputs.x.type.y=1"}}, []string{`unknown key "inputs.x.type.y"`}},
		{"unknown output field", [][]string{{"outputs.o.default=1"}}, []string{`unknown key "outputs.o.default"`, "outputs.o.{type,path,mode}"}},
		{"bad input name", [][]string{{"inputs.my-data.type=uri_folder"}}, []string{`inputs name "my-data" is not valid`}},
		{"empty input name", [][]string{{"inputs..type=uri_folder"}}, []string{"empty name in inputs"}},
		{"literal then dict", [][]string{{"inputs.x=v"}, {"inputs.x.type=string"}},
			[]string{"inputs.x is given both as a value", "inputs.x=VALUE"}},
		{"dict then literal", [][]string{{"inputs.x.path=./d", "inputs.x=v"}}, []string{"inputs.x is given both as a value"}},
		{"non-integer setting", [][]string{{"mini_batch_size=ten"}},
			[]string{"--set mini_batch_size: must be a positive integer", `"ten"`}},
		{"zero mini batch", [][]string{{"mini_batch_size=0"}}, []string{"--set mini_batch_size: must be a positive integer", "got 0"}},
		{"zero instances", [][]string{{"compute.instance_count=0"}}, []string{"--set compute.instance_count: must be a positive integer"}},
		{"error threshold below -1", [][]string{{"error_threshold=-2"}}, []string{"--set error_threshold: must be an integer >= -1"}},
		{"negative retries", [][]string{{"retry_settings.max_retries=-1"}}, []string{"--set retry_settings.max_retries: must be an integer >= 0"}},
		{"zero timeout", [][]string{{"retry_settings.timeout=0"}}, []string{"--set retry_settings.timeout: must be a positive integer number of seconds"}},
		{"fractional timeout", [][]string{{"retry_settings.timeout=1.5"}}, []string{"retry_settings.timeout"}},
		{"bad logging level", [][]string{{"logging_level=verbose"}}, []string{"--set logging_level: must be one of Info, Warning, Debug", `"verbose"`}},
		{"output file name with a folder", [][]string{{"output_file_name=out/p.csv"}}, []string{"--set output_file_name: must be a plain file name"}},
		{"empty output file name", [][]string{{"output_file_name="}}, []string{"--set output_file_name: must not be empty"}},
		{"dot output file name", [][]string{{"output_file_name=.."}}, []string{"must be a file name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSet(tt.occ)
			requireUsage(t, err, tt.want...)
		})
	}
}

func TestParseSetErrorRedactsSecrets(t *testing.T) {
	for _, tok := range []string{
		"bogus=https://acct.blob.core.windows.net/c/p?sv=2022&sig=TOPSECRET",
		"logging_level=https://u:hunter2@h/?sig=TOPSECRET",
		"mini_batch_size=https://acct.blob.core.windows.net/c?sig=TOPSECRET",
	} {
		_, err := ParseSet([][]string{{tok}})
		requireUsage(t, err)
		for _, secret := range []string{"TOPSECRET", "hunter2"} {
			if stringsContain(err.Error(), secret) {
				t.Errorf("ParseSet(%q) error leaks %q: %v", tok, secret, err)
			}
		}
	}
}
