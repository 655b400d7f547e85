"""Round scoring: metrics over every submission at once, and the meta-model (pure).

Entry points (see :mod:`client.core.scoring.round`)::

    score_round(tournament, live_targets, predictions, stakes=None) -> DataFrame
    score_round_full(tournament, live_targets, predictions, stakes=None) -> RoundScores

``tournament`` is ``RoundDataset.tournament`` (columns ``id, era, data_type,
feature1..F, target``, validation targets filled); ``live_targets`` a Series of live
targets by id; ``predictions`` maps submission name -> probabilities (a Series by id,
or an array in tournament row order), earliest submission first; ``stakes`` maps
name -> stake in wei (meta-model weights; None = equal weights).

``score_round`` returns one row per submission (index ``submission``) with columns:

=====================  ================================================================
validation_logloss     logloss over all validation rows (sklearn ``log_loss``)
live_logloss           logloss over all live rows with a known target
consistency            share of validation eras with logloss < ln 2
original               False if |Pearson| > 0.95 or KS <= 0.03 vs an earlier submission
                       (KS compared exactly, in integer counts)
concordant             mean over 5 k-means clusters of max KS(val/test/live) < 0.12
                       (the mean compared exactly, as a fraction)
corr, mmc, fnc         mean over live eras of numerai-tools numerai_corr,
                       correlation_contribution (vs the meta-model), feature_neutral_corr
validation_corr/mmc/fnc  the same over validation eras
concordance_ks         the concordance statistic itself (mean of per-cluster max KS);
                       ``concordant`` is the decision, stored as ``concordance``
similar_to             the earlier submission that made it unoriginal, else None
=====================  ================================================================

``RoundScores.per_era`` has ``submission, era, data_type, logloss, corr, mmc, fnc`` for
every validation and live era (for charts); ``RoundScores.meta_model`` is the
stake-weighted meta-model on every tournament row, scored in ``meta_model_per_era`` and
``meta_model_summary``. Lower-level pieces: :mod:`client.core.scoring.metrics` (per-era
metrics on a submissions x rows matrix), :mod:`client.core.scoring.originality`,
:mod:`client.core.scoring.concordance`, :mod:`client.core.scoring.ks`.
"""

from client.core.money.rules import LN2
from client.core.scoring.round import (
    SUMMARY_COLUMNS,
    RoundScores,
    score_round,
    score_round_full,
)

# What is kept of a submission's summary, by the name the store, the API and verify use:
# the measured metrics (floats) and the two eligibility decisions (bools).
STORED_METRICS = {
    "live_logloss": "live_logloss", "validation_logloss": "validation_logloss", "consistency": "consistency",
    "corr": "corr", "mmc": "mmc", "fnc": "fnc",
}  # fmt: skip
STORED_DECISIONS = {"originality": "original", "concordance": "concordant"}

__all__ = [
    "LN2", "STORED_DECISIONS", "STORED_METRICS", "SUMMARY_COLUMNS", "RoundScores", "score_round", "score_round_full",
]  # fmt: skip
