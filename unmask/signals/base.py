"""The signal contract.

A signal is one small module exposing ``SIGNAL``: its id, the bundle parts it needs, its
strength, a one-line description, a reference, and one SQL query. The query returns evidence
rows with these columns:

``subject_type, subject_id, source_file, line, observed_at, detail`` and optionally
``strength`` (to downgrade a row, e.g. a household), ``group_key``, ``via`` and ``value_hint``
(for signals about an identifier shared by several subjects: those rows become cluster links).

Strengths, families and these columns are declared in :mod:`unmask.model`. Query parameters
are bound by name from :meth:`Signal.params`; bundle text is never pasted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from unmask.config import Config
from unmask.model import BASE_WEIGHT, Family, Strength


def _no_params(_: Config) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Signal:
    id: str
    needs: tuple[str, ...]
    strength: Strength
    family: Family
    description: str
    reference: str
    sql: str
    params: Callable[[Config], Mapping[str, Any]] = field(default=_no_params)
    # Parts that, when present, refine the signal but are not required for it to run.
    uses: tuple[str, ...] = ()
    # Log-odds weight of one row at the declared strength (natural log of the likelihood
    # ratio: how much likelier the row is for an impostor than for an honest worker). None
    # takes the strength's default (scoring.md); a row downgraded to another strength keeps
    # the same proportion to that strength's default.
    log_odds: float | None = None

    @property
    def weight(self) -> float:
        return self.log_odds if self.log_odds is not None else BASE_WEIGHT[self.strength]

