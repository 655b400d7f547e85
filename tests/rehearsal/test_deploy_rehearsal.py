"""The deploy rehearsal (`make rehearsal`, tools/rehearse.py) end to end on the rehearsal
chain: deploy with Brownie, one whole round through the README's commands (open, two
stakers' example model staking from the client, close, resolve, settle, finalize), then
`nmr verify`; every step's time and gas is printed."""

from tools.rehearse import rehearse


def test_a_whole_round_runs_on_the_rehearsal_chain_from_the_readmes_commands(tmp_path, capsys):
    rows = {name: (seconds, transactions, gas) for name, seconds, transactions, gas in rehearse(tmp_path)}
    printed = capsys.readouterr().out
    assert "whole round" in printed
    assert rows["deploy (brownie run scripts/deploy.py)"][1] >= 5
    assert rows["flask oracle open"][1] >= 2  # createRound, the funder's approvals and fundRound
    for staker in ("staker 1: example_model.py --stake", "staker 2: example_model.py --stake"):
        assert rows[staker][1] == 2  # approve + stake, from the client
    assert rows["flask oracle resolve"][1] == 1  # commitResults
    assert rows["flask oracle settle (after the window)"][1] >= 1
    assert rows["flask oracle finalize"][1] == 1
    assert rows["nmr verify"][1] == 0
    assert all(gas > 0 for name, (_, transactions, gas) in rows.items() if transactions)
