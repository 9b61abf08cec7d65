"""Helpers that build SQL fragments with sqlglot, so no identifier is pasted raw."""

from __future__ import annotations

from sqlglot import exp


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return exp.to_identifier(name, quoted=True).sql(dialect="duckdb")
