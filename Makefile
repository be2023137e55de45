# Kehu: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KEHU := $(BIN)/kehu
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test assets lint check-migrations e2e-deps bench messages clean

run: install assets
	$(KEHU) migrate --no-input
	$(KEHU) collectstatic --no-input -v 0
	$(KEHU) demo --if-empty
	$(KEHU) serve --host $(HOST) --port $(PORT)

test: install-test assets e2e-deps lint check-migrations
	$(BIN)/pytest

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Kehu needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

install-test: $(VENV)/.installed-test
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"
	@touch $@ $(VENV)/.installed

# Front-end libraries come from the npm registry and are served from kehu/web/static/vendor.
assets: kehu/web/static/vendor/.installed
kehu/web/static/vendor/.installed: package.json package-lock.json scripts/copy-vendor.mjs
	npm ci --no-audit --no-fund --loglevel=error
	node scripts/copy-vendor.mjs
	@touch $@

# Browser tests drive Debian's Chromium (Playwright's own browser download does not work here),
# with a Chinese font so that the screenshots of failed tests are legible.
E2E_PACKAGES := chromium fonts-wqy-microhei
e2e-deps:
	@{ command -v chromium >/dev/null && fc-list :lang=zh | grep -q .; } || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(E2E_PACKAGES); \
		else sudo apt-get update -qq && sudo apt-get install -y -qq $(E2E_PACKAGES); fi; }

lint: install-test
	$(BIN)/ruff check .

check-migrations: install-test
	$(BIN)/kehu makemigrations --check --dry-run

messages: install-test
	cd kehu && ../$(KEHU) makemessages -l zh_Hans -l en --no-obsolete --ignore 'demo/*' --ignore 'bench/*' --ignore '*/tests/*'
	cd kehu && ../$(KEHU) compilemessages

bench: install-test
	$(KEHU) bench --size quick

clean:
	rm -rf $(VENV) node_modules kehu/web/static/vendor var/static
