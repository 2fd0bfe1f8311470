package pipeline

import (
	"fmt"
	"os/exec"
	"testing"
	"time"
)

// chain is a pipeline of n steps, each reading the previous one's output
// and running cmd, so they run one after the other.
func chain(n int, cmd string) *Component {
	comp := command("link", cmd, map[string]Port{"in": {Type: "uri_folder", Optional: true}}, map[string]Port{"out": folder()})
	jobs := map[string]*Step{}
	for i := range n {
		s := &Step{Component: comp}
		if i > 0 {
			s.Inputs = map[string]Binding{"in": bind(fmt.Sprintf("${{parent.jobs.s%03d.outputs.out}}", i-1))}
		}
		jobs[fmt.Sprintf("s%03d", i)] = s
	}
	return pipelineOf("chain", nil, nil, jobs)
}

// BenchmarkStepOverhead runs a chain of steps through the engine and the
// same commands directly (the same shell, one after the other) in the same
// run, and reports the engine's cost per step (planning, folders, logs,
// scheduling) and the ratio of the two.
func BenchmarkStepOverhead(b *testing.B) {
	const steps = 20
	const cmd = "true"
	shell, flag := commandShell()
	var engine, direct time.Duration
	for b.Loop() {
		w := newWorkspace(b)
		start := time.Now()
		res, err := Run(b.Context(), Job{Name: "bench", Component: chain(steps, cmd)}, w.options())
		engine += time.Since(start)
		if err != nil || len(res.Steps) != steps {
			b.Fatalf("Run = %v, %d steps", err, len(res.Steps))
		}
		start = time.Now()
		for range steps {
			c := exec.Command(shell, flag, cmd)
			c.Dir = w.root
			if err := c.Run(); err != nil {
				b.Fatal(err)
			}
		}
		direct += time.Since(start)
	}
	perEngine := float64(engine.Microseconds()) / float64(b.N*steps)
	perDirect := float64(direct.Microseconds()) / float64(b.N*steps)
	b.ReportMetric(perEngine, "µs/step-engine")
	b.ReportMetric(perDirect, "µs/step-direct")
	b.ReportMetric(perEngine-perDirect, "µs/step-overhead")
	b.ReportMetric(perEngine/perDirect, "engine/direct")
}
