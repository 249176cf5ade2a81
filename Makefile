# Leren met Impact. `make run` and `make test` are the two commands a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app
STAMP := .make

VENDOR := static/vendor
NODE := node_modules
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: help install assets translations compile-translations run test bench chromium wrk pango clean

help:
	@echo "make run           set up everything and serve on http://$(HOST):$(PORT) with demo data"
	@echo "make test          set up everything and run the whole test suite (SQLite; PostgreSQL with DATABASE_URL)"
	@echo "make translations  extract, update and compile the Dutch and English catalogues"
	@echo "make bench         load benchmarks under gunicorn (BENCH_ARGS=\"--database postgres\" for PostgreSQL)"

$(STAMP):
	@mkdir -p $(STAMP)

# Python environment: rebuilt when pyproject.toml changes.
$(STAMP)/venv: pyproject.toml | $(STAMP)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

# Front-end assets: pinned in package-lock.json, installed with npm ci, served from static/vendor.
$(STAMP)/npm: package.json package-lock.json | $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(STAMP)/assets: $(STAMP)/npm | $(STAMP)
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/htmx $(VENDOR)/utrecht $(VENDOR)/voorbeeld-design-tokens $(VENDOR)/noto-sans/files $(VENDOR)/noto-serif/files
	cp $(NODE)/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/htmx.min.js
	cp $(NODE)/@utrecht/component-library-css/dist/index.css $(VENDOR)/utrecht/component-library.css
	cp $(NODE)/@utrecht/component-library-css/LICENSE.md $(VENDOR)/utrecht/LICENSE.md
	cp $(NODE)/@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css $(VENDOR)/voorbeeld-design-tokens/theme.css
	cp $(NODE)/@nl-design-system-unstable/voorbeeld-design-tokens/LICENSE.md $(VENDOR)/voorbeeld-design-tokens/LICENSE.md
	for weight in 400 700; do \
	  cp $(NODE)/@fontsource/noto-sans/latin-$$weight.css $(VENDOR)/noto-sans/; \
	  cp $(NODE)/@fontsource/noto-sans/files/noto-sans-latin-$$weight-normal.woff2 $(VENDOR)/noto-sans/files/; \
	  cp $(NODE)/@fontsource/noto-sans/files/noto-sans-latin-$$weight-normal.woff $(VENDOR)/noto-sans/files/; \
	done
	cp $(NODE)/@fontsource/noto-sans/LICENSE $(VENDOR)/noto-sans/LICENSE
	cp $(NODE)/@fontsource/noto-serif/latin-700.css $(VENDOR)/noto-serif/
	cp $(NODE)/@fontsource/noto-serif/files/noto-serif-latin-700-normal.woff2 $(VENDOR)/noto-serif/files/
	cp $(NODE)/@fontsource/noto-serif/files/noto-serif-latin-700-normal.woff $(VENDOR)/noto-serif/files/
	cp $(NODE)/@fontsource/noto-serif/LICENSE $(VENDOR)/noto-serif/LICENSE
	@touch $@

assets: $(STAMP)/assets

translations: $(STAMP)/venv
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --project "Leren met Impact" -o learning/translations/messages.pot .
	$(BIN)/pybabel update -i learning/translations/messages.pot -d learning/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python -m learning.i18n_tools fill-source-language learning/translations/nl/LC_MESSAGES/messages.po
	$(BIN)/pybabel compile -d learning/translations --statistics

compile-translations: $(STAMP)/venv
	$(BIN)/pybabel compile -d learning/translations

install: $(STAMP)/venv $(STAMP)/assets compile-translations pango

# WeasyPrint renders PDFs with Pango (from Debian, like chromium for the browser tests).
pango:
	@{ ldconfig -p | grep -q 'libpangoft2-1.0.so.0' && ldconfig -p | grep -q 'libharfbuzz-subset.so.0'; } || { \
	  echo "Installing Debian's Pango libraries for PDF rendering (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null; }

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	@echo
	@echo "Leren met Impact runs at http://$(HOST):$(PORT)  (stop with Ctrl+C)"
	@$(BIN)/flask demo logins
	@echo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

chromium:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium for the browser tests (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: install chromium
	$(BIN)/pytest $(PYTEST_ARGS)

wrk:
	@command -v wrk >/dev/null || { \
	  echo "Installing Debian's wrk for the load benchmarks (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

bench: install wrk
	$(BIN)/python -m tests.bench $(BENCH_ARGS)

clean:
	rm -rf $(STAMP) $(VENV) $(NODE) $(VENDOR)
