"""What a node's failures become: an unreachable URL is ChainUnavailable, a refusal by the
contracts stays a ContractRevert, and a programming error is left as it is."""

from __future__ import annotations

import json

import pytest
import requests
from chain_support import UNREACHABLE, offline_chain
from web3.exceptions import Web3RPCError

from client.core.chain.connection import connect
from client.core.chain.contracts import Chain
from client.core.chain.errors import ChainError, ChainUnavailable, ContractRevert

STAKER = 3


def test_an_unreachable_url_is_chain_unavailable():
    with pytest.raises(ChainUnavailable, match=f"the chain at {UNREACHABLE} did not answer .*is the node running"):
        connect(UNREACHABLE, timeout=5)


def test_an_unreachable_url_from_a_deployments_file_is_chain_unavailable(tmp_path):
    path = tmp_path / "deployments.json"
    path.write_text(json.dumps({"chain_id": 1337}))
    with pytest.raises(ChainUnavailable):
        Chain.connect(UNREACHABLE, path, timeout=5)


def test_a_read_from_a_node_that_went_away_is_chain_unavailable():
    with pytest.raises(ChainUnavailable, match="did not answer"):
        offline_chain().now()


def test_a_timeout_is_chain_unavailable(monkeypatch):
    chain = offline_chain()

    def slow(*_args, **_kwargs):
        raise requests.Timeout("read timed out")

    monkeypatch.setattr(chain.w3.eth, "get_block", slow)
    with pytest.raises(ChainUnavailable):
        chain.now()


@pytest.mark.parametrize("bug", [TypeError("unsupported operand"), KeyError("timestamp"), ZeroDivisionError()])
def test_a_programming_error_is_not_chain_unavailable(monkeypatch, bug):
    chain = offline_chain()

    def broken(*_args, **_kwargs):
        raise bug

    monkeypatch.setattr(chain.w3.eth, "get_block", broken)
    with pytest.raises(type(bug)) as excinfo:
        chain.now()
    assert not isinstance(excinfo.value, ChainError)


def test_a_json_rpc_error_is_a_chain_error_with_the_nodes_words(monkeypatch):
    chain = offline_chain()

    def refused(*_args, **_kwargs):
        raise Web3RPCError("header not found")

    monkeypatch.setattr(chain.w3.eth, "get_block", refused)
    with pytest.raises(ChainError, match="refused the request: header not found") as excinfo:
        chain.now()
    assert not isinstance(excinfo.value, ChainUnavailable)


def test_another_chain_id_is_refused(ganache_url):
    with pytest.raises(ChainError, match=f"the tournament is for chain 5 but {ganache_url} is chain 1337"):
        connect(ganache_url, chain_id=5, record="the tournament")


def test_a_contract_revert_stays_a_contract_revert(ganache_url, deployment, keys):
    chain = Chain.connect(ganache_url, deployment[0], private_key=keys[STAKER], owner="staker")
    with pytest.raises(ContractRevert) as excinfo:
        chain.withdraw_stake(987_654)
    assert not isinstance(excinfo.value, ChainUnavailable)
    assert excinfo.value.error == "TournamentEscrowUnknownRound"
    assert str(excinfo.value) == (
        "withdrawStake(987654) reverted: round 987654 does not exist on chain [TournamentEscrowUnknownRound]"
    )


def test_a_write_without_a_key_says_whose_key_is_missing(ganache_url, deployment):
    chain = Chain.connect(ganache_url, deployment[0], owner="funder")
    with pytest.raises(ChainError, match="^mint needs the funder's signing key: set NMR_TREASURY_PRIVATE_KEY or "):
        chain.mint(deployment[1]["treasury"], 1)
