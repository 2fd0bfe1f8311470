package datastore

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Azurite's well-known development account (UseDevelopmentStorage=true).
const (
	devAccount = "devstoreaccount1"
	devKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
	devURL     = "http://127.0.0.1:10000/devstoreaccount1"
)

// ParseConnectionString reads an Azure Storage connection string
// (AccountName, AccountKey or SharedAccessSignature, BlobEndpoint or
// DefaultEndpointsProtocol + EndpointSuffix, or UseDevelopmentStorage=true)
// into the account it names. Errors say which key is wrong and never
// repeat the secret.
func ParseConnectionString(s string) (Account, error) {
	fields := map[string]string{}
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return Account{}, fmt.Errorf("storage connection string: %q is not KEY=VALUE; give AccountName=...;AccountKey=...;BlobEndpoint=... (or UseDevelopmentStorage=true)", redactPart(part))
		}
		fields[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	var a Account
	if strings.EqualFold(fields["usedevelopmentstorage"], "true") {
		a = Account{Name: devAccount, Key: devKey, URL: devURL}
	}
	if v := fields["accountname"]; v != "" {
		a.Name = v
	}
	if v := fields["accountkey"]; v != "" {
		if _, err := base64.StdEncoding.DecodeString(v); err != nil {
			return Account{}, fmt.Errorf("storage connection string: AccountKey is not base64; copy it again from the account's Access keys")
		}
		a.Key = v
	}
	if v := fields["sharedaccesssignature"]; v != "" {
		a.SAS, a.Key = strings.TrimPrefix(v, "?"), ""
	}
	if a.Name == "" {
		return Account{}, fmt.Errorf("storage connection string: AccountName is missing")
	}
	if a.Key == "" && a.SAS == "" {
		return Account{}, fmt.Errorf("storage connection string: give AccountKey or SharedAccessSignature for account %s", a.Name)
	}
	if v := fields["blobendpoint"]; v != "" {
		a.URL = strings.TrimSuffix(v, "/")
	}
	if a.URL == "" {
		protocol, suffix := fields["defaultendpointsprotocol"], fields["endpointsuffix"]
		if protocol == "" {
			protocol = "https"
		}
		if suffix == "" {
			suffix = "core.windows.net"
		}
		a.URL = protocol + "://" + a.Name + ".blob." + suffix
	}
	var err error
	if a.Endpoint, a.Protocol, err = EndpointOf(a.URL, a.Name); err != nil {
		return Account{}, err
	}
	return a, nil
}

// EndpointOf splits an account URL into the datastore's endpoint and
// protocol, the way clients rebuild it: https://<account>.blob.<suffix>
// has endpoint <suffix> (virtual-host style, as on Azure);
// http://<host:port>[/<prefix>]/<account>, the path-style URL of Azurite
// and of the local blob service, has endpoint <host:port>[/<prefix>] and
// clients build <protocol>://<endpoint>/<account>.
func EndpointOf(accountURL, account string) (endpoint, protocol string, err error) {
	u, err := url.Parse(accountURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", "", fmt.Errorf("storage account URL %q: want http(s)://host/...", accountURL)
	}
	path := strings.Trim(u.Path, "/")
	if suffix, ok := strings.CutPrefix(u.Host, account+".blob."); ok && path == "" {
		return suffix, u.Scheme, nil
	}
	prefix, last := "", path
	if i := strings.LastIndex(path, "/"); i >= 0 {
		prefix, last = path[:i], path[i+1:]
	}
	if last != account {
		return "", "", fmt.Errorf("storage account URL %q: want https://%s.blob.<suffix> or a path-style http://host:port/%s", accountURL, account, account)
	}
	endpoint = u.Host
	if prefix != "" {
		endpoint += "/" + prefix
	}
	return endpoint, u.Scheme, nil
}

// AccountURL is the account URL of a blob datastore, the inverse of
// EndpointOf and the rule ml's client follows: on Azure
// <protocol>://<account>.blob.<endpoint>; for a path-style endpoint
// (host:port, an IP address, localhost, or anything with a path: Azurite's
// 127.0.0.1:10000, the local blob service's <host:port>/blob)
// <protocol>://<endpoint>/<account>. The Hadoop protocols az accepts name
// the same service: wasbs is https, wasb http.
func AccountURL(account, endpoint, protocol string) string {
	switch strings.ToLower(protocol) {
	case "", "wasbs":
		protocol = "https"
	case "wasb":
		protocol = "http"
	}
	if endpoint == "" {
		endpoint = "core.windows.net"
	}
	if PathStyleEndpoint(endpoint) {
		return protocol + "://" + strings.TrimSuffix(endpoint, "/") + "/" + account
	}
	return protocol + "://" + account + ".blob." + endpoint
}

// PathStyleEndpoint reports whether a datastore endpoint names a
// path-style service rather than a DNS suffix such as core.windows.net.
func PathStyleEndpoint(endpoint string) bool {
	if strings.Contains(endpoint, "/") {
		return true
	}
	if h, _, err := net.SplitHostPort(endpoint); err == nil && h != "" {
		return true
	}
	return endpoint == "localhost" || net.ParseIP(endpoint) != nil
}

// redactPart hides the value of a connection-string part that may be a
// secret.
func redactPart(part string) string {
	if len(part) > 12 {
		return part[:4] + "…"
	}
	return part
}
