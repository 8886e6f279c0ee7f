"""The scorecard rules engine from Python.

    import scorecard
    plan = scorecard.Plan.load("rules/supervision-coverage")   # or a shipped pack's name
    outcome = plan.score("data.json")       # a path, JSON text, a dict, or NDJSON lines
    outcome["scorecard"]["total"]["display"]

A dataset too large for one machine is scored in shards: ``plan.score_partial(shard)``
gives each shard's partial result (JSON text), ``plan.finish_json(partials)`` their
outcome, byte for byte a whole run's (``docs/partials.md``, ``examples/spark``).

Errors raise ``PackError`` (with ``diagnostics``: file, line, col, path, message),
``DataError`` or ``ScoreError``, all ``ScorecardError``. Scoring releases the GIL.
"""

from ._scorecard import (  # noqa: F401
    DataError,
    PackError,
    Plan,
    ScoreError,
    ScorecardError,
    __version__,
)
