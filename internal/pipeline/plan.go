package pipeline

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mlbatch/ml/internal/clierr"
)

// A plan is a job resolved down to the steps that run: nested pipelines
// expanded, every binding followed to a literal or a local path, every
// output given its folder, every command rendered and the dependencies
// between steps known. Nothing runs and nothing is written while planning,
// so a job that cannot run fails before any step starts.

// node is one step that runs (a command or a parallel step).
type node struct {
	run        StepRun
	comp       *Component
	env        map[string]string
	inputs     map[string]source
	deps       []*node
	dependents []*node
	// parallelInput and parallelOutput are a parallel step's input_data
	// path and append_row_to folder.
	parallelInput, parallelOutput string
	// views are a command step's read-only inputs: input name → the path
	// the command sees, a read-only tree of the input built when the step
	// starts (inputView).
	views map[string]string
}

// source is what a port is bound to once references are followed.
type source struct {
	set     bool
	literal bool
	value   string // rendered literal, or local path
	typ     string
	mode    string
	// producer is the step that writes the path; nil for job inputs.
	producer *node
}

// slot is a pipeline output: its folder and the step that writes it.
type slot struct {
	path     string
	producer *node
}

// scope is one pipeline being expanded: the root, or a nested pipeline
// step.
type scope struct {
	prefix  string // "" or "outer." for nested steps
	comp    *Component
	inputs  map[string]source
	outputs map[string]*slot
	steps   map[string]*stepState
}

type stepState struct {
	resolving, done bool
	node            *node
	sub             *scope
}

type planner struct {
	job   Job
	opts  Options
	nodes []*node
}

type plan struct {
	job     Job
	opts    Options
	nodes   []*node
	outputs map[string]string
	// single is set when the job is one command or parallel step (its own
	// child job).
	single bool
}

func newPlan(job Job, opts Options) (*plan, error) {
	if job.Name == "" {
		return nil, clierr.Usagef("the job has no name")
	}
	c := job.Component
	if c == nil {
		return nil, clierr.Usagef("job %s has no component to run", job.Name)
	}
	if opts.JobDir == nil || opts.OutputDir == nil {
		return nil, clierr.Usagef("pipeline options need JobDir and OutputDir")
	}
	p := &planner{job: job, opts: opts}
	root := &scope{comp: c, inputs: map[string]source{}, outputs: map[string]*slot{}, steps: map[string]*stepState{}}
	if err := checkNames("job "+job.Name, "input", c, job.Inputs, c.Inputs); err != nil {
		return nil, err
	}
	if err := checkNames("job "+job.Name, "output", c, job.Outputs, c.Outputs); err != nil {
		return nil, err
	}
	for _, name := range sortedKeys(c.Inputs) {
		src, err := p.jobInput(name, c.Inputs[name], job.Inputs[name])
		if err != nil {
			return nil, clierr.Usagef("job %s, input %s: %v", job.Name, name, err)
		}
		root.inputs[name] = src
	}
	for _, name := range sortedKeys(c.Outputs) {
		path := job.Outputs[name].Path
		if path == "" {
			var err error
			if path, err = opts.OutputDir(job.Name, name); err != nil {
				return nil, clierr.Usagef("job %s, output %s: %v", job.Name, name, err)
			}
		}
		root.outputs[name] = &slot{path: path}
	}
	out := &plan{job: job, opts: opts, outputs: map[string]string{}}
	for name, s := range root.outputs {
		out.outputs[name] = s.path
	}
	switch c.Type {
	case TypePipeline:
		if err := p.expand(root); err != nil {
			return nil, err
		}
		if len(p.nodes) == 0 {
			return nil, clierr.Usagef("pipeline %s has no steps under jobs:", nameOf(c))
		}
	case TypeCommand, TypeParallel:
		n, err := p.newNode(root, "", job.Name, c, nil)
		if err != nil {
			return nil, err
		}
		for name, s := range root.outputs {
			n.run.Outputs[name] = s.path
			n.run.OutputTypes[name] = firstNonEmpty(job.Outputs[name].Type, c.Outputs[name].Type)
		}
		if err := p.finishNode(n); err != nil {
			return nil, err
		}
		out.single = true
	default:
		return nil, clierr.Usagef("component %s has type %q; the local runtime runs command, parallel and pipeline components", nameOf(c), c.Type)
	}
	out.nodes = p.nodes
	return out, nil
}

// jobInput resolves one input of the job itself: a literal, a local path,
// the port's default, or unset.
func (p *planner) jobInput(name string, port Port, b Binding) (source, error) {
	if ref := firstNonEmpty(b.Ref, pathRef(b.Path)); ref != "" {
		return source{}, fmt.Errorf("%q: a job's inputs take values, not ${{...}} references", ref)
	}
	return bindValue(port, b)
}

// pathRef is path when it holds a ${{...}} expression, else "".
func pathRef(path string) string {
	if strings.Contains(path, "${{") {
		return path
	}
	return ""
}

// bindValue turns a plain binding (no reference) into a source, falling
// back to the port's default.
func bindValue(port Port, b Binding) (source, error) {
	typ := port.Type
	mode := firstNonEmpty(b.Mode, port.Mode)
	switch {
	case b.Path != "" && port.IsLiteral():
		return source{}, fmt.Errorf("it is a %s literal, but is given the path %s", port.Type, b.Path)
	case b.Path != "":
		return source{set: true, value: b.Path, typ: firstNonEmpty(b.Type, typ), mode: mode}, nil
	case b.Literal != nil && !port.IsLiteral():
		return source{}, fmt.Errorf("it is a %s data input, but is given the literal %s; give it a path", orUnknown(port.Type), *b.Literal)
	case b.Literal != nil:
		if err := checkLiteral(port.Type, *b.Literal); err != nil {
			return source{}, err
		}
		return source{set: true, literal: true, value: *b.Literal, typ: typ}, nil
	case port.Default != nil && port.IsLiteral():
		if err := checkLiteral(port.Type, *port.Default); err != nil {
			return source{}, fmt.Errorf("its default: %v", err)
		}
		return source{set: true, literal: true, value: *port.Default, typ: typ}, nil
	case port.Optional:
		return source{typ: typ}, nil
	}
	return source{}, fmt.Errorf("it is required and has no value and no default")
}

// expand resolves every step of a pipeline scope.
func (p *planner) expand(sc *scope) error {
	for name, st := range sc.comp.Jobs {
		if st == nil || st.Component == nil {
			return clierr.Usagef("step %s%s has no component", sc.prefix, name)
		}
		sc.steps[name] = &stepState{}
	}
	for _, name := range sortedKeys(sc.comp.Jobs) {
		if err := p.resolveStep(sc, name); err != nil {
			return err
		}
	}
	for _, name := range sortedKeys(sc.outputs) {
		if sc.outputs[name].producer == nil {
			return clierr.Usagef("pipeline %s declares output %s, but no step writes it: bind a step output to ${{parent.outputs.%s}}", nameOf(sc.comp), name, name)
		}
	}
	return nil
}

// resolveStep plans one step of sc, first the steps it reads from.
func (p *planner) resolveStep(sc *scope, stepName string) error {
	st := sc.steps[stepName]
	switch {
	case st.done:
		return nil
	case st.resolving:
		return clierr.Usagef("step %s%s depends on its own output through ${{parent.jobs...}} references (a cycle); steps must form a graph without loops", sc.prefix, stepName)
	}
	st.resolving = true
	defer func() { st.resolving = false }()
	step := sc.comp.Jobs[stepName]
	path := sc.prefix + stepName
	comp := step.Component
	if err := checkNames("step "+path, "input", comp, step.Inputs, comp.Inputs); err != nil {
		return err
	}
	if err := checkNames("step "+path, "output", comp, step.Outputs, comp.Outputs); err != nil {
		return err
	}
	inputs := map[string]source{}
	for _, name := range sortedKeys(comp.Inputs) {
		src, err := p.bindInput(sc, comp.Inputs[name], step.Inputs[name])
		if err != nil {
			return clierr.Usagef("step %s, input %s: %v", path, name, err)
		}
		inputs[name] = src
	}
	if comp.Type == TypePipeline {
		sub, err := p.subScope(sc, path, step, inputs)
		if err != nil {
			return err
		}
		st.sub = sub
		if err := p.expand(sub); err != nil {
			return err
		}
		st.done = true
		return nil
	}
	n, err := p.newNode(sc, path, p.stepJobName(path), comp, step.EnvironmentVariables)
	if err != nil {
		return err
	}
	n.inputs = inputs
	for _, name := range sortedKeys(comp.Outputs) {
		out, err := p.bindOutput(sc, path, n.run.Job, name, step.Outputs[name], n)
		if err != nil {
			return err
		}
		n.run.Outputs[name] = out
		n.run.OutputTypes[name] = firstNonEmpty(step.Outputs[name].Type, comp.Outputs[name].Type)
	}
	if err := p.finishNode(n); err != nil {
		return err
	}
	st.node, st.done = n, true
	return nil
}

// subScope opens a nested pipeline step: its inputs are what the step binds,
// its outputs the outer folders the step binds them to (or their own).
func (p *planner) subScope(sc *scope, path string, step *Step, inputs map[string]source) (*scope, error) {
	sub := &scope{prefix: path + ".", comp: step.Component, inputs: inputs, outputs: map[string]*slot{}, steps: map[string]*stepState{}}
	for _, name := range sortedKeys(step.Component.Outputs) {
		b := step.Outputs[name]
		r, isRef, err := bindingRef(b)
		switch {
		case err != nil:
			return nil, clierr.Usagef("step %s, output %s: %v", path, name, err)
		case isRef && r.kind != refParentOutput:
			return nil, clierr.Usagef("step %s, output %s: %s cannot place an output; use ${{parent.outputs.<name>}}", path, name, r)
		case isRef:
			outer, ok := sc.outputs[r.name]
			if !ok {
				return nil, clierr.Usagef("step %s, output %s: %s names no output of pipeline %s; its outputs are: %s", path, name, r, nameOf(sc.comp), names(sc.outputs))
			}
			sub.outputs[name] = outer
		case b.Path != "":
			sub.outputs[name] = &slot{path: b.Path}
		default:
			dir, err := p.opts.OutputDir(p.stepJobName(path), name)
			if err != nil {
				return nil, clierr.Usagef("step %s, output %s: %v", path, name, err)
			}
			sub.outputs[name] = &slot{path: dir}
		}
	}
	return sub, nil
}

// bindInput resolves a step input's binding in sc.
func (p *planner) bindInput(sc *scope, port Port, b Binding) (source, error) {
	r, isRef, err := bindingRef(b)
	if err != nil {
		return source{}, err
	}
	if !isRef {
		return bindValue(port, b)
	}
	var src source
	switch r.kind {
	case refParentInput:
		s, ok := sc.inputs[r.name]
		if !ok {
			return source{}, fmt.Errorf("%s names no input of pipeline %s; its inputs are: %s", r, nameOf(sc.comp), names(sc.inputs))
		}
		if !s.set {
			// An unset optional pipeline input leaves the step input unset.
			return bindValue(port, Binding{})
		}
		src = s
	case refStepOutput:
		if src, err = p.outputOf(sc, r); err != nil {
			return source{}, err
		}
	default:
		return source{}, fmt.Errorf("%s is an output; an input can read ${{parent.inputs.<name>}} or ${{parent.jobs.<step>.outputs.<name>}}", r)
	}
	switch {
	case src.literal && !port.IsLiteral():
		return source{}, fmt.Errorf("it is a %s data input, but %s is the literal %q", orUnknown(port.Type), r, src.value)
	case !src.literal && port.IsLiteral():
		return source{}, fmt.Errorf("it is a %s literal, but %s is data (%s)", port.Type, r, src.value)
	case src.literal:
		if err := checkLiteral(port.Type, src.value); err != nil {
			return source{}, fmt.Errorf("%s: %v", r, err)
		}
	}
	src.mode = firstNonEmpty(b.Mode, src.mode, port.Mode)
	return src, nil
}

// outputOf is the output of another step of sc, planned first if needed.
func (p *planner) outputOf(sc *scope, r ref) (source, error) {
	if _, ok := sc.steps[r.step]; !ok {
		return source{}, fmt.Errorf("%s names no step of pipeline %s; its steps are: %s", r, nameOf(sc.comp), names(sc.steps))
	}
	if err := p.resolveStep(sc, r.step); err != nil {
		return source{}, err
	}
	st := sc.steps[r.step]
	comp := sc.comp.Jobs[r.step].Component
	port, ok := comp.Outputs[r.name]
	if !ok {
		return source{}, fmt.Errorf("%s: step %s%s has no output %s; its outputs are: %s", r, sc.prefix, r.step, r.name, names(comp.Outputs))
	}
	if st.sub != nil {
		s := st.sub.outputs[r.name]
		return source{set: true, value: s.path, typ: port.Type, producer: s.producer}, nil
	}
	return source{set: true, value: st.node.run.Outputs[r.name], typ: port.Type, producer: st.node}, nil
}

// bindOutput places one output of node n.
func (p *planner) bindOutput(sc *scope, path, job, name string, b Binding, n *node) (string, error) {
	r, isRef, err := bindingRef(b)
	switch {
	case err != nil:
		return "", clierr.Usagef("step %s, output %s: %v", path, name, err)
	case isRef && r.kind != refParentOutput:
		return "", clierr.Usagef("step %s, output %s: %s cannot place an output; use ${{parent.outputs.<name>}}", path, name, r)
	case isRef:
		s, ok := sc.outputs[r.name]
		if !ok {
			return "", clierr.Usagef("step %s, output %s: %s names no output of pipeline %s; its outputs are: %s", path, name, r, nameOf(sc.comp), names(sc.outputs))
		}
		if s.producer != nil {
			return "", clierr.Usagef("steps %s and %s both write %s; a pipeline output has one producer", s.producer.run.Path, path, r)
		}
		s.producer = n
		return s.path, nil
	case b.Path != "":
		return b.Path, nil
	}
	dir, err := p.opts.OutputDir(job, name)
	if err != nil {
		return "", clierr.Usagef("step %s, output %s: %v", path, name, err)
	}
	return dir, nil
}

// newNode starts a node for a command or parallel component.
func (p *planner) newNode(sc *scope, path, job string, comp *Component, env map[string]string) (*node, error) {
	if comp.Type != TypeCommand && comp.Type != TypeParallel {
		return nil, clierr.Usagef("step %s: component %s has type %q; steps can be command, parallel or pipeline components", displayPath(path), nameOf(comp), comp.Type)
	}
	merged := maps.Clone(comp.EnvironmentVariables)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, env)
	n := &node{
		comp:   comp,
		env:    merged,
		inputs: sc.inputs,
		views:  map[string]string{},
		run: StepRun{
			Path: path, Job: job, Type: comp.Type, Component: nameOf(comp), Status: StatusNotStarted,
			Inputs: map[string]Value{}, Outputs: map[string]string{}, OutputTypes: map[string]string{}, Dir: p.opts.JobDir(job),
		},
	}
	return n, nil
}

// finishNode renders the node's command, records its dependencies and
// adds it to the plan.
func (p *planner) finishNode(n *node) error {
	for _, name := range sortedKeys(n.inputs) {
		src := n.inputs[name]
		if !src.set {
			continue
		}
		v := Value{Type: src.typ, Mode: src.mode}
		if src.literal {
			v.Literal = src.value
		} else {
			v.Path = src.value
			if n.comp.Type == TypeCommand && readOnlyMode(src.mode) {
				n.views[name] = inputView(n.run.Dir, name, src)
			}
		}
		n.run.Inputs[name] = v
		if src.producer != nil && !slices.Contains(n.deps, src.producer) {
			n.deps = append(n.deps, src.producer)
			src.producer.dependents = append(src.producer.dependents, n)
			n.run.DependsOn = append(n.run.DependsOn, src.producer.run.Path)
		}
	}
	lookup := func(kind, name string) (string, bool, error) {
		if kind == "outputs" {
			dir, ok := n.run.Outputs[name]
			if !ok {
				return "", false, fmt.Errorf("the command of component %s uses ${{outputs.%s}}, but the component has no output %s; its outputs are: %s", nameOf(n.comp), name, name, names(n.comp.Outputs))
			}
			return dir, true, nil
		}
		src, ok := n.inputs[name]
		if !ok {
			return "", false, fmt.Errorf("the command of component %s uses ${{inputs.%s}}, but the component has no input %s; its inputs are: %s", nameOf(n.comp), name, name, names(n.comp.Inputs))
		}
		if view, ok := n.views[name]; ok {
			return view, true, nil
		}
		return src.value, src.set, nil
	}
	var err error
	switch n.comp.Type {
	case TypeCommand:
		if strings.TrimSpace(n.comp.Command) == "" {
			return clierr.Usagef("step %s: command component %s has no command", displayPath(n.run.Path), nameOf(n.comp))
		}
		n.run.Command, err = renderCommand(n.comp.Command, lookup)
	case TypeParallel:
		err = checkParallel(n, lookup)
	}
	if err != nil {
		return clierr.Usagef("step %s: %v", displayPath(n.run.Path), err)
	}
	p.nodes = append(p.nodes, n)
	return nil
}

func (p *planner) stepJobName(path string) string {
	if p.opts.StepJobName != nil {
		return p.opts.StepJobName(p.job.Name, path)
	}
	return DefaultStepJobName(p.job.Name, path)
}

// DefaultStepJobName names a step's child job: the job's name, a dash and
// the step's path with dots as dashes.
func DefaultStepJobName(job, path string) string {
	return job + "-" + strings.ReplaceAll(path, ".", "-")
}

// bindingRef parses a binding's ${{parent...}} reference (Ref, or a Path
// written as one, as YAML's path: ${{parent.inputs.x}}).
func bindingRef(b Binding) (ref, bool, error) {
	s := firstNonEmpty(b.Ref, pathRef(b.Path))
	if s == "" {
		return ref{}, false, nil
	}
	r, isRef, err := parseRef(s)
	if err == nil && !isRef {
		err = fmt.Errorf("%q is not a ${{parent...}} reference", s)
	}
	return r, isRef, err
}

// checkNames refuses bindings for ports the component does not declare.
func checkNames[B any](where, kind string, c *Component, given map[string]B, declared map[string]Port) error {
	for _, name := range sortedKeys(given) {
		if _, ok := declared[name]; !ok {
			return clierr.Usagef("%s: %s is not an %s of component %s; its %ss are: %s", where, name, kind, nameOf(c), kind, names(declared))
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func names[V any](m map[string]V) string {
	if len(m) == 0 {
		return "(none)"
	}
	return strings.Join(sortedKeys(m), ", ")
}

func nameOf(c *Component) string {
	if c.Name == "" {
		return "(anonymous)"
	}
	return c.Name
}

func displayPath(path string) string {
	if path == "" {
		return "(the job)"
	}
	return path
}

func orUnknown(typ string) string {
	if typ == "" {
		return "data"
	}
	return typ
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// inputsFolder is where a command step's read-only inputs are, in its job
// folder.
const inputsFolder = "inputs"

// readOnlyMode reports whether a data input delivered with mode is
// read-only for the step. Azure mounts ro_mount (the default) read-only and
// gives download a copy whose changes go nowhere; both are a read-only tree
// here, so a step never changes a registered asset or another step's
// output. rw_mount writes through, and direct hands over the location.
func readOnlyMode(mode string) bool {
	switch mode {
	case "rw_mount", "direct":
		return false
	}
	return true
}

// inputView is the path a command step sees for a read-only data input:
// inputs/<name> in its job folder, or inputs/<name>/<file name> for a
// uri_file, as Azure mounts one file under its own name.
func inputView(jobDir, name string, src source) string {
	dir := filepath.Join(jobDir, inputsFolder, name)
	if src.typ == "uri_file" {
		return filepath.Join(dir, filepath.Base(src.value))
	}
	return dir
}
