// Package localtest holds the end-to-end tests of the commands around
// invoke (batch-endpoint show/list/list-jobs, job, data, datastore): each
// starts a local workspace on 127.0.0.1 with a fake runner and drives ml
// through internal/app.Run, in-process, as a user's shell would. It has no
// code outside its tests.
package localtest
