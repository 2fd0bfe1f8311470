package invocation

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
)

func isUsage(err error) bool {
	var u *clierr.UsageError
	return errors.As(err, &u)
}

// FuzzParseSet feeds --set occurrences: occurrences are separated by "\n",
// tokens within one by "\t". ParseSet must never panic, must fail only with
// usage errors, and what it accepts must survive Tokens() unchanged.
func FuzzParseSet(f *testing.F) {
	for _, seed := range []string{
		"inputs.score_mode=append",
		"inputs.heart.type=uri_folder\tinputs.heart.path=./data\ninputs.heart.mode=download",
		"inputs.n.type=integer\tinputs.n.value=5\tinputs.n.min=1\tinputs.n.max=9",
		"outputs.score.type=uri_file\toutputs.score.path=azureml://datastores/d/paths/o.csv",
		"mini_batch_size=10\tinstance_count=2\ncompute.instance_count=3\terror_threshold=-1",
		"retry_settings.max_retries=0\tretry_settings.timeout=60\tlogging_level=warning\toutput_file_name=o.csv",
		"inputs=x", "inputs.x=v\ninputs.x.type=string", "inputs.x.type", "=v", "inputs..type=a", "a=b=c",
		"inputs.q=a=b", "outputs.o=1", "inputs.x.type.y=1", "inputs.é=1",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var occ [][]string
		for _, line := range strings.Split(in, "\n") {
			occ = append(occ, strings.Split(line, "\t"))
		}
		s, err := ParseSet(occ)
		if err != nil {
			if !isUsage(err) {
				t.Fatalf("ParseSet error %v is not a usage error", err)
			}
			return
		}
		again, err := ParseSet([][]string{s.Tokens()})
		if err != nil {
			t.Fatalf("ParseSet(Tokens()=%q): %v", s.Tokens(), err)
		}
		if !reflect.DeepEqual(again, s) {
			t.Fatalf("round trip differs\n got %+v\nwant %+v", again, s)
		}
	})
}

// FuzzClassify must never panic, must fail only with usage errors that do
// not echo a SAS signature, and must classify URI() of what it accepts the
// same way (an ARM datastore path becomes the long datastore URI).
func FuzzClassify(f *testing.F) {
	for _, seed := range []string{
		"./data", "http_data", "data/file.csv", "/abs/x", `C:\x`, ".", "",
		"azureml:heart:1", "azureml:heart@latest", "azureml:/heart@latest", "azureml:heart", "azureml:a:1@latest",
		shortURI, longURI, armWS + "/datastores/d/paths/p/q", "azureml:" + armWS + "/data/n/versions/1",
		armWS + "/data/n/versions/1", armWS + "/datasets/x", armWS + "/data/n",
		"azureml://locations/l/workspaces/w/data/n/versions/labels/latest", "azureml://registries/r/data/n/versions/1",
		"https://acct.blob.core.windows.net/c/p?sv=1&sig=SECRETSECRET", "wasbs://c@a.blob.core.windows.net/p",
		"abfss://f@a.dfs.core.windows.net/p", "adl://a.azuredatalakestore.net/p", "s3://b/k?sig=SECRETSECRET",
		"wasb://x", "https://", "x?sig=SECRETSECRET",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, path string) {
		r, err := Classify(path)
		if err != nil {
			if !isUsage(err) {
				t.Fatalf("Classify error %v is not a usage error", err)
			}
			if r.Kind != InvalidRef {
				t.Fatalf("Kind %v with error", r.Kind)
			}
			if u, perr := url.Parse(path); perr == nil {
				if sig := u.Query().Get("sig"); len(sig) >= 6 && strings.Contains(err.Error(), "sig="+sig) {
					t.Fatalf("error leaks the signature: %v", err)
				}
			}
			return
		}
		if r.Kind <= InvalidRef || r.Kind > ADL || r.Raw != path || r.Kind.String() == "" {
			t.Fatalf("bad Ref %+v for %q", r, path)
		}
		again, err := Classify(r.URI())
		if err != nil {
			t.Fatalf("Classify(URI()=%q): %v", r.URI(), err)
		}
		want := r
		if r.Kind == ARMDatastorePath {
			want.Kind = DatastorePathLong
		}
		want.Raw, again.Raw = "", ""
		if again != want {
			t.Fatalf("Classify(URI()) = %+v, want %+v", again, want)
		}
	})
}

// FuzzDecodeFile must never panic, must fail only with usage errors located
// in the file, and what it accepts must be canonical and survive Encode.
func FuzzDecodeFile(f *testing.F) {
	files, _ := filepath.Glob("testdata/files/*.yml")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	for _, seed := range []string{
		"inputs:\n  a: 1\n  b: true\n  c: x\n  d: 0.5\n  e: yes\n",
		"inputs:\n  n: {type: number, default: 5, min: 0, max: 9}\n",
		"inputs:\n  a: &d {type: uri_folder, path: ./x}\n  b: *d\n",
		"outputs:\n  o: {type: uri_file, path: azureml://datastores/d/paths/p, mode: upload}\n",
		"settings:\n  compute: {instance_count: 2}\n  retry_settings: {max_retries: 1, timeout: 5}\n",
		"inputs:\n  a: [1\n", "- 1\n", "a: 1\n---\nb: 2\n", "inputs:\n  a:\n    <<: {type: string}\n",
		"inputs:\n  'null': {type: string, default: ''}\n", "inputs:\n  n: 99999999999999999999\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := DecodeFile("f.yml", data)
		if err != nil {
			if !isUsage(err) || !strings.HasPrefix(err.Error(), "f.yml") {
				t.Fatalf("DecodeFile error %q is not a located usage error", err)
			}
			return
		}
		names := func(n int, name func(int) string) {
			got := make([]string, n)
			for i := range got {
				got[i] = name(i)
				if !ioNameRE.MatchString(got[i]) {
					t.Fatalf("invalid name %q accepted", got[i])
				}
			}
			if !sort.StringsAreSorted(got) {
				t.Fatalf("names not sorted: %q", got)
			}
		}
		names(len(spec.Inputs), func(i int) string { return spec.Inputs[i].Name })
		names(len(spec.Outputs), func(i int) string { return spec.Outputs[i].Name })
		for _, in := range spec.Inputs {
			if in.IsLiteral() {
				if v, err := canonicalLiteral(in.Type, stringScalar(in.Value)); err != nil || v != in.Value {
					t.Fatalf("input %+v is not canonical (%q, %v)", in, v, err)
				}
			}
		}
		out, err := spec.Encode()
		if err != nil {
			t.Fatalf("Encode: %v", err)
		}
		again, err := DecodeFile("f.yml", out)
		if err != nil {
			t.Fatalf("decoding Encode() output: %v\n%s", err, out)
		}
		spec.lines, again.lines = nil, nil
		if !reflect.DeepEqual(spec, again) {
			t.Fatalf("Encode round trip differs\nbefore %+v\n after %+v\n%s", spec, again, out)
		}
	})
}
