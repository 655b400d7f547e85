#!/usr/bin/env bash
# `make run`: a local chain, the contracts, an open round and the app, until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PWD/.venv/bin:$PATH"
PORT_RPC=${NMR_RPC_PORT:-8545}
PORT_APP=${NMR_APP_PORT:-8000}
STATE=instance/devchain
export NMR_DEV_MNEMONIC="${NMR_DEV_MNEMONIC:-test test test test test test test test test test test junk}"
export NMR_RPC_URL="http://127.0.0.1:$PORT_RPC"
export NMR_DEPLOYMENTS_FILE="${NMR_DEPLOYMENTS_FILE:-$PWD/deployments/local.json}"
export NMR_ORACLE_PRIVATE_KEY
NMR_ORACLE_PRIVATE_KEY=$(python -c "import sys; sys.path.insert(0, '.'); from app.chain import key_from_mnemonic; print(key_from_mnemonic('$NMR_DEV_MNEMONIC', 1))")

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

mkdir -p "$STATE"
# The chain's state lives in instance/devchain, so a restart keeps contracts and rounds.
ganache --server.host 127.0.0.1 --server.port "$PORT_RPC" --chain.chainId 1337 --chain.networkId 1337 \
  --wallet.mnemonic "$NMR_DEV_MNEMONIC" --wallet.totalAccounts 10 --hardfork shanghai \
  --miner.blockGasLimit 30000000 --database.dbPath "$STATE" --logging.quiet &
pids+=($!)
for _ in $(seq 100); do
  curl -s -X POST -H 'Content-Type: application/json' --data '{"jsonrpc":"2.0","method":"eth_chainId","id":1}' "$NMR_RPC_URL" >/dev/null && break
  sleep 0.2
done

python tools/run_local.py
gunicorn --bind "127.0.0.1:$PORT_APP" --workers 2 --access-logfile - 'app:create_app()' &
pids+=($!)
cat <<INFO

  Numeraire Tournament is running: http://127.0.0.1:$PORT_APP
  Chain: $NMR_RPC_URL (chain id 1337) - add it to MetaMask as a custom network.
  Funded demo accounts: import keys of mnemonic "$NMR_DEV_MNEMONIC" (accounts 3-9 hold 10,000 NMR).
  Ctrl-C stops everything.
INFO
wait
