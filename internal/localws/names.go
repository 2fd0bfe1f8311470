package localws

import "github.com/mlbatch/ml/internal/names"

// displayName makes a friendly job display name like the service's
// ("careful_bulb_plwyqfx0").
func displayName() string { return names.Friendly(8) }
