"""Python scalars on Spark: vectorised pandas UDFs that call the function once per distinct value.

A scalar of :data:`unmask.values.udfs.UDFS` (address keys, name keys, phone parsing) is slow per
call; a column repeats its values (a city, a country) many times. Each Arrow batch is reduced to
its distinct argument tuples, the function runs on those, and the answers are mapped back. The
function travels to the executors inside the UDF's pickled closure, with whatever it holds (a
MAC key): it is never a SQL literal, so it shows in no plan.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

# Spark's SQL types for the DuckDB type names the pipeline and the UDF registry use.
TYPES = {"VARCHAR": "string", "TEXT": "string", "BIGINT": "bigint", "INTEGER": "int", "DOUBLE": "double",
         "BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP": "timestamp", "UBIGINT": "decimal(20,0)",
         "HUGEINT": "decimal(38,0)"}


def spark_type(duck: str) -> str | None:
    """Spark's type for a DuckDB type name (``VARCHAR[]`` is an array), None when unknown."""
    t = duck.strip().upper()
    if t.endswith("[]"):
        inner = spark_type(t[:-2])
        return f"array<{inner}>" if inner else None
    return TYPES.get(t)


def _none(v: Any) -> Any:
    """pandas' missing value (None, NaN, NA) as None: the registry's functions take None."""
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if v is pd.NA:
        return None
    if hasattr(v, "tolist"):  # a numpy array (an array argument)
        return v.tolist()
    return v


def vectorised(fn: Callable[..., Any], nargs: int) -> Callable[..., pd.Series]:
    """A pandas UDF body: ``fn`` once per distinct argument tuple of the batch (the type hints
    tell Spark it is a Series-to-Series scalar)."""

    def run(*series: pd.Series) -> pd.Series:
        rows = list(zip(*[s.tolist() for s in series], strict=True)) if nargs else []
        seen: dict[tuple[Any, ...], Any] = {}
        out = []
        for r in rows:
            key = tuple(_none(v) for v in r)
            try:
                ans = seen[key]
            except KeyError:
                ans = seen[key] = fn(*key)
            except TypeError:  # an unhashable argument (a list): no reuse for it
                ans = fn(*key)
            out.append(ans)
        return pd.Series(out, dtype=object)

    return run


def constant(value: bytes) -> Callable[[], bytes]:
    """A function returning ``value``: how a secret reaches the workers (in a closure)."""
    return lambda: value


def check_types(arg_types: Sequence[str], return_type: str) -> str:
    """Spark's return type; ValueError naming a type Spark has no match for."""
    for t in [*arg_types, return_type]:
        if spark_type(t) is None:
            raise ValueError(f"type {t!r} has no Spark equivalent")
    out = spark_type(return_type)
    assert out is not None
    return out


def damerau_levenshtein(a: str | None, b: str | None) -> int | None:
    """DuckDB's ``damerau_levenshtein`` (adjacent transpositions count one edit), from RapidFuzz."""
    from rapidfuzz.distance import DamerauLevenshtein

    return None if a is None or b is None else int(DamerauLevenshtein.distance(a, b))


def jaro_winkler(a: str | None, b: str | None) -> float | None:
    """DuckDB's ``jaro_winkler_similarity`` (prefix scale 0.1), from RapidFuzz."""
    from rapidfuzz.distance import JaroWinkler

    return None if a is None or b is None else float(JaroWinkler.similarity(a, b))


# String distances DuckDB has built in and Spark lacks (Splink ships them as a JAR, which a
# Spark Connect or shared Databricks cluster cannot load): registered with every session.
BUILTINS: dict[str, tuple[Callable[..., Any], tuple[str, ...], str]] = {
    "damerau_levenshtein": (damerau_levenshtein, ("VARCHAR", "VARCHAR"), "BIGINT"),
    "jaro_winkler": (jaro_winkler, ("VARCHAR", "VARCHAR"), "DOUBLE"),
}
