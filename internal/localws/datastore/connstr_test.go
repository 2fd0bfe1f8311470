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
