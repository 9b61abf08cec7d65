"""No signal reads a forbidden attribute (docs/scoring.md, "Fairness"): ethnicity, name
origin, language and nationality of birth. Names are read by two signals only, each for a
documented reason, and never for what a name says of its bearer's origin."""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from unmask.signals import SIGNALS

# Columns that carry (or proxy for) ethnicity, language or nationality of birth.
FORBIDDEN = {"ethnicity", "race", "name_origin", "language", "locale", "preferred_language", "user_agent",
             "nationality", "nationalities", "citizenship", "place_of_birth", "country_of_birth", "birth_country"}
NAMES = {"full_name", "account_holder_name", "reference_name", "recipient_name", "display_name", "name",
         "party_name", "list_name"}
NAME_READERS = {
    # The payee against the worker: a claim against an observation, not a reading of a name.
    "account_holder_mismatch",
    # Sanctions screening: the one place a name is evidence.
    "sanctions_name_match",
    # Two records claiming one identity (same name and birth date): equality of two claims,
    # never what a name says of its bearer.
    "name_dob_shared",
}


def _columns(sql: str) -> set[str]:
    try:
        tree = sqlglot.parse_one(sql, dialect="duckdb")
    except sqlglot.errors.ParseError:
        # Fall back to every identifier-like word: stricter, never looser.
        return set(re.findall(r"[a-z_][a-z0-9_]*", sql.lower()))
    return {c.name.lower() for c in tree.find_all(exp.Column)}


def test_no_signal_reads_a_forbidden_attribute() -> None:
    for s in SIGNALS:
        cols = _columns(s.sql)
        assert not cols & FORBIDDEN, (s.id, cols & FORBIDDEN)


def test_only_the_documented_signals_read_names() -> None:
    readers = {s.id for s in SIGNALS if _columns(s.sql) & NAMES}
    assert readers <= NAME_READERS, readers - NAME_READERS
    assert "account_holder_mismatch" in readers  # the check finds what it looks for


def test_the_column_check_sees_columns() -> None:
    assert {"full_name", "user_agent"} <= _columns("SELECT e.full_name, s.user_agent FROM employees e, signins s")
