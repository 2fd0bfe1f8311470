// Package blob is the Blob service of the local workspace (`ml local serve`):
// an http.Handler that speaks enough of the Azure Blob REST API, path-style
// like Azurite, for the azblob SDK (and azure-storage-blob for Python) to
// work unchanged against the workspace's default datastore.
//
// URLs are <server><PathPrefix>/<account>/<container>/<blob name>, so the
// account URL to give azblob is <server><PathPrefix>/<account>.
//
// Mount the handler at Options.PathPrefix without http.StripPrefix: it
// routes on the full path, and the path the client signed is the one on the
// wire. The Go API (LocalPath, EnsureContainer, Put, Record) serves the
// workspace server and the batch runtime, which work on the files directly.
//
// One azblob caveat: blob.ParseURL (and so the GetSASURL methods of azblob
// clients) reads the first path segment of a URL whose host is an IP
// address as the account name, which under a prefix is "blob", not the
// account. Build SAS tokens with sas.BlobSignatureValues and the real
// container and blob names instead.
//
// # Storage layout
//
// Blob content lives as plain files, Root/<account>/<container>/<blob name>,
// so the batch runtime reads inputs in place and writes outputs that clients
// then list and download. Everything else lives under Root/.blobsvc, outside
// the content tree (account names cannot start with a dot, so the two never
// meet):
//
//	Root/.blobsvc/meta/<account>/<container>/container.json  container properties
//	Root/.blobsvc/meta/<account>/<container>/<hh>/<sha256>.json  blob properties
//	Root/.blobsvc/stage/<account>/<container>/<sha256>/<hex block id>  uncommitted blocks
//	Root/.blobsvc/tmp/  uploads in flight
//
// Properties (content type, Content-MD5, ETag, metadata) are small JSON
// sidecar files keyed by a hash of the blob name rather than rows in an
// embedded database: a sidecar is written with the same
// write-temp-then-rename step as the content, needs no schema, no open
// handle and no lock shared with the workspace's SQLite state, and can be
// inspected by hand. A
// sidecar records the size and modification time of the file it describes;
// when the file changes behind the service's back (the runtime rewrote it),
// the sidecar is ignored and properties are derived from the file itself.
//
// Uploads stream to a temporary file and are renamed into place, so readers
// never see a partial blob and no blob is ever held in memory.
//
// # Authentication
//
// Every request must carry a Shared Key signature (Authorization: SharedKey
// account:signature) or a service or account SAS signed with one of
// Options.Accounts' keys. Keys and signatures never appear in responses or
// logs. Under a PathPrefix such as "/blob", a Shared Key signed for account
// "blob/<account>" is accepted too: that is the name azure-storage-blob for
// Python derives from a loopback URL's path.
//
// # Differences from Azure
//
// A blob name is a file path, so a name cannot also be a folder of other
// blobs ("a" and "a/b" cannot both exist: 409 PathConflict), and names with
// empty, "." or ".." segments, a trailing "/", backslashes or control
// characters are refused (400 InvalidResourceName). Only block blobs exist;
// snapshots, versions, leases, tags, tiers and stored access policies are not
// supported.
//
// # Blocks
//
// Put Block List follows Azure: Latest, Committed and Uncommitted entries,
// where a blob's committed blocks are ranges of its file recorded in the
// sidecar, so retrying a commit succeeds. Uncommitted blocks are discarded
// by a commit, by Put Blob, and StagedBlockRetention (a week, as in Azure)
// after the newest of them was staged. Uploads are checked against
// Content-MD5 and x-ms-content-crc64 when sent; Put Blob always computes
// the MD5 it stores.
package blob
