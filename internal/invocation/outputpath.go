package invocation

import (
	"fmt"
	"strings"
)

// OutputPathName is the output name az gives the --output-path output.
const OutputPathName = "output_name"

// parseOutputPath validates --output-path as az does (it must start with
// azureml: and be a datastore URI, short or long form) and returns the URI
// az sends: always the short azureml://datastores/<ds>/paths/<p> form, even
// for a long URI, because the SDK rebuilds it from the datastore name and
// path. The error completes "--output-path: ...".
func parseOutputPath(p string) (string, error) {
	if !strings.HasPrefix(p, "azureml:") {
		return "", fmt.Errorf("Not a valid output_path, it should start with 'azureml:'; use --output-path azureml://datastores/<datastore>/paths/<path>")
	}
	r, err := Classify(p)
	if err != nil || (r.Kind != DatastorePath && r.Kind != DatastorePathLong) {
		return "", fmt.Errorf("Invalid AzureML datastore path URI %s; use azureml://datastores/<datastore>/paths/<path>", redact(p))
	}
	return ShortDatastoreURI(r.Datastore, r.Path), nil
}

// outputURI validates the path of a named output and returns the URI to
// send. Outputs are never uploaded or resolved, and batch endpoints write
// only to Azure ML blob datastores, so only datastore forms are accepted;
// an ARM datastore path becomes the long azureml:// URI, as for inputs.
func outputURI(p string) (string, error) {
	if strings.HasPrefix(p, "azureml:") || hasFoldPrefix(p, "/subscriptions/") {
		if r, err := Classify(p); err == nil {
			switch r.Kind {
			case DatastorePath, DatastorePathLong, ARMDatastorePath:
				return r.URI(), nil
			}
		}
	}
	return "", fmt.Errorf("path %s is not a datastore URI; batch endpoints write outputs to Azure ML datastores only: use azureml://datastores/<datastore>/paths/<path>",
		quote(p))
}
