# Two commands do all the set-up: `make demo` and `make test`.
# Both create .venv with the machine's python3 and install what they need.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
REPORTS ?= reports

.PHONY: install demo test test-fast lint lab clean check-pages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[notebooks,dev,dask]"
	$(BIN)/python -m ipykernel install --sys-prefix --name negtrend --display-name "negtrend" >/dev/null
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/negtrend sweep params/demo_sweep.yaml --jobs 2 --reports-dir $(REPORTS)
	$(BIN)/negtrend report --template explore --data data/sample/posts_pemilu2024.csv \
		--map text=title,timestamp=published --classifier lexicon --category hoaks \
		--category pemilu --election pemilu2024 --freq W --reports-dir $(REPORTS)
	$(BIN)/negtrend cross-election --reports-dir $(REPORTS)
	@echo
	@echo "Reports index: $$($(BIN)/negtrend index --reports-dir $(REPORTS))"

# the full suite (what .ci/run calls): notebooks executed, statistics checked by simulation
test: lint
	$(BIN)/python -m pytest -q

# the quick loop while editing (under 2 minutes): no notebooks, no simulations
test-fast: lint
	$(BIN)/python -m pytest -q -m "not slow"

check-pages: install
	NEGTREND_CHECK_REPORTS=$(abspath $(REPORTS)) $(BIN)/python -m pytest -q tests/test_browser.py -k every_page

# style, and the layer contract (pyproject.toml [tool.importlinter]; docs/architecture.md)
lint: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/lint-imports

lab: install
	$(BIN)/jupyter lab --notebook-dir=notebooks

clean:
	rm -rf $(VENV) $(REPORTS)/*/ $(REPORTS)/index.html $(REPORTS)/sweep-*
