# pyreload build. `make` builds bin/pyreload; `make test` runs every test suite;
# `make demo` shows the product on a fresh machine; `make bench` prints benchmarks.
SHELL := /bin/bash
.DEFAULT_GOAL := build

CPYTHON_DIR := $(CURDIR)/pyhost/cpython
# cgo finds our python3.pc (system python3-embed + compat header) first.
export PKG_CONFIG_PATH := $(CPYTHON_DIR)$(if $(PKG_CONFIG_PATH),:$(PKG_CONFIG_PATH))
# Go's build cache does not see edits to the force-included header: put its
# hash into CGO_CFLAGS, which is part of the cache key.
COMPAT_HASH := $(shell sha256sum $(CPYTHON_DIR)/compat.h 2>/dev/null | cut -c1-16)
export CGO_CFLAGS := -O2 -g -DPYRELOAD_COMPAT_HASH=$(COMPAT_HASH)
export CGO_ENABLED := 1
# Debian installs Go from the tarball at /usr/local/go.
export PATH := $(if $(wildcard /usr/local/go/bin),/usr/local/go/bin:)$(PATH)
GO ?= go
BIN := bin/pyreload
GOFILES := $(shell find cmd lsp reload pyhost -name '*.go' -o -name '*.py' -o -name '*.h' -o -name '*.c' -o -name '*.pc' 2>/dev/null)

.PHONY: build deps check-deps lint test test-go test-engine test-demo test-editors test-dist dist bench demo vsix clean

build: $(BIN)

$(BIN): check-deps $(GOFILES) go.mod go.sum
	$(GO) build -o $(BIN) ./cmd/pyreload

check-deps:
	@command -v pkg-config >/dev/null || { echo "pyreload: pkg-config is missing; install it: apt-get install -y pkg-config" >&2; exit 1; }
	@pkg-config --exists python3-embed || { echo "pyreload: CPython's embedding headers are missing; install them: apt-get install -y python3-dev" >&2; exit 1; }

# deps installs what is missing (apt-get, as root) or says what to install.
deps:
	@bash .ci/install-deps.sh

test: deps build lint test-go test-engine test-demo test-editors test-dist

# The linters of the model codebases: gofmt, go vet, staticcheck (from the Go
# module proxy, pinned) and pyflakes on every Python file pyreload ships or tests.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
PYFILES := reload/engine reload/agent pyhost/hostserver editors/sublime testdata/bench .ci
lint:
	@out=$$(gofmt -l cmd lsp reload pyhost); [ -z "$$out" ] || { echo "gofmt: these files need gofmt -w:"; echo "$$out"; exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	pyflakes3 $(PYFILES)

# The Go suites run once, under the race detector (about 2 minutes on 2
# cores; the binary under test in the end-to-end suites is built without it).
test-go:
	$(GO) test -race -count=1 -timeout 20m ./...

# The engine's and the agent's own Python tests, on Debian's python3.
# The engine and the agent also run in the user's own Python (3.8+): their
# suites run again under every other CPython found (.ci/other-pythons.sh).
test-engine:
	/usr/bin/python3 -m unittest discover -s reload/engine/tests -t .
	/usr/bin/python3 -m unittest discover -s reload/agent/tests -t reload/agent
	@others=$$(bash .ci/other-pythons.sh); \
	if [ -z "$$others" ]; then echo "test-engine: no CPython besides /usr/bin/python3's version here"; fi; \
	for py in $$others; do \
		echo "test-engine: engine and agent under $$py ($$($$py -V 2>&1))"; \
		PYRELOAD_PYTHON=$$py /usr/bin/python3 -m unittest discover -s reload/engine/tests -t . || exit 1; \
		$$py -m unittest discover -s reload/agent/tests -t reload/agent || exit 1; \
	done

# The README's demo must keep working: run it and check what the app served.
test-demo: build
	@bash .ci/check-demo.sh

# make dist: the wheel, the VS Code platform package and the Sublime package
# in dist/ (.ci/dist.sh). test-dist installs the wheel with pip into a fresh
# venv and runs the demo from there, and runs the binary inside the .vsix.
dist: check-deps
	@bash .ci/dist.sh

test-dist: dist
	@bash .ci/test-dist.sh

test-editors: build
	@for t in editors/*/test.sh; do [ -x "$$t" ] || continue; echo "== $$t"; "$$t" || exit 1; done

bench: build
	@bash .ci/install-deps.sh --bench
	$(GO) test -run '^$$' -bench . -benchtime 2s -timeout 60m ./...

demo:
	@bash .ci/install-deps.sh --build-only
	@bash testdata/demo/demo.sh

vsix:
	$(MAKE) -C editors/vscode vsix

clean:
	rm -rf bin dist
