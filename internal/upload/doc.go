// Package upload uploads local inputs the way `az ml` does, so the result
// is interchangeable with az's: same content hash, same blob layout, same
// completion marker.
//
// It works in two steps (style: plan first, then execute):
//
//   - NewPlan is pure (it reads local files, makes no network call): it
//     resolves the path, applies .amlignore/.gitignore, computes
//     azure-ai-ml's MD5 content hash and lists every file with its blob name
//     under LocalUpload/<hash>/<name>. A dry run can print it.
//   - Execute sends a Plan to a container with azblob: it skips content
//     already uploaded (by az or by us, also under the legacy
//     az-ml-artifacts/ prefix), uploads files concurrently with Content-MD5
//     on every request, and marks the upload complete only at the end.
//
// Rendering progress is the caller's job; Execute reports Events.
package upload
