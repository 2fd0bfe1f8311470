package invocation

import (
	"net/url"
	"strconv"
	"strings"
)

// secretQueryKeys are query parameters that carry credentials: a SAS
// signature above all, plus the generic names people paste tokens into.
var secretQueryKeys = map[string]bool{
	"sig": true, "signature": true, "token": true, "access_token": true,
	"key": true, "password": true, "secret": true, "code": true,
}

// redact hides the secret parts of a user value before it is quoted in an
// error: a URL's password and credential-bearing query parameters (a SAS
// URL is a legitimate --input, but its signature must never reach a log).
func redact(s string) string {
	if !strings.Contains(s, "?") && !strings.Contains(s, "@") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		// Not a URL we can take apart: drop any query wholesale.
		if i := strings.IndexByte(s, '?'); i >= 0 {
			return s[:i] + "?REDACTED"
		}
		return s
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			k, _, _ := strings.Cut(p, "=")
			if secretQueryKeys[strings.ToLower(k)] {
				parts[i] = k + "=REDACTED"
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	return u.Redacted()
}

// quote renders a user value for an error message: redacted, then quoted.
func quote(s string) string { return strconv.Quote(redact(s)) }
