package azml

import (
	"context"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// collect drains an SDK pager, following nextLink, and returns the items
// of every page; max > 0 stops after that many. what names the listing in
// errors.
func collect[T, Page any](ctx context.Context, c *Client, pager *runtime.Pager[Page], items func(Page) []*T, max int, what string) ([]*T, error) {
	var out []*T
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, c.check(err, what)
		}
		for _, it := range items(page) {
			out = append(out, it)
			if max > 0 && len(out) >= max {
				return out, nil
			}
		}
	}
	return out, nil
}
