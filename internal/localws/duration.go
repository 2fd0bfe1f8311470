package localws

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// isoDuration matches the ISO 8601 durations ARM uses for timeouts
// (PT30S, PT5M, PT1H30M, P1DT2H, PT0.5S).
var isoDuration = regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// parseISODuration parses an ISO 8601 duration without years or months.
func parseISODuration(s string) (time.Duration, error) {
	m := isoDuration.FindStringSubmatch(s)
	if m == nil || s == "P" || s == "PT" {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration such as PT30S, PT5M or PT1H", s)
	}
	var d time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute} {
		if m[i+1] != "" {
			n, err := strconv.ParseInt(m[i+1], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%q: %v", s, err)
			}
			d += time.Duration(n) * unit
		}
	}
	if m[4] != "" {
		f, err := strconv.ParseFloat(m[4], 64)
		if err != nil {
			return 0, fmt.Errorf("%q: %v", s, err)
		}
		d += time.Duration(f * float64(time.Second))
	}
	return d, nil
}

// formatISODuration renders whole seconds the way the service echoes them.
func formatISODuration(d time.Duration) string {
	secs := int64(d / time.Second)
	if secs <= 0 {
		return "PT0S"
	}
	out := "PT"
	if h := secs / 3600; h > 0 {
		out += strconv.FormatInt(h, 10) + "H"
	}
	if m := secs % 3600 / 60; m > 0 {
		out += strconv.FormatInt(m, 10) + "M"
	}
	if s := secs % 60; s > 0 {
		out += strconv.FormatInt(s, 10) + "S"
	}
	return out
}
