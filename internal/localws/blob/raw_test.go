package blob

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"
)

// rawServer serves the handler directly (no ServeMux, which would clean
// paths before the handler sees them) and signs raw requests with an
// account SAS made by azblob, independent of the handler's own code.
type rawServer struct {
	tb   testing.TB
	url  string // server URL; paths start with /blob/<account>
	h    *Handler
	root string
	sas  string // encoded account SAS query, all permissions
}

func startRaw(tb testing.TB, modify func(*Options)) *rawServer {
	tb.Helper()
	h, root := newTestHandler(tb, modify)
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	cred, err := service.NewSharedKeyCredential(testAccount, testKey)
	if err != nil {
		tb.Fatal(err)
	}
	qp, err := sas.AccountSignatureValues{
		Protocol: sas.ProtocolHTTPSandHTTP, ExpiryTime: time.Now().UTC().Add(time.Hour),
		Permissions:   (&sas.AccountPermissions{Read: true, Write: true, Delete: true, List: true, Create: true}).String(),
		ResourceTypes: (&sas.AccountResourceTypes{Service: true, Container: true, Object: true}).String(),
	}.SignWithSharedKey(cred)
	if err != nil {
		tb.Fatal(err)
	}
	return &rawServer{tb: tb, url: srv.URL, h: h, root: root, sas: qp.Encode()}
}

// rawResponse is a response with its body read.
type rawResponse struct {
	status int
	header http.Header
	body   string
}

// errorCode is the <Code> of an error body ("" if none).
func (r rawResponse) errorCode() string {
	var e struct{ Code string }
	_ = xml.Unmarshal([]byte(r.body), &e)
	return e.Code
}

// errorText is the decoded <Message> and <AuthenticationErrorDetail>.
func (r rawResponse) errorText() string {
	var e struct {
		Message                   string
		AuthenticationErrorDetail string
	}
	_ = xml.Unmarshal([]byte(r.body), &e)
	return e.Message + "\n" + e.AuthenticationErrorDetail
}

// do sends method to rawPath (escaped, below the server root) with the
// SAS appended to query (when signed) and returns the response.
func (s *rawServer) do(method, rawPath, query string, body string, header http.Header, signed bool) rawResponse {
	s.tb.Helper()
	q := query
	if signed {
		if q != "" {
			q += "&"
		}
		q += s.sas
	}
	target := s.url + rawPath
	if q != "" {
		target += "?" + q
	}
	var rdr io.Reader
	if body != "" {
		rdr = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, target, rdr)
	if err != nil {
		s.tb.Fatalf("build %s %s: %v", method, rawPath, err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if method == http.MethodPut && req.Header.Get("x-ms-blob-type") == "" && !strings.Contains(query, "comp=") && !strings.Contains(query, "restype=") {
		req.Header.Set("x-ms-blob-type", "BlockBlob")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		s.tb.Fatalf("%s %s: %v", method, rawPath, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		s.tb.Fatalf("%s %s: read body: %v", method, rawPath, err)
	}
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: string(data)}
}

func (s *rawServer) mustCreateContainer(name string) {
	s.tb.Helper()
	if r := s.do(http.MethodPut, "/blob/"+testAccount+"/"+name, "restype=container", "", nil, true); r.status != http.StatusCreated {
		s.tb.Fatalf("create container %s: %d %s", name, r.status, r.body)
	}
}

func (s *rawServer) mustPut(container, rawName, content string) {
	s.tb.Helper()
	if r := s.do(http.MethodPut, "/blob/"+testAccount+"/"+container+"/"+rawName, "", content, nil, true); r.status != http.StatusCreated {
		s.tb.Fatalf("put %s/%s: %d %s", container, rawName, r.status, r.body)
	}
}
