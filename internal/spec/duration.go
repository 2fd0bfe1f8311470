package spec

import (
	"regexp"
	"strconv"
	"strings"
)

// isoDuration formats seconds the way azure-ai-ml sends durations
// (isodate.duration_isoformat of a timedelta): whole days as "nD", the rest
// as "T" with hours, minutes and seconds, each only when not zero: 30 →
// PT30S, 300 → PT5M, 3690 → PT1H1M30S, 86400 → P1D.
func isoDuration(seconds int64) string {
	days, rest := seconds/86400, seconds%86400
	h, m, s := rest/3600, rest%3600/60, rest%60
	var b strings.Builder
	b.WriteString("P")
	if days > 0 {
		b.WriteString(strconv.FormatInt(days, 10) + "D")
	}
	if rest > 0 {
		b.WriteString("T")
		if h > 0 {
			b.WriteString(strconv.FormatInt(h, 10) + "H")
		}
		if m > 0 {
			b.WriteString(strconv.FormatInt(m, 10) + "M")
		}
		if s > 0 {
			b.WriteString(strconv.FormatInt(s, 10) + "S")
		}
	}
	if days == 0 && rest == 0 {
		b.WriteString("0D")
	}
	return b.String()
}

var isoDurationRE = regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

// parseISODuration reads a day-time ISO 8601 duration (P1DT2H, PT30S) as
// seconds.
func parseISODuration(s string) (int64, bool) {
	m := isoDurationRE.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil || s == "P" || strings.HasSuffix(strings.ToUpper(s), "T") {
		return 0, false
	}
	var total int64
	for i, unit := range []int64{86400, 3600, 60, 1} {
		if m[i+1] == "" {
			continue
		}
		v, err := strconv.ParseInt(m[i+1], 10, 64)
		if err != nil {
			return 0, false
		}
		total += v * unit
	}
	return total, true
}

// ISODurationSeconds reads a day-time ISO 8601 duration (PT2M, P1DT30S)
// as seconds, as the service writes durations (idle time before scale
// down, retry timeouts).
func ISODurationSeconds(s string) (int64, bool) { return parseISODuration(s) }
