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

.PHONY: build install test test-deps python-deps race faults fuzz bench vet fmt release-check demo clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/ml

install:
	CGO_ENABLED=0 $(GO) install -trimpath -ldflags '$(LDFLAGS)' ./cmd/ml

# The test command (README, .ci/run): installs or finds what the tests need
# (test-deps), then runs every test.
test: vet test-deps
	AZURITE_BLOB=$(AZURITE_BLOB) ML_TEST_PANDAS_PYTHON=$(TEST_PYTHON) $(GO) test -count=1 ./...

# What the tests need besides Go and the modules it downloads: Azurite (the
# Blob storage emulator; internal/testutil/azurite runs $AZURITE_BLOB) from
# npm into the git-ignored .tools/, pinned; and the Debian Python packages
# the scoring tests import with TEST_PYTHON. Point AZURITE_BLOB at an
# installed azurite-blob to skip npm.
AZURITE_VERSION ?= 3.35.0
AZURITE_BLOB    ?= $(CURDIR)/.tools/azurite-$(AZURITE_VERSION)/node_modules/.bin/azurite-blob
TEST_PYTHON     ?= $(or $(ML_TEST_PANDAS_PYTHON),/usr/bin/python3)
PY_MODULES      := pandas, sklearn, numpy
APT_PACKAGES    := python3 python3-pandas python3-sklearn python3-numpy

test-deps: $(AZURITE_BLOB) python-deps

# An azurite-blob of the pinned version already on PATH is linked, not
# downloaded again.
$(AZURITE_BLOB):
	@set -eu; dir=$(CURDIR)/.tools/azurite-$(AZURITE_VERSION); \
	case "$@" in "$$dir"/*) ;; *) echo "make test: AZURITE_BLOB=$@ does not exist (give the path of an azurite-blob)"; exit 1;; esac; \
	if [ "$$(azurite-blob --version 2>/dev/null)" = "$(AZURITE_VERSION)" ]; then \
		mkdir -p "$$(dirname $@)"; ln -sf "$$(command -v azurite-blob)" $@; \
		echo "== using azurite-blob $(AZURITE_VERSION) from PATH"; \
	elif command -v npm >/dev/null 2>&1; then \
		echo "== installing Azurite $(AZURITE_VERSION) from npm into $$dir"; \
		npm install --prefix "$$dir" --no-audit --no-fund --no-update-notifier --loglevel=error azurite@$(AZURITE_VERSION) >/dev/null; \
	else \
		echo "make test: Azurite $(AZURITE_VERSION) is needed and npm is not on PATH: install Node.js and npm (apt-get install -y nodejs npm), or set AZURITE_BLOB=/path/to/azurite-blob"; exit 1; \
	fi; \
	test -x $@ || { echo "make test: $@ was not installed"; exit 1; }

# As root (CI, containers) the packages are installed with apt-get; otherwise
# one message says the exact command.
python-deps:
	@set -eu; have() { $(TEST_PYTHON) -c 'import $(PY_MODULES)' >/dev/null 2>&1; }; \
	if have; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "== installing $(APT_PACKAGES) from Debian"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $(APT_PACKAGES) >/dev/null; \
		if have; then exit 0; fi; \
	fi; \
	echo "make test: $(TEST_PYTHON) cannot import $(PY_MODULES); install them with:"; \
	echo "    sudo apt-get install -y --no-install-recommends $(APT_PACKAGES)"; \
	echo "(or run make test TEST_PYTHON=/path/to/a/python3/that/has/them)"; \
	exit 1

# The race detector over the packages that run work side by side (the
# invoke's background hash and datastore opening, the shared token cache,
# the upload's workers, the CLI against a live local workspace, the local
# workspace's jobs and blob service, the engines). It needs
# cgo, so a C compiler: installed with apt-get as root, else named. The
# upload benchmark's package is left out: it measures peak RSS, which the
# detector inflates.
RACE_PKGS ?= ./internal/cmd/batchendpoint/invoke ./internal/upload ./internal/upload/hashcache ./internal/azml ./internal/cmd/localtest ./internal/pipeline ./internal/localws ./internal/localws/blob ./internal/batchrun
race: test-deps
	@set -eu; if ! command -v gcc >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "== installing gcc from Debian (the race detector needs cgo)"; \
			export DEBIAN_FRONTEND=noninteractive; \
			apt-get update -qq && apt-get install -y -qq --no-install-recommends gcc libc6-dev >/dev/null; \
		else \
			echo "make race: the race detector needs a C compiler: sudo apt-get install -y gcc"; exit 1; \
		fi; \
	fi
	CGO_ENABLED=1 AZURITE_BLOB=$(AZURITE_BLOB) ML_TEST_PANDAS_PYTHON=$(TEST_PYTHON) $(GO) test -race -count=1 $(RACE_PKGS)

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo 'gofmt: run make fmt'; exit 1)

fmt:
	gofmt -w $$(git ls-files '*.go')

# The fault suite alone, verbose, so its counts are printed: invokes,
# failures, jobs, duplicates, byte mismatches and invokes failed by a
# retried commit under injected 429/503/dropped/lost/corrupted traffic
# (make test runs it too, quietly). About 10 s.
faults:
	@out=$$($(GO) test -count=1 -run '^TestFaultSuite$$' -v ./internal/cmd/localtest 2>&1); rc=$$?; \
		echo "$$out" | grep -v '^=== '; exit $$rc

# Each fuzz target runs for FUZZTIME. Go 1.26's fuzz coordinator can fail a
# run with a bare "context deadline exceeded" when -fuzztime expires while a
# worker is mid-call on a busy machine (go.dev/issue/75804, fixed in 1.27).
# That failure writes no reproducer, so it alone earns one rerun; anything
# else (a written failing input, a panic, a test error) fails at once.
fuzz:
	@for t in $$(grep -rhoE '^func Fuzz[A-Za-z0-9_]+' --include='*_test.go' internal pkg | sed 's/func //'); do \
		pkg=$$(grep -rlE "^func $$t\(" --include='*_test.go' internal pkg | xargs dirname | head -1); \
		for try in 1 2; do \
			echo "fuzz $$t in ./$$pkg"; \
			out=$$($(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./$$pkg 2>&1); rc=$$?; \
			echo "$$out"; \
			[ $$rc -eq 0 ] && break; \
			if [ $$try -eq 1 ] && echo "$$out" | grep -q '^    context deadline exceeded$$' && \
				! echo "$$out" | grep -qE 'Failing input written|panic:|_test\.go:[0-9]+:'; then \
				echo "fuzz $$t: deadline race of the Go fuzz coordinator, no failing input; running once more"; \
				continue; \
			fi; \
			exit 1; \
		done; \
	done

# Every benchmark, BENCHTIME iterations each: 1x keeps the run to a few
# minutes on a 2-core machine (the upload comparison of issue 5,
# internal/upload/uploadbench, is most of it). -p 1 runs one package at a
# time, so no compile or other benchmark shares the CPU with a measurement.
# Larger runs: make bench BENCHTIME=5x (or 3s); bigger upload data sets:
# ML_UPLOADBENCH_SCALE=4 make bench; one benchmark:
# make bench BENCH=UploadComparison BENCHPKG=./internal/upload/uploadbench
# Azurite and the Python packages come as for make test: the upload
# comparison measures against an Azurite.
BENCHTIME   ?= 1x
BENCH       ?= .
BENCHPKG    ?= ./...
bench: test-deps
	AZURITE_BLOB=$(AZURITE_BLOB) ML_TEST_PANDAS_PYTHON=$(TEST_PYTHON) $(GO) test -p 1 -run '^$$' -bench '$(BENCH)' -benchmem -benchtime $(BENCHTIME) -timeout 60m $(BENCHPKG)

# goreleaser (pinned) checks .goreleaser.yaml, then builds a snapshot of
# every artifact into dist/ without publishing: archives, deb/rpm, the
# Homebrew cask, the Scoop manifest, checksums.txt and the SBOMs. It
# cross-compiles six targets, so it is a bench-style target, not part of
# make test or .ci/run. Measured on the 2-core dev machine: 15 min 20 s
# from a cold cache, goreleaser install included (the six cross-builds and
# the six SBOMs are most of it).
# goreleaser is installed once into the git-ignored .tools/.
GORELEASER_BIN := $(CURDIR)/.tools/goreleaser-$(lastword $(subst @, ,$(GORELEASER)))/goreleaser

$(GORELEASER_BIN):
	GOBIN=$(dir $@) $(GO) install $(GORELEASER)

release-check: $(GORELEASER_BIN)
	$(GORELEASER_BIN) check
	$(GORELEASER_BIN) release --snapshot --clean --skip=publish
	@cd dist && ls checksums.txt *.deb *.rpm *.cdx.json homebrew/Casks/ml.rb scoop/ml.json >/dev/null && \
		sha256sum --quiet -c checksums.txt && echo "release-check: dist/ has every artifact and checksums.txt matches"

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
