package blob

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"
)

// TestCompareHeaderNames pins the Shared Key header order on pairs where
// it differs from byte order, and on ordinary ones.
func TestCompareHeaderNames(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int // sign
	}{
		{"x-ms-date", "x-ms-version", -1},
		{"x-ms-blob-content-md5", "x-ms-blob-type", -1},
		{"x-ms-meta-a_b", "x-ms-meta-a1", -1}, // '_' before digits; bytes say otherwise
		{"x-ms-meta-a1", "x-ms-meta-ab", -1},  // digits before letters
		{"x-ms-meta-ab", "x-ms-meta-a-b", -1}, // dashes only break ties
		{"x-ms-meta-a-c", "x-ms-meta-ab", 1},  // ...and are ignored first
		{"x-ms-meta-a", "x-ms-meta-a_", -1},   // a prefix sorts first
		{"x-ms-meta-abc", "x-ms-meta-abc", 0},
		{"x-ms-meta-Abc", "x-ms-meta-abc", 0}, // letters without case
	} {
		got := compareHeaderNames(tc.a, tc.b)
		if sign(got) != tc.want || sign(compareHeaderNames(tc.b, tc.a)) != -tc.want {
			t.Errorf("compare(%q, %q) = %d, want sign %d (and the reverse)", tc.a, tc.b, got, tc.want)
		}
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// TestSharedKeyHeaderOrderMatchesAzblob sends metadata names whose Shared
// Key order differs from byte order through azblob: the request
// authenticates only if the handler orders them exactly as azblob signs.
func TestSharedKeyHeaderOrderMatchesAzblob(t *testing.T) {
	md := map[string]string{"a": "1", "a1": "2", "a_b": "3", "a_1": "4", "ab": "5", "_x": "6", "x_": "7", "x9": "8", "x_9": "9", "z": "10", "upload_status": "completed"}
	h := http.Header{}
	for k, v := range md {
		h.Set("x-ms-meta-"+k, v)
	}
	if canonicalizedHeaders(h, compareHeaderNames) == canonicalizedHeaders(h, strings.Compare) {
		t.Fatal("the chosen names sort the same both ways; the test would prove nothing")
	}
	tg := startHandler(t, nil)
	c := tg.newContainer(t)
	upload(t, c, "ordered.txt", []byte("x"), nil)
	meta := map[string]*string{}
	for k, v := range md {
		meta[k] = ptr(v)
	}
	if _, err := c.NewBlobClient("ordered.txt").SetMetadata(context.Background(), meta, nil); err != nil {
		t.Fatalf("SetMetadata: %v", err)
	}
	props, err := c.NewBlobClient("ordered.txt").GetProperties(context.Background(), nil)
	if err != nil || !metaEqualFold(props.Metadata, md) {
		t.Errorf("metadata = %v, %v", props.Metadata, err)
	}
}

// TestRequestDateSkew: Shared Key requests dated more than 15 minutes away
// from the server clock are refused, saying which way the clock is off.
func TestRequestDateSkew(t *testing.T) {
	for _, tc := range []struct {
		offset time.Duration
		want   string
	}{{20 * time.Minute, "too old"}, {-20 * time.Minute, "too far in the future"}, {10 * time.Minute, ""}} {
		tg := startHandler(t, func(o *Options) { o.Now = func() time.Time { return time.Now().Add(tc.offset) } })
		_, err := tg.service(t).NewContainerClient("skewed").Create(context.Background(), nil)
		if tc.want == "" {
			if err != nil {
				t.Errorf("clock off by %v: %v", tc.offset, err)
			}
			continue
		}
		wantStatus(t, err, http.StatusForbidden, "AuthenticationFailed")
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("clock off by %v: error does not say %q: %v", tc.offset, tc.want, err)
		}
	}
}

// signSAS signs a hand-built string-to-sign with testKey.
func signSAS(t *testing.T, stringToSign string) string {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(testKey)
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// TestSASVersions verifies tokens of each signed-version era, built from
// the string-to-sign formats documented for service and account SAS (the
// older ones by hand: azblob only produces the current format), and that a
// token altered after signing is refused.
func TestSASVersions(t *testing.T) {
	s := startRaw(t, nil)
	s.mustCreateContainer("cont")
	s.mustPut("cont", "dir/file.txt", "versioned")
	se := time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04:05Z")
	res := "/blob/" + testAccount + "/cont/dir/file.txt"
	lines := func(fields ...string) string { return strings.Join(fields, "\n") }
	for _, tc := range []struct {
		name   string
		params url.Values
		sts    string
	}{
		{"service 2015-04-05", url.Values{"sv": {"2015-04-05"}, "sr": {"b"}, "sp": {"r"}, "se": {se}},
			lines("r", "", se, res, "", "", "", "2015-04-05", "", "", "", "", "")},
		{"service 2018-11-09", url.Values{"sv": {"2018-11-09"}, "sr": {"b"}, "sp": {"r"}, "se": {se}, "spr": {"https,http"}},
			lines("r", "", se, res, "", "", "https,http", "2018-11-09", "b", "", "", "", "", "", "")},
		{"service 2020-12-06 with response headers", url.Values{"sv": {"2020-12-06"}, "sr": {"b"}, "sp": {"r"}, "se": {se}, "rsct": {"text/plain"}},
			lines("r", "", se, res, "", "", "", "2020-12-06", "b", "", "", "", "", "", "", "text/plain")},
		{"container 2019-02-02", url.Values{"sv": {"2019-02-02"}, "sr": {"c"}, "sp": {"rl"}, "se": {se}},
			lines("rl", "", se, "/blob/"+testAccount+"/cont", "", "", "", "2019-02-02", "c", "", "", "", "", "", "")},
		{"account 2019-12-12", url.Values{"sv": {"2019-12-12"}, "ss": {"b"}, "srt": {"o"}, "sp": {"r"}, "se": {se}},
			lines(testAccount, "r", "b", "o", "", se, "", "", "2019-12-12", "")},
		{"account 2020-12-06", url.Values{"sv": {"2020-12-06"}, "ss": {"bfqt"}, "srt": {"sco"}, "sp": {"rl"}, "se": {se}},
			lines(testAccount, "rl", "bfqt", "sco", "", se, "", "", "2020-12-06", "", "")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{}
			for k, v := range tc.params {
				q[k] = v
			}
			q.Set("sig", signSAS(t, tc.sts))
			r := s.do(http.MethodGet, "/blob/"+testAccount+"/cont/dir/file.txt", q.Encode(), "", nil, false)
			if r.status != http.StatusOK || r.body != "versioned" {
				t.Fatalf("GET with the token: %d %s", r.status, r.body)
			}
			q.Set("sp", q.Get("sp")+"w") // widen the permissions after signing
			r = s.do(http.MethodGet, "/blob/"+testAccount+"/cont/dir/file.txt", q.Encode(), "", nil, false)
			if r.status != http.StatusForbidden || r.errorCode() != "AuthenticationFailed" {
				t.Errorf("GET with an altered token: %d %s, want 403 AuthenticationFailed", r.status, r.errorCode())
			}
		})
	}
}

// TestSASRefusals covers SAS tokens that are well signed but may not be
// used for the request, and the ones this service does not support.
func TestSASRefusals(t *testing.T) {
	s := startRaw(t, nil)
	s.mustCreateContainer("cont")
	s.mustPut("cont", "f.txt", "x")
	cred, err := service.NewSharedKeyCredential(testAccount, testKey)
	if err != nil {
		t.Fatal(err)
	}
	expiry := time.Now().UTC().Add(time.Hour)
	blobToken := func(v sas.BlobSignatureValues) string {
		v.ContainerName, v.BlobName, v.ExpiryTime = "cont", "f.txt", expiry
		if v.Permissions == "" {
			v.Permissions = "r"
		}
		qp, err := v.SignWithSharedKey(cred)
		if err != nil {
			t.Fatal(err)
		}
		return qp.Encode()
	}
	accountToken := func(v sas.AccountSignatureValues) string {
		v.ExpiryTime, v.Protocol = expiry, sas.ProtocolHTTPSandHTTP
		qp, err := v.SignWithSharedKey(cred)
		if err != nil {
			t.Fatal(err)
		}
		return qp.Encode()
	}
	// azblob signs account SAS tokens for the Blob service only.
	se := expiry.Format("2006-01-02T15:04:05Z")
	queueToken := url.Values{"sv": {"2020-12-06"}, "ss": {"q"}, "srt": {"o"}, "sp": {"r"}, "se": {se},
		"sig": {signSAS(t, strings.Join([]string{testAccount, "r", "q", "o", "", se, "", "", "2020-12-06", "", ""}, "\n"))}}.Encode()
	withParam := func(token, k, v string) string {
		q, _ := url.ParseQuery(token)
		q.Set(k, v)
		return q.Encode()
	}
	for _, tc := range []struct {
		name, query string
		status      int
		code        string
	}{
		{"https-only token over http", blobToken(sas.BlobSignatureValues{Protocol: sas.ProtocolHTTPS}), 403, "AuthorizationProtocolMismatch"},
		{"ip range excluding the client", blobToken(sas.BlobSignatureValues{IPRange: sas.IPRange{Start: []byte{10, 0, 0, 1}, End: []byte{10, 0, 0, 9}}}), 403, "AuthorizationSourceIPMismatch"},
		{"ip range including the client", blobToken(sas.BlobSignatureValues{IPRange: sas.IPRange{Start: []byte{127, 0, 0, 1}, End: []byte{127, 0, 0, 2}}}), 200, ""},
		{"stored access policy", withParam(blobToken(sas.BlobSignatureValues{}), "si", "policy1"), 403, "AuthenticationFailed"},
		{"signed version too old", withParam(blobToken(sas.BlobSignatureValues{}), "sv", "2013-08-15"), 403, "AuthenticationFailed"},
		{"no signed version", withParam(blobToken(sas.BlobSignatureValues{}), "sv", ""), 403, "AuthenticationFailed"},
		{"garbage signature", withParam(blobToken(sas.BlobSignatureValues{}), "sig", "%%%"), 403, "AuthenticationFailed"},
		{"unparsable expiry", withParam(blobToken(sas.BlobSignatureValues{}), "se", "tomorrow"), 403, "AuthenticationFailed"},
		{"account SAS for the queue service", queueToken, 403, "AuthorizationServiceMismatch"},
		{"account SAS without object resource type", accountToken(sas.AccountSignatureValues{Permissions: "r", ResourceTypes: "c"}), 403, "AuthorizationResourceTypeMismatch"},
		{"account SAS without read", accountToken(sas.AccountSignatureValues{Permissions: "l", ResourceTypes: "o"}), 403, "AuthorizationPermissionMismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(http.MethodGet, "/blob/"+testAccount+"/cont/f.txt", tc.query, "", nil, false)
			if r.status != tc.status || (tc.code != "" && r.errorCode() != tc.code) {
				t.Errorf("%d %s, want %d %s\n%s", r.status, r.errorCode(), tc.status, tc.code, r.body)
			}
		})
	}
}

// TestUnauthenticatedRequests: no credentials, an unknown account, another
// account's name in the header, or a Bearer token all get 403.
func TestUnauthenticatedRequests(t *testing.T) {
	s := startRaw(t, nil)
	s.mustCreateContainer("cont")
	s.mustPut("cont", "f.txt", "x")
	for _, tc := range []struct {
		name, path string
		header     http.Header
		detail     string
	}{
		{"no credentials", "/blob/" + testAccount + "/cont/f.txt", nil, "neither an Authorization header"},
		{"unknown account", "/blob/otheraccount/cont/f.txt", nil, "not served"},
		{"bearer token", "/blob/" + testAccount + "/cont/f.txt", http.Header{"Authorization": {"Bearer eyJhbGciOi"}}, "scheme \"Bearer\""},
		{"other account in the header", "/blob/" + testAccount + "/cont/f.txt", http.Header{"Authorization": {"SharedKey someone:c2ln"}, "X-Ms-Date": {time.Now().UTC().Format(http.TimeFormat)}}, "signed for account \"someone\""},
		{"no date", "/blob/" + testAccount + "/cont/f.txt", http.Header{"Authorization": {"SharedKey " + testAccount + ":c2ln"}}, "no x-ms-date"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(http.MethodGet, tc.path, "", "", tc.header, false)
			if r.status != http.StatusForbidden || r.errorCode() != "AuthenticationFailed" || !strings.Contains(r.errorText(), tc.detail) {
				t.Errorf("%d %s, want 403 AuthenticationFailed mentioning %q:\n%s", r.status, r.errorCode(), tc.detail, r.body)
			}
			if strings.Contains(r.body, "x") && strings.Contains(r.body, "<Blob>") {
				t.Errorf("an unauthenticated request got data: %s", r.body)
			}
		})
	}
}

// TestSecretsStayOut drives failing and succeeding requests through a
// handler that logs at debug level and checks that neither responses nor
// logs contain the account key or any signature.
func TestSecretsStayOut(t *testing.T) {
	logs, logger := logBuffer()
	tg := startHandler(t, func(o *Options) { o.Logger = logger })
	c := tg.newContainer(t)
	ctx := context.Background()
	upload(t, c, "f.txt", []byte("x"), nil)

	var secrets []string
	secrets = append(secrets, testKey)
	// A wrong key: the response must not echo the signature it computed
	// nor the one it received.
	bad := target{serviceURL: tg.serviceURL, account: tg.account, key: base64.StdEncoding.EncodeToString([]byte("wrong key wrong key wrong key ww"))}
	_, err := bad.service(t).NewContainerClient(containerName(t, tg, c)).NewBlobClient("f.txt").DownloadStream(ctx, nil)
	wantStatus(t, err, http.StatusForbidden, "AuthenticationFailed")
	responses := err.Error()
	// A SAS with a bad signature and a good one.
	cred, _ := service.NewSharedKeyCredential(testAccount, testKey)
	qp, err := sas.BlobSignatureValues{ExpiryTime: time.Now().UTC().Add(time.Hour), Permissions: "r", ContainerName: containerName(t, tg, c), BlobName: "f.txt"}.SignWithSharedKey(cred)
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, qp.Signature())
	good := sasBlobClient(t, c.NewBlobClient("f.txt").URL(), qp)
	resp, err := good.DownloadStream(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	tampered, _ := url.ParseQuery(qp.Encode())
	tampered.Set("sp", "rw")
	tc, err := sasBlobClientRaw(c.NewBlobClient("f.txt").URL(), tampered.Encode())
	if err != nil {
		t.Fatal(err)
	}
	_, err = tc.DownloadStream(ctx, nil)
	wantStatus(t, err, http.StatusForbidden, "AuthenticationFailed")
	responses += err.Error()

	for _, secret := range secrets {
		for _, form := range []string{secret, url.QueryEscape(secret)} {
			if strings.Contains(responses, form) {
				t.Errorf("a response contains a secret (%d chars)", len(secret))
			}
			if strings.Contains(logs.String(), form) {
				t.Errorf("the log contains a secret (%d chars)", len(secret))
			}
		}
	}
	if strings.Contains(logs.String(), "sig=") || !strings.Contains(logs.String(), "blob request") {
		t.Errorf("the log should have request lines without queries:\n%s", logs.String())
	}
}

// TestPythonStyleAccountName: azure-storage-blob for Python signs requests
// to http://127.0.0.1:port/blob/<account> as account "blob/<account>" (it
// reads the account name from the path of a loopback URL). azblob with that
// account name signs the same way, so it stands in for Python here.
func TestPythonStyleAccountName(t *testing.T) {
	tg := startHandler(t, nil)
	c := tg.newContainer(t)
	upload(t, c, "py.txt", []byte("from python"), nil)
	py := target{serviceURL: tg.serviceURL, account: "blob/" + testAccount, key: testKey}
	got, _ := download(t, py.service(t).NewContainerClient(containerName(t, tg, c)).NewBlobClient("py.txt"), nil)
	if string(got) != "from python" {
		t.Errorf("download = %q", got)
	}
	other := target{serviceURL: tg.serviceURL, account: "other/" + testAccount, key: testKey}
	_, err := other.service(t).NewContainerClient(containerName(t, tg, c)).NewBlobClient("py.txt").GetProperties(context.Background(), nil)
	wantStatus(t, err, http.StatusForbidden, "AuthenticationFailed")
}
