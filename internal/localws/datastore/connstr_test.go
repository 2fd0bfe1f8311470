package datastore

import (
	"strings"
	"testing"
)

func TestParseConnectionString(t *testing.T) {
	const key = "c2VjcmV0LWtleS1kby1ub3QtcHJpbnQ="
	tests := []struct {
		conn string
		want Account
	}{
		{"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + key + ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;",
			Account{Name: "devstoreaccount1", Key: key, URL: "http://127.0.0.1:10000/devstoreaccount1", Endpoint: "127.0.0.1:10000", Protocol: "http"}},
		{"DefaultEndpointsProtocol=https;AccountName=mlstore;AccountKey=" + key + ";EndpointSuffix=core.windows.net",
			Account{Name: "mlstore", Key: key, URL: "https://mlstore.blob.core.windows.net", Endpoint: "core.windows.net", Protocol: "https"}},
		{"BlobEndpoint=https://mlstore.blob.core.chinacloudapi.cn/;SharedAccessSignature=?sv=2024&sig=abc;AccountName=mlstore",
			Account{Name: "mlstore", SAS: "sv=2024&sig=abc", URL: "https://mlstore.blob.core.chinacloudapi.cn", Endpoint: "core.chinacloudapi.cn", Protocol: "https"}},
		{"UseDevelopmentStorage=true",
			Account{Name: devAccount, Key: devKey, URL: devURL, Endpoint: "127.0.0.1:10000", Protocol: "http"}},
	}
	for _, tt := range tests {
		got, err := ParseConnectionString(tt.conn)
		if err != nil || got != tt.want {
			t.Errorf("ParseConnectionString(%q)\n= %+v, %v\nwant %+v", tt.conn, got, err, tt.want)
		}
	}
	for _, bad := range []struct{ conn, want string }{
		{"AccountKey=" + key, "AccountName is missing"},
		{"AccountName=a", "give AccountKey or SharedAccessSignature"},
		{"AccountName=a;AccountKey=not base64!", "AccountKey is not base64"},
		{"AccountName=a;AccountKey=" + key + ";BlobEndpoint=https://cdn.example.com/x", "want https://a.blob.<suffix>"},
		{"AccountName=a;justsomejunkwithoutequals", "is not KEY=VALUE"},
	} {
		_, err := ParseConnectionString(bad.conn)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ParseConnectionString(%q) error %v, want %q", bad.conn, err, bad.want)
		}
		if err != nil && strings.Contains(err.Error(), key) {
			t.Errorf("error %q repeats the key", err)
		}
	}
}

// TestAccountURL: the account URL clients build from a datastore's
// account, endpoint and protocol, path-style for Azurite and the local
// blob service, inverse to EndpointOf.
func TestAccountURL(t *testing.T) {
	for _, tt := range []struct{ account, endpoint, protocol, want string }{
		{"mystore", "core.windows.net", "https", "https://mystore.blob.core.windows.net"},
		{"mystore", "", "", "https://mystore.blob.core.windows.net"},
		{"mystore", "core.chinacloudapi.cn", "wasbs", "https://mystore.blob.core.chinacloudapi.cn"},
		{"devstoreaccount1", "127.0.0.1:10000", "http", "http://127.0.0.1:10000/devstoreaccount1"},
		{"devstoreaccount1", "localhost:10000", "http", "http://localhost:10000/devstoreaccount1"},
		{"mllocal", "127.0.0.1:8765/blob", "http", "http://127.0.0.1:8765/blob/mllocal"},
	} {
		got := AccountURL(tt.account, tt.endpoint, tt.protocol)
		if got != tt.want {
			t.Errorf("AccountURL(%q, %q, %q) = %q, want %q", tt.account, tt.endpoint, tt.protocol, got, tt.want)
		}
		if tt.protocol == "http" || tt.protocol == "https" {
			if ep, proto, err := EndpointOf(got, tt.account); err != nil || ep != tt.endpoint || proto != tt.protocol {
				t.Errorf("EndpointOf(%q) = %q, %q, %v", got, ep, proto, err)
			}
		}
	}
}
