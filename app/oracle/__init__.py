"""The oracle: a round's lifecycle as services, and the keeper that drives every round in
flight to its end. Each file does one job:

- :mod:`~app.oracle.opening`: the dataset, createRound and the funder's pools (resumable);
- :mod:`~app.oracle.resolving`: close, then score every submission and store the plan;
- :mod:`~app.oracle.publishing`: the published files and the on-chain commitment;
- :mod:`~app.oracle.settling`: the settle batches, the prizes, finalize;
- :mod:`~app.oracle.endings`: disputes and the guardian's ruling, voided and expired rounds;
- :mod:`~app.oracle.journal`: the one recorded path every transaction takes;
- :mod:`~app.oracle.keeper`: the schedule and the loop that takes each round's next step;
- :mod:`~app.oracle.cli`: ``flask oracle ...``, thin calls into the above.

Each step reads the chain before it writes, and every oracle (and funder) transaction is
journaled before it is sent and gets its hash before the wait, so any step can be rerun
after a crash: a transaction left sent is waited for, never sent again.

Participants are model keys (:mod:`client.core.models`): a wallet's address for its
model 0, ``<address>-<n>`` for its model n. Each model is scored on its own file, its
stake settled on its own; prizes are paid per wallet, the sum of its models'.
"""

from app.oracle.common import (
    DEFAULT_POOLS,
    NMR,
    OPERATOR_ERRORS,
    USD,
    OracleError,
    participant_key,
)
from app.oracle.endings import (
    deadline_passed,
    dispute_status,
    expire_round,
    guardian_chain,
    lapse_dispute,
    rule_round,
    void_round,
)
from app.oracle.keeper import Keeper, pipeline, run, run_round, status
from app.oracle.opening import (
    dataset_digest,
    finish_opening,
    fund_round,
    funder_chain,
    open_round,
)
from app.oracle.publishing import (
    commit_round,
    publish_round,
    resolve_round,
    results_digest,
)
from app.oracle.resolving import (
    close_round,
    load_dataset,
    plan_round,
    read_prediction_file,
    scored_files,
)
from app.oracle.settling import finalize_round, settle_round
from client.core.chain.states import round_state

__all__ = [
    "DEFAULT_POOLS",
    "NMR",
    "OPERATOR_ERRORS",
    "USD",
    "Keeper",
    "OracleError",
    "close_round",
    "commit_round",
    "dataset_digest",
    "deadline_passed",
    "dispute_status",
    "expire_round",
    "finalize_round",
    "finish_opening",
    "fund_round",
    "funder_chain",
    "guardian_chain",
    "lapse_dispute",
    "load_dataset",
    "open_round",
    "participant_key",
    "pipeline",
    "plan_round",
    "publish_round",
    "read_prediction_file",
    "resolve_round",
    "results_digest",
    "round_state",
    "rule_round",
    "run",
    "run_round",
    "scored_files",
    "settle_round",
    "status",
    "void_round",
]
