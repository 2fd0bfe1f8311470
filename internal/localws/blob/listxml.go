package blob

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"sort"
	"strconv"
)

// XML shapes of List Blobs and List Containers (EnumerationResults).

type blobListXML struct {
	XMLName         xml.Name `xml:"EnumerationResults"`
	ServiceEndpoint string   `xml:"ServiceEndpoint,attr"`
	ContainerName   string   `xml:"ContainerName,attr"`
	Prefix          *string  `xml:"Prefix,omitempty"`
	Marker          *string  `xml:"Marker,omitempty"`
	MaxResults      *int     `xml:"MaxResults,omitempty"`
	Delimiter       *string  `xml:"Delimiter,omitempty"`
	Blobs           struct {
		// Items holds *blobXML and *blobPrefixXML in listing order.
		Items []any
	} `xml:"Blobs"`
	NextMarker string `xml:"NextMarker"`
}

type blobXML struct {
	XMLName    xml.Name     `xml:"Blob"`
	Name       string       `xml:"Name"`
	Properties blobPropsXML `xml:"Properties"`
	Metadata   *metadataXML `xml:"Metadata,omitempty"`
}

type blobPrefixXML struct {
	XMLName xml.Name `xml:"BlobPrefix"`
	Name    string   `xml:"Name"`
}

type blobPropsXML struct {
	CreationTime       string `xml:"Creation-Time"`
	LastModified       string `xml:"Last-Modified"`
	Etag               string `xml:"Etag"`
	ContentLength      int64  `xml:"Content-Length"`
	ContentType        string `xml:"Content-Type"`
	ContentEncoding    string `xml:"Content-Encoding"`
	ContentLanguage    string `xml:"Content-Language"`
	ContentMD5         string `xml:"Content-MD5"`
	ContentDisposition string `xml:"Content-Disposition"`
	CacheControl       string `xml:"Cache-Control"`
	BlobType           string `xml:"BlobType"`
	AccessTier         string `xml:"AccessTier"`
	AccessTierInferred bool   `xml:"AccessTierInferred"`
	LeaseStatus        string `xml:"LeaseStatus"`
	LeaseState         string `xml:"LeaseState"`
	ServerEncrypted    bool   `xml:"ServerEncrypted"`
}

func newBlobXML(rec blobRecord, withMetadata bool) *blobXML {
	b := &blobXML{Name: rec.Name, Properties: blobPropsXML{
		CreationTime:       httpDate(rec.Created),
		LastModified:       httpDate(rec.LastModified),
		Etag:               unquote(rec.ETag), // Azure lists ETags without quotes
		ContentLength:      rec.Size,
		ContentType:        rec.ContentType,
		ContentEncoding:    rec.ContentEncoding,
		ContentLanguage:    rec.ContentLanguage,
		ContentDisposition: rec.ContentDisposition,
		CacheControl:       rec.CacheControl,
		BlobType:           "BlockBlob",
		AccessTier:         "Hot",
		AccessTierInferred: true,
		LeaseStatus:        "unlocked",
		LeaseState:         "available",
		ServerEncrypted:    true,
	}}
	if rec.ContentMD5 != nil {
		b.Properties.ContentMD5 = base64.StdEncoding.EncodeToString(rec.ContentMD5)
	}
	if withMetadata {
		md := metadataXML(rec.Metadata)
		b.Metadata = &md
	}
	return b
}

type containerListXML struct {
	XMLName         xml.Name `xml:"EnumerationResults"`
	ServiceEndpoint string   `xml:"ServiceEndpoint,attr"`
	Prefix          *string  `xml:"Prefix,omitempty"`
	Marker          *string  `xml:"Marker,omitempty"`
	MaxResults      *int     `xml:"MaxResults,omitempty"`
	Containers      struct {
		Items []containerXML `xml:"Container"`
	} `xml:"Containers"`
	NextMarker string `xml:"NextMarker"`
}

type containerXML struct {
	Name       string `xml:"Name"`
	Properties struct {
		LastModified          string `xml:"Last-Modified"`
		Etag                  string `xml:"Etag"`
		LeaseStatus           string `xml:"LeaseStatus"`
		LeaseState            string `xml:"LeaseState"`
		HasImmutabilityPolicy bool   `xml:"HasImmutabilityPolicy"`
		HasLegalHold          bool   `xml:"HasLegalHold"`
	} `xml:"Properties"`
	Metadata *metadataXML `xml:"Metadata,omitempty"`
}

// metadataXML renders metadata as <Metadata><name>value</name>...</Metadata>,
// names sorted. Names are C# identifiers, hence valid XML names.
type metadataXML map[string]string

func (m metadataXML) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := e.EncodeElement(m[k], xml.StartElement{Name: xml.Name{Local: k}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

func unquote(etag string) string {
	if len(etag) >= 2 && etag[0] == '"' && etag[len(etag)-1] == '"' {
		return etag[1 : len(etag)-1]
	}
	return etag
}

// writeXML sends v as a 200 XML document.
func writeXML(c *call, v any) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		return err
	}
	out := c.w.Header()
	out.Set("Content-Type", "application/xml")
	out.Set("Content-Length", strconv.Itoa(buf.Len()))
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(buf.Bytes())
	return nil
}

// accountURL is the account URL the client used, for ServiceEndpoint.
func (h *Handler) accountURL(r *http.Request, account string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + h.prefix + "/" + account + "/"
}
