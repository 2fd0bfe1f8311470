package blob

import (
	"crypto/hmac"
	"encoding/base64"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Signed versions whose SAS string-to-sign differs from the one before.
const (
	sasMinVersion             = "2015-04-05" // sip and spr signed; oldest accepted
	sasResourceVersion        = "2018-11-09" // service SAS signs sr and the snapshot time
	sasEncryptionScopeVersion = "2020-12-06" // both kinds sign ses
)

// sasToken holds the SAS parameters of a request, as sent (decoded).
type sasToken struct {
	q url.Values
}

func (t sasToken) get(name string) string { return t.q.Get(name) }

// isAccount tells an account SAS (ss and srt) from a service SAS (sr).
func (t sasToken) isAccount() bool { return t.q.Has("ss") || t.q.Has("srt") }

// verifySAS checks the SAS signature of a request with the account key,
// then its validity window, protocol and source IP. Permissions are
// checked later, against the operation (grant.allows).
func verifySAS(r *http.Request, rt route, key []byte, now time.Time) (sasToken, error) {
	t := sasToken{q: r.URL.Query()}
	sv := t.get("sv")
	switch {
	case sv == "":
		return t, authError("AuthenticationFailed", "The SAS token has no signed version (sv).")
	case sv < sasMinVersion:
		return t, authError("AuthenticationFailed", "SAS signed version sv=%s is older than %s, the oldest this service accepts; generate a new token.", sv, sasMinVersion)
	case t.q.Has("si"):
		return t, authError("AuthenticationFailed", "SAS tokens that refer to a stored access policy (si) are not supported by the local workspace; sign the permissions and expiry into the token.")
	case t.q.Has("skoid"):
		return t, authError("AuthenticationFailed", "User delegation SAS tokens are not supported by the local workspace; sign the token with the account key.")
	}
	var sts string
	if t.isAccount() {
		sts = accountSASStringToSign(rt.account, t)
	} else {
		switch sr := t.get("sr"); sr {
		case "b", "c":
		case "":
			return t, authError("AuthenticationFailed", "The SAS token has neither a signed resource (sr) nor account SAS fields (ss, srt).")
		default:
			return t, authError("AuthenticationFailed", "SAS signed resource sr=%q is not supported by the local workspace; use a blob (b) or container (c) SAS.", sr)
		}
		sts = serviceSASStringToSign(rt, t)
	}
	given, err := base64.StdEncoding.DecodeString(t.get("sig"))
	if err != nil || !hmac.Equal(given, hmacSHA256(key, sts)) {
		return t, authError("AuthenticationFailed", "Signature did not match. String to sign used was %s", sts)
	}
	if t.isAccount() && !strings.Contains(t.get("ss"), "b") {
		return t, authError("AuthorizationServiceMismatch", "The account SAS signed services ss=%q do not include the Blob service (b).", t.get("ss"))
	}
	if err := checkSASWindow(t, now); err != nil {
		return t, err
	}
	switch spr := t.get("spr"); spr {
	case "", "https,http", "http,https":
	case "https":
		if r.TLS == nil {
			return t, authError("AuthorizationProtocolMismatch", "The SAS token allows HTTPS only (spr=https) and the local workspace serves HTTP; generate it with protocol \"https,http\".")
		}
	default:
		return t, authError("AuthenticationFailed", "SAS signed protocol spr=%q is invalid: use \"https\" or \"https,http\".", spr)
	}
	if sip := t.get("sip"); sip != "" {
		if err := checkSourceIP(r, sip); err != nil {
			return t, err
		}
	}
	return t, nil
}

// serviceSASStringToSign is the blob/container SAS string-to-sign for the
// token's signed version.
func serviceSASStringToSign(rt route, t sasToken) string {
	resource := "/blob/" + rt.account + "/" + rt.container
	if t.get("sr") == "b" {
		resource += "/" + rt.blob
	}
	sv := t.get("sv")
	fields := []string{t.get("sp"), t.get("st"), t.get("se"), resource, t.get("si"), t.get("sip"), t.get("spr"), sv}
	if sv >= sasResourceVersion {
		// Blob and container SAS tokens sign no snapshot time.
		fields = append(fields, t.get("sr"), "")
	}
	if sv >= sasEncryptionScopeVersion {
		fields = append(fields, t.get("ses"))
	}
	fields = append(fields, t.get("rscc"), t.get("rscd"), t.get("rsce"), t.get("rscl"), t.get("rsct"))
	return strings.Join(fields, "\n")
}

// accountSASStringToSign is the account SAS string-to-sign, which ends in
// a newline.
func accountSASStringToSign(account string, t sasToken) string {
	fields := []string{account, t.get("sp"), t.get("ss"), t.get("srt"), t.get("st"), t.get("se"), t.get("sip"), t.get("spr"), t.get("sv")}
	if t.get("sv") >= sasEncryptionScopeVersion {
		fields = append(fields, t.get("ses"))
	}
	return strings.Join(fields, "\n") + "\n"
}

// sasTimeLayouts are the ISO 8601 UTC forms Azure accepts for st and se.
var sasTimeLayouts = []string{"2006-01-02T15:04:05Z", "2006-01-02T15:04:05.9999999Z", "2006-01-02T15:04Z", "2006-01-02"}

func parseSASTime(s string) (time.Time, bool) {
	for _, layout := range sasTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// checkSASWindow requires st <= now <= se.
func checkSASWindow(t sasToken, now time.Time) error {
	seRaw := t.get("se")
	if seRaw == "" {
		return authError("AuthenticationFailed", "The SAS token has no signed expiry (se).")
	}
	se, ok := parseSASTime(seRaw)
	if !ok {
		return authError("AuthenticationFailed", "SAS signed expiry se=%q is not an ISO 8601 UTC time such as 2025-01-31T12:00:00Z.", seRaw)
	}
	st := time.Time{}
	if stRaw := t.get("st"); stRaw != "" {
		if st, ok = parseSASTime(stRaw); !ok {
			return authError("AuthenticationFailed", "SAS signed start st=%q is not an ISO 8601 UTC time such as 2025-01-31T12:00:00Z.", stRaw)
		}
	}
	if now.After(se) || now.Before(st) {
		start := ""
		if !st.IsZero() {
			start = st.UTC().Format(http.TimeFormat)
		}
		return authError("AuthenticationFailed", "Signature not valid in the specified time frame: Start [%s] - Expiry [%s] - Current [%s]", start, se.UTC().Format(http.TimeFormat), now.UTC().Format(http.TimeFormat))
	}
	return nil
}

// checkSourceIP requires the client address within sip ("a" or "a-b").
func checkSourceIP(r *http.Request, sip string) error {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	client, err := netip.ParseAddr(host)
	if err != nil {
		return authError("AuthorizationSourceIPMismatch", "The client address could not be read to check the SAS IP range sip=%q.", sip)
	}
	client = client.Unmap()
	lowRaw, highRaw, isRange := strings.Cut(sip, "-")
	if !isRange {
		highRaw = lowRaw
	}
	low, err1 := netip.ParseAddr(lowRaw)
	high, err2 := netip.ParseAddr(highRaw)
	if err1 != nil || err2 != nil {
		return authError("AuthenticationFailed", "SAS signed IP range sip=%q is not an address or an address range a-b.", sip)
	}
	if client.Compare(low) < 0 || client.Compare(high) > 0 {
		return authError("AuthorizationSourceIPMismatch", "This request is not authorized to perform this operation using this source IP %s.", client)
	}
	return nil
}
