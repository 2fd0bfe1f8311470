// Package spec reads the Azure ML YAML files that `az ml batch-endpoint
// create`, `az ml batch-deployment create`, `az ml data create`, `az ml
// component create` and `az ml job create` take, and turns them into the
// ARM request bodies az sends.
//
// Decoding is strict, like azure-ai-ml's marshmallow schemas: an unknown
// key, a value of the wrong type, a missing required key or a local path
// that does not exist is a clierr.UsageError of the form
//
//	FILE:LINE: what is wrong; how to fix it
//
// and is reported before anything is uploaded. `$schema` is accepted and
// ignored. Relative paths resolve against the YAML file's folder, as az
// resolves them (also for paths given with --set or flags such as --path).
//
// Overrides (--set KEY=VALUE and flags such as --name) are applied to the
// YAML tree before validation, as az applies its params_override, so a
// wrong override is reported like a wrong key in the file.
//
// The package is pure: it reads local files but makes no network call.
// Registering assets and sending the bodies is internal/azml's job; the
// conversions here take the ids of the assets it resolved or registered.
//
// # Components, pipelines and jobs
//
// Three entry points give the same decoded shapes, which the client
// (internal/azml) and the pipeline engine both consume; their API is
// stable:
//
//   - LoadComponent(ctx, path, stdin, overrides) reads a component YAML file
//     (commandComponent, parallelComponent or pipelineComponent schema) and
//     every child a pipeline defines inline or in a file of its own;
//     LoadJob(ctx, path, stdin, overrides) reads a job YAML file (type: pipeline or
//     command). Both check the whole tree: ports, defaults against their
//     types, ${{inputs.x}} placeholders, every ${{parent...}} binding, the
//     steps' inputs against the components they run, required inputs,
//     cycles, local paths.
//   - ComponentFromDoc(name, componentSpec) reads a component as the
//     service stores it (the componentSpec of a component version, as
//     `ml component create` sent it or as Azure returns it): REST step
//     nodes (componentId, computeId, inputs {job_input_type, value|uri,
//     mode}), stringified literals ("False", "10.99"), capitalised types.
//   - JobFromARM(name, properties) reads a PipelineJob or CommandJob body
//     (what a PUT …/jobs/{name} carries, or a GET returns).
//
// A Component has a Type (command, parallel, pipeline), declared Inputs and
// Outputs (Port: Type, Optional, Default, Min/Max, Enum, Mode; Required()
// and CheckLiteral() say what a value must be), and per type: Command,
// Code, Environment, EnvironmentVariables, Resources, Distribution
// (command); Parallel (task, mini_batch_size, input_data, retries, error
// thresholds); Jobs (pipeline). A pipeline's Jobs are Nodes, in YAML
// order: Name, Type, Component (a ComponentRef: Inline for a child defined
// in place or in a file, Ref for a registered one, Resolved once
// ResolveChildren fetched it; Definition() is whichever is known), Inputs
// (Input: exactly one of Binding, Literal, Path), Outputs (Output: a
// Binding to a pipeline output, or Type/Mode/Path), Compute and the
// step-level overrides. Node.Needs() lists the steps whose outputs a step
// reads: the engine's dependency order. A Binding is parsed:
// BindParentInput (${{parent.inputs.x}}), BindParentOutput
// (${{parent.outputs.y}}), BindStepOutput
// (${{parent.jobs.<step>.outputs.<o>}}). Literal.Text is what a command
// line receives; Literal.PyStr() is what az sends (Python's str(): True,
// False).
//
// Component.ResolveChildren(lookup) fetches the components steps reference
// (lookup decodes them, typically with ComponentFromDoc) and checks the
// steps against them; the engine calls it with a lookup into its store,
// the client with one into ARM.
//
// Component.Spec / ARM and Job.ARM build the bodies az sends (componentSpec
// with steps in REST node form; PipelineJob, CommandJob) from a Registered:
// the ids internal/azml registered or resolved, keyed by the decoded
// values. AnonymousVersion is the content hash az versions anonymous
// (azureml_anonymous) children with.
package spec
