// Package spec reads the Azure ML YAML files that `az ml batch-endpoint
// create`, `az ml batch-deployment create` and `az ml data create` take, and
// turns them into the ARM request bodies az sends.
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
package spec
