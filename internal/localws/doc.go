// Package localws is the local workspace server behind `ml local serve`: one
// HTTP server on 127.0.0.1 that answers the wire shapes of the Azure ML
// control plane (ARM), a batch endpoint's scoring URI, the run-history data
// plane and Blob storage, closely enough that the ml client and any
// azcore-based client (armmachinelearning/v4 with a custom cloud whose
// ResourceManager endpoint is the server URL) cannot tell it from Azure.
//
// Build a server with New(Options), then either Start it (it listens on a
// loopback address and writes Dir/server.json) or mount Handler() yourself.
// The route map and the design decisions that have no Azure counterpart are
// documented in docs/local-workspace.md.
//
// # State
//
// Endpoints, deployments, assets and jobs live in an embedded SQLite database
// (Dir/state.db) through modernc.org/sqlite, a pure Go port of SQLite: no cgo,
// so ml stays one static binary. Blob content lives as plain files under
// Dir/blob, served by the sibling package localws/blob; job folders (logs,
// the runtime's working files) live under Dir/jobs/<job>.
//
// # Jobs
//
// A scoring POST creates a job and hands it to a Runner on a background
// goroutine. At most Options.MaxConcurrentJobs run at once; the rest wait in
// status Queued. Status, mini-batch progress and events are persisted, so a
// client can follow a job through the ARM job API, the run-history details
// route or the events route. A job that was running when the server stopped
// is marked Failed when the server starts again.
//
// # Safety
//
// Every route except the discovery document and the blob service (which has
// its own Shared Key/SAS auth) requires "Authorization: Bearer <token>" with
// the token from server.json. No name taken from a request (resource names,
// datastore paths, output paths, log names) can reach outside Dir, and
// request bodies are capped at Options.MaxBodyBytes.
package localws
