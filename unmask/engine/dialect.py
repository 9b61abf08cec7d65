"""SQL dialects: what differs between engines, owned in one place.

The pipeline's SQL is written once, in DuckDB's dialect (the default engine's). An engine
that speaks another dialect gets it through :meth:`Dialect.transpile`: sqlglot's transpiler
plus the rewrites of constructs that sqlglot turns into something valid but different on
the other side, which would otherwise change an answer without an error:

==================================  ======================================================
DuckDB                              Spark
==================================  ======================================================
``list(DISTINCT x ORDER BY x)``     ``array_sort(collect_set(x))`` (sqlglot drops the ORDER)
``list(v ORDER BY k)``              ``transform(array_sort(collect_list(struct(k, v))), ...)``
``xs[1:10]`` (1-based, inclusive)   ``slice(xs, 1, 10)`` (sqlglot keeps the brackets)
``regexp_matches(s, p, 'i')``       ``s RLIKE '(?i)' || p`` (sqlglot drops the flag)
``regexp_replace(s, p, r, 'gi')``   ``regexp_replace(s, '(?i)' || p, r)``; without ``g``
                                    DuckDB replaces once, which Spark cannot: refused
``regexp_full_match(s, p)``         ``s RLIKE '^(?:p)$'``
``list_has_any(a, b)``              ``arrays_overlap(a, b)`` (sqlglot writes ``&&``)
``len(xs)`` on a list               ``size(xs)``
``UBIGINT``, ``HUGEINT``            ``DECIMAL(20, 0)``, ``DECIMAL(38, 0)``
``dayofweek(t)`` (Sunday 0)         ``dayofweek(t) - 1`` (Spark counts Sunday as 1)
``from_json(j, '[{"id": "VARCHAR"}]')`` ``from_json(j, 'array<struct<`id`:string>>')``
==================================  ======================================================

Constructs with no faithful rewrite (DuckDB's ``rowid``, ``ASOF`` joins, a ``regexp_replace``
that replaces only the first match) raise :class:`DialectError` naming
the construct, so a gap is found when the SQL is translated, never by a wrong result;
``DUCKDB_ONLY`` lists them and the golden tests (``tests/test_dialect.py``) run every signal
through the translation.

Outside the signals, four places still use DuckDB-only constructs, each behind one function
a Spark engine must provide or rewrite (issue "the same scan on Spark"): the shipped
reference lists read with ``read_csv`` (``normalise/geo.py``, ``normalise/network.py``), the IP
range lookup's ``ASOF`` join and ``UBIGINT`` arithmetic (``normalise/network.py``), the photo
groups' ``rowid`` (``normalise/identifiers.py``) and the band's ``ALTER``/``UPDATE`` (``score``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import exp


class DialectError(ValueError):
    """SQL that has no faithful translation into the target dialect."""


# Functions and keywords that must not survive into Spark SQL: each is either rewritten
# above or refused. The golden tests check every signal's translation against this list.
DUCKDB_ONLY = (
    "rowid", "asof", "list_has_any", "regexp_full_match", "regexp_split_to_array", "ubigint", "hugeint",
    "int128", "list_value", "string_split", "array_to_string", "list_contains", "json_extract_string",
)


@dataclass(frozen=True)
class Dialect:
    """One engine's SQL dialect. ``name`` is sqlglot's name for it."""

    name: str

    def transpile(self, sql: str) -> str:
        """The pipeline's DuckDB SQL in this dialect (unchanged for DuckDB itself)."""
        if self.name == "duckdb":
            return sql
        tree = sqlglot.parse_one(sql, read="duckdb")
        tree = tree.transform(_rewrite_for_spark)
        _refuse_unportable(tree)
        return tree.sql(dialect=self.name)

    def quote(self, name: str) -> str:
        """A quoted identifier in this dialect."""
        return exp.to_identifier(name, quoted=True).sql(dialect=self.name)


DUCKDB = Dialect("duckdb")
SPARK = Dialect("spark")


def _rewrite_for_spark(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Order):
        return _ordered_list(node.this)
    if isinstance(node, exp.Bracket) and node.expressions and isinstance(node.expressions[0], exp.Slice):
        s = node.expressions[0]
        start, end = s.this, s.expression
        length = exp.Sub(this=exp.Paren(this=end.copy()), expression=exp.Paren(this=start.copy()))
        inner = node.this.transform(_rewrite_for_spark)
        return exp.Anonymous(this="slice", expressions=[inner, start.copy(),
                                                         exp.Add(this=length, expression=exp.Literal.number(1))])
    if isinstance(node, exp.RegexpLike) and node.args.get("flag") is not None:
        flags = _inline_flags(node.args["flag"])
        pattern = _with_flags(node.expression, flags)
        return exp.RegexpLike(this=node.this.copy(), expression=pattern)
    if isinstance(node, exp.RegexpReplace):
        mods = node.args.get("modifiers")
        text = mods.name if isinstance(mods, exp.Literal) else ""
        if "g" not in text:
            raise DialectError("regexp_replace without the 'g' flag replaces only the first match in DuckDB; "
                               "Spark always replaces every match")
        flags = "".join(f for f in text if f in "ims")
        return exp.RegexpReplace(this=node.this.copy(), expression=_with_flags(node.expression, flags),
                                 replacement=node.args["replacement"].copy())
    if isinstance(node, exp.RegexpFullMatch):
        anchored = exp.DPipe(this=exp.DPipe(this=exp.Literal.string("^(?:"), expression=node.expression.copy()),
                             expression=exp.Literal.string(")$"))
        return exp.RegexpLike(this=node.this.copy(), expression=anchored)
    if isinstance(node, exp.ArrayOverlaps):
        return exp.Anonymous(this="arrays_overlap", expressions=[node.this.copy(), node.expression.copy()])
    if isinstance(node, exp.FromJson) and isinstance(node.expression, exp.Literal):
        return exp.Anonymous(this="from_json", expressions=[
            node.this.copy(), exp.Literal.string(_spark_schema(json.loads(node.expression.name)))])
    if isinstance(node, exp.DayOfWeek):
        # DuckDB counts Sunday as 0, Spark as 1.
        return exp.Paren(this=exp.Sub(this=exp.Anonymous(this="dayofweek", expressions=[node.this.copy()]),
                                      expression=exp.Literal.number(1)))
    if isinstance(node, exp.DataType):
        if node.this == exp.DataType.Type.UBIGINT:
            return exp.DataType.build("DECIMAL(20, 0)")
        if node.this in (exp.DataType.Type.INT128, exp.DataType.Type.UINT128):
            return exp.DataType.build("DECIMAL(38, 0)")
    return node


def _ordered_list(order: exp.Order) -> exp.Expression:
    value = order.this
    distinct = isinstance(value, exp.Distinct)
    if distinct:
        value = value.expressions[0]
    keys = order.expressions
    if len(keys) == 1 and keys[0].this == value:
        collected = exp.Anonymous(this="collect_set" if distinct else "collect_list", expressions=[value.copy()])
        out: exp.Expression = exp.Anonymous(this="array_sort", expressions=[collected])
        return exp.Anonymous(this="reverse", expressions=[out]) if keys[0].args.get("desc") else out
    if any(k.args.get("desc") for k in keys):
        raise DialectError("list(... ORDER BY key DESC) with a key other than the value has no Spark rewrite")
    pairs = exp.Struct(expressions=[
        *[exp.PropertyEQ(this=exp.to_identifier(f"k{i}"), expression=k.this.copy()) for i, k in enumerate(keys)],
        exp.PropertyEQ(this=exp.to_identifier("v"), expression=value.copy()),
    ])
    lam = exp.Lambda(this=exp.Dot(this=exp.to_identifier("e"), expression=exp.to_identifier("v")),
                     expressions=[exp.to_identifier("e")])
    sorted_pairs = exp.Anonymous(this="array_sort", expressions=[
        exp.Anonymous(this="collect_list", expressions=[pairs])])
    out = exp.Anonymous(this="transform", expressions=[sorted_pairs, lam])
    return exp.Anonymous(this="array_distinct", expressions=[out]) if distinct else out


_SPARK_TYPES = {"VARCHAR": "string", "JSON": "string", "BIGINT": "bigint", "INTEGER": "int", "DOUBLE": "double",
                "BOOLEAN": "boolean", "TIMESTAMP": "timestamp", "DATE": "date"}


def _spark_schema(t: Any) -> str:
    """DuckDB's from_json structure (``[{"id": "VARCHAR"}]``) as a Spark DDL type; a JSON
    sub-document stays a string, as DuckDB's JSON type does."""
    if isinstance(t, list) and len(t) == 1:
        return f"array<{_spark_schema(t[0])}>"
    if isinstance(t, dict):
        return "struct<" + ",".join(f"`{k}`:{_spark_schema(v)}" for k, v in t.items()) + ">"
    if isinstance(t, str) and t.upper() in _SPARK_TYPES:
        return _SPARK_TYPES[t.upper()]
    raise DialectError(f"from_json type {t!r} has no Spark rewrite")


def _inline_flags(flag: exp.Expression) -> str:
    if not isinstance(flag, exp.Literal):
        raise DialectError("regular-expression flags must be a literal")
    return "".join(f for f in flag.name if f in "ims")


def _with_flags(pattern: exp.Expression, flags: str) -> exp.Expression:
    if not flags:
        return pattern.copy()
    return exp.DPipe(this=exp.Literal.string(f"(?{flags})"), expression=pattern.copy())


def _refuse_unportable(tree: exp.Expression) -> None:
    for col in tree.find_all(exp.Column):
        if col.name.lower() == "rowid" and not col.table:
            raise DialectError("rowid (DuckDB's row number) has no Spark equivalent: carry a line column")
    for join in tree.find_all(exp.Join):
        if (join.args.get("kind") or "").upper() == "ASOF" or "ASOF" in (join.text("method") or "").upper():
            raise DialectError("ASOF joins have no Spark equivalent: use a window over the union")
    if any(True for _ in tree.find_all(exp.FromJson)):
        raise DialectError("from_json needs a literal type to be given a Spark schema")


__all__ = ["DUCKDB", "DUCKDB_ONLY", "SPARK", "Dialect", "DialectError"]
