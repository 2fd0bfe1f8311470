package blob

import (
	"net/http"
	"strings"
	"time"
)

// grant is what an authenticated request may do: everything (Shared Key)
// or what its SAS token allows.
type grant struct {
	full bool
	sas  sasToken
	// createOnly is set by allows when a write is permitted only by the
	// SAS create permission (c), which may not overwrite an existing blob.
	createOnly bool
}

// authenticate verifies the request's Shared Key or SAS signature. A
// request carrying "sig" is a SAS request, whatever else it carries.
func (h *Handler) authenticate(r *http.Request, rt route, now time.Time) (grant, error) {
	key, ok := h.accounts[rt.account]
	if !ok {
		return grant{}, authError("AuthenticationFailed", "Account %q is not served by this local workspace.", rt.account)
	}
	if r.URL.Query().Has("sig") {
		t, err := verifySAS(r, rt, key, now)
		return grant{sas: t}, err
	}
	if r.Header.Get("Authorization") == "" {
		return grant{}, authError("AuthenticationFailed", "The request carries neither an Authorization header (Shared Key) nor a SAS token; every request to the local workspace's blob service must be signed with the account key or carry a SAS.")
	}
	alias := ""
	if h.prefix != "" {
		alias = strings.TrimPrefix(h.prefix, "/") + "/" + rt.account
	}
	if err := verifySharedKey(r, rt.account, alias, key, now); err != nil {
		return grant{}, err
	}
	return grant{full: true}, nil
}

// permissions lists the SAS permissions that allow op, any one sufficing,
// and whether the create permission (c) allows it for new blobs only.
func permissions(op operation) (anyOf string, createForNewOnly bool) {
	switch op {
	case opListContainers, opListBlobs:
		return "l", false
	case opCreateContainer:
		return "cw", false
	case opGetContainerProperties, opGetBlob, opGetBlobProperties, opGetBlobMetadata:
		return "r", false
	case opDeleteContainer, opDeleteBlob:
		return "d", false
	case opPutBlob, opPutBlock, opPutBlockList:
		return "w", true
	case opSetBlobMetadata, opSetBlobHTTPHeaders:
		return "w", false
	}
	return "", false
}

// allows checks op against the SAS resource scope and permissions, and
// records in g whether only the create permission allowed it.
func (g *grant) allows(op operation) error {
	g.createOnly = false
	if g.full {
		return nil
	}
	lvl := op.level()
	if g.sas.isAccount() {
		want := map[level]string{levelService: "s", levelContainer: "c", levelObject: "o"}[lvl]
		if !strings.Contains(g.sas.get("srt"), want) {
			return authError("AuthorizationResourceTypeMismatch", "The account SAS signed resource types srt=%q do not include %q, which this operation needs (s: service, c: container, o: object).", g.sas.get("srt"), want)
		}
	} else {
		switch sr := g.sas.get("sr"); {
		case lvl == levelService,
			op == opCreateContainer || op == opDeleteContainer,
			sr == "b" && lvl != levelObject:
			return authError("AuthorizationResourceTypeMismatch", "A %s SAS (sr=%s) cannot authorize this operation; use the account key or an account SAS.", map[string]string{"b": "blob", "c": "container"}[sr], sr)
		}
	}
	sp := g.sas.get("sp")
	anyOf, createForNew := permissions(op)
	if strings.ContainsAny(sp, anyOf) {
		return nil
	}
	if createForNew && strings.Contains(sp, "c") {
		g.createOnly = true
		return nil
	}
	need := strings.Join(strings.Split(anyOf, ""), " or ")
	if createForNew {
		need += ", or c for a blob that does not exist yet"
	}
	return newError("AuthorizationPermissionMismatch", "The SAS grants permissions %q; this operation needs %s.", sp, need)
}
