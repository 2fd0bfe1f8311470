package invocation

import (
	"reflect"
	"strings"
	"testing"
)

func TestCompatSpacedSet(t *testing.T) {
	tests := []struct {
		name   string
		occ    [][]string
		want   [][]string
		noted  bool
		errors string // ParseSet's error for what is left, "" when it parses
	}{
		{name: "the seed document's data input",
			occ:  [][]string{{"inputs.heart_dataset.type", "uri_folder", "inputs.heart_dataset.path", "azureml:heart@latest"}},
			want: [][]string{{"inputs.heart_dataset.type=uri_folder", "inputs.heart_dataset.path=azureml:heart@latest"}}, noted: true},
		{name: "the seed document's literal input",
			occ:  [][]string{{"inputs.score_mode.type", "string", "inputs.score_mode.default", "append"}},
			want: [][]string{{"inputs.score_mode.type=string", "inputs.score_mode.default=append"}}, noted: true},
		{name: "settings and outputs keys, each occurrence on its own",
			occ:  [][]string{{"mini_batch_size", "5"}, {"outputs.score.path=azureml://datastores/d/paths/p"}, {"outputs.score.type", "uri_file"}},
			want: [][]string{{"mini_batch_size=5"}, {"outputs.score.path=azureml://datastores/d/paths/p"}, {"outputs.score.type=uri_file"}}, noted: true},
		{name: "KEY=VALUE is untouched",
			occ:  [][]string{{"inputs.a.type=uri_folder", "inputs.a.path=./d"}},
			want: [][]string{{"inputs.a.type=uri_folder", "inputs.a.path=./d"}}},
		{name: "a token with = anywhere in the occurrence: today's error",
			occ:    [][]string{{"inputs.a.type", "uri_folder", "inputs.a.path=./d"}},
			want:   [][]string{{"inputs.a.type", "uri_folder", "inputs.a.path=./d"}},
			errors: `"inputs.a.type" is not KEY=VALUE`},
		{name: "a value holding = (a SAS URL): today's error",
			occ:    [][]string{{"inputs.a.path", "https://h/c?sig=x"}},
			want:   [][]string{{"inputs.a.path", "https://h/c?sig=x"}},
			errors: "is not KEY=VALUE"},
		{name: "odd count: today's error",
			occ:    [][]string{{"inputs.a.type", "uri_folder", "inputs.a.path"}},
			want:   [][]string{{"inputs.a.type", "uri_folder", "inputs.a.path"}},
			errors: "is not KEY=VALUE"},
		{name: "unknown key shape: today's error",
			occ:    [][]string{{"inputs.a.kind", "uri_folder"}},
			want:   [][]string{{"inputs.a.kind", "uri_folder"}},
			errors: "is not KEY=VALUE"},
		{name: "a word in a key position: today's error",
			occ:    [][]string{{"hello", "world"}},
			want:   [][]string{{"hello", "world"}},
			errors: `"hello" is not KEY=VALUE`},
		{name: "invalid input name: today's error",
			occ:    [][]string{{"inputs.my-data.type", "uri_folder"}},
			want:   [][]string{{"inputs.my-data.type", "uri_folder"}},
			errors: "is not KEY=VALUE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Flags{Endpoint: "ep", Set: tt.occ}
			notes, err := f.Compat(LegacyFlags{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.Set, tt.want) {
				t.Errorf("Set = %q, want %q", f.Set, tt.want)
			}
			if tt.noted != (len(notes) > 0) {
				t.Errorf("notes = %q, want a note: %v", notes, tt.noted)
			}
			for _, n := range notes {
				if !strings.Contains(n, "az requires KEY=VALUE") || strings.Contains(n, "\n") {
					t.Errorf("note %q is not one line saying az requires KEY=VALUE", n)
				}
			}
			_, err = ParseSet(f.Set)
			if tt.errors == "" && err != nil {
				t.Errorf("ParseSet: %v", err)
			}
			if tt.errors != "" {
				requireUsage(t, err, tt.errors)
			}
		})
	}
}

func TestCompatNoteShowsKeysNotValues(t *testing.T) {
	f := Flags{Set: [][]string{{"inputs.a.type", "uri_folder", "inputs.a.path", "https://acct/c/TOPSECRET"}}}
	notes, err := f.Compat(LegacyFlags{})
	if err != nil || len(notes) != 1 {
		t.Fatalf("notes %q, err %v", notes, err)
	}
	if strings.Contains(notes[0], "TOPSECRET") || !strings.Contains(notes[0], "inputs.a.type=... inputs.a.path=...") {
		t.Errorf("note %q must name the keys and hide the values", notes[0])
	}
}

func TestCompatLegacyFlags(t *testing.T) {
	tests := []struct {
		name   string
		flags  Flags
		legacy LegacyFlags
		want   Flags
		note   string
		err    string
	}{
		{name: "--input-path folder:", legacy: LegacyFlags{InputPath: "folder:https://a/b"},
			want: Flags{Input: "https://a/b", InputType: TypeURIFolder},
			note: "--input-path is deprecated; use --input https://a/b --input-type uri_folder"},
		{name: "--input-path file:", legacy: LegacyFlags{InputPath: "file:https://a/b.csv"},
			want: Flags{Input: "https://a/b.csv", InputType: TypeURIFile},
			note: "--input-path is deprecated; use --input https://a/b.csv --input-type uri_file"},
		{name: "--input-local-path", legacy: LegacyFlags{InputLocalPath: "./data"},
			want: Flags{Input: "./data"}, note: "--input-local-path is deprecated; use --input ./data"},
		{name: "--input-data", legacy: LegacyFlags{InputData: "azureml:d:1"},
			want: Flags{Input: "azureml:d:1"}, note: "--input-data is deprecated; use --input azureml:d:1"},
		{name: "--input-dataset azureml:<name>:<version>", legacy: LegacyFlags{InputDataset: "azureml:heart:3"},
			want: Flags{Input: "azureml:heart:3"}, note: "--input-dataset is deprecated; use --input azureml:heart:3"},
		{name: "--input-dataset <name>:<version>", legacy: LegacyFlags{InputDataset: "heart:3"},
			want: Flags{Input: "azureml:heart:3"}, note: "use --input azureml:heart:3"},
		{name: "--output-path folder:", flags: Flags{OutputPath: "folder:azureml://datastores/ws/paths/out"},
			want: Flags{OutputPath: "azureml://datastores/ws/paths/out"},
			note: "--output-path folder:<uri> is the preview CLI's form; use --output-path azureml://datastores/ws/paths/out"},
		{name: "a SAS signature is redacted in the note", legacy: LegacyFlags{InputPath: "folder:https://a/b?sv=1&sig=TOPSECRET"},
			want: Flags{Input: "https://a/b?sv=1&sig=TOPSECRET", InputType: TypeURIFolder}, note: "sig=REDACTED"},
		{name: "with --input", flags: Flags{Input: "x"}, legacy: LegacyFlags{InputDataset: "azureml:d:1"}, err: "keep only --input"},
		{name: "two legacy flags", legacy: LegacyFlags{InputData: "a", InputLocalPath: "b"}, err: "keep only --input"},
		{name: "type contradicts --input-type", flags: Flags{InputType: TypeURIFolder}, legacy: LegacyFlags{InputPath: "file:x"}, err: "keep one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.flags
			notes, err := f.Compat(tt.legacy)
			if tt.err != "" {
				requireUsage(t, err, tt.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f, tt.want) {
				t.Errorf("flags = %+v, want %+v", f, tt.want)
			}
			if len(notes) != 1 || !strings.Contains(notes[0], tt.note) {
				t.Errorf("notes = %q, want one containing %q", notes, tt.note)
			}
			if strings.Contains(strings.Join(notes, ""), "TOPSECRET") {
				t.Errorf("a note leaks the signature: %q", notes)
			}
		})
	}
}
