# Build and test toolchain of the kibana.cases collection.
#
#   make test         the whole check, in this order: venv -> build (+ ansible-doc check)
#                     -> sanity -> lint -> pytest (every tests/<dir> with test_*.py files).
#                     This is what CI runs (.ci/run). pytest's summary line is printed last.
#   make unit         pytest on tests/unit only (fast; needs no build)
#   make integration  build, then pytest on tests/integration against the installed tarball
#   make build        build the collection tarball into build/ and install it into build/collections
#   make sanity       ansible-test sanity on a copy of the collection in build/sanity
#   make lint         ansible-lint (profile in .ansible-lint), antsibull-changelog lint, docs check
#   make docs         regenerate docs/reference/ (every module and plugin) from the plugins' docs
#   make compat       the integration tests again on the oldest ansible-core supported (2.16)
#   make demo         run examples/demo.yml against the Kibana simulator (check, apply, re-apply)
#   make bench        rollout benchmark: the module vs hand-written uri tasks (figures, ~8 min;
#                     BENCH_ARGS=--quick for a smoke run)
#   make clean        remove build/, .venv and caches
#
# Everything comes from PyPI into .venv, made from plain `python3` (>= 3.11).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test
.DELETE_ON_ERROR:
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
REQUIREMENTS := tests/requirements.txt
# The venv is (re)installed when the requirements file's content changes.
REQ_HASH := $(shell cksum < $(REQUIREMENTS) 2>/dev/null | tr -c '0-9\n' - | cut -d- -f1)
VENV_STAMP := $(VENV)/.installed-$(REQ_HASH)

NAMESPACE := kibana
NAME := cases
BUILD := $(CURDIR)/build
COLLECTIONS := $(BUILD)/collections
SANITY_ROOT := $(BUILD)/sanity/ansible_collections/$(NAMESPACE)/$(NAME)
DEMO_DIR := $(BUILD)/demo

# Tools run with these, so no user/global ansible.cfg or colour codes get in the way.
ANSIBLE_ENV := ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 \
	ANSIBLE_DEPRECATION_WARNINGS=1 NO_COLOR=1

# pytest runs serially. xdist works with the session-scoped simulator (each worker starts
# its own on a free port) and is faster on this 2-core machine (283 tests: 138 s serial,
# 91 s with -n auto, 71 s with -n auto --dist worksteal), but timing-sensitive tests
# (tests/resilience/test_parallel_playbooks.py races playbooks against each other) fail
# more often when another worker competes for the CPU. To try it: make test PYTEST_XDIST='-n auto'
PYTEST_XDIST ?=
# Directories: every tests/<dir> with test_*.py files (unit, simulator, integration,
# resilience, ... as they are added); tests/output (ansible-test's) is left out.
PYTEST_ALL_DIRS = $(sort $(shell find tests -mindepth 2 -name 'test_*.py' -not -path 'tests/output/*' 2>/dev/null | cut -d/ -f1-2))
PYTEST_DIRS = $(filter tests/unit,$(PYTEST_ALL_DIRS)) $(filter tests/simulator,$(PYTEST_ALL_DIRS)) \
	$(filter-out tests/unit tests/simulator,$(PYTEST_ALL_DIRS))
PYTEST_ARGS ?=
PYTEST := PYTHONDONTWRITEBYTECODE=1 $(BIN)/python -m pytest -p no:cacheprovider -ra $(PYTEST_XDIST) $(PYTEST_ARGS)

# ansible-test sanity: every test of the installed ansible-test runs (24 in 2.19); none is
# skipped with --skip-test. (pslint, the PowerShell one, passes without pwsh since the
# collection has no PowerShell files; add `--skip-test pslint` here only if a .ps1 lands.)
# What is left out: `--python <venv's version>` (3.11 here) runs the per-Python tests
# (compile, import) on that one Python only; the other versions ansible-test knows
# (3.8-3.10, 3.12-3.14) are not on a plain machine, and there is no container engine
# for ansible-test to bring them (without --python it fails with exit 127 on pyenv shims).
SANITY_SKIP :=
# ansible-test keeps its sanity venvs in ~/.ansible/test/venv, shared by every checkout of
# the user; two sanity runs at once (two checkouts, two engineers) build the same venv
# concurrently and one fails (seen: pip OSError in sanity.pylint). flock serializes them.
SANITY_LOCK := $(shell command -v flock >/dev/null 2>&1 && echo flock $(HOME)/.ansible/test/.sanity.lock)

.PHONY: test venv build doc-check sanity lint docs compat pytest unit integration demo bench clean

test: venv build sanity lint compat pytest

# ---------------------------------------------------------------- venv
venv: $(VENV_STAMP)

$(VENV_STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "$(PYTHON) is Python %d.%d; kibana.cases needs Python >= 3.11" % sys.version_info[:2])'
	@if [ ! -x $(BIN)/python ]; then echo "creating $(VENV)"; $(PYTHON) -m venv $(VENV); fi
	$(BIN)/python -m pip install -qq --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -qq --disable-pip-version-check -r $(REQUIREMENTS)
	@rm -f $(VENV)/.installed-*
	@touch $@

# ---------------------------------------------------------------- build
build: venv
	rm -rf $(BUILD)/$(NAMESPACE)-$(NAME)-*.tar.gz $(COLLECTIONS)
	mkdir -p $(BUILD)
	$(ANSIBLE_ENV) $(BIN)/ansible-galaxy collection build --force --output-path $(BUILD) .
	$(ANSIBLE_ENV) $(BIN)/ansible-galaxy collection install --force -p $(COLLECTIONS) $(BUILD)/$(NAMESPACE)-$(NAME)-*.tar.gz
	@$(MAKE) --no-print-directory doc-check

doc-check:
	$(ANSIBLE_ENV) hack/check-ansible-doc.sh $(BIN)

# ---------------------------------------------------------------- sanity
# ansible-test needs the collection at .../ansible_collections/kibana/cases and refuses a
# symlink, so it tests a copy in build/sanity. build/ is git-ignored: without
# ANSIBLE_TEST_CONTENT_ROOT ansible-test would list the copy's files through the repo's
# git, see none, and pass having checked nothing. hack/sanity-copy.sh fails on an
# empty copy or a missing plugin file; hack/check_sanity_content.py fails unless
# ansible-test itself lists the copy's plugin files.
# --venv: ansible-test makes its own pinned venvs (pylint, voluptuous, ... at the
# versions it expects, cached in ~/.ansible/test/venv, so warm runs are fast); --local
# would need those pins in .venv, where they clash with ansible-lint's.
# Their pip comes from the get-pip bootstrap in hack/ (the get-pip download fails here).
sanity: venv
	hack/sanity-copy.sh $(SANITY_ROOT)
	$(BIN)/python hack/install_get_pip_bootstrap.py
	cd $(SANITY_ROOT) && ANSIBLE_TEST_CONTENT_ROOT=$(SANITY_ROOT) $(BIN)/python $(CURDIR)/hack/check_sanity_content.py
	cd $(SANITY_ROOT) && ANSIBLE_TEST_CONTENT_ROOT=$(SANITY_ROOT) PATH=$(BIN):$$PATH $(SANITY_LOCK) \
		$(BIN)/ansible-test sanity --venv --python "$$($(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
		$(addprefix --skip-test ,$(SANITY_SKIP)) --color no

# ---------------------------------------------------------------- lint
# Offline, ansible-lint does not install the collection itself, so its syntax checks of
# the playbooks find kibana.cases (and the group/kibana.cases.kibana action group) in the
# tarball that `build` installed.
# hack/build-docs.sh --check (the docs' own script): antsibull-docs lint of every plugin's
# docs, and docs/reference/ must match what the docs generate.
lint: build
	$(ANSIBLE_ENV) PATH=$(BIN):$$PATH $(BIN)/ansible-lint
	$(BIN)/antsibull-changelog lint
	bash hack/build-docs.sh --check $(BIN)

docs: venv
	bash hack/build-docs.sh $(BIN)

# ---------------------------------------------------------------- pytest
# One pytest run, last in `make test`. pytest's exit code 5 (no tests collected) fails too.
# Depends on build: the integration tests run ansible-playbook against the installed tarball.
pytest: build
	@if [ -z "$(strip $(PYTEST_DIRS))" ]; then echo "FAIL: no test_*.py under tests/" >&2; exit 1; fi
	@rc=0; $(ANSIBLE_ENV) PATH=$(BIN):$$PATH $(PYTEST) $(PYTEST_DIRS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "FAIL: pytest collected no tests in $(PYTEST_DIRS)" >&2; fi; exit $$rc

unit: venv
	@rc=0; $(ANSIBLE_ENV) PATH=$(BIN):$$PATH PYTHONDONTWRITEBYTECODE=1 $(BIN)/python -m pytest -p no:cacheprovider -ra $(PYTEST_ARGS) tests/unit || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "FAIL: pytest collected no tests in tests/unit" >&2; fi; exit $$rc

integration: build
	@rc=0; $(ANSIBLE_ENV) PATH=$(BIN):$$PATH $(PYTEST) tests/integration || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "FAIL: pytest collected no tests in tests/integration" >&2; fi; exit $$rc

# ---------------------------------------------------------------- compat
# meta/runtime.yml promises ansible-core >= 2.16: the integration tests (real ansible-playbook runs,
# in the controller and as module processes) run again with the oldest 2.16 release series, in a
# venv of their own (they need only pytest, and requests for the modules).
COMPAT_VENV := $(CURDIR)/.venv-compat
COMPAT_REQUIREMENTS := 'ansible-core>=2.16,<2.17' 'requests>=2.31' 'pytest>=8'
COMPAT_STAMP := $(COMPAT_VENV)/.installed-$(shell echo $(COMPAT_REQUIREMENTS) | cksum | cut -d' ' -f1)

$(COMPAT_STAMP):
	@if [ ! -x $(COMPAT_VENV)/bin/python ]; then echo "creating $(COMPAT_VENV)"; $(PYTHON) -m venv $(COMPAT_VENV); fi
	$(COMPAT_VENV)/bin/python -m pip install -qq --disable-pip-version-check $(COMPAT_REQUIREMENTS)
	@rm -f $(COMPAT_VENV)/.installed-*
	@touch $@

compat: build $(COMPAT_STAMP)
	@$(COMPAT_VENV)/bin/ansible --version | head -n 1
	$(ANSIBLE_ENV) PATH=$(COMPAT_VENV)/bin:$$PATH PYTHONDONTWRITEBYTECODE=1 \
		$(COMPAT_VENV)/bin/python -m pytest -p no:cacheprovider -q tests/integration

# ---------------------------------------------------------------- demo
demo: build
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) hack/demo.sh $(BIN) $(DEMO_DIR)

# ---------------------------------------------------------------- bench
# Prints figures; fails only on a failed run, a wrong end state or more requests than the minimum.
BENCH_ARGS ?=
bench: build
	$(ANSIBLE_ENV) PATH=$(BIN):$$PATH $(BIN)/python bench/run.py $(BENCH_ARGS)

# ---------------------------------------------------------------- clean
clean:
	rm -rf $(BUILD) $(VENV) $(COMPAT_VENV) .cache .ansible .pytest_cache .hypothesis tests/output
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
