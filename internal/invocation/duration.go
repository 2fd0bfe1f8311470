package invocation

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
)

// formatISODuration renders seconds as the ISO 8601 duration the service
// uses for retry_settings.timeout ("PT30S").
func formatISODuration(seconds int64) string { return "PT" + strconv.FormatInt(seconds, 10) + "S" }

var isoDurationRE = regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// parseISODuration reads the day-time subset of ISO 8601 durations the
// service emits ("PT30S", "PT1M30S", "P1DT2H") into whole seconds; a
// fractional second rounds up so that a timeout never shrinks to zero.
func parseISODuration(s string) (int64, error) {
	m := isoDurationRE.FindStringSubmatch(s)
	if m == nil || s == "P" || s == "PT" || s[len(s)-1] == 'T' {
		return 0, fmt.Errorf("%s is not an ISO 8601 duration such as PT30S", quote(s))
	}
	var total float64
	for i, unit := range []float64{86400, 3600, 60, 1} {
		if m[i+1] == "" {
			continue
		}
		v, err := strconv.ParseFloat(m[i+1], 64)
		if err != nil {
			return 0, fmt.Errorf("%s is not an ISO 8601 duration such as PT30S", quote(s))
		}
		total += v * unit
	}
	total = math.Ceil(total)
	if total > math.MaxInt32 {
		return 0, fmt.Errorf("duration %s is too long", quote(s))
	}
	return int64(total), nil
}
