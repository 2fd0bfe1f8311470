package localws

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Long-running operations. Creates and deletes finish before the response
// is written, so their operation is born Succeeded; the URLs exist because
// azcore pollers (BeginCreateOrUpdate(...).PollUntilDone) follow them, as
// they follow Azure's mfeOperationsStatus / mfeOperationResults URLs. A job
// cancel is the one operation that can still be in progress: its result URL
// answers 202 until the job has stopped.

const (
	opKindStatus = "mfeOperationsStatus"
	opKindResult = "mfeOperationResults"

	operationKind = "operations" // store kind
)

type operationRecord struct {
	// Action is "create", "delete" or "cancel".
	Action string `json:"action"`
	// Job is the canceled job (action "cancel").
	Job string `json:"job,omitempty"`
}

// newOperation stores an operation and returns its id.
func (s *Server) newOperation(ctx context.Context, op operationRecord) (string, error) {
	id := uuid.NewString()
	body, err := json.Marshal(op)
	if err != nil {
		return "", err
	}
	return id, s.store.PutResource(ctx, resource{Kind: operationKind, Name: id, Body: body})
}

func (s *Server) operationURL(r *http.Request, kind, id string) string {
	return baseURL(r) + "/subscriptions/" + s.opts.Subscription + "/providers/" + providerNamespace +
		"/locations/" + DefaultLocation + "/" + kind + "/" + url.PathEscape(id) +
		"?api-version=" + url.QueryEscape(r.URL.Query().Get("api-version"))
}

// acceptedCreate sets the headers of an asynchronous create (201 or 200).
func (s *Server) acceptedCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := s.newOperation(r.Context(), operationRecord{Action: "create"})
	if err != nil {
		return err
	}
	w.Header().Set("Azure-AsyncOperation", s.operationURL(r, opKindStatus, id))
	w.Header().Set("Location", baseURL(r)+r.URL.RequestURI())
	w.Header().Set("x-ms-async-operation-timeout", "PT30M")
	return nil
}

// acceptedDelete answers 202 with a Location to poll, as ARM does.
func (s *Server) acceptedDelete(w http.ResponseWriter, r *http.Request) {
	id, err := s.newOperation(r.Context(), operationRecord{Action: "delete"})
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Location", s.operationURL(r, opKindResult, id))
	w.Header().Set("x-ms-async-operation-timeout", "PT1H")
	w.WriteHeader(http.StatusAccepted)
}

// operationDone reports whether op has finished.
func (s *Server) operationDone(ctx context.Context, op operationRecord) (bool, error) {
	if op.Action != "cancel" {
		return true, nil
	}
	j, err := s.store.GetJob(ctx, op.Job)
	if errors.Is(err, errNoRecord) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return isTerminal(j.Status), nil
}

func (s *Server) serveOperation(w http.ResponseWriter, r *http.Request, kind, id string) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, r, http.MethodGet)
		return
	}
	if kind != opKindStatus && kind != opKindResult {
		writeError(w, errNotFound("no operation route "+kind+": use "+opKindStatus+" or "+opKindResult))
		return
	}
	rec, err := s.store.GetResource(r.Context(), operationKind, "", id)
	if errors.Is(err, errNoRecord) {
		writeError(w, errNotFound("Operation '"+id+"' not found."))
		return
	}
	if err != nil {
		writeError(w, err)
		return
	}
	var op operationRecord
	if err := json.Unmarshal(rec.Body, &op); err != nil {
		writeError(w, err)
		return
	}
	done, err := s.operationDone(r.Context(), op)
	if err != nil {
		writeError(w, err)
		return
	}
	if kind == opKindResult {
		if !done {
			w.Header().Set("Location", s.operationURL(r, opKindResult, id))
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusAccepted, struct{}{})
			return
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	status := "Succeeded"
	if !done {
		status = "InProgress"
		w.Header().Set("Retry-After", "1")
	}
	opID, _, _ := strings.Cut(strings.TrimPrefix(s.operationURL(r, kind, id), baseURL(r)), "?")
	writeJSON(w, http.StatusOK, map[string]any{
		"id":        opID,
		"name":      id,
		"status":    status,
		"startTime": rec.Created.UTC().Format(time.RFC3339Nano),
	})
}
