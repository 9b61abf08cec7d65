"""The shipped osquery configuration collects exactly what the readers read."""

from __future__ import annotations

import json
from pathlib import Path

import sqlglot
from sqlglot import exp

from unmask.sources.osquery import READ_COLUMNS, TABLES

CONF = Path(__file__).parent.parent / "unmask/data/osquery/unmask.conf"


def test_every_query_parses_and_selects_the_columns_we_read() -> None:
    conf = json.loads(CONF.read_text())
    queries = conf["packs"]["unmask"]["queries"]
    assert set(queries) == set(TABLES) == set(READ_COLUMNS)
    for name, q in queries.items():
        tree = sqlglot.parse_one(q["query"], read="sqlite")
        assert isinstance(tree, exp.Select)
        tables = {t.name for t in tree.find_all(exp.Table)}
        assert tables == {name}, name
        cols = {c.alias_or_name for c in tree.expressions}
        assert set(READ_COLUMNS[name]) <= cols, (name, set(READ_COLUMNS[name]) - cols)
        assert 60 <= q["interval"] <= 86400


def test_decorators_give_the_join_keys() -> None:
    conf = json.loads(CONF.read_text())
    assert conf["options"]["pack_delimiter"] == "_"  # result names end with the table name
    trees = [sqlglot.parse_one(q, read="sqlite") for q in conf["decorators"]["load"]]
    cols = {c.alias_or_name for t in trees for c in t.expressions}
    assert {"hostname", "hardware_serial"} <= cols
