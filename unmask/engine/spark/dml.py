"""INSERT, DELETE and UPDATE on Spark's temporary views, as new views.

The pipeline's temp tables are temporary views on Spark (the dialect's rewrite), and Spark
changes no view in place. Each statement is rebuilt as a query over the old rows, and the
result replaces the view (checkpointed, so the chain of plans does not grow with each
statement):

- ``INSERT INTO t [(cols) | BY NAME] query`` is the old rows UNION ALL the new ones, cast to
  t's types;
- ``DELETE FROM t WHERE c`` keeps the rows where ``c`` is not true;
- ``UPDATE t SET a = x WHERE c`` is ``CASE WHEN c THEN x ELSE a END`` for each column set.

``UPDATE ... FROM`` (a join) is refused with :class:`DialectError`: with more than one matching
row its answer depends on the engine, and the pipeline writes it as a new table instead.
"""

from __future__ import annotations

import re
from typing import Any

import sqlglot
from pyspark.sql import DataFrame, SparkSession
from sqlglot import exp

from unmask.engine.dialect import DialectError


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


_LEADING_COMMENTS = re.compile(r"\s*(?:/\*.*?\*/\s*|--[^\n]*\n\s*)*", re.S)


def head(text: str, n: int = 6) -> str:
    """The statement's first ``n`` characters, upper case, after its leading comments (sqlglot
    keeps a signal's leading ``--`` comments as ``/* */`` in front of the statement)."""
    return text[_LEADING_COMMENTS.match(text).end():][:n].upper()  # type: ignore[union-attr]


def run_dml(spark: SparkSession, text: str, args: Any) -> bool:
    """Run ``text`` if it is an INSERT, DELETE or UPDATE (Spark SQL); False when it is none."""
    head_ = head(text)
    with_first = head_[:4] == "WITH" and head_[4:5].isspace()  # Spark SQL writes WITH ... INSERT
    if head_ not in ("INSERT", "DELETE", "UPDATE") and not with_first:
        return False
    try:
        tree = sqlglot.parse_one(text, read="spark")
    except sqlglot.errors.ParseError:
        if with_first:  # a query, not an INSERT: Spark reads it
            return False
        raise
    if with_first and not isinstance(tree, exp.Insert):
        return False

    def sql(q: str) -> DataFrame:
        return spark.sql(q, args=args) if args else spark.sql(q)

    if isinstance(tree, exp.Insert):
        target = tree.this
        cols = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else None
        table = (target.this if isinstance(target, exp.Schema) else target).name
        old = spark.table(table)
        query = tree.expression.copy()
        if tree.args.get("with_") is not None:  # WITH ... INSERT: the CTEs belong to the query
            query.set("with_", tree.args["with_"].copy())
        new = sql(query.sql(dialect="spark"))
        if tree.args.get("by_name"):  # INSERT ... BY NAME: the query's own column names
            names = list(new.columns)
            if unknown := [c for c in names if c not in old.columns]:
                raise DialectError(f"INSERT BY NAME into {table}: no column {unknown[0]}")
        else:
            names = cols or old.columns[: len(new.columns)]
        new = new.toDF(*names)
        types = dict(old.dtypes)
        parts = [f"CAST({_q(c)} AS {types[c]}) AS {_q(c)}" if c in names else f"CAST(NULL AS {types[c]}) AS {_q(c)}"
                 for c in old.columns]
        _replace(spark, table, old.unionByName(new.selectExpr(*parts)))
        return True
    if isinstance(tree, exp.Delete):
        table = tree.this.name
        where = tree.args.get("where")
        if where is None:
            _replace(spark, table, spark.table(table).limit(0))
            return True
        alias = tree.this.alias
        src = f"{_q(table)}" + (f" AS {_q(alias)}" if alias else "")
        _replace(spark, table, sql(f"SELECT * FROM {src} WHERE NOT coalesce(({where.this.sql(dialect='spark')}), false)"))  # noqa: S608,E501
        return True
    if isinstance(tree, exp.Update):
        if tree.args.get("from_") is not None or tree.args.get("from") is not None:
            raise DialectError("UPDATE ... FROM has no Spark form for temporary tables: write the result as a new "
                               "table (CREATE OR REPLACE TEMP TABLE t AS SELECT ... LEFT JOIN ...)")
        table = tree.this.name
        alias = tree.this.alias
        old = spark.table(table)
        types = dict(old.dtypes)
        sets = {eq.this.name: eq.expression.sql(dialect="spark") for eq in tree.expressions}
        where = tree.args.get("where")
        cond = f"coalesce(({where.this.sql(dialect='spark')}), false)" if where is not None else "true"
        cols = [f"CAST(CASE WHEN {cond} THEN {sets[c]} ELSE {_q(c)} END AS {types[c]}) AS {_q(c)}" if c in sets
                else _q(c) for c in old.columns]
        src = f"{_q(table)}" + (f" AS {_q(alias)}" if alias else "")
        _replace(spark, table, sql(f"SELECT {', '.join(cols)} FROM {src}"))  # noqa: S608
        return True
    return False


def _replace(spark: SparkSession, table: str, df: DataFrame) -> None:
    # Computed now and cut from its lineage: the view never refers to itself.
    df.localCheckpoint().createOrReplaceTempView(table)
