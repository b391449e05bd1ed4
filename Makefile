# S3 -> Lambda thumbnail pipeline. Every target works from a fresh clone: dependencies are
# installed when package-lock.json changes. `make help` lists the targets.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ENV ?= dev
TF ?= terraform
# ARCH=arm64 (or x86_64): build the layer and Node.js for it, and synthesize and run every environment on it.
ARCH ?=
ifneq ($(ARCH),)
export ARCHITECTURE := $(ARCH)
endif
# Where `terraform init` finds the AWS provider offline: this project's machine image carries a
# plugin directory at /opt/tf-plugins; set TF_PLUGIN_DIR= (empty) to use the registry or a mirror
# named in your CLI config instead.
TF_PLUGIN_DIR ?= $(firstword $(wildcard /opt/tf-plugins))
export TF_PLUGIN_DIR
ARGS ?=
FUNCTION ?= thumbnail
EVENT ?= events/s3-put.json
TYPE ?= put

# Node.js for the tooling (tests, synth, scripts): 22 or newer (the AWS SDK's floor from January 2027;
# CDK Terrain's too). The machine's `node` when it is new enough; otherwise the Node.js 24 this project
# already pins for the functions (scripts/local/lambda-node, from the npm registry), installed into
# build/tool-node and put first on PATH for every target, npm included.
SYSTEM_NODE_VERSION := $(shell node --version 2>/dev/null)
SYSTEM_NODE_MAJOR := $(or $(patsubst v%,%,$(firstword $(subst ., ,$(SYSTEM_NODE_VERSION)))),0)
HOST_NODE_CPU := $(patsubst x86_64,x64,$(patsubst aarch64,arm64,$(shell uname -m)))
TOOL_NODE_SOURCE := scripts/local/lambda-node$(if $(filter arm64,$(HOST_NODE_CPU)),-arm64)
TOOL_NODE_DIR := build/tool-node
TOOL_NODE := $(TOOL_NODE_DIR)/node_modules/node-linux-$(HOST_NODE_CPU)/bin/node
ifeq ($(shell [ "$(SYSTEM_NODE_MAJOR)" -ge 22 ] 2>/dev/null && echo new),new)
TOOL_NODE_PREREQ :=
else
TOOL_NODE_PREREQ := $(TOOL_NODE)
SYSTEM_PATH := $(PATH)
export PATH := $(CURDIR)/$(TOOL_NODE_DIR)/node_modules/node-linux-$(HOST_NODE_CPU)/bin:$(PATH)
ifeq ($(MAKELEVEL),0)
$(info make: this machine's Node.js is $(or $(SYSTEM_NODE_VERSION),missing) (the tooling needs 22 or newer): running it on the Node.js 24 in $(TOOL_NODE_DIR))
endif
endif

# Node.js's module compile cache (enabled by the tools) in build/, not the system's temporary folder.
export NODE_COMPILE_CACHE ?= $(CURDIR)/build/node-compile-cache
# tsx keeps its own compile cache in the system's temporary folder and has no setting for another
# place: off, so that no target leaves anything there (it saves about 0.3 s a start; set
# TSX_DISABLE_CACHE= to keep it).
export TSX_DISABLE_CACHE ?= 1

TSX := node --import tsx
INSTALLED := node_modules/.install-stamp
HANDLER_SOURCES := $(shell find handlers -type f -name '*.ts' 2>/dev/null)
BUILD_SOURCES := scripts/build.ts lib/handlers.ts lib/paths.ts tsconfig.json
ZIP_SOURCES := scripts/zip-functions.ts scripts/build.ts scripts/lib/zip.ts scripts/lib/budgets.ts

.PHONY: arm64-packages cdktn-check emulation figure backfill backfill-status help install build zip layer lambda-node synth validate plan plan-summary apply-plan deploy destroy local invoke event redrive policies bench lint format graph unit test typecheck clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /  make \1\t/' | expand -t 24

$(TOOL_NODE): $(TOOL_NODE_SOURCE)/package.json $(TOOL_NODE_SOURCE)/package-lock.json
	rm -rf $(TOOL_NODE_DIR) && mkdir -p $(TOOL_NODE_DIR)
	cp $(TOOL_NODE_SOURCE)/package.json $(TOOL_NODE_SOURCE)/package-lock.json $(TOOL_NODE_DIR)/
	cd $(TOOL_NODE_DIR) && PATH="$(SYSTEM_PATH)" npm ci --no-bin-links --ignore-scripts --no-audit --no-fund --loglevel=error
	@$(TOOL_NODE) --version >/dev/null && touch $@

$(INSTALLED): package.json package-lock.json $(TOOL_NODE_PREREQ)
	npm ci --no-audit --no-fund
	@touch $@

install: $(INSTALLED) ## install the pinned dependencies (npm ci)

build/functions/.stamp: $(INSTALLED) $(HANDLER_SOURCES) $(BUILD_SOURCES)
	$(TSX) scripts/build.ts
	@touch $@

build: build/functions/.stamp ## bundle every handler with esbuild

dist/functions/.stamp: build/functions/.stamp $(ZIP_SOURCES)
	$(TSX) scripts/zip-functions.ts
	@touch $@

zip: dist/functions/.stamp ## one deterministic zip per handler, size-checked

dist/layers/%/sharp.zip: $(INSTALLED) layer/package.json layer/package-lock.json scripts/layer.ts scripts/lib/zip.ts scripts/lib/budgets.ts lib/architectures.ts
	$(TSX) scripts/layer.ts --arch $*

layer: $(INSTALLED) ## the sharp layer for each architecture the environments use (ARCH=arm64: that one), linux glibc, size-checked
	@archs="$(or $(ARCH),$$($(TSX) scripts/architectures.ts))" && $(MAKE) $$(for arch in $$archs; do echo dist/layers/$$arch/sharp.zip; done)

build/lambda-node/.stamp: $(INSTALLED) scripts/local/lambda-node/package.json scripts/local/lambda-node/package-lock.json scripts/lambda-node.ts
	$(TSX) scripts/lambda-node.ts --arch x86_64
	@touch $@

build/lambda-node-arm64/.stamp: $(INSTALLED) scripts/local/lambda-node-arm64/package.json scripts/local/lambda-node-arm64/package-lock.json scripts/lambda-node.ts
	$(TSX) scripts/lambda-node.ts --arch arm64
	@touch $@

LAMBDA_NODE_STAMP_x86_64 := build/lambda-node/.stamp
LAMBDA_NODE_STAMP_arm64 := build/lambda-node-arm64/.stamp

lambda-node: $(INSTALLED) ## Node.js 24 (the Lambda runtime's) to run packaged functions locally, per architecture (ARCH=arm64: under qemu)
	@archs="$(or $(ARCH),$$($(TSX) scripts/architectures.ts))" && $(MAKE) $$(for arch in $$archs; do [ $$arch = arm64 ] && echo $(LAMBDA_NODE_STAMP_arm64) || echo $(LAMBDA_NODE_STAMP_x86_64); done)

synth: zip layer ## terraform JSON for every environment: cdktf.out/stacks/thumbnails-<env>/
	$(TSX) infra/main.ts

validate: synth ## terraform init, validate and test (mock apply, infra/tests) for every environment, offline
	$(TSX) scripts/validate.ts --tf $(TF) $(ARGS)

plan: synth ## terraform plan for ENV (default dev): binary plan, plan.json and the plan.md summary
	$(TSX) scripts/terraform.ts --action plan --env $(ENV) --tf $(TF)

plan-summary: $(INSTALLED) ## Markdown summary of any plan JSON: PLAN=path/to/plan.json
	@test -n "$(PLAN)" || { echo "usage: make plan-summary PLAN=path/to/plan.json" >&2; exit 2; }
	@$(TSX) scripts/plan-summary.ts --plan "$(PLAN)" $(if $(TITLE),--title "$(TITLE)")

deploy: synth ## terraform apply for ENV (asks before changing anything)
	$(TSX) scripts/terraform.ts --action apply --env $(ENV) --tf $(TF) $(ARGS)

apply-plan: synth ## apply the plan make plan saved for ENV (tfplan), exactly as reviewed
	$(TSX) scripts/terraform.ts --action apply-plan --env $(ENV) --tf $(TF)

destroy: synth ## terraform destroy for ENV (asks first)
	$(TSX) scripts/terraform.ts --action destroy --env $(ENV) --tf $(TF) $(ARGS)

local: synth lambda-node ## run the stack on this machine: real S3 server, packaged functions; ARGS=--serve keeps it up
	$(TSX) scripts/local.ts --env $(ENV) $(ARGS)

invoke: synth lambda-node ## one invocation of a packaged function: EVENT=events/s3-put.json, or FILE=photo.jpg [KEY=photos/x.jpg]; FUNCTION=thumbnail
	$(TSX) scripts/invoke.ts --env $(ENV) --function $(FUNCTION) $(if $(FILE),--file "$(FILE)",--event "$(EVENT)") $(if $(KEY),--key "$(KEY)")

event: $(INSTALLED) ## write an example event: TYPE=put|delete|batch [KEY=photos/cat.jpg BUCKET=... SCHEMA=1.0|2.0 OUT=file]
	@$(TSX) scripts/event.ts --type $(TYPE) $(if $(KEY),--key "$(KEY)") $(if $(BUCKET),--bucket "$(BUCKET)") $(if $(SCHEMA),--schema $(SCHEMA)) $(if $(OUT),--out "$(OUT)")

redrive: synth lambda-node ## replay recorded failures for ENV (AWS); LOCAL=1 for make local's; ARGS=--dry-run lists them
	$(TSX) scripts/redrive.ts --env $(ENV) $(if $(LOCAL),--local) $(ARGS)

backfill: synth lambda-node ## thumbnails for the images already there: S3 Batch Operations job for ENV [PREFIX=photos/]; LOCAL=1 on the local stack; ARGS=--dry-run|--yes
	$(TSX) scripts/backfill.ts --env $(ENV) $(if $(PREFIX),--prefix "$(PREFIX)") $(if $(LOCAL),--local) $(ARGS)

backfill-status: $(INSTALLED) ## a backfill's status, progress and report summary: JOB=<id> [LOCAL=1] [ARGS=--confirm]
	@test -n "$(JOB)" || { echo "usage: make backfill-status JOB=<id> [LOCAL=1]" >&2; exit 2; }
	$(TSX) scripts/backfill-status.ts --env $(ENV) --job "$(JOB)" $(if $(LOCAL),--local) $(ARGS)

policies: $(INSTALLED) ## deployer IAM policies for ENV: ACCOUNT_ID=123456789012 [GITHUB_REPO=owner/name] -> cdktf.out/policies/
	$(TSX) scripts/deployer-policies.ts --env $(ENV) $(if $(ACCOUNT_ID),--account-id $(ACCOUNT_ID)) $(if $(GITHUB_REPO),--github-repo $(GITHUB_REPO))

bench: synth lambda-node ## benchmarks (not tests): render vs ImageMagick and djpeg, cold start, throughput, cost -> .bench/
	$(TSX) scripts/bench/run.ts $(ARGS)

typecheck: $(INSTALLED) ## TypeScript type check
	node_modules/.bin/tsc --noEmit -p .

lint: $(INSTALLED) ## format and lint check (Biome), and the import graph's rules (dependency-cruiser)
	node_modules/.bin/biome ci .
	node_modules/.bin/depcruise --config .dependency-cruiser.cjs handlers infra lib scripts test

format: $(INSTALLED) ## format the code and organise imports (Biome), applying safe lint fixes
	node_modules/.bin/biome check --write .

graph: $(INSTALLED) ## the import graph as Mermaid -> build/imports.mmd
	@mkdir -p build
	node_modules/.bin/depcruise --config .dependency-cruiser.cjs --output-type mermaid --collapse '^(handlers/[^/]+|infra/[^/]+|lib|scripts/[^/]+|test)/' handlers infra lib scripts > build/imports.mmd
	@echo "wrote build/imports.mmd"

unit: $(INSTALLED) ## the unit tests only, nothing built first (seconds)
	node_modules/.bin/vitest run --project unit $(ARGS)

# arm64 can run here natively, or under qemu-aarch64 with Debian's arm64 glibc (see `make emulation`).
ARM64_RUNS := $(or $(filter aarch64 arm64,$(shell uname -m)),$(and $(shell command -v qemu-aarch64-static),$(wildcard /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1)))

emulation: ## install what runs arm64 packages on an x86_64 machine (Debian: qemu-user-static, arm64 glibc; needs root)
	@if [ -n "$(ARM64_RUNS)" ]; then echo "arm64 packages run here already"; \
	else $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y --no-install-recommends qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross; fi

# Both architectures' packages are tested: the arm64 layer is always built (npm's cross-install),
# and run end to end when arm64 can run here; otherwise the tests that need it say they skip.
arm64-packages:
	@$(MAKE) dist/layers/arm64/sharp.zip
ifneq ($(ARM64_RUNS),)
	@$(MAKE) build/lambda-node-arm64/.stamp
else
	@echo "[skip] arm64 packages are built but not run: no qemu-aarch64-static and arm64 glibc here (make emulation installs them)"
endif

test: lint typecheck synth lambda-node arm64-packages ## lint, type check, validate the stacks (when terraform is here), then every test: unit and integration (vitest)
	$(TSX) scripts/validate.ts --tf $(TF) --skip-without-terraform
	node_modules/.bin/vitest run $(ARGS)

cdktn-check: synth ## the move to CDK Terrain (cdktn), tried on a temporary copy: the same stacks but for the expected lines, and an empty terraform plan
	$(TSX) scripts/cdktn-check.ts --tf $(TF) $(ARGS)

figure: $(INSTALLED) ## the README's before/after picture, made by the project's own rendering code -> docs/images/before-after.svg
	$(TSX) scripts/figure.ts

clean: ## remove build outputs (never terraform state)
	rm -rf build dist cdktf.out .local .bench
