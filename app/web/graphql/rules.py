"""What a GraphQL request may ask for, checked before it runs (:mod:`app.web.graphql`
passes these to ariadne): bounds on its size and shape, and the Numerai fields this
server does not offer, refused with what to use instead rather than GraphQL's "Cannot
query field". The advice sentences live here with the tournaments that exist.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FieldsOnCorrectTypeRule,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    parse,
    specified_rules,
    validate,
)

from app.web.inputs import nesting_depth

TOURNAMENT = 8  # numerapi's NumerAPI() asks for tournament 8 (Numerai Classic)
STAKE_HINT = (
    "stakes live on chain here, not on the server: stake NMR on your submission's hash in the "
    "round's escrow from your wallet (the current-round page, or the addresses and ABIs at /api/v1/chain)"
)
# numerapi's stake changes sign nothing, so the server cannot make them; the client signs
# them with the same names (client/rolling.py).
ROLLING_HINT = (
    "a stake that stays on your model round after round is a rolling stake, set from your wallet: "
    "NumeraireClient's stake_increase, stake_decrease, stake_drain and stake_change take numerapi's arguments "
    "and sign with your key (or nmr stake --roll and nmr roll ROUND --off, or the stake page)"
)
# Our token scopes (app.access.SCOPES) as numerapi names them.
NUMERAPI_SCOPES = {"upload": "upload_submission", "read": "read_submission_info"}
TOKEN_HINT = "send your API token as 'Authorization: Token PUBLIC$SECRET' (create one on the Settings page)"
SUBMIT_HINT = "upload predictions with upload_predictions (or `nmr upload`)"
OTHER_TOURNAMENTS = {
    11: f"Numerai Signals (tournament 11) is not run here; this server runs one classic tournament ({TOURNAMENT}): "
        "use numerapi.NumerAPI",
    12: f"Numerai Crypto (tournament 12) is not run here; this server runs one classic tournament ({TOURNAMENT}): "
        "use numerapi.NumerAPI",
}


# A query is bounded before it runs: its text (characters, tokens, bracket nesting) before
# parsing, then its shape with fragments expanded (depth, fields resolved, aliases) by
# :class:`QueryBounds`. numerapi's largest query is ~40 fields, 5 deep, no aliases.
QUERY_MAX_CHARS = 32 * 1024
QUERY_MAX_TOKENS = 5000
QUERY_MAX_DEPTH = 10
QUERY_MAX_FIELDS = 500
QUERY_MAX_ALIASES = 30


class QueryRefused(GraphQLError):
    """A query over a bound; answered with status 400 in its extensions."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"status": 400})


def parse_query(_context: Any, data: dict[str, Any]) -> DocumentNode:
    """Parse ``data["query"]`` once it is known to be small and shallow enough to parse."""
    text = data["query"]
    if len(text) > QUERY_MAX_CHARS:
        raise QueryRefused(f"the query is {len(text):,} characters, over the limit of {QUERY_MAX_CHARS:,}")
    if nesting_depth(text.encode()) > 3 * QUERY_MAX_DEPTH:
        raise QueryRefused(f"the query nests brackets more than {3 * QUERY_MAX_DEPTH} deep; ask for less at once")
    return parse(text, max_tokens=QUERY_MAX_TOKENS)


class QueryBounds(ValidationRule):
    """Refuses a query whose expansion (fragments inlined, each counted once per use) is
    deeper than :data:`QUERY_MAX_DEPTH`, resolves more than :data:`QUERY_MAX_FIELDS`
    fields, or has more than :data:`QUERY_MAX_ALIASES` aliases. Each fragment's size is
    computed once, so the check is linear in the document."""

    def enter_document(self, node: DocumentNode, *_args: Any) -> Any:
        fragments = {d.name.value: d for d in node.definitions if not isinstance(d, OperationDefinitionNode)}
        sizes: dict[str, tuple[int, int, int]] = {}

        def size(selection_set: SelectionSetNode | None, seen: frozenset[str]) -> tuple[int, int, int]:
            depth = fields = aliases = 0
            for selection in selection_set.selections if selection_set else ():
                if isinstance(selection, FieldNode):
                    d, f, a = size(selection.selection_set, seen)
                    depth, fields, aliases = max(depth, d + 1), fields + f + 1, aliases + a + bool(selection.alias)
                    continue
                if isinstance(selection, InlineFragmentNode):
                    d, f, a = size(selection.selection_set, seen)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    if name in seen or name not in fragments:
                        continue  # a cycle or an unknown fragment: the standard rules report it
                    if name not in sizes:
                        sizes[name] = size(fragments[name].selection_set, seen | {name})
                    d, f, a = sizes[name]
                depth, fields, aliases = max(depth, d), fields + f, aliases + a
            return depth, min(fields, 10**9), min(aliases, 10**9)

        for definition in node.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            depth, fields, aliases = size(definition.selection_set, frozenset())
            for value, limit, what in (
                (depth, QUERY_MAX_DEPTH, "levels deep"),
                (fields, QUERY_MAX_FIELDS, "fields (fragments counted each time they are used)"),
                (aliases, QUERY_MAX_ALIASES, "aliases"),
            ):
                if value > limit:
                    self.report_error(QueryRefused(f"the query asks for {value:,} {what}, over the limit of {limit:,}; ask for less at once"))
                    return self.BREAK
        return None


# Numerai features this server does not offer, by the field numerapi asks for them with:
# the query is refused with what to use instead, not GraphQL's "Cannot query field".
COMPUTE_HINT = f"Numerai Compute is not offered here: run your model on your own machine and {SUBMIT_HINT}"
SIGNALS_HINT = OTHER_TOURNAMENTS[11]
NOT_OFFERED = {
    "computePickleUploadAuth": COMPUTE_HINT,
    "createComputePickleUpload": COMPUTE_HINT,
    "computePickleDataVersions": COMPUTE_HINT,
    "computePickleDockerImages": COMPUTE_HINT,
    "setSubmissionWebhook": COMPUTE_HINT,
    "walletTxns": "this server keeps no wallet history: your NMR and USD transfers are on chain (the tokens' "
                  "Transfer events for your address; addresses and ABIs at /api/v1/chain), and each round's stake, "
                  "burn and payouts are in pending_model_payouts and submission_scores",
    "signalsLeaderboard": SIGNALS_HINT,
    "v2SignalsProfile": SIGNALS_HINT,
    "submissionUploadSignalsAuth": SIGNALS_HINT,
    "createSignalsSubmission": SIGNALS_HINT,
    "cryptosignalsLeaderboard": OTHER_TOURNAMENTS[12],
    "diagnosticsUploadAuth": "diagnostics are not offered here: every upload is validated at once and answers with "
                             "its validation logloss, consistency and CORR (the upload's response, `nmr upload`, or "
                             "GET /api/v1/account); after the round, submission_scores",
    "v3StakeAuth": STAKE_HINT,
    "v3StakeClaim": f"{STAKE_HINT}; settlement pays stakes out on chain, nothing is claimed",
    "releaseStake": f"{STAKE_HINT}; a stake is locked until its round settles (or, past the oracle's deadline, "
                    f"withdrawn alone with the escrow's withdrawStake); {ROLLING_HINT}",
    "setUserBio": "a profile here is a display name only: set it on the account page or with PATCH /api/v1/account",
    "setUserLink": "a profile here is a display name only: set it on the account page or with PATCH /api/v1/account",
    "pipelineStatus": "there is no daily scoring pipeline here: a round is scored once, after it closes; list_rounds "
                      "gives each round's open, close, score and resolve times",
}
NOT_OFFERED["createDiagnostics"] = NOT_OFFERED["diagnostics"] = NOT_OFFERED["diagnosticsUploadAuth"]


class NotOfferedFields(FieldsOnCorrectTypeRule):
    """GraphQL's unknown-field check, except that a Numerai field this server does not
    have is refused with :data:`NOT_OFFERED`'s advice."""

    def enter_field(self, node: FieldNode, *args: Any) -> None:
        parent = self.context.get_parent_type()
        name = node.name.value
        if name in NOT_OFFERED and parent is not None and name not in getattr(parent, "fields", {}):
            self.report_error(GraphQLError(NOT_OFFERED[name], node, extensions={"status": 404}))
            return
        super().enter_field(node, *args)


SPECIFIED_RULES = tuple(NotOfferedFields if rule is FieldsOnCorrectTypeRule else rule for rule in specified_rules)


def validate_query(schema: Any, document: DocumentNode, rules: Any = None, **options: Any) -> list[GraphQLError]:
    """graphql-core's validation with :class:`NotOfferedFields` in place of the standard
    unknown-field rule (ariadne can only add rules, not replace one)."""
    extra = tuple(rule for rule in rules or () if rule not in specified_rules)
    return validate(schema, document, rules=SPECIFIED_RULES + extra, **options)
