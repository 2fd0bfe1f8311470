package azml

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlbatch/ml/internal/clierr"
	"github.com/mlbatch/ml/internal/spec"
)

// A pipeline with an inline child (its own code), a file child (code and an
// inline environment) and a registered child.
const treePipeline = `$schema: https://azuremlschemas.azureedge.net/latest/pipelineComponent.schema.json
name: two_steps
type: pipeline
inputs:
  data:
    type: uri_folder
outputs:
  result:
    type: uri_folder
jobs:
  prep:
    type: command
    component: prep/prep.yml
    inputs:
      data: ${{parent.inputs.data}}
  hello:
    type: command
    component:
      code: hello
      environment: azureml://registries/azureml/environments/sklearn-1.5/labels/latest
      command: python hello.py
  score:
    type: command
    component: azureml:scorer:1
    inputs:
      data: ${{parent.jobs.prep.outputs.prepared}}
    outputs:
      scores: ${{parent.outputs.result}}
`

const treePrep = `name: prep
type: command
inputs:
  data:
    type: uri_folder
outputs:
  prepared:
    type: uri_folder
code: src
environment:
  image: python:3.11
  conda_file: conda.yml
command: python prep.py ${{inputs.data}} ${{outputs.prepared}}
`

// registeredScorer is the componentSpec of azureml:scorer:1 as the fake
// workspace holds it (stringified literals, as the service stores them).
func registeredScorer() map[string]any {
	return map[string]any{"properties": map[string]any{"isAnonymous": false, "componentSpec": map[string]any{
		"name": "scorer", "version": "1", "type": "command", "command": "python score.py", "is_deterministic": "True",
		"environment": "azureml:" + fakeWS + "/environments/e/versions/1",
		"inputs":      map[string]any{"data": map[string]any{"type": "uri_folder", "optional": "False"}},
		"outputs":     map[string]any{"scores": map[string]any{"type": "uri_folder"}},
	}}, "_seq": 0}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func treeFiles(pipeline string) map[string]string {
	return map[string]string{"pipeline.yml": pipeline, "prep/prep.yml": treePrep, "prep/src/prep.py": "print(1)\n",
		"prep/conda.yml": "dependencies:\n  - python=3.11\n", "hello/hello.py": "print('hello')\n"}
}

// TestCreatePipelineComponentRegistersTheTree: the children are registered
// as az registers them (code uploaded as anonymous code, the inline
// environment as an anonymous environment, inline and file children as
// azureml_anonymous versioned by their hash), the registered child is read
// and pinned to its id, every read comes before the first write, and the
// pipeline is registered under its name with its steps in REST form. A
// second run registers nothing new.
func TestCreatePipelineComponentRegistersTheTree(t *testing.T) {
	w := newAssetWorld(t, false)
	ctx := context.Background()
	w.arm.resources["/components/scorer/versions/1"] = registeredScorer()
	writeFiles(t, w.dir, treeFiles(treePipeline))
	c, err := spec.LoadComponent(context.Background(), filepath.Join(w.dir, "pipeline.yml"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cv, err := w.c.Assets(UploadOptions{}).CreateComponent(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if *cv.ID != fakeWS+"/components/two_steps/versions/1" {
		t.Fatalf("id = %s", *cv.ID)
	}

	// Reads first: no PUT before the registered child was fetched.
	firstPut, lastGet := -1, -1
	for i, r := range w.arm.requests {
		switch {
		case r.Method == http.MethodPut && firstPut < 0:
			firstPut = i
		case r.Method == http.MethodGet && strings.HasPrefix(r.Path, "/components/scorer"):
			lastGet = i
		}
	}
	if firstPut < 0 || lastGet < 0 || lastGet > firstPut {
		t.Errorf("the registered child was read at request %d, after the first PUT at %d", lastGet, firstPut)
	}

	codes := w.arm.seen(http.MethodPut, "/codes/")
	envs := w.arm.seen(http.MethodPut, "/environments/"+spec.AnonymousEnvironmentName+"/versions/")
	anon := w.arm.seen(http.MethodPut, "/components/"+spec.AnonymousComponentName+"/versions/")
	named := w.arm.seen(http.MethodPut, "/components/two_steps/versions/1")
	if len(codes) != 2 || len(envs) != 1 || len(anon) != 2 || len(named) != 1 {
		t.Fatalf("PUTs: %d codes, %d environments, %d anonymous components, %d named", len(codes), len(envs), len(anon), len(named))
	}
	children := map[string]map[string]any{}
	for _, p := range anon {
		props := p.Body["properties"].(map[string]any)
		specBody := props["componentSpec"].(map[string]any)
		if props["isAnonymous"] != true {
			t.Errorf("child %s is not anonymous", p.Path)
		}
		version := p.Path[strings.LastIndex(p.Path, "/")+1:]
		if want := spec.AnonymousVersion(specBody); version != want {
			t.Errorf("child version %s, want the hash of its spec %s", version, want)
		}
		code, _ := specBody["code"].(string)
		if !strings.HasPrefix(code, "azureml:"+fakeWS+"/codes/") {
			t.Errorf("child code = %q", code)
		}
		children[fakeWS+p.Path] = specBody
	}
	jobs := named[0].Body["properties"].(map[string]any)["componentSpec"].(map[string]any)["jobs"].(map[string]any)
	for _, step := range []string{"prep", "hello"} {
		id := jobs[step].(map[string]any)["componentId"].(string)
		if _, ok := children[id]; !ok {
			t.Errorf("step %s runs %s, not one of the registered children", step, id)
		}
	}
	prepSpec := children[jobs["prep"].(map[string]any)["componentId"].(string)]
	if prepSpec["name"] != "prep" || !strings.HasPrefix(prepSpec["environment"].(string), "azureml:"+fakeWS+"/environments/"+spec.AnonymousEnvironmentName+"/versions/") || prepSpec["_source"] != spec.SourceYAMLComponent {
		t.Errorf("prep spec = %v", prepSpec)
	}
	helloSpec := children[jobs["hello"].(map[string]any)["componentId"].(string)]
	if helloSpec["name"] != spec.AnonymousComponentName || helloSpec["_source"] != spec.SourceYAMLJob {
		t.Errorf("hello spec = %v", helloSpec)
	}
	if id := jobs["score"].(map[string]any)["componentId"]; id != fakeWS+"/components/scorer/versions/1" {
		t.Errorf("score runs %v", id)
	}

	view := ComponentView(cv)
	if view["name"] != "two_steps" || view["version"] != "1" || view["jobs"].(map[string]any)["score"].(map[string]any)["component"] != "azureml:scorer:1" {
		t.Errorf("view = %v", view)
	}
	if in := view["jobs"].(map[string]any)["score"].(map[string]any)["inputs"].(map[string]any)["data"]; in != "${{parent.jobs.prep.outputs.prepared}}" {
		t.Errorf("view input = %v", in)
	}

	// Again: the same tree registers nothing new.
	puts := len(w.arm.seen(http.MethodPut, "/components/"))
	c2, _ := spec.LoadComponent(context.Background(), filepath.Join(w.dir, "pipeline.yml"), nil, nil)
	cv2, err := w.c.Assets(UploadOptions{}).CreateComponent(ctx, c2)
	if err != nil {
		t.Fatal(err)
	}
	if *cv2.ID != *cv.ID || len(w.arm.seen(http.MethodPut, "/components/")) != puts {
		t.Errorf("second run: id %s, %d component PUTs (was %d)", *cv2.ID, len(w.arm.seen(http.MethodPut, "/components/")), puts)
	}
}

// TestCreateComponentHalfDoneNever: a referenced child that does not exist,
// or whose interface the step does not match, fails before any upload or
// PUT.
func TestCreateComponentHalfDoneNever(t *testing.T) {
	for _, tt := range []struct {
		name, pipeline, want string
		notFound             bool
	}{
		{"missing child", strings.Replace(treePipeline, "azureml:scorer:1", "azureml:scorer:9", 1), "pipeline.yml:24", true},
		{"step input the child lacks", strings.Replace(treePipeline, "      data: ${{parent.jobs.prep.outputs.prepared}}", "      data: ${{parent.jobs.prep.outputs.prepared}}\n      extra: 1", 1),
			`jobs.score.inputs.extra: the step's component has no input "extra"`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newAssetWorld(t, false)
			w.arm.resources["/components/scorer/versions/1"] = registeredScorer()
			writeFiles(t, w.dir, treeFiles(tt.pipeline))
			c, err := spec.LoadComponent(context.Background(), filepath.Join(w.dir, "pipeline.yml"), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = w.c.Assets(UploadOptions{}).CreateComponent(context.Background(), c)
			if err == nil || !strings.Contains(err.Error(), tt.want) || tt.notFound != clierr.IsNotFound(err) || !tt.notFound && !clierr.IsUsage(err) {
				t.Fatalf("err = %v, want one with %q", err, tt.want)
			}
			if puts := w.arm.seen(http.MethodPut, "/"); len(puts) != 0 {
				t.Errorf("%d PUTs after a failed check (first %s)", len(puts), puts[0].Path)
			}
			if blobs := w.arm.seen(http.MethodPost, "/datastores/"); len(blobs) != 0 {
				t.Errorf("the datastore was opened for an upload")
			}
		})
	}
}

// TestComponentVersionsAndArchive: without a version the next one is
// used (a changed component gets 2), an explicit existing version with
// other content is refused, and archive PUTs isArchived back.
func TestComponentVersionsAndArchive(t *testing.T) {
	w := newAssetWorld(t, false)
	ctx := context.Background()
	writeFiles(t, w.dir, treeFiles(treePipeline))
	load := func(o ...spec.Override) *spec.Component {
		c, err := spec.LoadComponent(context.Background(), filepath.Join(w.dir, "prep", "prep.yml"), nil, o)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a := w.c.Assets(UploadOptions{})
	if cv, err := a.CreateComponent(ctx, load()); err != nil || nameOfID(cv.ID, "") != "1" {
		t.Fatalf("first: %v", err)
	}
	changed := spec.Flag("--set", "display_name", "Prep v2")
	if cv, err := a.CreateComponent(ctx, load(changed)); err != nil || nameOfID(cv.ID, "") != "2" {
		t.Fatalf("changed: %v", err)
	}
	// The existing version is refused before anything is uploaded or
	// registered, for a changed key and for changed code alike.
	puts := len(w.arm.seen(http.MethodPut, "/"))
	_, err := a.CreateComponent(ctx, load(changed, spec.Flag("--version", "version", "1")))
	if !clierr.IsUsage(err) || !strings.Contains(err.Error(), "component prep version 1 already exists with another definition") {
		t.Errorf("existing version with other content: %v", err)
	}
	writeFiles(t, w.dir, map[string]string{"prep/src/prep.py": "print('changed')\n"})
	_, err = a.CreateComponent(ctx, load(spec.Flag("--version", "version", "1")))
	if !clierr.IsUsage(err) || !strings.Contains(err.Error(), "component prep version 1 already exists with another definition") {
		t.Errorf("existing version with other code: %v", err)
	}
	if n := len(w.arm.seen(http.MethodPut, "/")); n != puts {
		t.Errorf("%d PUTs after refused versions (first %s)", n-puts, w.arm.seen(http.MethodPut, "/")[puts].Path)
	}
	// The service stores a componentSpec in its own form (literals as
	// text, port names added): the same file at the same version is still
	// that version, reused.
	writeFiles(t, w.dir, map[string]string{"prep/src/prep.py": "print(1)\n"})
	stored := w.arm.resources["/components/prep/versions/1"]["properties"].(map[string]any)
	stored["componentSpec"] = serviceForm(stored["componentSpec"])
	if cs := stored["componentSpec"].(map[string]any); cs["is_deterministic"] != "True" {
		t.Fatalf("service form: %v", cs)
	}
	puts = len(w.arm.seen(http.MethodPut, "/components/"))
	if cv, err := a.CreateComponent(ctx, load(spec.Flag("--version", "version", "1"))); err != nil || nameOfID(cv.ID, "") != "1" {
		t.Errorf("unchanged, in the service's form: %v", err)
	}
	if n := len(w.arm.seen(http.MethodPut, "/components/")); n != puts {
		t.Errorf("unchanged version PUT again")
	}
	if err := w.c.ArchiveComponent(ctx, "prep", "1", "", true); err != nil {
		t.Fatal(err)
	}
	put := w.arm.seen(http.MethodPut, "/components/prep/versions/1")
	if last := put[len(put)-1].Body["properties"].(map[string]any); last["isArchived"] != true || last["componentSpec"] == nil {
		t.Errorf("archive PUT = %v", last)
	}
	if _, err := w.c.GetComponentByLabel(ctx, "prep", "stable"); !clierr.IsUsage(err) {
		t.Errorf("label other than latest: %v", err)
	}
}

// serviceForm is a componentSpec as the service returns it: literals as
// text (storedForm), and each port with its name.
func serviceForm(v any) map[string]any {
	s := storedForm(jsonValue(v), "").(map[string]any)
	for _, key := range []string{"inputs", "outputs"} {
		ports, _ := s[key].(map[string]any)
		for name, p := range ports {
			p.(map[string]any)["name"] = name
		}
	}
	return s
}
