#!/usr/bin/env bash
# `make run`: a local chain, the contracts, a living tournament and the app, until Ctrl-C.
# Every port and path can be moved with NMR_* variables (the run-command test does).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PWD/.venv/bin:$PATH"
PORT_RPC=${NMR_RPC_PORT:-8545}
PORT_APP=${NMR_APP_PORT:-8000}
STATE=${NMR_DEVCHAIN_DIR:-instance/devchain}
export NMR_DEV_MNEMONIC="${NMR_DEV_MNEMONIC:-test test test test test test test test test test test junk}"
export NMR_RPC_URL="http://127.0.0.1:$PORT_RPC"
export NMR_API_URL="http://127.0.0.1:$PORT_APP"
# Sign-in names the served address, never the request's Host header (DESIGN "Security stance").
export NMR_SIWE_DOMAIN="${NMR_SIWE_DOMAIN:-127.0.0.1:$PORT_APP}"
export NMR_SIWE_URI="${NMR_SIWE_URI:-$NMR_API_URL}"
export NMR_DEPLOYMENTS_FILE="${NMR_DEPLOYMENTS_FILE:-$PWD/deployments/local.json}"
# The keeper's schedule, minutes instead of weeks: a round opens every NMR_ROUND_EVERY s
# whatever state the earlier ones are in, so three or more are in flight at once.
export NMR_ROUND_EVERY="${NMR_ROUND_EVERY:-120}"
export NMR_ROUND_STAKING_SECONDS="${NMR_DEMO_CLOSES_IN:-180}"
export NMR_ROUND_LIVE_SECONDS="${NMR_ROUND_LIVE_SECONDS:-120}"
export NMR_ROUND_RESOLUTION_SECONDS="${NMR_ROUND_RESOLUTION_SECONDS:-3600}"
export NMR_KEEPER_TICK_SECONDS="${NMR_KEEPER_TICK_SECONDS:-2}"
# One round in three is sealed (rounds 2, 5, 8 ...: never the demo's disputed 3, 6, 9): only
# each file's hash reaches the server before the close, the files are revealed within 90 s after.
export NMR_SEALED_EVERY="${NMR_SEALED_EVERY:-3}"
export NMR_SEALED_OFFSET="${NMR_SEALED_OFFSET:-2}"
export NMR_SEALED_REVEAL_SECONDS="${NMR_SEALED_REVEAL_SECONDS:-90}"
# Small enough that the week's NMR issuance and the treasury's dollars last many rounds.
export NMR_ROUND_POOL_USD_STAKING="${NMR_ROUND_POOL_USD_STAKING:-300}"
export NMR_ROUND_POOL_USD_PRIZE="${NMR_ROUND_POOL_USD_PRIZE:-360.303}"
export NMR_ROUND_POOL_NMR="${NMR_ROUND_POOL_NMR:-1441.213}"
export NMR_ORACLE_PRIVATE_KEY
NMR_ORACLE_PRIVATE_KEY=$(python -c "import sys; sys.path.insert(0, '.'); from client.core.chain.signing import key_from_mnemonic; print(key_from_mnemonic('$NMR_DEV_MNEMONIC', 1))")
# The treasury (account 0) funds every round's pools from its own balance.
export NMR_TREASURY_PRIVATE_KEY
NMR_TREASURY_PRIVATE_KEY=$(python -c "import sys; sys.path.insert(0, '.'); from client.core.chain.signing import key_from_mnemonic; print(key_from_mnemonic('$NMR_DEV_MNEMONIC', 0))")
# The guardian (account 12, never the oracle) rules on disputes of committed results.
export NMR_GUARDIAN_PRIVATE_KEY
NMR_GUARDIAN_PRIVATE_KEY=$(python -c "import sys; sys.path.insert(0, '.'); from client.core.chain.signing import key_from_mnemonic; print(key_from_mnemonic('$NMR_DEV_MNEMONIC', 12))")

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

mkdir -p "$STATE"
# The chain's state lives in $STATE, so a restart keeps the contracts and the rounds.
if curl -s -o /dev/null "$NMR_RPC_URL"; then
  echo "something already listens on $NMR_RPC_URL; stop it or set NMR_RPC_PORT" >&2
  exit 1
fi
# NMR_CHAIN_TIME (ISO 8601) starts the chain's clock there: a rehearsal of a restart long after a stop.
clock=()
[ -n "${NMR_CHAIN_TIME:-}" ] && clock=(--chain.time "$NMR_CHAIN_TIME")
ganache --server.host 127.0.0.1 --server.port "$PORT_RPC" --chain.chainId 1337 --chain.networkId 1337 \
  --wallet.mnemonic "$NMR_DEV_MNEMONIC" --wallet.totalAccounts 13 --hardfork shanghai \
  --miner.blockGasLimit 30000000 --database.dbPath "$STATE" --logging.quiet "${clock[@]}" >/dev/null &
ganache_pid=$!
pids+=($ganache_pid)
# Wait until it answers; bail out if it died (a used port, a corrupt state folder).
until curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
    --data '{"jsonrpc":"2.0","method":"eth_chainId","params":[],"id":1}' "$NMR_RPC_URL"; do
  kill -0 "$ganache_pid" 2>/dev/null || { echo "ganache failed to start on $NMR_RPC_URL" >&2; exit 1; }
  sleep 0.2
done

python tools/run_local.py
if curl -s -o /dev/null "$NMR_API_URL"; then
  echo "something already listens on $NMR_API_URL; stop it or set NMR_APP_PORT" >&2
  exit 1
fi
gunicorn --bind "127.0.0.1:$PORT_APP" --workers 2 --threads 4 --error-logfile - 'app:create_app()' &
gunicorn_pid=$!
pids+=($gunicorn_pid)
until curl -s -o /dev/null "$NMR_API_URL/api/v1/rounds/current"; do
  kill -0 "$gunicorn_pid" 2>/dev/null || { echo "the app failed to start on $NMR_API_URL" >&2; exit 1; }
  sleep 0.2
done
python tools/demo.py keeper &
pids+=($!)
python tools/demo.py players &
pids+=($!)
# The next three things to do, with the wallets' balances read from the chain.
python tools/banner.py
# If any part stops (the chain, the app or the demo), stop the rest too.
wait -n
echo "a part of the tournament stopped; shutting down" >&2
