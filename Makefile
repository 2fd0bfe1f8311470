# ml — see README.md. Every target works from a plain clone.
GO          ?= go
BIN         ?= bin/ml
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT      ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
DATE        ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS     := -s -w -X github.com/mlbatch/ml/internal/build.Version=$(VERSION) \
               -X github.com/mlbatch/ml/internal/build.Commit=$(COMMIT) \
               -X github.com/mlbatch/ml/internal/build.Date=$(DATE)
# Pinned so `make release-check` is reproducible.
GORELEASER  ?= github.com/goreleaser/goreleaser/v2@v2.15.1
FUZZTIME    ?= 5s

.PHONY: build install test fuzz bench vet fmt release-check demo clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/ml

install:
	CGO_ENABLED=0 $(GO) install -trimpath -ldflags '$(LDFLAGS)' ./cmd/ml

# The test command (README, .ci/run). Needs python3 and azurite-blob on PATH.
test: vet
	$(GO) test -count=1 ./...

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo 'gofmt: run make fmt'; exit 1)

fmt:
	gofmt -w $$(git ls-files '*.go')

# Each fuzz target runs for FUZZTIME.
fuzz:
	@for t in $$(grep -rhoE '^func Fuzz[A-Za-z0-9_]+' --include='*_test.go' internal pkg | sed 's/func //'); do \
		pkg=$$(grep -rlE "^func $$t\(" --include='*_test.go' internal pkg | xargs dirname | head -1); \
		echo "fuzz $$t in ./$$pkg"; \
		$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./$$pkg || exit 1; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

release-check:
	$(GO) run $(GORELEASER) check

clean:
	rm -rf bin dist
