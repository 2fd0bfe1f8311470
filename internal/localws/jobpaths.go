package localws

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/mlbatch/ml/internal/localws/datastore"
)

// jobPaths maps one pipeline or command job's datastore paths to the
// local files the engine works on, and back. On the workspace's own blob
// store both are the store's files. On an existing account (ml local serve
// --storage-connection-string) inputs and code are downloaded into the
// job's staging folder and outputs are written under a local mirror of
// the datastore there, which publish uploads as each step ends.
type jobPaths struct {
	s     *Server
	stage string
	// check only stats inputs (submission-time validation): nothing is
	// downloaded, and input paths point where a download would go.
	check bool
	// root is the local folder of the datastore's root for outputs.
	root   string
	remote bool

	mu        sync.Mutex
	back      map[string]string // downloaded local path → datastore path
	published map[string]bool   // local output folders already uploaded
}

// newJobPaths returns the paths of job j (check: see jobPaths.check).
func (s *Server) newJobPaths(job string, check bool) (*jobPaths, *apiError) {
	p := &jobPaths{s: s, stage: filepath.Join(s.jobDir(job), "datastore"), check: check,
		back: map[string]string{}, published: map[string]bool{}}
	if _, own := s.data.(*datastore.Local); own {
		root, aerr := s.datastoreFile("")
		if aerr != nil {
			return nil, aerr
		}
		p.root = root
		return p, nil
	}
	p.remote = true
	p.root = filepath.Join(p.stage, "outputs")
	return p, nil
}

// input is the local path of a datastore path that must exist (a folder
// when wantDir).
func (p *jobPaths) input(ctx context.Context, dsPath string, wantDir bool, what string) (string, *apiError) {
	if ds, rel, ok := splitLocated(dsPath); ok {
		// On a created datastore (another account): checked, then
		// downloaded into the job's staging folder.
		store, aerr := p.s.checkCreatedInput(ctx, ds, rel, wantDir, what)
		if aerr != nil || p.check {
			return filepath.Join(p.stage, "check", ds, filepath.FromSlash(strings.Trim(rel, "/"))), aerr
		}
		local, err := store.Materialize(ctx, strings.Trim(rel, "/"), p.stage)
		if err != nil {
			return "", errBadRequest("The " + what + " (" + dsPath + ") cannot be read: " + err.Error())
		}
		p.mu.Lock()
		p.back[local] = dsPath
		p.mu.Unlock()
		return local, nil
	}
	if p.check && p.remote {
		if aerr := p.s.checkExistingPath(ctx, dsPath, wantDir, what); aerr != nil {
			return "", aerr
		}
		return filepath.Join(p.stage, "check", filepath.FromSlash(strings.Trim(dsPath, "/"))), nil
	}
	local, aerr := p.s.existingPath(ctx, dsPath, wantDir, what, p.stage)
	if aerr != nil {
		return "", aerr
	}
	p.mu.Lock()
	p.back[local] = strings.Trim(dsPath, "/")
	p.mu.Unlock()
	return local, nil
}

// output is the local folder where the job writes datastore folder dsPath.
func (p *jobPaths) output(dsPath string) (string, *apiError) {
	local, aerr := p.s.datastoreFile(dsPath + "/")
	if aerr != nil || !p.remote {
		return local, aerr
	}
	return filepath.Join(p.root, filepath.FromSlash(strings.Trim(dsPath, "/"))), nil
}

// datastorePath is the datastore path of a local file or folder of the
// job, if it is one (a locatedPath for an input on a created datastore).
func (p *jobPaths) datastorePath(local string) (string, bool) {
	p.mu.Lock()
	ds, ok := p.back[local]
	p.mu.Unlock()
	if ok {
		return ds, true
	}
	rel, err := filepath.Rel(p.root, local)
	if err != nil || !filepath.IsLocal(rel) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// publish uploads output folders to the account, each once. On the own
// store they are already in place, and one sync to disk covers them all.
func (p *jobPaths) publish(ctx context.Context, folders ...string) error {
	var todo []string
	p.mu.Lock()
	for _, local := range folders {
		if !p.published[local] {
			p.published[local] = true
			todo = append(todo, local)
		}
	}
	p.mu.Unlock()
	if len(todo) == 0 {
		return nil
	}
	if !p.remote {
		if err := p.s.data.Publish(ctx, p.root, ""); err != nil {
			return fmt.Errorf("write the outputs to disk: %w", err)
		}
		return nil
	}
	for _, local := range todo {
		ds, ok := p.datastorePath(local)
		if !ok {
			return fmt.Errorf("output folder %s is not on the datastore", local)
		}
		if err := p.s.data.Publish(ctx, local, ds); err != nil {
			return fmt.Errorf("publish output %s: %w", datastoreURI(ds), err)
		}
	}
	return nil
}
