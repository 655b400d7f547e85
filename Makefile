# Numeraire Tournament. `make run` starts a living local tournament; `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(BIN):$(PATH)

.PHONY: setup compile test test-contracts test-app lint coverage slither slither-all gas-report bench run clean

setup:
	@bash tools/bootstrap.sh

compile: setup
	brownie compile

lint: setup
	ruff check .

test-contracts: compile
	brownie test tests/contracts -W ignore::FutureWarning

test-app: compile
	python -m pytest -p no:pytest-brownie tests/app tests/client tests/e2e tests/run -q

test: setup lint slither test-contracts test-app

coverage: compile
	brownie test tests/contracts --coverage -W ignore::FutureWarning

# High and medium findings fail the build; the triaged ones carry an inline reason
# (slither-disable-next-line) in the contract. Low/informational: `make slither-all`.
SLITHER := slither --solc-remaps "@openzeppelin=node_modules/@openzeppelin" --solc $(HOME)/.solcx/solc-v0.8.24 --filter-paths node_modules
slither: setup
	for contract in contracts/*.sol; do $(SLITHER) $$contract --exclude-informational --exclude-low --fail-medium || exit 1; done

slither-all: setup
	for contract in contracts/*.sol; do $(SLITHER) $$contract || true; done

gas-report: compile
	brownie run scripts/gas_report.py

# The browser is for the tests only: `make run` does not install it. The compile is quiet
# (its list of contracts goes to build/compile.log, shown only when it fails).
run:
	@BOOTSTRAP_BROWSER=0 bash tools/bootstrap.sh
	@mkdir -p build && $(BIN)/brownie compile > build/compile.log 2>&1 \
	  && echo "contracts compiled (details in build/compile.log)" \
	  || { cat build/compile.log; exit 1; }
	bash tools/run.sh

clean:
	rm -rf build reports .pytest_cache .hypothesis
