# Oslira backend. `make help` lists the targets; `make run` and `make test` are the two that matter.
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO        ?= go
BIN       := .bin/oslira
PKGS      := ./...
LINT      := $(GO) tool -modfile=.tools/go.mod golangci-lint
MUTATE    := $(GO) tool -modfile=.tools/mutate/go.mod gremlins
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/oslira/oslira/hosts/bootstrap.BuildVersion=$(VERSION)
COVERPKG  := ./...
COVERPROF := .data/cover/cover.out
COVERRULES:= hosts/coverage.rules
FUZZTIME  ?= 10s
FUZZPARALLEL ?= 1
# Time to minimize each new input (go's default, 60s, can spend a whole short run on one input).
FUZZMINIMIZETIME ?= 1s
GENERATED := $(shell find . -path ./.tools -prune -o -name '*_mock.go' -print | sort)

.PHONY: help
help: ## List the targets (coloured only on a terminal)
	@if [ -t 1 ] && [ -z "$$NO_COLOR" ]; then on='\033[36m'; off='\033[0m'; fi; \
	awk -v on="$$on" -v off="$$off" 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %s%-10s%s %s\n", on, $$1, off, $$2}' $(MAKEFILE_LIST)

.PHONY: run
run: build ## Start http + worker + cron on :8080 with nothing configured (embedded defaults)
	$(BIN) serve

.PHONY: test
test: verify ## Run every test (vet, generated-code check, purity rules, unit and PostgreSQL tests)
	$(GO) vet $(PKGS)
	@$(GO) build -o .bin/testsum ./hosts/cmd/testsum
	@mkdir -p $(dir $(COVERPROF))
	@db=$$($(GO) list -f '{{.ImportPath}} {{join .Imports " "}} {{join .TestImports " "}} {{join .XTestImports " "}}' $(PKGS) | awk '/adapters\/postgres\/pgtest/ {print $$1}'); \
	set -o pipefail; $(GO) test -count=1 -race -json -coverpkg=$(COVERPKG) -coverprofile=$(COVERPROF) $(PKGS) | .bin/testsum -db "$$db"
	@$(GO) run ./hosts/cmd/covergate -quiet -profile $(COVERPROF) -rules $(COVERRULES)

.PHONY: generate
generate: ## Regenerate mocks (go:generate lines on the port files)
	$(GO) generate ./core/...

.PHONY: verify
verify: ## Fail when `make generate` or `go mod tidy` would change anything
	@before=$$(cat $(GENERATED) /dev/null | sha256sum); \
	$(GO) generate ./core/... || exit 1; \
	after=$$(find . -path ./.tools -prune -o -name '*_mock.go' -print | sort | xargs cat /dev/null | sha256sum); \
	if [ "$$before" != "$$after" ]; then echo "generated mocks are stale: run 'make generate' and commit the result"; git status --short -- '*_mock.go'; exit 1; fi
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run 'go mod tidy'"; exit 1; }
	@echo "verify: generated code and go.mod are up to date"

.PHONY: lint
lint: ## go vet plus golangci-lint (pinned in .tools/go.mod)
	$(GO) vet $(PKGS)
	$(LINT) run $(PKGS)

.PHONY: cover
cover: ## Test with coverage; prints every package by layer beside its threshold, writes .data/cover/cover.html
	@mkdir -p $(dir $(COVERPROF))
	$(GO) test -count=1 -coverpkg=$(COVERPKG) -coverprofile=$(COVERPROF) $(PKGS)
	$(GO) tool cover -html=$(COVERPROF) -o $(dir $(COVERPROF))cover.html
	@echo "HTML report: $(dir $(COVERPROF))cover.html"
	@$(GO) run ./hosts/cmd/covergate -profile $(COVERPROF) -rules $(COVERRULES)

.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME (default 10s) each, one after another; a crasher is kept in testdata/fuzz
	@failed=""; \
	for dir in $$(grep -rl --include='*_test.go' '^func Fuzz' . | grep -v '^\./\.tools/' | xargs -n1 dirname | sort -u); do \
	  list=$$($(GO) test -list '^Fuzz' $$dir 2>&1) || { echo "$$list" | sed 's/^/  /'; failed="$$failed\n  $$dir: the tests do not build"; continue; }; \
	  for target in $$(echo "$$list" | grep '^Fuzz'); do \
	    echo "fuzz: $$dir $$target for $(FUZZTIME)"; \
	    out=$$($(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) -parallel $(FUZZPARALLEL) $$dir 2>&1); \
	    rc=$$?; crasher=$$(echo "$$out" | sed -n 's|.*Failing input written to \(.*\)$$|\1|p' | head -1); \
	    if [ $$rc -eq 0 ]; then echo "$$out" | grep '^fuzz: elapsed' | tail -1 | sed 's/^/  /'; continue; fi; \
	    if [ -z "$$crasher" ] && echo "$$out" | grep -qx '[[:space:]]*context deadline exceeded' && ! echo "$$out" | grep -q -- '--- FAIL: .*/'; then \
	      echo "$$out" | grep '^fuzz: elapsed' | tail -1 | sed 's/^/  /'; \
	      echo "  stopped by Go 1.26's fuzztime race (golang/go#75804, fixed in 1.27): no failing input, not a failure"; continue; \
	    fi; \
	    echo "$$out" | sed 's/^/  /'; \
	    failed="$$failed\n  $$dir $$target$${crasher:+: $$dir/$$crasher}"; \
	  done; \
	done; \
	if [ -n "$$failed" ]; then printf "fuzz: failed:$$failed\n"; exit 1; fi; echo "fuzz: every target passed"

.PHONY: mutate
# One gremlins run per package. GOFLAGS=-count=1: gremlins gives each mutant 3x the time of its
# coverage run, and a coverage run answered from the test cache (~0.3 s) times out every mutant
# (TIMED OUT counts neither killed nor lived). -E /: gremlins mutates the files of sub-directories
# too but runs only their own package's tests, so core/workflow would also count (again)
# core/workflow/workflowtest's mutants. A package without tests is listed, not skipped silently.
mutate: ## Mutation-test core/** with gremlins (pinned in .tools/mutate; slow, not in make test): efficacy per package, target 90 %
	@mkdir -p .data; printf '%-28s %8s %7s %6s\n' package efficacy killed lived > .data/mutate.txt; \
	for e in $$($(GO) list -f '{{.Dir}}={{if or .TestGoFiles .XTestGoFiles}}tested{{end}}' ./core/...); do \
	  d=$${e%=*}; rel=$${d#$(CURDIR)/}; \
	  if [ "$${e##*=}" != tested ]; then printf '%-28s %8s %7s %6s\n' $$rel 'no tests' - - >> .data/mutate.txt; continue; fi; \
	  out=$$(GOFLAGS=-count=1 $(MUTATE) unleash --workers 1 --output-statuses lt -E / ./$$rel 2>&1); \
	  echo "$$out" | grep -E 'LIVED|TIMED OUT' | sed "s|^ *|  $$rel: |"; \
	  eff=$$(echo "$$out" | sed -n 's/^Test efficacy: //p'); \
	  kl=$$(echo "$$out" | sed -n 's/^Killed: \([0-9]*\), Lived: \([0-9]*\).*/\1 \2/p'); \
	  [ -n "$$eff" ] || echo "$$out" | tail -n 5 | sed "s|^|  $$rel: gremlins: |"; \
	  printf '%-28s %8s %7s %6s\n' $$rel "$${eff:-n/a}" $${kl:-? ?} >> .data/mutate.txt; \
	done; \
	echo; cat .data/mutate.txt

.PHONY: build
build: ## Build the single binary into .bin/oslira
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./hosts/cmd/oslira

.PHONY: migrate
migrate: build ## Apply database migrations to DATABASE_URL (or the embedded default)
	$(BIN) migrate

.PHONY: bench
bench: build ## Load-test GET /v1/credits/balance and POST /v1/analyses against a bare net/http+pgx floor, then end-to-end analyses/s
	$(GO) build -o .bin/loadgen ./hosts/cmd/loadgen
	.bin/loadgen bench -oslira $(BIN)
