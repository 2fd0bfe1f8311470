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

# Every benchmark, BENCHTIME iterations each: 1x keeps the run to a few
# minutes on a 2-core machine (the upload comparison of issue 5,
# internal/upload/uploadbench, is most of it). -p 1 runs one package at a
# time, so no compile or other benchmark shares the CPU with a measurement.
# Larger runs: make bench BENCHTIME=5x (or 3s); bigger upload data sets:
# ML_UPLOADBENCH_SCALE=4 make bench; one benchmark:
# make bench BENCH=UploadComparison BENCHPKG=./internal/upload/uploadbench
BENCHTIME   ?= 1x
BENCH       ?= .
BENCHPKG    ?= ./...
bench:
	$(GO) test -p 1 -run '^$$' -bench '$(BENCH)' -benchmem -benchtime $(BENCHTIME) -timeout 60m $(BENCHPKG)

release-check:
	$(GO) run $(GORELEASER) check

# Reference docs from the command tree: docs/reference/*.md and
# docs/man/*.1 (packaged). internal/docgen's test fails when they drift
# from the commands; run this after changing a command, flag or help text.
.PHONY: docs
docs:
	$(GO) run ./cmd/gen-docs

# The main job on a local workspace, from a fresh clone: build ml, start a
# local workspace in a temporary folder, create the demo heart-classifier
# endpoint and deployment from Azure's YAML, invoke it with the local CSV
# folder (--stream), download the predictions, show the first rows, stop.
demo: build
	@set -eu; \
	tmp=$$(mktemp -d); \
	export ML_LOCAL_DIR="$$tmp/ws" AZURE_CONFIG_DIR="$$tmp/azure" ML_LOCAL=1; \
	trap '$(BIN) local stop >/dev/null 2>&1 || true; rm -rf "$$tmp"' EXIT; \
	echo "== ml local serve (state in $$tmp/ws)"; \
	$(BIN) local serve --port 0 --detach; \
	echo "== ml batch-endpoint create -f testdata/heart/endpoint.yml"; \
	$(BIN) batch-endpoint create -f testdata/heart/endpoint.yml --query scoring_uri -o tsv; \
	echo "== ml batch-deployment create -f testdata/heart/deployment.yml --set-default"; \
	$(BIN) batch-deployment create -f testdata/heart/deployment.yml --set-default --query name -o tsv; \
	echo "== ml batch-endpoint invoke -n heart-classifier-batch --input testdata/heart/data/unlabeled --stream"; \
	job=$$($(BIN) batch-endpoint invoke -n heart-classifier-batch --input testdata/heart/data/unlabeled --stream --query name -o tsv); \
	echo "== ml job download -n $$job"; \
	$(BIN) job download -n "$$job" --download-path "$$tmp/out"; \
	echo "== first rows of predictions.csv (file, row, prediction, probability)"; \
	head -n 5 "$$tmp/out/predictions.csv"

clean:
	rm -rf bin dist
