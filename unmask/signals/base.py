"""The signal contract.

A signal is one small module exposing ``SIGNAL``: its id, the bundle parts it needs, its
strength, a one-line description, a reference, and one SQL query. The query returns evidence
rows with these columns:

``subject_type, subject_id, source_file, line, observed_at, detail`` and optionally
``strength`` (to downgrade a row, e.g. a household), ``group_key``, ``via`` and ``value_hint``
(for signals about an identifier shared by several subjects: those rows become cluster links),
and ``decisive`` (false on the strong rows of a decisive signal that are not decisive).

Strengths, families and these columns are declared in :mod:`unmask.model`. Query parameters
are bound by name from :meth:`Signal.params`; bundle text is never pasted.

Each signal also declares its :class:`Sample` cases: tiny rows of the normalised tables its
query reads and the evidence they must give. ``tests/test_signal_samples.py`` runs every
signal on every one of its samples, so a signal shows by example what it fires on and which
benign look-alike it leaves alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from unmask.config import Config
from unmask.model import BASE_WEIGHT, Family, Strength


def _no_params(_: Config) -> dict[str, Any]:
    return {}


SampleKind = Literal["positive", "negative", "lookalike"]
Rows = Mapping[str, Sequence[Mapping[str, Any]]]


@dataclass(frozen=True)
class Sample:
    """One case a signal must get right, on small tables.

    ``rows`` fills normalised tables (name -> rows as column -> value; columns left out are
    NULL, ``source_file`` defaults to the table's name and ``line`` to the row's position + 2).
    ``expect`` is the evidence: subject id -> the strongest strength of its rows; subjects not
    named get none. A positive expects someone, a negative no one, a look-alike no one or weak
    rows only, and its ``note`` names the benign look-alike (indicators.md) it stands for.
    ``config`` overrides :class:`Config` fields (e.g. allow lists) for this case.
    """

    kind: SampleKind
    note: str
    rows: Rows
    expect: Mapping[str, Strength] = field(default_factory=dict)
    config: Mapping[str, Any] = field(default_factory=dict)
    # Subjects that must get a decisive row (model.py); every other subject must get none.
    decisive: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.kind == "positive" and not self.expect:
            raise ValueError(f"a positive sample expects evidence: {self.note}")
        if self.kind == "negative" and self.expect:
            raise ValueError(f"a negative sample expects no evidence: {self.note}")
        if self.kind == "lookalike" and any(v != "weak" for v in self.expect.values()):
            raise ValueError(f"a look-alike may give weak evidence only: {self.note}")
        if any(self.expect.get(sid) != "strong" for sid in self.decisive):
            raise ValueError(f"only strong evidence is decisive: {self.note}")


def signin(eid: str, ts: str, ip: str, egress: str = "residential", **cols: Any) -> dict[str, Any]:
    """A row of ``signins`` for a sample (other columns by name: country, lat, session_id ...)."""
    return {"employee_id": eid, "email": f"{eid.lower()}@corp.example", "ts": ts, "ip": ip, "egress": egress,
            "idp": "okta", **cols}


def obs(eid: str, item: str, text: str, at: str = "2026-08-05T10:00:00Z", **cols: Any) -> dict[str, Any]:
    """A row of ``endpoint_obs`` (what a worker's laptop showed) for a sample."""
    return {"employee_id": eid, "item": item, "text": text, "observed_at": at, "hostname": f"lt-{eid.lower()}",
            "delivered_at": "2026-08-01T12:00:00Z", **cols}


def positive(note: str, rows: Rows, expect: Mapping[str, Strength], *, decisive: Sequence[str] = (),
             **config: Any) -> Sample:
    return Sample("positive", note, rows, expect, config, frozenset(decisive))


def negative(note: str, rows: Rows, **config: Any) -> Sample:
    return Sample("negative", note, rows, {}, config)


def lookalike(note: str, rows: Rows, expect: Mapping[str, Strength] | None = None, **config: Any) -> Sample:
    return Sample("lookalike", note, rows, expect or {}, config)


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
    # Why this number, and where it comes from (indicators.md sections and the reports they
    # cite): docs/signals.md prints it beside the number.
    basis: str = ""
    # A decisive indicator (model.py): its strong rows, unless the query marks a row
    # ``decisive = false``, weigh ``decisive_log_odds`` and reach "high" by themselves.
    decisive: bool = False
    decisive_log_odds: float | None = None
    # Cases the generic sample test runs: positive, negative and benign look-alike.
    samples: tuple[Sample, ...] = ()

    def __post_init__(self) -> None:
        if self.decisive != (self.decisive_log_odds is not None):
            raise ValueError(f"{self.id}: a decisive signal declares decisive_log_odds, and only it does")
    @property
    def weight(self) -> float:
        return self.log_odds if self.log_odds is not None else BASE_WEIGHT[self.strength]

    @property
    def likelihood_ratio(self) -> float:
        return math.exp(self.weight)

