"""SQL dialects: what differs between engines, owned in one place.

The pipeline's SQL is written once, in DuckDB's syntax (the default engine's), with two
conventions that keep it translatable: ``len(xs)`` is a list's length (``length(s)`` a string's),
and ``xs[a:b]`` slices a list (strings use ``left``/``substr``). An engine that speaks another
dialect gets the SQL through :meth:`Dialect.transpile`: sqlglot's transpiler plus the rewrites
of constructs sqlglot turns into valid SQL that answers differently:

=======================================  ==================================================
DuckDB                                   Spark
=======================================  ==================================================
``list(DISTINCT x ORDER BY x)``          ``array_sort(collect_set(x))`` (sqlglot drops ORDER)
``list(v ORDER BY k DESC, ...)``         ``transform(array_sort(collect_list(struct(k, v)), cmp), ...)``
``xs[1:10]`` (1-based, inclusive)        ``slice(xs, 1, 10)`` (sqlglot keeps the brackets)
``xs[-1]``, ``list_last(xs)``            ``try_element_at(xs, -1)`` (sqlglot writes ``xs[-2]``)
``xs[i]`` (NULL past the end)            ``try_element_at(xs, i)`` (``xs[i - 1]`` raises under ANSI)
``len(xs)``                              ``size(xs)`` (sqlglot writes ``length``)
``regexp_matches(s, p, 'i')``            ``s RLIKE '(?i)' || p`` (sqlglot drops the flag)
``regexp_replace(s, p, '\\1', 'gi')``    ``regexp_replace(s, '(?i)' || p, '$1')``; without
                                         ``g`` DuckDB replaces once, Spark cannot: refused
``[[:alpha:]]`` (RE2 POSIX classes)      ``\\p{Alpha}`` (Java reads ``[[:alpha:]]`` as letters)
``regexp_full_match(s, p)``              ``s RLIKE '^(?:p)$'``
``list_has_any(a, b)``                   ``arrays_overlap(a, b)`` (sqlglot writes ``&&``)
``UBIGINT``, ``HUGEINT``                 ``DECIMAL(20, 0)``, ``DECIMAL(38, 0)``
``JSON`` (a type)                        ``STRING`` (Spark's JSON functions read text)
``('0x' || h)::UBIGINT``                 ``CAST(conv(h, 16, 10) AS DECIMAL(20, 0))``
``dayofweek(t)`` (Sunday 0)              ``dayofweek(t) - 1`` (Spark counts Sunday as 1)
``timezone(tz, ts)``                     ``from_utc_timestamp(ts, tz)`` (sqlglot keeps it)
``epoch(ts)`` (seconds, fraction kept)   ``unix_micros(ts) / 1e6`` (``unix_timestamp`` truncates)
``make_timestamptz(micros)``             ``timestamp_micros(micros)``
``strftime(t, '%Y-%m-%dT%H:%M:%SZ')``    ``date_format(t, "yyyy-MM-dd'T'HH:mm:ss'Z'")`` (text
                                         quoted; sqlglot leaves T and Z bare)
``json_extract_string(j, ['$.a', ..])``  one ``from_json`` into a struct of the paths, read by a
                                         lambda; ``get_json_object`` per path on a duplicate
                                         key (see ``dialect_json``)
``jaro_winkler_similarity(a, b)``        ``jaro_winkler(a, b)`` (Splink's Spark UDFs, with
                                         ``damerau_levenshtein``)
``from_json(j, '[{"id": "VARCHAR"}]')``  ``from_json(j, 'array<struct<`id`:string>>')``
``CREATE [TEMP] TABLE t AS q``           ``CREATE OR REPLACE TEMPORARY VIEW t AS q`` (sqlglot
                                         drops OR REPLACE); an empty table is a typed
                                         empty view that the engine's ``insert_rows`` fills
``DESCRIBE SELECT ...``                  ``DESCRIBE QUERY SELECT ...``
``string_agg(DISTINCT x, s)``            ``array_join(collect_set(x), s)`` (``listagg`` is 4.0)
``time_bucket(INTERVAL 5 MINUTE, ts)``   ``timestamp_seconds(floor(unix_seconds(ts) / 300) * 300)``
``json_type(j) = 'OBJECT'`` (``ARRAY``)  ``json_object_keys(j)`` (``json_array_length``) is
                                         not NULL; NULL for NULL; other kinds refused
``json_valid(s)``, ``try(s::JSON)``      ``s`` read whole inside ``[s,"<marker>"]`` (text after
                                         the value refused, duplicate keys allowed, as DuckDB)
``json_extract(j, '$.a[*]')``            ``from_json(get_json_object(j, '$.a'), 'array<string>')``
``json_merge_patch(o, json_object(k,v))`` ``v`` spliced before ``o``'s closing brace (``o`` an
                                         object without the key ``k``)
``unnest(xs), generate_subscripts(xs,1)`` ``inline(transform(xs, (v, p) -> named_struct(..)))``
                                         (Spark allows one generator per SELECT)
``f(unnest(xs))``                        ``explode(transform(xs, __x -> f(__x)))`` (a generator
                                         only at the top of a column)
=======================================  ==================================================

Constructs with no faithful rewrite (``rowid``, ``ASOF`` joins, ``hash()``, ``* EXCLUDE``, ``QUALIFY``
over ``SELECT *``, a JSON
wildcard other than a last ``[*]``, a ``regexp_replace`` that replaces only the first match) raise
:class:`DialectError` naming the construct, so a gap is found when the SQL is translated,
never by a wrong result. What a dialect runs differently but can write portably is a method
here (:meth:`Dialect.interval_join`); what needs the engine's own machinery is an engine
method (reading files, ``COPY`` to JSON Lines, Python scalars). ``tests/test_dialect.py``
translates every signal and the stages' SQL.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.parsers.duckdb import DuckDBParser

from unmask.engine.dialect_json import extract_paths, whole_json


class DialectError(ValueError):
    """SQL that has no faithful translation into the target dialect."""


# Functions and keywords that must not survive into Spark SQL: each is either rewritten
# below or refused. The golden tests check every translation against this list.
DUCKDB_ONLY = (
    "rowid", "asof", "list_has_any", "regexp_full_match", "regexp_split_to_array", "ubigint", "hugeint",
    "int128", "list_value", "string_split", "array_to_string", "list_contains", "json_extract_string",
    "timezone", "list_last", "list_transform", "list_filter", "list_distinct", "make_timestamptz",
    "jarowinkler_similarity", "jaro_winkler_similarity", "generate_subscripts", "regexp_matches",
    "string_split_regex", "array_length", "epoch", "strftime", "strptime", "exclude",
)


class _Canonical(DuckDB):
    """DuckDB's syntax as the pipeline writes it: ``len()`` is a list's length."""

    class Parser(DuckDBParser):
        FUNCTIONS = {**DuckDBParser.FUNCTIONS, "LEN": lambda args: exp.ArraySize(this=args[0])}


class Dialect(ABC):
    """One engine's SQL dialect. ``name`` is sqlglot's name for it."""

    name: str = ""

    @abstractmethod
    def transpile(self, sql: str) -> str:
        """The pipeline's SQL (DuckDB syntax) in this dialect."""

    def expression(self, sql: str) -> str:
        """One expression of the pipeline's SQL (DuckDB syntax) in this dialect."""
        return self.transpile(f"SELECT {sql}").removeprefix("SELECT ")

    def quote(self, name: str) -> str:
        """A quoted identifier in this dialect."""
        return exp.to_identifier(name, quoted=True).sql(dialect=self.name)

    def interval_join(self, select: str, probe: str, key: str, ranges: str, start: str, stop: str) -> str:
        """``SELECT select FROM probe JOIN ranges`` on ``start <= key <= stop``, for ranges
        that do not overlap (a key falls in at most one), in the pipeline's syntax."""
        return f"SELECT {select} FROM {probe} JOIN {ranges} ON {key} BETWEEN {start} AND {stop}"  # noqa: S608

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class DuckDBDialect(Dialect):
    name = "duckdb"

    def transpile(self, sql: str) -> str:
        return sql

    def interval_join(self, select: str, probe: str, key: str, ranges: str, start: str, stop: str) -> str:
        # An ASOF join is a sorted merge; a range join would be an IEJoin over every key and
        # every range. ASOF takes the nearest start at or below the key; with ranges that do
        # not overlap, the key is in that range or in none, which the WHERE clause decides.
        return f"SELECT {select} FROM {probe} ASOF JOIN {ranges} ON {key} >= {start} WHERE {key} <= {stop}"  # noqa: S608


class SparkDialect(Dialect):
    name = "spark"

    def transpile(self, sql: str) -> str:
        tree = sqlglot.parse_one(sql, read=_Canonical)
        _refuse_unportable(tree)
        if isinstance(tree, exp.Describe) and isinstance(tree.this, exp.Query):
            return "DESCRIBE QUERY " + tree.this.transform(_rewrite_for_spark).sql(dialect=self.name)
        if isinstance(tree, exp.Create) and _is_temp_table(tree):
            return _temp_view(tree).sql(dialect=self.name)
        return tree.transform(_rewrite_for_spark).sql(dialect=self.name)


DUCKDB = DuckDBDialect()
SPARK = SparkDialect()


def _fn(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _t(node: exp.Expression) -> exp.Expression:
    """A copy of an original child, rewritten: sqlglot does not descend into a node that a
    rewrite replaced, so each rewrite translates the children it keeps."""
    return node.transform(_rewrite_for_spark)


def _subscripts(node: exp.Expression) -> bool:
    return isinstance(node, exp.Anonymous) and node.name.lower() == "generate_subscripts"


def _unnest_with_positions(select: exp.Select) -> exp.Select | None:
    """``SELECT ..., unnest(xs) AS v, generate_subscripts(xs, 1) [op ...] AS i, ...``: DuckDB
    walks the list and its positions in step; Spark allows one generator per SELECT, so both
    become one ``inline(transform(xs, (v, p) -> named_struct(...)))`` with the position p + 1.
    None when the SELECT has no ``generate_subscripts``."""
    projs = select.expressions
    marked = [i for i, p in enumerate(projs)
              if isinstance(p.unalias(), exp.Explode) or any(_subscripts(a) for a in p.find_all(exp.Anonymous))]
    if not any(_subscripts(a) for i in marked for a in projs[i].find_all(exp.Anonymous)):
        return None
    if marked != list(range(marked[0], marked[-1] + 1)) or any(not projs[i].alias for i in marked):
        raise DialectError("unnest and generate_subscripts are translated only as adjacent, named columns")
    lists: dict[str, exp.Expression] = {}
    for i in marked:
        body = projs[i].unalias()
        if isinstance(body, exp.Explode):
            lists[body.this.sql()] = body.this
        for a in body.find_all(exp.Anonymous):
            if _subscripts(a):
                if len(a.expressions) != 2 or a.expressions[1].sql() != "1":
                    raise DialectError("generate_subscripts is translated only for dimension 1")
                lists[a.expressions[0].sql()] = a.expressions[0]
    if len(lists) != 1:
        raise DialectError("unnest and generate_subscripts are translated only over one list")
    (xs,) = lists.values()
    fields: list[exp.Expression] = []
    for i in marked:
        body = projs[i].unalias()
        if isinstance(body, exp.Explode):
            value: exp.Expression = exp.column("__v")
        else:
            value = body.copy().transform(
                lambda n: exp.Paren(this=exp.Add(this=exp.column("__p"), expression=exp.Literal.number(1)))
                if _subscripts(n) else n)
        fields += [exp.Literal.string(projs[i].alias), value]
    lam = exp.Lambda(this=_fn("named_struct", *fields),
                     expressions=[exp.to_identifier("__v"), exp.to_identifier("__p")])
    out = select.copy()
    out.set("expressions", [p.copy() for p in projs[:marked[0]]] + [_fn("inline", _fn("transform", xs.copy(), lam))]
            + [p.copy() for p in projs[marked[-1] + 1:]])
    return out


def _zip_unnests(select: exp.Select) -> exp.Select | None:
    """``SELECT unnest(xs) AS a, unnest(ys) AS b``: DuckDB walks the lists in step (the shorter
    padded with NULL); Spark allows one generator per SELECT (or, with several, pairs every
    element with every other), so they become one ``inline(arrays_zip(xs, ys)) AS (a, b)``,
    which pads alike. None when the SELECT has fewer than two such columns."""
    projs = select.expressions
    marked = [i for i, p in enumerate(projs) if isinstance(p.unalias(), exp.Explode)]
    if len(marked) < 2:
        return None
    if marked != list(range(marked[0], marked[-1] + 1)) or any(not projs[i].alias for i in marked):
        raise DialectError("several unnest columns are translated only as adjacent, named columns")
    zipped = exp.Aliases(this=_fn("inline", _fn("arrays_zip", *[projs[i].unalias().this.copy() for i in marked])),
                         expressions=[exp.to_identifier(projs[i].alias) for i in marked])
    out = select.copy()
    out.set("expressions",
            [p.copy() for p in projs[:marked[0]]] + [zipped] + [p.copy() for p in projs[marked[-1] + 1:]])
    return out


def _lift_generators(select: exp.Select) -> exp.Select | None:
    """``f(unnest(xs))`` in a SELECT list: Spark takes a generator only at the top of a column,
    so it becomes ``explode(transform(xs, __x -> f(__x)))`` (f a scalar expression). None when
    no column nests one."""
    changed = False
    out = select.copy()
    projs = []
    for p in out.expressions:
        body = p.unalias()
        gens = list(body.find_all(exp.Explode))
        if len(gens) != 1 or gens[0] is body:
            projs.append(p)
            continue
        xs = gens[0].this
        gens[0].replace(exp.column("__x"))
        lifted = exp.Explode(this=_fn("transform", xs, exp.Lambda(this=body, expressions=[exp.to_identifier("__x")])))
        projs.append(exp.alias_(lifted, p.alias) if p.alias else lifted)
        changed = True
    if not changed:
        return None
    out.set("expressions", projs)
    return out


_JSON_KIND = {"OBJECT": "json_object_keys", "ARRAY": "json_array_length"}


def _json_type_is(node: exp.EQ | exp.NEQ) -> exp.Expression:
    """``json_type(x) = 'OBJECT'`` (or ``'ARRAY'``, or ``<>``): Spark has no json_type, but its
    ``json_object_keys`` and ``json_array_length`` are NULL for any other kind of value; NULL
    stays NULL, as in DuckDB."""
    kind = node.expression
    if not isinstance(kind, exp.Literal) or kind.name.upper() not in _JSON_KIND:
        raise DialectError("json_type is translated only compared with 'OBJECT' or 'ARRAY'")
    x = _t(node.this.this)
    probe = _fn(_JSON_KIND[kind.name.upper()], x)
    test = exp.Is(this=probe, expression=exp.null())
    return exp.Case().when(exp.not_(exp.Is(this=x.copy(), expression=exp.null())),
                           exp.not_(test) if isinstance(node, exp.EQ) else test)


def _try(node: exp.Try) -> exp.Expression:
    inner = node.this
    if isinstance(inner, exp.Cast) and inner.to.this == exp.DataType.Type.JSON:
        x = _t(inner.this)
        return exp.Case().when(whole_json(x), x.copy())  # text that parses, else NULL
    if isinstance(inner, exp.JSONExtractScalar) and isinstance(inner.expression, exp.Array):
        return extract_paths(_t(inner.this), inner.expression.expressions, checked=True)
    if isinstance(inner, exp.JSONExtractScalar):
        # get_json_object reads up to the path; DuckDB fails on any text that is not JSON.
        return exp.Case().when(whole_json(_t(inner.this)), _t(inner))
    raise DialectError("try() is translated only around a cast to JSON or json_extract_string")


def _merge_one_key(node: exp.Anonymous) -> exp.Expression:
    """``json_merge_patch(o, json_object('k', v))`` for an object ``o`` without the key ``k``:
    ``v``'s JSON text spliced in before the closing brace."""
    args = node.expressions
    patch = args[1] if len(args) == 2 else None
    pairs = patch.expressions if isinstance(patch, exp.JSONObject) else []
    if len(pairs) != 1 or not isinstance(pairs[0], exp.JSONKeyValue) or not isinstance(pairs[0].this, exp.Literal):
        raise DialectError("json_merge_patch is translated only with json_object of one literal key")
    o, v = _t(args[0]), _t(pairs[0].expression)
    trimmed = exp.RegexpReplace(this=o, expression=exp.Literal.string("\\s+$"), replacement=exp.Literal.string(""))
    empty = exp.RegexpLike(this=trimmed.copy(), expression=exp.Literal.string("^\\{\\s*\\}$"))
    head = _fn("left", trimmed.copy(), exp.Sub(this=exp.Length(this=trimmed.copy()), expression=exp.Literal.number(1)))
    glue = exp.Case().when(empty, exp.Literal.string("")).else_(exp.Literal.string(","))
    spliced = _fn("concat", head, glue, exp.Literal.string(json.dumps(pairs[0].this.name) + ":"), v,
                  exp.Literal.string("}"))
    return exp.Case().when(exp.Is(this=v.copy(), expression=exp.null()), o.copy()).else_(spliced)


def _json_items(node: exp.JSONExtract) -> exp.Expression:
    """``json_extract(x, '$.a[*]')``, the elements of the array at ``$.a`` as JSON texts: the
    array read as ``array<string>`` (Spark keeps each element's JSON text). NULL when the value
    is not an array (DuckDB: empty); the pipeline asks only after ``json_type(...) = 'ARRAY'``."""
    parts = node.expression.expressions if isinstance(node.expression, exp.JSONPath) else []
    if not parts or not isinstance(parts[-1], exp.JSONPathSubscript) \
            or not isinstance(parts[-1].this, exp.JSONPathWildcard) \
            or any(isinstance(p, exp.JSONPathWildcard) or isinstance(p.this, exp.JSONPathWildcard) for p in parts[:-1]):
        raise DialectError("a JSON wildcard path is translated only as a last [*]")
    prefix = exp.JSONPath(expressions=[p.copy() for p in parts[:-1]]).sql(dialect="duckdb").strip("'")
    return _fn("from_json", _fn("get_json_object", _t(node.this), exp.Literal.string(prefix)),
               exp.Literal.string("array<string>"))


def _rewrite_for_spark(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Select):
        positions = _unnest_with_positions(node)
        if positions is not None:
            return positions.transform(_rewrite_for_spark)
        zipped = _zip_unnests(node)
        if zipped is not None:
            return zipped.transform(_rewrite_for_spark)
        lifted = _lift_generators(node)
        if lifted is not None:
            return lifted.transform(_rewrite_for_spark)
    if isinstance(node, (exp.EQ, exp.NEQ)) and isinstance(node.this, exp.JSONType):
        return _json_type_is(node)
    if isinstance(node, exp.JSONType):
        raise DialectError("json_type is translated only compared with 'OBJECT' or 'ARRAY'")
    if isinstance(node, exp.Try):
        return _try(node)
    if isinstance(node, exp.JSONExtract) and "[*]" in node.expression.sql():
        return _json_items(node)
    if isinstance(node, exp.Filter) and isinstance(node.this, exp.ArrayAgg) and isinstance(node.this.this, exp.Order):
        return _filtered_list(node)
    if isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Order):
        return _ordered_list(node.this)
    if isinstance(node, exp.Bracket) and node.expressions:
        return _bracket(node)
    if isinstance(node, exp.ArraySize):
        return _fn("size", _t(node.this))
    if isinstance(node, exp.RegexpLike):
        flags = _inline_flags(node.args["flag"]) if node.args.get("flag") is not None else ""
        return exp.RegexpLike(this=_t(node.this), expression=_with_flags(_java_pattern(node.expression), flags))
    if isinstance(node, exp.RegexpReplace):
        mods = node.args.get("modifiers")
        text = mods.name if isinstance(mods, exp.Literal) else ""
        if "g" not in text and not _anchored(node.expression):
            raise DialectError("regexp_replace without the 'g' flag replaces only the first match in DuckDB; "
                               "Spark always replaces every match")
        flags = "".join(f for f in text if f in "ims")
        return exp.RegexpReplace(this=_t(node.this), expression=_with_flags(_java_pattern(node.expression), flags),
                                 replacement=_java_replacement(node.args["replacement"]))
    if isinstance(node, (exp.RegexpExtract, exp.RegexpExtractAll, exp.RegexpSplit)):
        out = node.copy()
        out.set("this", _t(node.this))
        out.set("expression", _java_pattern(node.expression))
        return out
    if isinstance(node, exp.RegexpFullMatch):
        anchored = exp.DPipe(this=exp.DPipe(this=exp.Literal.string("^(?:"), expression=_java_pattern(node.expression)),
                             expression=exp.Literal.string(")$"))
        return exp.RegexpLike(this=_t(node.this), expression=anchored)
    if isinstance(node, exp.ArrayOverlaps):
        return _fn("arrays_overlap", _t(node.this), _t(node.expression))
    if isinstance(node, exp.FromJson) and isinstance(node.expression, exp.Literal):
        return _fn("from_json", _t(node.this), exp.Literal.string(_spark_schema(json.loads(node.expression.name))))
    if isinstance(node, exp.DayOfWeek):
        # DuckDB counts Sunday as 0, Spark as 1.
        return exp.Paren(this=exp.Sub(this=_fn("dayofweek", _t(node.this)), expression=exp.Literal.number(1)))
    if isinstance(node, exp.Cast) and _is_hex_to_unsigned(node):
        digits = _t(node.this.unnest().expression)
        return exp.Cast(this=_fn("conv", digits, exp.Literal.number(16), exp.Literal.number(10)),
                        to=exp.DataType.build("DECIMAL(20, 0)"))
    if isinstance(node, exp.DataType):
        if node.this == exp.DataType.Type.UBIGINT:
            return exp.DataType.build("DECIMAL(20, 0)")
        if node.this in (exp.DataType.Type.INT128, exp.DataType.Type.UINT128):
            return exp.DataType.build("DECIMAL(38, 0)")
        if node.this == exp.DataType.Type.JSON:
            return exp.DataType.build("STRING")  # JSON text; Spark's JSON functions read strings
    if isinstance(node, exp.TimeToUnix):
        # DuckDB's epoch keeps the fraction of a second; Spark's unix_timestamp drops it.
        micros = _fn("unix_micros", exp.Cast(this=_t(node.this), to=exp.DataType.build("TIMESTAMP")))
        return exp.Paren(this=exp.Div(this=micros, expression=exp.Literal.number("1000000.0")))
    if isinstance(node, exp.JSONExtractScalar) and isinstance(node.expression, exp.Array):
        # DuckDB parses the document once for a list of paths: so does dialect_json.
        return extract_paths(_t(node.this), node.expression.expressions, checked=False)
    if isinstance(node, (exp.TimeToStr, exp.StrToTime)) and isinstance(node.args.get("format"), exp.Literal):
        # Already Java's pattern: built as a call, so sqlglot does not map its letters again.
        pattern = exp.Literal.string(_java_time_format(node.args["format"].name))
        return _fn("date_format" if isinstance(node, exp.TimeToStr) else "to_timestamp", _t(node.this), pattern)
    if isinstance(node, exp.GroupConcat):
        return _string_agg(node)
    if isinstance(node, exp.DateBin):
        return _time_bucket(node)
    if isinstance(node, exp.JarowinklerSimilarity):
        return _fn("jaro_winkler", _t(node.this), _t(node.expression))  # Splink's Spark UDF
    if isinstance(node, exp.Anonymous):
        name, args = node.name.lower(), node.expressions
        if name == "timezone" and len(args) == 2:
            # DuckDB's timezone(zone, timestamptz) is the wall-clock time there; every timestamp
            # the pipeline stores is a TIMESTAMPTZ.
            return _fn("from_utc_timestamp", _t(args[1]), _t(args[0]))
        if name == "strlen" and len(args) == 1:  # a text's bytes in UTF-8
            return _fn("octet_length", _t(args[0]))
        if name == "list_last" and len(args) == 1:
            return _fn("try_element_at", _t(args[0]), exp.Literal.number(-1))
        if name == "make_timestamptz" and len(args) == 1:
            return _fn("timestamp_micros", _t(args[0]))
        if name == "json_valid" and len(args) == 1:
            return whole_json(_t(args[0]))
        if name == "json_merge_patch":
            return _merge_one_key(node)
    return node


def _string_agg(node: exp.GroupConcat) -> exp.Expression:
    """``string_agg`` as ``array_join`` of a collected list (Spark's ``listagg`` is 4.0 only)."""
    sep = node.args.get("separator")
    value = node.this
    if isinstance(value, exp.Order):
        items = _ordered_list(value)
    elif isinstance(value, exp.Distinct):
        items = _fn("collect_set", _t(value.expressions[0]))
    else:
        items = _fn("collect_list", _t(value))
    return _fn("array_join", items, _t(sep) if sep is not None else exp.Literal.string(","))


_SECONDS = {"SECOND": 1, "MINUTE": 60, "HOUR": 3600, "DAY": 86400}


def _time_bucket(node: exp.DateBin) -> exp.Expression:
    """``time_bucket(INTERVAL n unit, ts)`` for units up to a day: DuckDB's default origin
    (2000-01-03, a Monday at midnight UTC) is a whole number of such buckets from the Unix
    epoch, so counting buckets from the epoch gives the same bounds."""
    width = node.this
    unit = width.args.get("unit") if isinstance(width, exp.Interval) else None
    amount = width.this if isinstance(width, exp.Interval) else None
    if node.args.get("zone") or node.args.get("origin") or unit is None or unit.name.upper() not in _SECONDS \
            or not isinstance(amount, exp.Literal) or not amount.name.isdigit():
        raise DialectError("time_bucket is translated only for a literal width of seconds to days, default origin")
    step = exp.Literal.number(int(amount.name) * _SECONDS[unit.name.upper()])
    secs = _fn("unix_seconds", exp.Cast(this=_t(node.expression), to=exp.DataType.build("TIMESTAMP")))
    floor = _fn("floor", exp.Div(this=secs, expression=step))
    return _fn("timestamp_seconds", exp.Mul(this=floor, expression=step.copy()))


def _bracket(node: exp.Bracket) -> exp.Expression:
    key = node.expressions[0]
    inner = _t(node.this)
    if isinstance(key, exp.Slice):
        start, end = _t(key.this), _t(key.expression)
        length = exp.Sub(this=exp.Paren(this=end), expression=exp.Paren(this=start.copy()))
        return _fn("slice", inner, start, exp.Add(this=length, expression=exp.Literal.number(1)))
    if isinstance(key, exp.Neg) and key.this.is_int:
        # sqlglot has already moved the 1-based index to 0-based (-1 became -2); Spark's
        # try_element_at counts from 1, and from the end when negative, as DuckDB does.
        return _fn("try_element_at", inner, exp.Literal.number(-int(key.this.name) + 1))
    if not (isinstance(key, exp.Literal) and key.is_string):
        # A position past the end is NULL to DuckDB and an error to Spark's [] under ANSI
        # (a list of a national ID's deletions is as long as the ID): try_element_at is NULL.
        out = exp.Bracket(this=inner, expressions=[_t(key)])
        out.set("safe", True)
        return out
    return node


_POSIX = {"alpha": r"\p{Alpha}", "digit": r"\d", "alnum": r"\p{Alnum}", "space": r"\s", "upper": r"\p{Upper}",
          "lower": r"\p{Lower}", "punct": r"\p{Punct}", "xdigit": r"\p{XDigit}", "word": r"\w"}


def _java_pattern(pattern: exp.Expression) -> exp.Expression:
    """An RE2 pattern for Java's regex: POSIX classes ``[:alpha:]`` inside a bracket are a
    set of letters to Java, so they become ``\\p{Alpha}`` (both ASCII-only)."""
    if not isinstance(pattern, exp.Literal) or "[:" not in pattern.name:
        return _t(pattern)

    def one(m: re.Match[str]) -> str:
        if m.group(1) not in _POSIX:
            raise DialectError(f"POSIX class [:{m.group(1)}:] has no Java rewrite")
        return _POSIX[m.group(1)]

    return exp.Literal.string(re.sub(r"\[:(\w+):\]", one, pattern.name))


def _anchored(pattern: exp.Expression) -> bool:
    """A pattern anchored at the start matches at most once: replacing once is replacing all."""
    return isinstance(pattern, exp.Literal) and pattern.name.startswith("^")


def _java_replacement(repl: exp.Expression) -> exp.Expression:
    r"""RE2's ``\1`` group references are ``$1`` in Java, whose ``$`` and ``\`` are special."""
    if not isinstance(repl, exp.Literal):
        raise DialectError("a regexp_replace replacement must be a literal to be translated")
    text, out, i = repl.name, [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append(f"${nxt}" if nxt.isdigit() else "\\\\" if nxt == "\\" else nxt)
            i += 2
            continue
        out.append("\\$" if c == "$" else c)
        i += 1
    return exp.Literal.string("".join(out))


_JAVA_TIME = {"Y": "yyyy", "y": "yy", "m": "MM", "d": "dd", "H": "HH", "M": "mm", "S": "ss", "b": "MMM",
              "B": "MMMM", "a": "EEE", "A": "EEEE", "j": "DDD"}


def _java_time_format(fmt: str) -> str:
    """A strftime format as a Java DateTimeFormatter pattern. Text between the directives is
    quoted: sqlglot's own mapping leaves ``T`` and ``Z`` bare, which Java refuses (``T``) or
    reads as a zone offset (``Z``)."""
    out, text, i = [], "", 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            d = fmt[i + 1]
            if d == "%":
                text += "%"
            elif d in _JAVA_TIME:
                if text:
                    out.append("'" + text.replace("'", "''") + "'" if any(c.isalpha() or c == "'" for c in text)
                               else text)
                    text = ""
                out.append(_JAVA_TIME[d])
            else:
                raise DialectError(f"strftime directive %{d} has no Java rewrite")
            i += 2
            continue
        text += fmt[i]
        i += 1
    if text:
        out.append("'" + text.replace("'", "''") + "'" if any(c.isalpha() or c == "'" for c in text) else text)
    return "".join(out)


def _is_hex_to_unsigned(node: exp.Cast) -> bool:
    inner = node.this.unnest()
    return (node.to.this == exp.DataType.Type.UBIGINT and isinstance(inner, exp.DPipe)
            and isinstance(inner.this, exp.Literal) and inner.this.name.lower() == "0x")


def _is_temp_table(tree: exp.Create) -> bool:
    """Every table the pipeline creates, temporary or not: on Spark a scan's tables live in the
    session (the engine writes them as Parquet when the scan is saved), never in a warehouse
    folder Spark would create in the working directory."""
    return (tree.kind or "").upper() == "TABLE"


def _temp_view(tree: exp.Create) -> exp.Expression:
    """A temp table as a temp view (Spark has no temporary tables); one declared empty becomes
    a typed empty view that the engine's ``insert_rows`` fills."""
    target = tree.this
    query = tree.expression
    if query is None:
        if not isinstance(target, exp.Schema):
            raise DialectError("a temp table needs columns or a query")
        cols = [exp.alias_(exp.Cast(this=exp.null(), to=c.args["kind"].copy()), c.name)
                for c in target.expressions if isinstance(c, exp.ColumnDef)]
        query = exp.select(*cols).where(exp.false())
        target = target.this
    # IF NOT EXISTS is kept for the engine to honour (Spark refuses it on a temporary view).
    keep = bool(tree.args.get("exists"))
    view = exp.Create(this=target.copy(), kind="VIEW", replace=not keep, exists=keep,
                      expression=query.transform(_rewrite_for_spark),
                      properties=exp.Properties(expressions=[exp.TemporaryProperty()]))
    return view


def _filtered_list(node: exp.Filter) -> exp.Expression:
    """``list(x ORDER BY ...) FILTER (WHERE c)``: the FILTER goes on the collecting aggregate
    inside the sort (Spark: "array_sort does not support FILTER CLAUSE")."""
    out = _ordered_list(node.this.this)
    agg = next(a for a in out.find_all(exp.Anonymous) if a.name.lower() in ("collect_set", "collect_list"))
    agg.replace(exp.Filter(this=agg.copy(), expression=_t(node.expression)))
    return out


def _ordered_list(order: exp.Order) -> exp.Expression:
    value = order.this
    distinct = isinstance(value, exp.Distinct)
    if distinct:
        value = value.expressions[0]
    value = _t(value)
    keys = order.expressions
    if len(keys) == 1 and _t(keys[0].this) == value and not keys[0].args.get("nulls_first"):
        collected = _fn("collect_set" if distinct else "collect_list", value)
        out: exp.Expression = _fn("array_sort", collected)
        return _fn("reverse", out) if keys[0].args.get("desc") else out
    # Several keys, or a key that is not the value: sort (keys, value) pairs with a comparator
    # that keeps each key's direction and DuckDB's NULLS LAST, then keep the values.
    pairs = exp.Struct(expressions=[
        *[exp.PropertyEQ(this=exp.to_identifier(f"k{i}"), expression=_t(k.this)) for i, k in enumerate(keys)],
        exp.PropertyEQ(this=exp.to_identifier("v"), expression=value),
    ])
    lam = exp.Lambda(this=exp.Dot(this=exp.to_identifier("e"), expression=exp.to_identifier("v")),
                     expressions=[exp.to_identifier("e")])
    out = _fn("transform", _fn("array_sort", _fn("collect_list", pairs), _comparator(keys)), lam)
    return _fn("array_distinct", out) if distinct else out


def _comparator(keys: list[exp.Expression]) -> exp.Expression:
    def field(side: str, i: int) -> exp.Expression:
        return exp.Dot(this=exp.to_identifier(side), expression=exp.to_identifier(f"k{i}"))

    case = exp.Case()
    for i, k in enumerate(keys):
        a, b = field("a", i), field("b", i)
        first = -1 if k.args.get("nulls_first") else 1  # where a NULL key goes
        less = 1 if k.args.get("desc") else -1
        case = (case.when(exp.and_(a.is_(exp.null()), exp.not_(b.is_(exp.null()))), exp.Literal.number(first))
                .when(exp.and_(b.is_(exp.null()), exp.not_(a.is_(exp.null()))), exp.Literal.number(-first))
                .when(exp.LT(this=a.copy(), expression=b.copy()), exp.Literal.number(less))
                .when(exp.GT(this=a.copy(), expression=b.copy()), exp.Literal.number(-less)))
    case = case.else_(exp.Literal.number(0))
    return exp.Lambda(this=case, expressions=[exp.to_identifier("a"), exp.to_identifier("b")])


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
        return pattern
    return exp.DPipe(this=exp.Literal.string(f"(?{flags})"), expression=pattern)


def _refuse_unportable(tree: exp.Expr) -> None:
    for col in tree.find_all(exp.Column):
        if col.name.lower() == "rowid" and not col.table:
            raise DialectError("rowid (DuckDB's row number) has no Spark equivalent: carry a line column")
    for join in tree.find_all(exp.Join):
        if (join.args.get("kind") or "").upper() == "ASOF" or "ASOF" in (join.text("method") or "").upper():
            raise DialectError("ASOF joins have no Spark equivalent: use Dialect.interval_join")
    if any(True for _ in tree.find_all(exp.FromJson)):
        for fj in tree.find_all(exp.FromJson):
            if not isinstance(fj.expression, exp.Literal):
                raise DialectError("from_json needs a literal type to be given a Spark schema")
    for star in tree.find_all(exp.Star):
        if star.args.get("except_") or star.args.get("except"):
            raise DialectError("SELECT * EXCLUDE has no Spark equivalent: list the columns")
        if star.args.get("replace"):
            raise DialectError("SELECT * REPLACE has no Spark equivalent: list the columns")
    for sel in tree.find_all(exp.Select):
        # sqlglot writes QUALIFY as a subquery with the window as a column `_w`; under a `*`
        # that column stays in the result (one more column, and twice `_w` a level up).
        if sel.args.get("qualify") is not None and any(isinstance(p, exp.Star) or p.is_star for p in sel.expressions):
            raise DialectError("QUALIFY over SELECT * keeps its window column on Spark: rank in a subquery "
                               "with named columns")
    for fn in tree.find_all(exp.Anonymous):
        if fn.name.lower() == "hash":
            raise DialectError("hash() differs between engines: use md5 or sha256")
    for path in tree.find_all(exp.JSONExtractScalar):
        if "[*]" in path.expression.sql():
            raise DialectError("a JSON wildcard path is a list in DuckDB and JSON text in Spark")


__all__ = ["DUCKDB", "DUCKDB_ONLY", "SPARK", "Dialect", "DialectError", "DuckDBDialect", "SparkDialect"]
