# Two commands do all the set-up: `make demo` and `make test`.
# Both create .venv with the machine's python3 and install what they need.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
REPORTS ?= reports

.PHONY: install demo test lint lab clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[notebooks,dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name negtrend --display-name "negtrend" >/dev/null
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/negtrend report --data published:kominfo_ais_hoax_monthly --election pemilu2019 --freq M --reports-dir $(REPORTS)
	$(BIN)/negtrend report --data published:komdigi_ais_hoax_monthly_2024 --election pemilu2024 --freq M --baseline after --reports-dir $(REPORTS)
	$(BIN)/negtrend report --data published:komdigi_ais_hoax_monthly_2024 --election pilkada2024 --freq M --claim komdigi_2024_11_pilkada --reports-dir $(REPORTS)
	$(BIN)/negtrend report --data published:kominfo_pemilu_hoax_issues_monthly --election pemilu2024 --freq M --category hoax_election --reports-dir $(REPORTS)
	@echo
	@echo "Reports index: $$($(BIN)/negtrend index --reports-dir $(REPORTS))"

test: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check src tests benchmarks scripts

lab: install
	$(BIN)/jupyter lab --notebook-dir=notebooks

clean:
	rm -rf $(VENV) $(REPORTS)/*/ $(REPORTS)/index.html
