"""The evidence model every stage agrees on: strengths, families, evidence columns, base weights,
and stable keys.

Signals declare rows in these terms and the scorer weighs them; both import this module and
neither imports the other.

Stable keys are the names a decision, a ticket or next week's scan can hold on to. A subject
is its bundle's own key, ``type:id`` (``employee:E1001``); nothing renumbers it. An evidence
row, a cluster and a subject's evidence set get ids derived from what they are, never from
their rank, so the same fact gets the same id in every scan:

- ``evidence_id``: the first 16 hex digits of SHA-256 over signal, subject type, subject id,
  source file, line and group key, joined by the unit separator (U+001F). 64 bits keep a
  collision unlikely below billions of rows. The detail text is left out on purpose, because it
  names counts and other subjects that change when an unrelated worker is added; only rows that
  share all of those fields with a sibling of the same signal add their detail to tell them
  apart (two Sigma rules on one event, several interview gaps on one line).
- ``cluster_id``: ``C-`` and the first 10 hex digits of SHA-256 over the sorted member keys
  joined by U+001F. A farm with the same members keeps its id; a changed farm gets a new one
  (and the scan records which earlier cluster it continues).
- ``evidence_fingerprint``: the first 16 hex digits of SHA-256 over a subject's sorted evidence
  ids joined by commas: what a decision was made on.

Each id is computed in SQL where the rows are (the ``*_sql`` functions give the expression);
the Python twins compute the same value for one row and are tested against the SQL. SHA-256
and ``concat_ws``/``chr`` exist in DuckDB and Spark alike (sqlglot writes ``sha2(x, 256)``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
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

# A decisive indicator is near-conclusive by itself: a known IP-KVM identity on the laptop, a
# sanctioned front as vendor, payee or account holder, a payout to a listed account or wallet,
# one identity employed twice at once. Its row weighs the signal's ``decisive_log_odds`` (at
# least DECISIVE_MIN_LOG_ODDS, so that it alone passes the "high" cut of the default bands),
# and a subject with one is at least "high" whatever the family's diminishing returns
# (docs/scoring.md). Only strong rows can be decisive.
DECISIVE_MIN_LOG_ODDS = 3.1

# The columns every signal query returns, and the ones it may add: ``strength`` (to downgrade
# a row, e.g. a household), ``group_key``, ``via`` and ``value_hint`` (for signals about an
# identifier shared by several subjects: those rows become cluster links), ``decisive`` (false
# on a decisive signal's rows that are not).
EVIDENCE_COLUMNS = (
    "subject_type", "subject_id", "source_file", "line", "observed_at", "detail",
)
OPTIONAL_COLUMNS = ("strength", "group_key", "via", "value_hint")

# Stable keys.
EVIDENCE_ID_HEX = 16
CLUSTER_ID_HEX = 10
FINGERPRINT_HEX = 16
CLUSTER_PREFIX = "C-"
SEP = "\x1f"  # unit separator: a control character no id or path holds, so fields never run together

KeyKind = Literal["employee", "candidate", "cluster"]
KEY_KINDS: tuple[KeyKind, ...] = ("employee", "candidate", "cluster")


@dataclass(frozen=True, order=True)
class Key:
    """A stable key: a subject (``employee``/``candidate`` and its bundle id) or a cluster id."""

    kind: KeyKind
    id: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> Key:
        """``employee:E1``, ``candidate:C7`` or a cluster id ``C-…`` (its kind is implied)."""
        if text.startswith(CLUSTER_PREFIX):
            return cls("cluster", text)
        kind, sep, ident = text.partition(":")
        for k in KEY_KINDS:
            if sep and ident and kind == k:
                return cls(k, ident)
        raise ValueError(f"not a stable key: {text!r} (expected employee:ID, candidate:ID or C-…)")


def _hex(text: str, n: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def evidence_id(signal: str, subject_type: str, subject_id: str, source_file: str | None, line: int | None,
                group_key: str | None, detail: str | None = None) -> str:
    """The id of one evidence row; the same value as :func:`evidence_id_sql` computes.

    ``detail`` is given only for rows that share all the other fields with a sibling (two Sigma
    rules matching one event, several interview gaps on one line): their texts tell them apart."""
    parts = [signal, subject_type, subject_id, source_file or "", "" if line is None else str(line), group_key or ""]
    if detail is not None:
        parts.append(detail)
    return _hex(SEP.join(parts), EVIDENCE_ID_HEX)


def evidence_id_sql(signal: str, subject_type: str, subject_id: str, source_file: str, line: str,
                    group_key: str, detail: str | None = None) -> str:
    """SQL for :func:`evidence_id` over the given column expressions (our own names, never input)."""
    cols = [signal, subject_type, subject_id, f"coalesce({source_file}, '')",
            f"coalesce(CAST({line} AS VARCHAR), '')", f"coalesce({group_key}, '')"]
    if detail is not None:
        cols.append(f"coalesce({detail}, '')")
    return f"substr(sha256(concat_ws(chr(31), {', '.join(cols)})), 1, {EVIDENCE_ID_HEX})"


def cluster_id(members: Iterable[tuple[str, str]]) -> str:
    """The id of a cluster of ``(subject_type, subject_id)`` members."""
    return CLUSTER_PREFIX + _hex(SEP.join(sorted(f"{t}:{i}" for t, i in members)), CLUSTER_ID_HEX)


def cluster_id_sql(member_key: str) -> str:
    """SQL aggregate for :func:`cluster_id` over a ``type:id`` column, one group per cluster."""
    return (f"'{CLUSTER_PREFIX}' || substr(sha256(string_agg({member_key}, chr(31) ORDER BY {member_key})), "
            f"1, {CLUSTER_ID_HEX})")


def fingerprint(evidence_ids: Iterable[str]) -> str:
    """The fingerprint of a set of evidence ids (order and repeats do not matter)."""
    return _hex(",".join(sorted(set(evidence_ids))), FINGERPRINT_HEX)


def fingerprint_sql(evidence_id_col: str) -> str:
    """SQL aggregate for :func:`fingerprint` over an evidence id column, one group per subject."""
    return (f"substr(sha256(string_agg(DISTINCT {evidence_id_col}, ',' ORDER BY {evidence_id_col})), "
            f"1, {FINGERPRINT_HEX})")
