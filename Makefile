# Two commands do all the set-up: `make run` and `make test`. Each target is idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM := /usr/bin/chromium
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/signaalroute_test
export TEST_DATABASE_URL
# Byte-code caches on: without them every test process (and every server a test starts) compiles and
# assertion-rewrites ~480 modules anew, about 5 s of CPU each (tests/README.md).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test install assets chromium postgres lint bench clean audit-deps

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(BIN)/.installed

VENDOR := webapp/static/vendor

# npm ci installs exactly the lock file; only what the pages load is copied into static/vendor.
# bpmnlint has no browser build of its own: esbuild (from npm) bundles our rule selection.
$(VENDOR)/.built: package.json package-lock.json webapp/assets/bpmnlint.mjs webapp/assets/dmn-modeler.mjs
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/utrecht $(VENDOR)/thema $(VENDOR)/noto-sans/files $(VENDOR)/bpmn-js \
	   $(VENDOR)/dmn-js $(VENDOR)/bpmnlint $(VENDOR)/minimap
	cp node_modules/@utrecht/component-library-css/dist/index.css $(VENDOR)/utrecht/index.css
	# The default theme: NL Design System's example theme (EUPL-1.2). Utrecht's own tokens are proprietary
	# to Gemeente Utrecht, so a municipality points SIGNAALROUTE_THEMA_CSS at its own tokens instead.
	cp node_modules/@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css $(VENDOR)/thema/voorbeeld.css
	# Noto Sans, the example theme's font (OFL-1.1), served from here: the CSP allows no font host.
	# Only the woff2 files of the weights we use; every supported browser reads woff2.
	for css in 400 400-italic 600 700; do \
	  sed -e "s/, url([^)]*\.woff) format('woff')//" node_modules/@fontsource/noto-sans/$$css.css; \
	done > $(VENDOR)/noto-sans/noto-sans.css
	cp node_modules/@fontsource/noto-sans/files/noto-sans-*-400-normal.woff2 \
	   node_modules/@fontsource/noto-sans/files/noto-sans-*-400-italic.woff2 \
	   node_modules/@fontsource/noto-sans/files/noto-sans-*-600-normal.woff2 \
	   node_modules/@fontsource/noto-sans/files/noto-sans-*-700-normal.woff2 $(VENDOR)/noto-sans/files/
	# Each font under a URL named by its content (as url_for names the rest, webapp/static_files.py): kept a year.
	cd $(VENDOR)/noto-sans && for font in files/*.woff2; do \
	  sed -i "s|url(./$$font)|url(./$$font?v=$$(sha256sum $$font | cut -c1-12))|" noto-sans.css; \
	done
	cp node_modules/bpmn-js/dist/bpmn-modeler.production.min.js \
	   node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js $(VENDOR)/bpmn-js/
	cp -R node_modules/bpmn-js/dist/assets/. $(VENDOR)/bpmn-js/
	# dmn-js' dist bundle contains Inferno's development build; ours is built from its sources for production.
	node_modules/.bin/esbuild webapp/assets/dmn-modeler.mjs --bundle --minify --format=iife \
	   --define:process.env.NODE_ENV='"production"' --outfile=$(VENDOR)/dmn-js/dmn-modeler.js --log-level=warning
	# The minimap (diagram-js-minimap, MIT) for large models; it styles only through the CSSOM, which our CSP allows.
	cp node_modules/diagram-js-minimap/dist/diagram-minimap.umd.prod.js \
	   node_modules/diagram-js-minimap/assets/diagram-js-minimap.css $(VENDOR)/minimap/
	cp -R node_modules/dmn-js/dist/assets/. $(VENDOR)/dmn-js/
	node_modules/.bin/esbuild webapp/assets/bpmnlint.mjs --bundle --minify --format=iife \
	   --outfile=$(VENDOR)/bpmnlint/bpmnlint.js --log-level=warning
	touch $@

assets: $(VENDOR)/.built

instance/secret_key: | install
	$(BIN)/signaalroute initialiseren

run: install assets instance/secret_key
	$(BIN)/signaalroute database bijwerken
	$(BIN)/signaalroute demo laden
	@echo ""
	@echo "Signaalroute draait op http://$(HOST):$(PORT)/ — log in met een account hierboven."
	@echo "(Ctrl-C stopt webserver en planner.)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/signaalroute planner & \
	  $(BIN)/signaalroute webserver --host $(HOST) --poort $(PORT) --workers 2

chromium:
	@test -x $(CHROMIUM) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start || true

test: install assets chromium postgres
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n 2 --dist worksteal
	@if [ "$$CI" = "true" ]; then $(MAKE) --no-print-directory audit-deps; fi

# Known vulnerabilities in the installed, pinned dependencies fail; an unreachable vulnerability
# database is reported loudly and fails only with AUDIT_DEPS_REQUIRED=true (SECURITY.md explains why).
audit-deps: install
	$(BIN)/python scripts/audit_deps.py

lint: install
	$(BIN)/ruff check .

bench: install postgres
	$(BIN)/python bench/engine_overhead.py
	$(BIN)/python bench/replay.py
	@echo "Timer lateness (about 10 minutes): $(BIN)/python bench/timers.py"

clean:
	rm -rf $(VENV) node_modules webapp/static/vendor
