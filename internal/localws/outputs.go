package localws

import (
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// jobOutputListing describes one output of a job: where it lives on the
// datastore and the files there, each with its blob URL. Clients download
// the files through the blob API (Shared Key with the account key from
// listSecrets, or a SAS), as they would from Azure storage.
type jobOutputListing struct {
	Name string `json:"name"`
	// Type is uri_folder, or uri_file for a model deployment's output
	// given as a file.
	Type string `json:"type"`
	// Datastore and Path locate the output folder; URI is the azureml://
	// URI of the output (the file for a uri_file output).
	Datastore string `json:"datastore"`
	Path      string `json:"path"`
	URI       string `json:"uri"`
	// AccountURL and Container are what azblob needs; FolderURL is the
	// output folder's blob URL prefix.
	AccountURL string `json:"accountUrl"`
	Container  string `json:"container"`
	FolderURL  string `json:"folderUrl"`
	// File is the output file of a model deployment (predictions.csv), a
	// name inside Path; empty for other outputs.
	File  string       `json:"file,omitempty"`
	Files []outputFile `json:"files"`
}

type outputFile struct {
	// Name is the path relative to the output folder.
	Name string `json:"name"`
	// Path is the datastore path (the blob name).
	Path string `json:"path"`
	Size int64  `json:"size"`
	URL  string `json:"url"`
}

func (s *Server) serveOutputs(w http.ResponseWriter, r *http.Request, j *jobRecord) {
	out := listPage[jobOutputListing]{Value: []jobOutputListing{}}
	accountURL, container := s.accountURL(r), s.data.Account().Container
	for _, o := range j.Outputs {
		l := jobOutputListing{
			Name:       o.Name,
			Type:       o.Type,
			Datastore:  defaultDatastore,
			Path:       o.Folder + "/",
			URI:        outputURI(o),
			AccountURL: accountURL,
			Container:  container,
			FolderURL:  accountURL + "/" + container + "/" + escapeBlobName(o.Folder) + "/",
			File:       o.FileName,
			Files:      []outputFile{},
		}
		if _, aerr := s.datastoreFile(o.Folder + "/"); aerr != nil {
			writeError(w, aerr)
			return
		}
		files, err := s.data.List(r.Context(), o.Folder)
		if err != nil {
			writeError(w, err)
			return
		}
		for _, f := range files {
			blobName := path.Join(o.Folder, f.Name)
			l.Files = append(l.Files, outputFile{Name: f.Name, Path: blobName, Size: f.Size,
				URL: accountURL + "/" + container + "/" + escapeBlobName(blobName)})
		}
		out.Value = append(out.Value, l)
	}
	writeJSON(w, http.StatusOK, out)
}

type listedFile struct {
	name string
	size int64
}

// listFiles lists the regular files under dir (slash paths relative to
// it), skipping symbolic links; a missing dir is an empty listing.
func listFiles(dir string) ([]listedFile, error) {
	var out []listedFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		out = append(out, listedFile{name: filepath.ToSlash(rel), size: fi.Size()})
		return nil
	})
	sort.Slice(out, func(i, k int) bool { return out[i].name < out[k].name })
	return out, err
}

func escapeBlobName(name string) string {
	segs := strings.Split(name, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
