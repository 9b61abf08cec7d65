"""Splink's database API for an engine, trained on the same sampled records on every engine.

Splink picks its training samples (the u estimate, EM's pairs) by a hash bucket of the record
id, with the backend's own hash (DuckDB's 64-bit hash, Spark's Murmur3): two engines would
train on different records once a bundle has more pairs than the sample, and their match
weights would differ (docs/benchmarks.md, the medium demo). Each engine gives the hash as the
first 60 bits of the id's MD5 in its own SQL, the same number everywhere
(``tests/conformance/test_constructs.py`` checks it against Python's).
"""

from __future__ import annotations

from typing import Any


def same_sample_api(api: type, dialect: type, hash_sql: str, **kwargs: Any) -> Any:
    """An instance of Splink's ``api`` whose dialect (a subclass of ``dialect``) hashes a
    record id by ``hash_sql``, which names the id ``{col}``."""

    class SameSample(dialect):  # type: ignore[misc]
        def hash_function_expression(self, col_expression: str) -> str:
            return hash_sql.format(col=col_expression)

    class API(api):  # type: ignore[misc]
        sql_dialect = SameSample()

    return API(**kwargs)
