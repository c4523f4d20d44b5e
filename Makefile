# `make run` and `make test` create .venv themselves on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PYTEST := QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider

.PHONY: run test lint soak fuzz bench clean bytecode

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,lint,cluster]'
	touch $(STAMP)

# Byte-compile the package as a wheel install would (an editable install does not, and with
# PYTHONDONTWRITEBYTECODE set every start compiled ~150 modules again); only stale ones.
bytecode: $(STAMP)
	$(PY) -m compileall -q -j 0 viewer > /dev/null

run: bytecode
	$(VENV)/bin/dicom-viewer

# The fast suite (the README's command); the soak test and the long fuzz run have their own targets.
test: bytecode
	$(PYTEST) -n auto -m "not soak" tests

# ruff (lint and format), mypy, and the import-linter layer contracts; fails on any finding.
lint: $(STAMP)
	$(VENV)/bin/ruff check viewer tests
	$(VENV)/bin/ruff format --check viewer tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

soak: bytecode
	$(PYTEST) -m soak tests/ui/test_soak.py

fuzz: bytecode
	FUZZ_EXAMPLES=2500 $(PYTEST) tests/test_fuzz.py

bench: bytecode
	QT_QPA_PLATFORM=offscreen $(PY) -m tests.bench

clean:
	rm -rf $(VENV) build *.egg-info test-output
