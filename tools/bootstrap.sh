#!/usr/bin/env bash
# Idempotent setup of everything the project needs, from its own lock files only:
# Python venv, npm packages, the solcjs compiler shim, Brownie's Ganache network and,
# for the browser tests, Debian's Chromium, and for the PostgreSQL tests Debian's postgresql. Each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
venv="$root/.venv"
stamp() { [ -f "$1" ] && [ "$1" -nt "$2" ] && { [ $# -lt 3 ] || [ "$1" -nt "$3" ]; }; }

if ! stamp "$venv/.installed" requirements.txt requirements.lock; then
  echo "bootstrap: installing Python packages into .venv"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q -r requirements.txt -c requirements.lock
  touch "$venv/.installed"
fi

if ! stamp node_modules/.installed package-lock.json; then
  echo "bootstrap: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.installed
fi

# py-solc-x (and so Brownie) runs `solc-v<version>` from its install folder.
solcx_dir="${SOLCX_BINARY_PATH:-$HOME/.solcx}"
shim="$solcx_dir/solc-v0.8.24"
mkdir -p "$solcx_dir"
wanted="#!/bin/sh
exec node \"$root/tools/solcjs-shim.js\" \"\$@\""
if [ ! -x "$shim" ] || [ "$(cat "$shim")" != "$wanted" ]; then
  echo "bootstrap: installing the solcjs shim as $shim"
  printf '%s\n' "$wanted" > "$shim"
  chmod +x "$shim"
fi

# Brownie 1.22.2 ships a compiled stateful module that rejects its own state machines;
# without it the pure-Python stateful.py beside it is used (see shared TOOLCHAIN.md).
rm -f "$venv"/lib/python3*/site-packages/brownie/test/stateful.cpython-*.so

# Brownie's `development` network: our pinned Ganache, quiet (Brownie never reads its
# stdout, so a chatty Ganache fills the pipe and freezes), shanghai, off port 8545.
network_cmd="$root/node_modules/.bin/ganache --logging.quiet"
if ! grep -q "cmd: $network_cmd" "$HOME/.brownie/network-config.yaml" 2>/dev/null; then
  echo "bootstrap: pointing Brownie's development network at Ganache"
  "$venv/bin/brownie" networks delete development >/dev/null 2>&1 || true
  "$venv/bin/brownie" networks add Development development cmd="$network_cmd" \
    host=http://127.0.0.1 port=8645 accounts=10 evm_version=shanghai mnemonic=brownie \
    gas_limit=12000000 chain_id=1337 >/dev/null
fi

# Brownie's Anvil networks, Anvil from npm at prague (a current hardfork; the contracts are
# compiled for shanghai, which runs on it). Brownie picks its Anvil backend only when the
# command is literally `anvil` (found on PATH, node_modules/.bin); Anvil refuses the word
# "brownie" as a mnemonic, so its own default accounts are used.
# - `anvil-local` (8555): automine; the contract suite's second chain (`make test-rehearsal`)
#   and `make test-long`;
# - `anvil-coverage` (8556): the same, recording opcode steps, which coverage reads;
# - `anvil-rehearsal` (8557): a real network's pace, a block every 2 s, nothing mined on
#   demand, EIP-1559 fees (chain id 31337: not the local chain the keeper mines on).
for network in "anvil-local 8555 1337" "anvil-coverage 8556 1337 steps_tracing=true" \
               "anvil-rehearsal 8557 31337 block_time=2"; do
  set -- $network
  hardfork=$("$venv/bin/python" -c 'import sys, yaml; nets = yaml.safe_load(open(sys.argv[1]))["development"]
print(next((n["cmd_settings"].get("evm_version") for n in nets if n["id"] == sys.argv[2]), ""))' \
    "$HOME/.brownie/network-config.yaml" "$1" 2>/dev/null || true)
  if [ "$hardfork" != prague ]; then
    echo "bootstrap: adding Brownie's $1 network (Anvil at prague, port $2)"
    "$venv/bin/brownie" networks delete "$1" >/dev/null 2>&1 || true
    "$venv/bin/brownie" networks add Development "$1" cmd=anvil host=http://127.0.0.1 port="$2" \
      accounts=10 evm_version=prague gas_limit=30000000 chain_id="$3" ${4:-} >/dev/null
  fi
done

if [ "${BOOTSTRAP_BROWSER:-1}" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  echo "bootstrap: installing Debian chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then apt_get="apt-get"; else apt_get="sudo apt-get"; fi
  $apt_get update -qq && DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq chromium chromium-driver >/dev/null
fi
# Debian's PostgreSQL for the tests that also run on it (tests/postgres.py starts its own
# throwaway server); without it those tests are skipped, saying so.
if [ "${BOOTSTRAP_POSTGRES:-1}" = 1 ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "bootstrap: installing Debian postgresql for the PostgreSQL tests"
  if [ "$(id -u)" = 0 ]; then apt_get="apt-get"; else apt_get="sudo apt-get"; fi
  { $apt_get update -qq && DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq postgresql >/dev/null; } ||
    echo "bootstrap: could not install postgresql; the PostgreSQL tests will be skipped" >&2
fi
echo "bootstrap: ready"
