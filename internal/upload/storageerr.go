package upload

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"

	"github.com/mlbatch/ml/internal/clierr"
)

const rolesHint = "permission denied; the identity needs the Storage Blob Data Reader and Storage Blob Data Contributor roles on the storage account (az names the same roles)"

// storageMeaning is, per storage error code, what it means for an upload
// and the fix. Codes not listed print as code and status, and point at
// --debug.
var storageMeaning = map[bloberror.Code]string{
	bloberror.InvalidBlockList:                "the storage does not have every block the upload committed (another upload of the same files ran at the same time, or staged blocks were discarded); run the command again",
	bloberror.AuthenticationFailed:            "the storage refused the request's signature: the datastore's account key or SAS token is wrong or expired, or this machine's clock is off; check the datastore's credentials (`ml datastore show`) and the clock",
	bloberror.AuthorizationPermissionMismatch: rolesHint,
	bloberror.AuthorizationFailure:            rolesHint,
	bloberror.InsufficientAccountPermissions:  rolesHint,
	bloberror.InvalidBlobOrBlock:              "the storage refused a block's content or size; run the command again",
	bloberror.ServerBusy:                      "the storage is busy and the retries ran out; run the command again later",
	bloberror.ContainerNotFound:               "the datastore's container does not exist; check the datastore (`ml datastore show`)",
}

// storageFailure is a storage error response on one line: what was being
// done, the service's code and status, and the fix. The service's XML body
// and the request URL (which may carry a SAS signature) stay out of it;
// --debug shows the exchange, redacted. It unwraps to the response error
// for errors.As.
type storageFailure struct {
	doing string
	resp  *azcore.ResponseError
}

func (e *storageFailure) Error() string {
	line := fmt.Sprintf("%s: %s (HTTP %d %s)", e.doing, e.resp.ErrorCode, e.resp.StatusCode, http.StatusText(e.resp.StatusCode))
	if m, ok := storageMeaning[bloberror.Code(e.resp.ErrorCode)]; ok {
		return line + ": " + m
	}
	return line + "; run with --debug to see the storage's answer"
}

func (e *storageFailure) Unwrap() error { return e.resp }

// storageErr wraps err with what was being done: a storage error response
// becomes one readable line (a refused signature or permission is an
// authentication failure for the exit code, already worded, so no caller
// adds a workspace-role hint), anything else keeps its text, redacted.
func storageErr(doing string, err error) error {
	var resp *azcore.ResponseError
	if !errors.As(err, &resp) {
		return redact(fmt.Errorf("%s: %w", doing, err))
	}
	failure := &storageFailure{doing: doing, resp: resp}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return &clierr.Error{Kind: clierr.KindAuth, Err: failure}
	}
	return failure
}
