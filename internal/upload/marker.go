package upload

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"golang.org/x/sync/errgroup"
)

// Completion marker, written as metadata on the indicator blob once every
// file is uploaded (azure-ai-ml _artifacts/_constants.py UPLOAD_CONFIRMATION
// and _asset_utils.py _build_metadata_dict).
const (
	metaStatus    = "upload_status"
	metaCompleted = "completed"
	metaName      = "name"
	metaVersion   = "version"
)

// existing is what the indicator probe found.
type existing struct {
	complete   bool
	remotePath string
	name       string
	version    string
}

// probe HEADs the indicator blob under LocalUpload/ and under the legacy
// az-ml-artifacts/ prefix. A completed legacy upload wins, as in az's
// check_blob_exists; a LocalUpload blob without the marker is a partial
// upload that Execute overwrites.
//
// Unlike az, the legacy prefix is checked even when the LocalUpload blob is
// missing (az only looks there after finding it), and only the leading
// prefix is rewritten (az's str.replace would also rewrite a folder named
// LocalUpload inside the tree).
func probe(ctx context.Context, c *container.Client, plan *Plan) (existing, error) {
	legacyIndicator := LegacyArtifactPrefix + strings.TrimPrefix(plan.IndicatorBlob, ArtifactPrefix)
	var current, legacy map[string]*string
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		current, err = metadataOf(gctx, c, plan.IndicatorBlob)
		return err
	})
	g.Go(func() (err error) {
		legacy, err = metadataOf(gctx, c, legacyIndicator)
		return err
	})
	if err := g.Wait(); err != nil {
		return existing{}, err
	}
	if isComplete(legacy) {
		return existing{
			complete:   true,
			remotePath: LegacyArtifactPrefix + strings.TrimPrefix(plan.RemotePath, ArtifactPrefix),
			name:       lookup(legacy, metaName),
			version:    lookup(legacy, metaVersion),
		}, nil
	}
	if isComplete(current) {
		return existing{
			complete:   true,
			remotePath: plan.RemotePath,
			name:       lookup(current, metaName),
			version:    lookup(current, metaVersion),
		}, nil
	}
	return existing{}, nil
}

// metadataOf returns blob's metadata, or nil when the blob does not exist.
func metadataOf(ctx context.Context, c *container.Client, blob string) (map[string]*string, error) {
	props, err := c.NewBlobClient(blob).GetProperties(ctx, nil)
	var re *azcore.ResponseError
	if errors.As(err, &re) && re.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, storageErr(fmt.Sprintf("check for an existing upload at %s", blob), err)
	}
	if props.Metadata == nil {
		return map[string]*string{}, nil
	}
	return props.Metadata, nil
}

func isComplete(meta map[string]*string) bool {
	return lookup(meta, metaStatus) == metaCompleted
}

// lookup reads a metadata value case-insensitively: azblob keeps header
// keys as net/http canonicalised them ("Upload_status").
func lookup(meta map[string]*string, key string) string {
	for k, v := range meta {
		if strings.EqualFold(k, key) && v != nil {
			return *v
		}
	}
	return ""
}

// completionMarker is the indicator blob's metadata once an upload is
// complete.
func completionMarker(name, version string) map[string]*string {
	return map[string]*string{
		metaStatus:  ptr(metaCompleted),
		metaName:    ptr(name),
		metaVersion: ptr(version),
	}
}

// markComplete writes the completion marker on the indicator blob. It must
// run only after every file is uploaded: it is what makes the next run skip.
func markComplete(ctx context.Context, c *container.Client, plan *Plan, marker map[string]*string) error {
	if _, err := c.NewBlobClient(plan.IndicatorBlob).SetMetadata(ctx, marker, nil); err != nil {
		return storageErr(fmt.Sprintf("mark the upload complete on %s", plan.IndicatorBlob), err)
	}
	return nil
}

func ptr(s string) *string { return &s }
