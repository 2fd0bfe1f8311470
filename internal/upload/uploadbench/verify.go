package uploadbench

import (
	"context"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
)

// markerKey and markerDone are the completion marker upload.Execute writes
// on one blob of every finished upload (azure-ai-ml's upload_status).
const (
	markerKey  = "upload_status"
	markerDone = "completed"
)

// VerifyUpload lists the blobs under remotePath in c and checks that there
// are wantFiles of them holding wantBytes in all, and that exactly one
// carries the completion marker. It is the benchmark's proof that an upload
// really happened, not a timing.
func VerifyUpload(ctx context.Context, c *container.Client, remotePath string, wantFiles int, wantBytes int64) error {
	if remotePath == "" {
		return fmt.Errorf("verify: the upload reported no remote path")
	}
	prefix := strings.TrimSuffix(remotePath, "/") + "/"
	pager := c.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{
		Prefix:  &prefix,
		Include: container.ListBlobsInclude{Metadata: true},
	})
	files, markers := 0, 0
	var bytes int64
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("verify: list blobs under %s: %w", prefix, err)
		}
		for _, item := range page.Segment.BlobItems {
			files++
			if item.Properties != nil && item.Properties.ContentLength != nil {
				bytes += *item.Properties.ContentLength
			}
			for k, v := range item.Metadata {
				if strings.EqualFold(k, markerKey) && v != nil && *v == markerDone {
					markers++
				}
			}
		}
	}
	if files != wantFiles || bytes != wantBytes {
		return fmt.Errorf("verify: %s holds %d blobs of %d bytes in all, want %d of %d", prefix, files, bytes, wantFiles, wantBytes)
	}
	if markers != 1 {
		return fmt.Errorf("verify: %d blobs under %s carry %s=%s, want exactly 1", markers, prefix, markerKey, markerDone)
	}
	return nil
}
