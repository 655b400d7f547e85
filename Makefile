# Numeraire Tournament. `make run` starts a living local tournament; `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(BIN):$(PATH)
# The app suites run on pytest-xdist workers (tests/conftest.py says how they are spread):
# most of their time is spent waiting on chains and served rounds, not on the CPU, and
# two of the four mostly wait on the run-command tests' rounds.
APP_WORKERS ?= 4
# The contract suite is CPU-bound (Ganache's EVM): one Brownie worker per core.
CONTRACT_WORKERS ?= 2

.PHONY: setup compile test test-contracts test-app test-rehearsal test-long rehearsal lint coverage slither slither-all gas-report bench run clean

setup:
	@bash tools/bootstrap.sh

compile: setup
	brownie compile

lint: setup
	ruff check .

test-contracts: compile
	brownie test tests/contracts -W ignore::FutureWarning -n $(CONTRACT_WORKERS)

test-app: compile
	python -m pytest -p no:pytest-brownie tests/app tests/client tests/e2e tests/run tests/hostile -q -n $(APP_WORKERS) --dist loadgroup

test: setup lint slither test-contracts test-app

# The rehearsal chain, a real network's pace (Anvil at prague, a block every 2 s, EIP-1559;
# tools/anvil.py): the whole contract suite again on Anvil, the oracle's fault tests
# (slow blocks, a dropped transaction, fee spikes, a reorg, an RPC outage of a minute) and
# the deploy rehearsal. About 10 minutes, so apart from `make test`; CI runs both.
test-rehearsal: compile
	brownie test tests/contracts -W ignore::FutureWarning -n $(CONTRACT_WORKERS) --network anvil-local
	python -m pytest -p no:pytest-brownie tests/rehearsal -q -n 2

# Deploy with Brownie to the rehearsal chain and run one whole round through the README's
# commands, printing each step's time, transactions and gas.
rehearsal: compile
	python tools/rehearse.py

# Branch coverage of both contracts, printed per contract with every branch direction
# never taken; on Anvil with opcode traces (Brownie's coverage never finishes on Ganache).
coverage: compile
	brownie test tests/contracts --coverage --network anvil-coverage -W ignore::FutureWarning -p tools.branch_coverage

# The stateful machine at length: rerun until >= 10,000 steps ran (Hypothesis draws each
# example's length, ~17 steps of 50 on average); prints runs, steps and rule counts. About
# 50-70 minutes on 2 cores (0.3-0.45 s a step: Brownie's per-transaction work). On
# Ganache, where the suite's figures hold; LONG_NETWORK=anvil-local runs it on Anvil, which
# is no faster per step and whose clock disagrees with Brownie's after a snapshot revert.
LONG_NETWORK ?= development
test-long: compile
	STATEFUL_EXAMPLES=100 STATEFUL_STEPS=50 STATEFUL_MIN_STEPS=10000 brownie test \
		tests/contracts/integration/test_escrow_state_machine.py --network $(LONG_NETWORK) -W ignore::FutureWarning

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
