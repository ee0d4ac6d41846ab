# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
# Parallel test processes: half the suite's time is waiting (servers, browsers, sockets), so more
# workers than cores pays; worksteal keeps the long system tests from ending up on one worker.
PYTEST_WORKERS ?= 4

.PHONY: run test setup check install install-test install-bench translations messages migrate demo serve simulate \
	clean wheel screenshots journey-images install-docs

run: install migrate demo serve

# The whole set-up of a test machine (packages, services), the checks, then the suite. pytest exits 5
# when it collected nothing, which fails the target like any other failure.
test: setup install-test translations check
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# Debian's chromium, postgresql, redis-server, nginx and a CJK font when missing (as root), and
# PostgreSQL and Redis started when stopped (operations.md); .ci/run is `REQUIRE_SERVICES=1 make test`.
setup:
	@scripts/test-machine

# ruff (lint) and mypy (types: strict on competition/domain, lenient elsewhere); pyproject.toml.
check: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install when the project's metadata changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $(VENV)/.installed $@

# bench/ (docs/benchmarks.md): the benchmarks' clients.
install-bench: $(VENV)/.installed-bench translations

$(VENV)/.installed-docs: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	touch $(VENV)/.installed $@

install-docs: $(VENV)/.installed-docs translations

# The guides' screenshots (docs/images/*.png), made from the demo contest in a temporary database
# (instance/ is left alone); needs Debian's Chromium and a CJK font: apt-get install chromium fonts-noto-cjk.
screenshots: install-docs
	$(BIN)/python docs/screenshots.py

# The guide images taken from the role journeys (docs/journey_images.py): the Chinese journeys, then the copy.
journey-images: install-docs install-test
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider tests/browser/journeys -k zh
	$(BIN)/python docs/journey_images.py

translations: | $(BIN)/python
	@if ls competition/translations/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile -d competition/translations; fi

# Extract the interface's texts (babel.cfg: Python and templates; the scripts get theirs from the
# templates) and merge them into the catalogs; then translate the new entries of each messages.po.
messages: | $(BIN)/python
	@mkdir -p build
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext -k lazy_pgettext:1c,2 --no-location \
		--project=competition --version=0.1.0 -o build/messages.pot .
	$(BIN)/pybabel -q update -i build/messages.pot -d competition/translations --no-fuzzy-matching \
		--ignore-obsolete --width=120

migrate: install
	$(BIN)/competition db upgrade

demo: install
	$(BIN)/competition demo --if-empty

simulate: install
	$(BIN)/competition demo --simulate --url http://$(HOST):$(PORT)

serve: install
	$(BIN)/competition serve --host $(HOST) --port $(PORT)

wheel: | $(BIN)/python
	$(BIN)/python -m pip wheel --quiet --no-deps -w dist .

clean:
	rm -rf $(VENV) dist build .pytest_cache .hypothesis
