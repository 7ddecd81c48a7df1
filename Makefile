# Two commands do all the set-up: `make run` and `make test`. Each target is idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM := /usr/bin/chromium
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/signaalroute_test
export TEST_DATABASE_URL

.PHONY: run test install assets chromium postgres lint bench clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(BIN)/.installed

webapp/static/vendor/.built: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf webapp/static/vendor && mkdir -p webapp/static/vendor/utrecht
	cp node_modules/@utrecht/component-library-css/dist/index.css webapp/static/vendor/utrecht/index.css
	touch $@

assets: webapp/static/vendor/.built

instance/secret_key: | install
	$(BIN)/signaalroute init

run: install assets instance/secret_key
	$(BIN)/signaalroute db upgrade
	$(BIN)/signaalroute demo load
	@echo ""
	@echo "Signaalroute draait op http://$(HOST):$(PORT)/ — log in met een account hierboven."
	@echo "(Ctrl-C stopt webserver en planner.)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/signaalroute scheduler & \
	  $(BIN)/signaalroute serve --host $(HOST) --port $(PORT) --workers 2

chromium:
	@test -x $(CHROMIUM) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start || true

test: install assets chromium postgres
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .

bench: install postgres
	$(BIN)/python bench/engine_overhead.py
	$(BIN)/python bench/replay.py
	@echo "Timer lateness (about 10 minutes): $(BIN)/python bench/timers.py"

clean:
	rm -rf $(VENV) node_modules webapp/static/vendor
