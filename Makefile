# vanban: `make documents` builds out/<year>/ from the shipped workbook; `make test` tests it all.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WORKBOOK ?= data/ke-hoach-cchc-2018.xlsx
OUT ?= out
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install documents pdf lint test check ruff mypy clean bench bench-test collect serve

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml setup.py generator/collect/_fastdocx.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP) ## make .venv and install the package with its test tools

documents: $(STAMP) ## build every document from WORKBOOK into OUT/<year>/
	$(BIN)/vanban build $(WORKBOOK) --out $(OUT)

check: $(STAMP) ## check WORKBOOK and list every problem with its sheet and cell (no documents written)
	$(BIN)/vanban check $(WORKBOOK)

pdf: documents ## convert every document of OUT/<year>/ to PDF in OUT/<year>/pdf/ (LibreOffice)
	$(BIN)/vanban pdf --out $(OUT) --preview

FORMS ?= data/vi-du-bao-cao/quy-1

collect: $(STAMP) ## consolidate the returned forms in FORMS (the shipped quý I examples) into OUT/<year>/tong-hop/
	$(BIN)/vanban collect $(FORMS) --workbook $(WORKBOOK) --out $(OUT)

lint: $(STAMP) ## check the templates and the last build against Nghị định 30 (docs/lint.md)
	$(BIN)/vanban lint --out $(OUT)

serve: $(STAMP) ## open the page for the clerks in the browser (http://127.0.0.1:PORT/, Ctrl+C stops it)
	$(BIN)/vanban serve --port $(PORT) --open --data $(OUT)/web

# The suite runs on every core (pytest-xdist), one test file per worker at a time so that a file's
# shared fixtures (a build, a LibreOffice conversion) are made once, the files handed out in the
# order tests/conftest.py gives them (heaviest first; xdist would otherwise order them by their
# number of tests, and start the longest file last). TEST_WORKERS=0: one process.
TEST_WORKERS ?= auto

# ruff first (a second); mypy checks the types while the tests run, its report printed after theirs;
# either failing fails `make test`. Python's bytecode caches are written even where
# PYTHONDONTWRITEBYTECODE is set (as on the team's machine): without them every worker compiles the
# package and pytest rewrites the 11,000 lines of tests again at each run (3 to 4 s a worker), and
# each `vanban` the tests start compiles what it imports.
test: ruff ## ruff, then the whole test suite on every core with mypy beside it (LibreOffice tests need soffice and pdftotext)
	@$(BIN)/mypy > $(VENV)/mypy.log 2>&1 & types=$$!; \
	echo "$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder  (and $(BIN)/mypy meanwhile)"; \
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder; tests=$$?; \
	wait $$types; typed=$$?; echo "$(BIN)/mypy:"; cat $(VENV)/mypy.log; \
	test $$tests -eq 0 && test $$typed -eq 0

ruff: $(STAMP) ## lint the code (ruff)
	$(BIN)/ruff check generator tests tools

mypy: $(STAMP) ## check the types of generator/ (mypy, configured in pyproject.toml)
	$(BIN)/mypy

bench-test: $(STAMP) ## the benchmark's own test (minutes; `make test` leaves it out, CI runs it)
	$(BIN)/pytest -q -m bench

bench: $(STAMP) ## measure the engine against plain docxtpl, and PDF conversion; writes docs/performance.md (minutes)
	$(BIN)/python tools/bench.py
	$(BIN)/python tools/bench_pdf.py

clean: ## remove the build output and the virtualenv
	rm -rf $(OUT) $(VENV) .pytest_cache .ruff_cache
