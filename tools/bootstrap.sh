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

# Brownie's `anvil-local` network: Anvil from npm, a faster node for `make test-long` and
# `make coverage` (Ganache stays the default). Brownie picks its Anvil backend only when
# the command is literally `anvil` (found on PATH, node_modules/.bin); Anvil refuses the
# word "brownie" as a mnemonic, so its own default accounts are used.
# `anvil-coverage` (port 8556) also records opcode steps, which coverage reads.
for network in "anvil-local 8555" "anvil-coverage 8556 steps_tracing=true"; do
  set -- $network
  if ! grep -q "id: $1\$" "$HOME/.brownie/network-config.yaml" 2>/dev/null; then
    echo "bootstrap: adding Brownie's $1 network (Anvil, port $2)"
    "$venv/bin/brownie" networks add Development "$1" cmd=anvil host=http://127.0.0.1 port="$2" \
      accounts=10 evm_version=shanghai gas_limit=12000000 chain_id=1337 ${3:-} >/dev/null
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
