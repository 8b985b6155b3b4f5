# pangolin build, test and demo targets. `make help` lists them.
GO       ?= go
PKG      := github.com/pangolin-forensics/pangolin
VERSION  := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   := $(shell git rev-parse --verify -q HEAD 2>/dev/null || echo unknown)
LDFLAGS  := -s -w -X $(PKG)/internal/buildinfo.Version=$(VERSION) -X $(PKG)/internal/buildinfo.Commit=$(COMMIT)
BIN      := bin/pangolin
FUZZTIME ?= 10s
PLATFORMS := linux/amd64 linux/arm64 windows/amd64 windows/arm64 darwin/amd64 darwin/arm64

export CGO_ENABLED := 0

.PHONY: help build test demo bench fuzz cross lint clean

help:
	@echo "make build  build bin/pangolin"
	@echo "make test   run all tests (interop tests skip when a reference tool is missing)"
	@echo "make demo   build and run the sample case in a temporary folder"
	@echo "make bench  benchmarks (ledger verify and append; reference tools side by side)"
	@echo "make fuzz   run every fuzz test for FUZZTIME (default $(FUZZTIME))"
	@echo "make cross  static builds for linux, windows and darwin on amd64 and arm64"
	@echo "make lint   gofmt and go vet"

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/pangolin

test:
	$(GO) test ./...

demo: build
	bash scripts/demo.sh $(BIN)

bench:
	bash scripts/bench.sh

fuzz:
	bash scripts/fuzz.sh $(FUZZTIME)

cross:
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
		echo "build $$os/$$arch"; \
		GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/cross/pangolin-$$os-$$arch$$ext ./cmd/pangolin; \
	done
	GOOS=windows $(GO) vet ./...
	GOOS=darwin $(GO) vet ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf bin
