package azml

import (
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// ListView says which assets a list includes, as az's --include-archived
// and --archived-only do (active only by default).
type ListView string

// The list views of az's asset lists.
const (
	ActiveOnly   ListView = ListView(armmachinelearning.ListViewTypeActiveOnly)
	ArchivedOnly ListView = ListView(armmachinelearning.ListViewTypeArchivedOnly)
	AllAssets    ListView = ListView(armmachinelearning.ListViewTypeAll)
)

func (v ListView) arm() *armmachinelearning.ListViewType {
	if v == "" {
		v = ActiveOnly
	}
	return to.Ptr(armmachinelearning.ListViewType(v))
}
