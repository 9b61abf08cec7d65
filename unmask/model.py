"""The evidence model every stage agrees on: strengths, families, evidence columns, base weights.

Signals declare rows in these terms and the scorer weighs them; both import this module and
neither imports the other.
"""

from __future__ import annotations

from typing import Literal

Strength = Literal["weak", "medium", "strong"]
STRENGTHS: tuple[Strength, ...] = ("weak", "medium", "strong")

# Families group signals that observe the same underlying fact; the scorer gives diminishing
# returns inside a family and needs independent families before it says "high".
Family = Literal[
    "shipping", "payroll", "identity", "network", "endpoint", "time", "sanctions", "interview", "code", "cluster"
]

# Log-odds weight of one evidence row at each strength (docs/scoring.md), unless the signal
# declares its own.
BASE_WEIGHT: dict[Strength, float] = {"strong": 2.0, "medium": 1.0, "weak": 0.4}

# The columns every signal query returns, and the ones it may add: ``strength`` (to downgrade
# a row, e.g. a household), ``group_key``, ``via`` and ``value_hint`` (for signals about an
# identifier shared by several subjects: those rows become cluster links).
EVIDENCE_COLUMNS = (
    "subject_type", "subject_id", "source_file", "line", "observed_at", "detail",
)
OPTIONAL_COLUMNS = ("strength", "group_key", "via", "value_hint")
