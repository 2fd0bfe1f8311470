package localws

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/mlbatch/ml/internal/pipeline"
	"github.com/mlbatch/ml/pkg/mlapi"
)

// prepPy scales every number of every CSV file of --data by --scale into
// --out/values.csv; a line that is not a number fails it.
const prepPy = `import argparse, os
p = argparse.ArgumentParser()
p.add_argument("--data"); p.add_argument("--scale", type=float); p.add_argument("--out")
a = p.parse_args()
rows = []
for name in sorted(os.listdir(a.data)):
    for line in open(os.path.join(a.data, name)):
        if line.strip():
            rows.append(float(line) * a.scale)
open(os.path.join(a.out, "values.csv"), "w").write("".join("%g\n" % v for v in rows))
print("prepared %d rows" % len(rows))
`

// scorePy labels every prepared value into --out/scores.csv.
const scorePy = `import argparse, os
p = argparse.ArgumentParser()
p.add_argument("--prepared"); p.add_argument("--label"); p.add_argument("--out")
a = p.parse_args()
values = open(os.path.join(a.prepared, "values.csv")).read().split()
open(os.path.join(a.out, "scores.csv"), "w").write("".join("%s,%s\n" % (a.label, v) for v in values))
print("scored %d rows" % len(values))
`

// registerComponent stores a component version and returns its ARM id.
func (e *testEnv) registerComponent(name string, spec map[string]any) string {
	e.t.Helper()
	res, err := e.factory().NewComponentVersionsClient().CreateOrUpdate(context.Background(), rg, ws, name, "1", armmachinelearning.ComponentVersion{
		Properties: &armmachinelearning.ComponentVersionProperties{ComponentSpec: spec},
	}, nil)
	if err != nil {
		e.t.Fatalf("create component %s: %v", name, err)
	}
	return *res.ID
}

// registerCode uploads files as a code folder and registers a code version.
func (e *testEnv) registerCode(name string, files map[string]string) string {
	e.t.Helper()
	blobs := map[string]string{}
	for f, content := range files {
		blobs["LocalUpload/"+name+"/src/"+f] = content
	}
	e.upload(blobs)
	res, err := e.factory().NewCodeVersionsClient().CreateOrUpdate(context.Background(), rg, ws, name, "1", armmachinelearning.CodeVersion{
		Properties: &armmachinelearning.CodeVersionProperties{CodeURI: to.Ptr("azureml://datastores/workspaceblobstore/paths/LocalUpload/" + name + "/src")},
	}, nil)
	if err != nil {
		e.t.Fatalf("create code %s: %v", name, err)
	}
	return *res.ID
}

// lit is a REST node input or output bound to an expression or a literal.
func lit(v string) map[string]any { return map[string]any{"job_input_type": "literal", "value": v} }

// twoStepIDs are the components setupTwoStep registered.
type twoStepIDs struct{ prep, score, pipeline string }

// setupTwoStep registers, as az does, a prepare command component feeding
// a score command component in pipeline component two_step: one data
// input, two literals with defaults, two named outputs.
func (e *testEnv) setupTwoStep() twoStepIDs {
	e.t.Helper()
	var ids twoStepIDs
	ids.prep = e.registerComponent("prep", map[string]any{
		"name": "prep", "version": "1", "type": "command", "_source": "YAML.COMPONENT",
		"inputs":      map[string]any{"data": map[string]any{"type": "uri_folder"}, "scale": map[string]any{"type": "number", "default": 2}},
		"outputs":     map[string]any{"prepared": map[string]any{"type": "uri_folder"}},
		"code":        e.registerCode("prep-src", map[string]string{"prep.py": prepPy}),
		"environment": "azureml:AzureML-sklearn-1.0@latest",
		"command":     "python prep.py --data ${{inputs.data}} --scale ${{inputs.scale}} --out ${{outputs.prepared}}",
	})
	ids.score = e.registerComponent("score", map[string]any{
		"name": "score", "version": "1", "type": "command",
		"inputs":      map[string]any{"prepared": map[string]any{"type": "uri_folder"}, "label": map[string]any{"type": "String"}},
		"outputs":     map[string]any{"scores": map[string]any{"type": "uri_folder"}},
		"code":        e.registerCode("score-src", map[string]string{"score.py": scorePy}),
		"environment": "azureml:AzureML-sklearn-1.0@latest",
		"command":     "python score.py --prepared ${{inputs.prepared}} --label ${{inputs.label}} --out ${{outputs.scores}}",
	})
	ids.pipeline = e.registerComponent("two_step", map[string]any{
		"name": "two_step", "version": "1", "type": "pipeline", "_source": "YAML.COMPONENT", "sourceJobId": nil,
		"inputs": map[string]any{
			"input_data": map[string]any{"type": "uri_folder"},
			"scale":      map[string]any{"type": "number", "default": 3},
			"label":      map[string]any{"type": "string", "default": "scored"},
		},
		"outputs": map[string]any{"prepared": map[string]any{"type": "uri_folder"}, "scores": map[string]any{"type": "uri_folder"}},
		"jobs": map[string]any{
			"prep_step": map[string]any{"type": "command", "componentId": ids.prep, "_source": "YAML.COMPONENT",
				"inputs":  map[string]any{"data": lit("${{parent.inputs.input_data}}"), "scale": lit("${{parent.inputs.scale}}")},
				"outputs": map[string]any{"prepared": map[string]any{"type": "literal", "value": "${{parent.outputs.prepared}}"}}},
			"score_step": map[string]any{"type": "command", "componentId": ids.score,
				"inputs":  map[string]any{"prepared": lit("${{parent.jobs.prep_step.outputs.prepared}}"), "label": lit("${{parent.inputs.label}}")},
				"outputs": map[string]any{"scores": map[string]any{"type": "literal", "value": "${{parent.outputs.scores}}"}}},
		},
	})
	return ids
}

// pipelineDeployment creates deployment dep of component on endpoint ep.
func (e *testEnv) pipelineDeployment(dep, component string, settings map[string]*string) {
	e.t.Helper()
	e.createDeployment("ep", dep, armmachinelearning.BatchDeploymentProperties{
		DeploymentConfiguration: &armmachinelearning.BatchPipelineComponentDeploymentConfiguration{
			DeploymentConfigurationType: to.Ptr(armmachinelearning.BatchDeploymentConfigurationTypePipelineComponent),
			ComponentID:                 &armmachinelearning.IDAssetReference{ReferenceType: to.Ptr(armmachinelearning.ReferenceTypeID), AssetID: to.Ptr(component)},
			Settings:                    settings,
		},
	})
}

// blobFile is the local file of a datastore path.
func (e *testEnv) blobFile(p string) string {
	return filepath.Join(e.dir, "blob", e.srv.account, e.container(), filepath.FromSlash(p))
}

func (e *testEnv) readBlob(p string) string {
	e.t.Helper()
	data, err := os.ReadFile(e.blobFile(p))
	if err != nil {
		e.t.Fatalf("read %s: %v", p, err)
	}
	return string(data)
}

// children lists a job's child runs through run history.
func (e *testEnv) children(job string) []runSummary {
	e.t.Helper()
	resp, body := e.do(http.MethodGet, "/history/v1.0"+wsPath()+"/runs/"+job+"/children", nil, nil)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("children of %s: %d %s", job, resp.StatusCode, body)
	}
	return decode[listPage[runSummary]](e.t, body).Value
}

// allEvents reads a job's whole event stream (it must have ended).
func (e *testEnv) allEvents(job string) []jobEvent {
	e.t.Helper()
	var out []jobEvent
	cursor := ""
	for {
		resp, body := e.do(http.MethodGet, "/history/v1.0"+wsPath()+"/runs/"+job+"/events?cursor="+cursor, nil, nil)
		if resp.StatusCode != http.StatusOK {
			e.t.Fatalf("events: %d %s", resp.StatusCode, body)
		}
		page := decode[eventsReply](e.t, body)
		out = append(out, page.Events...)
		cursor = page.Cursor
		if page.Terminal {
			return out
		}
	}
}

func TestPipelineComponentDeploymentRuns(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	e.upload(map[string]string{"nums/a.csv": "1\n2\n", "nums/b.csv": "10\n"})
	ids := e.setupTwoStep()
	e.pipelineDeployment("pipe", "azureml:two_step@latest", nil)

	body := `{"properties":{"inputData":{
		"input_data":{"jobInputType":"UriFolder","uri":"azureml://datastores/workspaceblobstore/paths/nums/"},
		"scale":{"jobInputType":"Literal","value":"5"}},
		"outputData":{"scores":{"jobOutputType":"UriFolder","uri":"azureml://datastores/workspaceblobstore/paths/results/scores/"}}}}`
	resp, data := e.invoke("ep", body, map[string]string{mlapi.HeaderDeployment: "pipe"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("invoke: %d %s", resp.StatusCode, data)
	}
	job := decode[mlapi.BatchJobResource](t, data).Name
	pj := e.waitStatus(job, "Completed", "Failed")
	if *pj.Status != "Completed" {
		t.Fatalf("job %s, details: %s", *pj.Status, e.details(job))
	}
	// scale 5 from the invocation, label from the pipeline's default; the
	// scores output where the invocation put it, prepared at Azure's place.
	if got := e.readBlob("results/scores/scores.csv"); got != "scored,5\nscored,10\nscored,50\n" {
		t.Fatalf("scores.csv = %q", got)
	}
	if got := e.readBlob("azureml/" + job + "/prepared/values.csv"); got != "5\n10\n50\n" {
		t.Fatalf("values.csv = %q", got)
	}
	outs := map[string]string{}
	for name, o := range pj.Outputs {
		outs[name] = *o.(*armmachinelearning.URIFolderJobOutput).URI
	}
	if outs["scores"] != "azureml://datastores/workspaceblobstore/paths/results/scores/" || outs["prepared"] != "azureml://datastores/workspaceblobstore/paths/azureml/"+job+"/prepared/" {
		t.Fatalf("ARM outputs %v", outs)
	}
	if *pj.ComponentID != ids.pipeline {
		t.Fatalf("componentId %s, want %s", *pj.ComponentID, ids.pipeline)
	}

	kids := e.children(job)
	if len(kids) != 2 || kids[0].DisplayName != "prep_step" || kids[1].DisplayName != "score_step" {
		t.Fatalf("children %+v", kids)
	}
	prep, score := kids[0], kids[1]
	if prep.Status != "Completed" || score.Status != "Completed" || prep.ParentRunID != job || score.EndTimeUTC == nil {
		t.Fatalf("children %+v", kids)
	}
	if score.StartTimeUTC.Before(*prep.EndTimeUTC) {
		t.Fatalf("score_step started %v before prep_step ended %v", score.StartTimeUTC, prep.EndTimeUTC)
	}
	child, err := e.factory().NewJobsClient().Get(context.Background(), rg, ws, score.RunID, nil)
	if err != nil {
		t.Fatalf("ARM GET of step job %s: %v", score.RunID, err)
	}
	cj := child.Properties.(*armmachinelearning.CommandJob)
	if !strings.Contains(*cj.Command, "--label scored --out "+e.blobFile("results/scores")) || *cj.Status != "Completed" {
		t.Fatalf("step job command %q status %s", *cj.Command, *cj.Status)
	}
	if u := *cj.Inputs["prepared"].(*armmachinelearning.URIFolderJobInput).URI; u != "azureml://datastores/workspaceblobstore/paths/azureml/"+job+"/prepared" {
		t.Fatalf("step input uri %s", u)
	}
	// The top-level list has the pipeline job, not its steps.
	pager := e.factory().NewJobsClient().NewListPager(rg, ws, nil)
	for pager.More() {
		page, err := pager.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range page.Value {
			if *j.Name == prep.RunID || *j.Name == score.RunID {
				t.Fatalf("the job list shows step %s", *j.Name)
			}
		}
	}

	// Following the pipeline shows each step's log lines and status.
	var logLines, execLines []string
	for _, ev := range e.allEvents(job) {
		switch ev.File {
		case "score_step/user_logs/std_log.txt", "prep_step/user_logs/std_log.txt":
			logLines = append(logLines, ev.Line)
		case "logs/azureml/executionlogs.txt":
			execLines = append(execLines, ev.Line)
		}
	}
	if strings.Join(logLines, "|") != "prepared 3 rows|scored 3 rows" {
		t.Fatalf("step log lines %q", logLines)
	}
	if exec := strings.Join(execLines, "\n"); !strings.Contains(exec, "step prep_step (job "+prep.RunID+"): Completed") || !strings.Contains(exec, "job "+job+": Completed") {
		t.Fatalf("execution log:\n%s", exec)
	}
	// A step's own logs are served in Azure's layout.
	d := decode[runDetails](t, e.details(score.RunID))
	logURL, ok := d.LogFiles["user_logs/std_log.txt"]
	if !ok {
		t.Fatalf("step log files %v", d.LogFiles)
	}
	if resp, body := e.do(http.MethodGet, logURL, nil, nil); resp.StatusCode != 200 || string(body) != "scored 3 rows\n" {
		t.Fatalf("GET std_log: %d %q", resp.StatusCode, body)
	}
}

// details returns a job's run details body.
func (e *testEnv) details(job string) []byte {
	e.t.Helper()
	_, body := e.do(http.MethodGet, "/history/v1.0"+wsPath()+"/runs/"+job+"/details", nil, nil)
	return body
}

func TestPipelineStepFailureFailsTheJob(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	e.upload(map[string]string{"bad/a.csv": "1\nnot a number\n"})
	e.setupTwoStep()
	e.pipelineDeployment("pipe", "azureml:two_step@latest", nil)
	body := `{"properties":{"inputData":{"input_data":{"jobInputType":"UriFolder","uri":"azureml://datastores/workspaceblobstore/paths/bad/"}}}}`
	resp, data := e.invoke("ep", body, map[string]string{mlapi.HeaderDeployment: "pipe"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("invoke: %d %s", resp.StatusCode, data)
	}
	job := decode[mlapi.BatchJobResource](t, data).Name
	e.waitStatus(job, "Failed")
	d := decode[runDetails](t, e.details(job))
	msg := d.Error.Error.Message
	for _, want := range []string{"Failed nodes: /prep_step", "Step prep_step (job " + job + "-prep_step) failed", "exited with status code 1", "ValueError: could not convert string to float"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	kids := e.children(job)
	if len(kids) != 1 || kids[0].DisplayName != "prep_step" || kids[0].Status != "Failed" || kids[0].Error == nil {
		t.Fatalf("children %+v; want only prep_step, Failed", kids)
	}
	if _, err := os.Stat(e.blobFile("azureml/" + job + "/scores")); !os.IsNotExist(err) {
		t.Fatalf("the score step wrote its output: %v", err)
	}
}

func TestPipelineJobPutRunsInlineJobs(t *testing.T) {
	e := newEnv(t)
	e.upload(map[string]string{"nums/a.csv": "2\n"})
	ids := e.setupTwoStep()
	body := map[string]any{"properties": map[string]any{
		"jobType": "Pipeline", "displayName": "my-pipeline", "experimentName": "exp",
		"inputs": map[string]any{
			"numbers": map[string]any{"jobInputType": "uri_folder", "uri": "azureml://datastores/workspaceblobstore/paths/nums/", "mode": "ReadOnlyMount"},
			"factor":  map[string]any{"jobInputType": "literal", "value": "0.5"},
		},
		"outputs":  map[string]any{"final": map[string]any{"jobOutputType": "uri_folder", "mode": "Upload"}},
		"settings": map[string]any{"continue_on_step_failure": false, "default_compute": "cpu-cluster", "_source": "YAML.JOB"},
		"jobs": map[string]any{
			"p": map[string]any{"type": "command", "componentId": ids.prep,
				"inputs": map[string]any{"data": lit("${{parent.inputs.numbers}}"), "scale": lit("${{parent.inputs.factor}}")}},
			"s": map[string]any{"type": "command", "componentId": ids.score,
				"inputs":  map[string]any{"prepared": lit("${{parent.jobs.p.outputs.prepared}}"), "label": lit("half")},
				"outputs": map[string]any{"scores": map[string]any{"type": "literal", "value": "${{parent.outputs.final}}"}}},
		},
	}}
	resp, data := e.do(http.MethodPut, wsPath()+"/jobs/pj1?api-version=2024-04-01", body, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT job: %d %s", resp.StatusCode, data)
	}
	e.waitStatus("pj1", "Completed")
	if got := e.readBlob("azureml/pj1/final/scores.csv"); got != "half,1\n" {
		t.Fatalf("scores.csv = %q", got)
	}
	// A bad binding is refused before anything is stored.
	body["properties"].(map[string]any)["jobs"].(map[string]any)["s"].(map[string]any)["inputs"] = map[string]any{"prepared": lit("${{parent.jobs.zz.outputs.prepared}}"), "label": lit("x")}
	resp, data = e.do(http.MethodPut, wsPath()+"/jobs/pj2?api-version=2024-04-01", body, nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(data), `names step \"zz\", which this pipeline does not have; its steps are: p, s`) {
		t.Fatalf("PUT of a bad job: %d %s", resp.StatusCode, data)
	}
	if resp, _ := e.do(http.MethodGet, wsPath()+"/jobs/pj2?api-version=2024-04-01", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the refused job exists: %d", resp.StatusCode)
	}
}

func TestCommandJobPutRuns(t *testing.T) {
	e := newEnv(t)
	code := e.registerCode("hello-code", map[string]string{"hello.py": "import sys\nprint('hello', sys.argv[1])\nopen(sys.argv[2] + '/greeting.txt', 'w').write('hi ' + sys.argv[1])\n"})
	body := map[string]any{"properties": map[string]any{
		"jobType": "Command", "command": "python hello.py ${{inputs.who}} ${{outputs.greeting}}", "codeId": code,
		"environmentId": "azureml:AzureML-sklearn-1.0@latest", "environmentVariables": map[string]any{"X": "1"},
		"inputs":  map[string]any{"who": map[string]any{"jobInputType": "literal", "value": "world"}},
		"outputs": map[string]any{"greeting": map[string]any{"jobOutputType": "uri_folder"}},
	}}
	resp, data := e.do(http.MethodPut, wsPath()+"/jobs/cmd1?api-version=2024-04-01", body, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT job: %d %s", resp.StatusCode, data)
	}
	deadline := time.Now().Add(20 * time.Second)
	var cj *armmachinelearning.CommandJob
	for {
		res, err := e.factory().NewJobsClient().Get(context.Background(), rg, ws, "cmd1", nil)
		if err != nil {
			t.Fatal(err)
		}
		cj = res.Properties.(*armmachinelearning.CommandJob)
		if isTerminal(string(*cj.Status)) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if *cj.Status != "Completed" {
		t.Fatalf("command job %s: %s", *cj.Status, e.details("cmd1"))
	}
	if got := e.readBlob("azureml/cmd1/greeting/greeting.txt"); got != "hi world" {
		t.Fatalf("greeting.txt = %q", got)
	}
	d := decode[runDetails](t, e.details("cmd1"))
	if _, ok := d.LogFiles["user_logs/std_log.txt"]; !ok {
		t.Fatalf("log files %v", d.LogFiles)
	}
}

func TestPipelineStepsRunConcurrentlyAndCancel(t *testing.T) {
	e := newEnv(t)
	marks := t.TempDir()
	wait := func(self, other string) string {
		return "touch " + filepath.Join(marks, self) + "; i=0; while [ ! -e " + filepath.Join(marks, other) + " ]; do i=$((i+1)); [ $i -gt 600 ] && exit 9; sleep 0.05; done"
	}
	a := e.registerComponent("a", map[string]any{"type": "command", "environment": "azureml:env:1", "command": wait("a", "b")})
	b := e.registerComponent("b", map[string]any{"type": "command", "environment": "azureml:env:1", "command": wait("b", "a")})
	sleeper := e.registerComponent("sleeper", map[string]any{"type": "command", "environment": "azureml:env:1", "command": "touch " + filepath.Join(marks, "asleep") + "; sleep 120"})
	put := func(name string, jobs map[string]any) {
		resp, data := e.do(http.MethodPut, wsPath()+"/jobs/"+name+"?api-version=2024-04-01", map[string]any{"properties": map[string]any{"jobType": "Pipeline", "jobs": jobs}}, nil)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("PUT %s: %d %s", name, resp.StatusCode, data)
		}
	}
	put("fan", map[string]any{"a": map[string]any{"componentId": a}, "b": map[string]any{"componentId": b}})
	e.waitStatus("fan", "Completed")
	kids := e.children("fan")
	if len(kids) != 2 {
		t.Fatalf("children %+v", kids)
	}
	x, y := kids[0], kids[1]
	if !x.StartTimeUTC.Before(*y.EndTimeUTC) || !y.StartTimeUTC.Before(*x.EndTimeUTC) {
		t.Fatalf("steps do not overlap: %v–%v and %v–%v", x.StartTimeUTC, x.EndTimeUTC, y.StartTimeUTC, y.EndTimeUTC)
	}

	put("nap", map[string]any{"zz": map[string]any{"componentId": sleeper}})
	for i := 0; ; i++ {
		if _, err := os.Stat(filepath.Join(marks, "asleep")); err == nil {
			break
		}
		if i > 1000 {
			t.Fatal("the sleeper never started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	kid := e.children("nap")[0].RunID
	if resp, data := e.do(http.MethodPost, wsPath()+"/jobs/"+kid+"/cancel?api-version=2024-04-01", nil, nil); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(data), "cancel the pipeline job") {
		t.Fatalf("cancel of a step: %d %s", resp.StatusCode, data)
	}
	if resp, data := e.do(http.MethodPost, wsPath()+"/jobs/nap/cancel?api-version=2024-04-01", nil, nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("cancel: %d %s", resp.StatusCode, data)
	}
	e.waitStatus("nap", "Canceled")
	if k := e.children("nap")[0]; k.Status != "Canceled" {
		t.Fatalf("step after cancel: %+v", k)
	}
}

func TestPipelineJobRunsParallelStep(t *testing.T) {
	e := newEnv(t)
	e.upload(map[string]string{"files/a.txt": "x", "files/b.txt": "y", "files/c.txt": "z"})
	code := e.registerCode("par-src", map[string]string{"score.py": "import os\ndef init():\n    pass\n\ndef run(mini_batch):\n    return [os.path.basename(f) for f in mini_batch]\n"})
	par := e.registerComponent("par", map[string]any{
		"name": "par", "version": "1", "type": "parallel",
		"inputs":          map[string]any{"data": map[string]any{"type": "uri_folder"}},
		"outputs":         map[string]any{"rows": map[string]any{"type": "uri_folder"}},
		"mini_batch_size": "2", "input_data": "${{inputs.data}}", "max_concurrency_per_instance": 2,
		"error_threshold": -1, "logging_level": "INFO", "retry_settings": map[string]any{"max_retries": 1, "timeout": 30},
		"resources": map[string]any{"instance_count": 1},
		"task": map[string]any{"type": "run_function", "code": "azureml:" + code, "entry_script": "score.py",
			"environment": "azureml:AzureML-sklearn-1.0@latest", "append_row_to": "${{outputs.rows}}"},
	})
	body := map[string]any{"properties": map[string]any{
		"jobType": "Pipeline",
		"inputs":  map[string]any{"files": map[string]any{"jobInputType": "uri_folder", "uri": "azureml://datastores/workspaceblobstore/paths/files/"}},
		"outputs": map[string]any{"rows": map[string]any{"jobOutputType": "uri_folder"}},
		"jobs": map[string]any{"score": map[string]any{"type": "parallel", "componentId": par,
			"inputs":  map[string]any{"data": lit("${{parent.inputs.files}}")},
			"outputs": map[string]any{"rows": map[string]any{"type": "literal", "value": "${{parent.outputs.rows}}"}}}},
	}}
	resp, data := e.do(http.MethodPut, wsPath()+"/jobs/par1?api-version=2024-04-01", body, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT job: %d %s", resp.StatusCode, data)
	}
	if pj := e.waitStatus("par1", "Completed", "Failed"); *pj.Status != "Completed" {
		t.Fatalf("job %s: %s", *pj.Status, e.details("par1"))
	}
	if got := e.readBlob("azureml/par1/rows/parallel_run_step.txt"); got != "a.txt\nb.txt\nc.txt\n" {
		t.Fatalf("parallel_run_step.txt = %q", got)
	}
	d := decode[runDetails](t, e.details("par1-score"))
	if _, ok := d.LogFiles["logs/job_progress_overview.txt"]; !ok {
		t.Fatalf("the parallel step has no batch runtime logs: %v", d.LogFiles)
	}
}

func TestNestedPipelineComponentRuns(t *testing.T) {
	e := newEnv(t)
	e.upload(map[string]string{"nums/a.csv": "3\n"})
	ids := e.setupTwoStep()
	outer := e.registerComponent("outer", map[string]any{
		"name": "outer", "version": "1", "type": "pipeline",
		"inputs":  map[string]any{"data": map[string]any{"type": "uri_folder"}},
		"outputs": map[string]any{"final": map[string]any{"type": "uri_folder"}},
		"jobs": map[string]any{"inner": map[string]any{"type": "pipeline", "componentId": ids.pipeline,
			"inputs":  map[string]any{"input_data": lit("${{parent.inputs.data}}"), "label": lit("nested")},
			"outputs": map[string]any{"scores": map[string]any{"type": "literal", "value": "${{parent.outputs.final}}"}}}},
	})
	body := map[string]any{"properties": map[string]any{"jobType": "Pipeline", "componentId": outer,
		"inputs": map[string]any{"data": map[string]any{"jobInputType": "uri_folder", "uri": "azureml://datastores/workspaceblobstore/paths/nums/"}}}}
	if resp, data := e.do(http.MethodPut, wsPath()+"/jobs/nest1?api-version=2024-04-01", body, nil); resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT job: %d %s", resp.StatusCode, data)
	}
	if pj := e.waitStatus("nest1", "Completed", "Failed"); *pj.Status != "Completed" {
		t.Fatalf("job %s: %s", *pj.Status, e.details("nest1"))
	}
	// scale is the inner pipeline's default (3): 3 * 3.
	if got := e.readBlob("azureml/nest1/final/scores.csv"); got != "nested,9\n" {
		t.Fatalf("scores.csv = %q", got)
	}
	var names []string
	for _, k := range e.children("nest1") {
		names = append(names, k.RunID+"="+k.DisplayName)
	}
	if strings.Join(names, " ") != "nest1-inner-prep_step=inner.prep_step nest1-inner-score_step=inner.score_step" {
		t.Fatalf("children %v", names)
	}
	// The number default 3 reaches the command as az renders it.
	child, err := e.factory().NewJobsClient().Get(context.Background(), rg, ws, "nest1-inner-prep_step", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cmd := *child.Properties.(*armmachinelearning.CommandJob).Command; !strings.Contains(cmd, "--scale 3.0 --out") {
		t.Fatalf("step command %q", cmd)
	}
}

func TestPipelineStepNamesMustMakeSafeJobNames(t *testing.T) {
	e := newEnv(t)
	echo := e.registerComponent("echo", map[string]any{"type": "command", "environment": "azureml:env:1", "command": "echo hi"})
	body := map[string]any{"properties": map[string]any{"jobType": "Pipeline",
		"jobs": map[string]any{"../../escape": map[string]any{"type": "command", "componentId": echo}}}}
	resp, data := e.do(http.MethodPut, wsPath()+"/jobs/esc1?api-version=2024-04-01", body, nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(data), "Rename the step") {
		t.Fatalf("PUT with a step named ../../escape: %d %s", resp.StatusCode, data)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "escape")); !os.IsNotExist(err) {
		t.Fatalf("something was written outside the job folders: %v", err)
	}
}

// TestDeploymentContinueOnStepFailure: a deployment's
// settings.continue_on_step_failure "true" lets the step that does not
// depend on the failed one run; the failed step's dependent never runs and
// the job still fails.
func TestDeploymentContinueOnStepFailure(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	out := map[string]any{"out": map[string]any{"type": "uri_folder"}}
	in := map[string]any{"in": map[string]any{"type": "uri_folder"}}
	fail := e.registerComponent("fail", map[string]any{"type": "command", "environment": "azureml:env:1", "outputs": out, "command": "exit 3"})
	after := e.registerComponent("after", map[string]any{"type": "command", "environment": "azureml:env:1", "inputs": in, "command": "ls ${{inputs.in}}"})
	// b ends only after the pipeline has logged a's failure, so it is still
	// running when the failure policy applies.
	execLog := filepath.Join(e.srv.jobDir("$AZUREML_ROOT_RUN_ID"), filepath.FromSlash(pipeline.ExecutionLog))
	waitForA := `i=0; until grep -q 'step a (job .*): Failed' "` + execLog + `"; do i=$((i+1)); [ $i -gt 600 ] && exit 9; sleep 0.05; done; `
	ok := e.registerComponent("ok", map[string]any{"type": "command", "environment": "azureml:env:1", "outputs": out, "command": waitForA + "echo done > ${{outputs.out}}/done.txt"})
	e.registerComponent("branches", map[string]any{"name": "branches", "version": "1", "type": "pipeline",
		"jobs": map[string]any{
			"a":  map[string]any{"type": "command", "componentId": fail},
			"a2": map[string]any{"type": "command", "componentId": after, "inputs": map[string]any{"in": lit("${{parent.jobs.a.outputs.out}}")}},
			"b":  map[string]any{"type": "command", "componentId": ok},
		}})
	e.pipelineDeployment("branches", "azureml:branches:1", map[string]*string{"continue_on_step_failure": to.Ptr("true")})
	resp, data := e.invoke("ep", `{"properties":{}}`, map[string]string{mlapi.HeaderDeployment: "branches"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("invoke: %d %s", resp.StatusCode, data)
	}
	job := decode[mlapi.BatchJobResource](t, data).Name
	e.waitStatus(job, "Failed")
	got := map[string]string{}
	for _, k := range e.children(job) {
		got[k.DisplayName] = k.Status
	}
	if len(got) != 2 || got["a"] != "Failed" || got["b"] != "Completed" {
		t.Errorf("children %v; want a Failed and b Completed, a2 never started", got)
	}
	if msg := decode[runDetails](t, e.details(job)).Error.Error.Message; !strings.Contains(msg, "Failed nodes: /a.") {
		t.Errorf("error %q does not name step a", msg)
	}
	if e.readBlob("azureml/"+job+"-b/out/done.txt") != "done\n" {
		t.Error("b's output is missing")
	}
}

// TestPipelineJobOfAPipelineComponent: a pipeline job whose YAML says
// `component: pipeline.yml` (the samples' pipeline-job.yml), as the SDK
// sends it: the registered component's id in componentId and its nodes in
// jobs as well, the job's inputs and outputs for the component's. It runs
// the component, with the component's default for the literal not given.
func TestPipelineJobOfAPipelineComponent(t *testing.T) {
	e := newEnv(t)
	e.upload(map[string]string{"nums/a.csv": "2\n5\n"})
	ids := e.setupTwoStep()
	body := map[string]any{"properties": map[string]any{
		"jobType": "Pipeline", "displayName": "two-step-job", "experimentName": "exp",
		"componentId": ids.pipeline,
		"inputs": map[string]any{
			"input_data": map[string]any{"jobInputType": "uri_folder", "uri": "azureml://datastores/workspaceblobstore/paths/nums/"},
			"label":      map[string]any{"jobInputType": "literal", "value": "x"},
		},
		"outputs":  map[string]any{"scores": map[string]any{"jobOutputType": "uri_folder", "mode": "Upload"}},
		"settings": map[string]any{"_source": "YAML.COMPONENT", "default_compute": "batch-cluster"},
		"jobs": map[string]any{
			"prep_step": map[string]any{"type": "command", "componentId": ids.prep, "_source": "YAML.COMPONENT",
				"inputs":  map[string]any{"data": lit("${{parent.inputs.input_data}}"), "scale": lit("${{parent.inputs.scale}}")},
				"outputs": map[string]any{"prepared": map[string]any{"type": "literal", "value": "${{parent.outputs.prepared}}"}}},
			"score_step": map[string]any{"type": "command", "componentId": ids.score, "_source": "YAML.COMPONENT",
				"inputs":  map[string]any{"prepared": lit("${{parent.jobs.prep_step.outputs.prepared}}"), "label": lit("${{parent.inputs.label}}")},
				"outputs": map[string]any{"scores": map[string]any{"type": "literal", "value": "${{parent.outputs.scores}}"}}},
		},
	}}
	resp, data := e.do(http.MethodPut, wsPath()+"/jobs/pcj1?api-version=2024-04-01", body, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT job: %d %s", resp.StatusCode, data)
	}
	e.waitStatus("pcj1", "Completed")
	// scale takes the component's default, 3.
	if got := e.readBlob("azureml/pcj1/scores/scores.csv"); got != "x,6\nx,15\n" {
		t.Fatalf("scores.csv = %q", got)
	}
	if got := e.readBlob("azureml/pcj1/prepared/values.csv"); got != "6\n15\n" {
		t.Fatalf("values.csv = %q", got)
	}
}

// TestDeploymentFromPipelineJob: a deployment with job_definition:
// azureml:<job> (the hello-batch sample's deployment-from-job.yml) deploys
// the anonymous component az registers for it, whose spec only names the
// job (sourceJobId): its jobs run the job's pipeline, the job's literal
// inputs the defaults.
func TestDeploymentFromPipelineJob(t *testing.T) {
	e := newEnv(t)
	e.setupModelDeployment()
	e.upload(map[string]string{"nums/a.csv": "2\n"})
	ids := e.setupTwoStep()
	body := map[string]any{"properties": map[string]any{
		"jobType": "Pipeline", "experimentName": "exp",
		"inputs": map[string]any{
			"numbers": map[string]any{"jobInputType": "uri_folder", "uri": "azureml://datastores/workspaceblobstore/paths/nums/"},
			"factor":  map[string]any{"jobInputType": "literal", "value": "10"},
		},
		"outputs": map[string]any{"final": map[string]any{"jobOutputType": "uri_folder"}},
		"jobs": map[string]any{
			"p": map[string]any{"type": "command", "componentId": ids.prep,
				"inputs": map[string]any{"data": lit("${{parent.inputs.numbers}}"), "scale": lit("${{parent.inputs.factor}}")}},
			"s": map[string]any{"type": "command", "componentId": ids.score,
				"inputs":  map[string]any{"prepared": lit("${{parent.jobs.p.outputs.prepared}}"), "label": lit("fromjob")},
				"outputs": map[string]any{"scores": map[string]any{"type": "literal", "value": "${{parent.outputs.final}}"}}},
		},
	}}
	resp, data := e.do(http.MethodPut, wsPath()+"/jobs/srcjob?api-version=2024-04-01", body, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT job: %d %s", resp.StatusCode, data)
	}
	e.waitStatus("srcjob", "Completed")
	comp := e.registerComponent("azureml_anonymous", map[string]any{"type": "pipeline", "jobs": map[string]any{},
		"sourceJobId": wsPath() + "/jobs/srcjob", "_source": "CLASS"})
	e.pipelineDeployment("fromjob", comp, nil)

	// The job's input values are the defaults; an invocation may set them.
	e.upload(map[string]string{"other/b.csv": "3\n"})
	invokeBody := `{"properties":{"inputData":{"numbers":{"jobInputType":"UriFolder","uri":"azureml://datastores/workspaceblobstore/paths/other/"}}}}`
	resp, data = e.invoke("ep", invokeBody, map[string]string{mlapi.HeaderDeployment: "fromjob"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("invoke: %d %s", resp.StatusCode, data)
	}
	job := decode[mlapi.BatchJobResource](t, data).Name
	e.waitStatus(job, "Completed")
	if got := e.readBlob("azureml/" + job + "/final/scores.csv"); got != "fromjob,30\n" {
		t.Fatalf("scores.csv = %q", got)
	}

	// A component made from a job that does not exist is not deployed.
	missing := e.registerComponent("azureml_anonymous2", map[string]any{"type": "pipeline", "jobs": map[string]any{}, "sourceJobId": "azureml:nosuchjob"})
	_, err := e.tryCreateDeployment("ep", "gone", armmachinelearning.BatchDeploymentProperties{
		DeploymentConfiguration: &armmachinelearning.BatchPipelineComponentDeploymentConfiguration{
			DeploymentConfigurationType: to.Ptr(armmachinelearning.BatchDeploymentConfigurationTypePipelineComponent),
			ComponentID:                 &armmachinelearning.IDAssetReference{ReferenceType: to.Ptr(armmachinelearning.ReferenceTypeID), AssetID: to.Ptr(missing)},
		},
	})
	if err == nil || !strings.Contains(err.Error(), "made from job nosuchjob, which does not exist") {
		t.Fatalf("deployment of a component whose job does not exist: %v", err)
	}
}
