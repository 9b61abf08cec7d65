"""DuckDB's reading of JSON text, written for Spark: whether a text is JSON, and a list of paths
extracted from one document in a single parse.

DuckDB's ``json_extract_string(j, [paths])`` parses ``j`` once and fails on text that is not
JSON (``try()`` makes that NULL). Spark's ``get_json_object`` parses the document once per path
(31 parses an Okta event) and, like every Jackson reader in Spark, stops at the end of the first
JSON value: ``{"a": 1}{"b": 2}``, two records glued together, read as ``{"a": 1}``, the second
record silently gone. Here:

- **Whether a text is JSON** is asked of the text closed inside an array whose last element is
  a marker only this process knows: ``[`` + text + ``,"<marker>"]``. The marker is read back only
  if the text was one whole JSON value; text after the value leaves the marker unread. No record
  can close the array early and end with the marker, since it cannot know it.
- **One parse for all paths**: the document is read once with ``from_json`` into a struct that
  holds exactly the asked paths, each leaf as text (Jackson writes a number, an object or an
  array under a text field as ``get_json_object`` does), and a lambda reads the leaves from that
  one value (Spark evaluates an expression again at each mention, even inside one projection).
  A struct matches keys exactly, as DuckDB does, and a text value where an object is asked is
  NULL, not the object written inside the text.
- **Duplicate keys**: DuckDB reads the first, a struct the last. Only a document that Spark's
  strict ``try_parse_json`` accepts (duplicate keys refused: ``spark.sql.variant.allowDuplicateKeys``
  stays false) takes the one-parse road; a document with a duplicate key is read path by path with
  ``get_json_object``, which reads the first, as DuckDB does.
"""

from __future__ import annotations

import secrets

from sqlglot import exp, jsonpath

# Per process, so that no record written in advance can hold it.
_MARK = "unmask-end-" + secrets.token_hex(8)


def _fn(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _closed(x: exp.Expression) -> exp.Expression:
    return _fn("concat", exp.Literal.string("["), x, exp.Literal.string(f',"{_MARK}"]'))


def whole_json(x: exp.Expression) -> exp.Expression:
    """True when the text ``x`` is one whole JSON value (duplicate keys allowed, as DuckDB's
    ``json_valid``), false when it is not, NULL for NULL."""
    seen = exp.EQ(this=_fn("get_json_object", _closed(x), exp.Literal.string("$[1]")),
                  expression=exp.Literal.string(_MARK))
    return exp.Case().when(exp.not_(exp.Is(this=x.copy(), expression=exp.null())),
                           _fn("coalesce", seen, exp.false()))


def _strict(x: exp.Expression) -> exp.Expression:
    """One whole JSON value without a duplicate key (Spark's variant parser refuses them)."""
    v = _fn("try_parse_json", _closed(x))
    return exp.EQ(this=_fn("try_variant_get", v, exp.Literal.string("$[1]"), exp.Literal.string("string")),
                  expression=exp.Literal.string(_MARK))


def _keys(path: str) -> list[str] | None:
    """The object keys of a path of keys alone (``$.a."b.c"``); None for the root, a subscript,
    a wildcard or an empty key (no struct field), which keep ``get_json_object``."""
    try:
        parts = jsonpath.parse(path).expressions
    except Exception:  # noqa: BLE001 - sqlglot's own parse error: such a path keeps get_json_object
        return None
    keys = [p.this for p in parts[1:] if isinstance(p, exp.JSONPathKey) and isinstance(p.this, str) and p.this]
    return keys if keys and len(keys) == len(parts) - 1 and isinstance(parts[0], exp.JSONPathRoot) else None


def _quoted(key: str) -> str:
    return "`" + key.replace("`", "``") + "`"


class _Tree:
    """The asked paths as nested objects: each node's children in the order first asked."""

    def __init__(self) -> None:
        self.kids: dict[str, _Tree] = {}

    def add(self, keys: list[str]) -> None:
        node = self
        for k in keys:
            node = node.kids.setdefault(k, _Tree())

    def schema(self, named: bool) -> str:
        """``struct<...>`` with the JSON keys (to parse) or positional names (to read: keys
        that differ only in case would be ambiguous to Spark's analyser)."""
        fields = [(_quoted(k) if named else f"f{i}") + ":" + ("string" if not n.kids else n.schema(named))
                  for i, (k, n) in enumerate(self.kids.items())]
        return "struct<" + ", ".join(fields) + ">"

    def field(self, keys: list[str]) -> list[str]:
        node, out = self, []
        for k in keys:
            out.append(f"f{list(node.kids).index(k)}")
            node = node.kids[k]
        return out


def extract_paths(j: exp.Expression, paths: list[exp.Expression], checked: bool) -> exp.Expression:
    """``json_extract_string(j, [paths])`` on Spark: ``array<string>``, one element per path.
    ``checked`` (inside DuckDB's ``try()``): NULL when ``j`` is not JSON, as DuckDB's error is."""
    keyed = [_keys(p.name) if p.is_string else None for p in paths]
    tree = _Tree()
    for keys in keyed:
        if keys is not None:
            tree.add(keys)

    def one_by_one(p: exp.Expression) -> exp.Expression:
        # Spark's own path syntax: DuckDB's quoted key ``$."@timestamp"`` is ``$['@timestamp']``
        # to get_json_object, which reads the quoted form as no path at all.
        return (exp.JSONExtractScalar(this=j.copy(), expression=jsonpath.parse(p.name)) if p.is_string
                else _fn("get_json_object", j.copy(), p.copy()))

    each = exp.Array(expressions=[one_by_one(p) for p in paths])
    if not tree.kids:
        fast: exp.Expression = each.copy()
    else:
        doc = exp.Cast(this=_fn("from_json", j.copy(), exp.Literal.string(tree.schema(named=True))),
                       to=exp.DataType.build(tree.schema(named=False), dialect="spark"))
        leaves: list[exp.Expression] = []
        for p, keys in zip(paths, keyed, strict=True):
            node = tree
            for k in keys or []:
                node = node.kids[k]
            if keys is None or node.kids:  # also a prefix of another path: its text, whole
                leaves.append(one_by_one(p))
            else:
                leaves.append(exp.Dot.build([exp.column("__d"), *map(exp.to_identifier, tree.field(keys))]))
        lam = exp.Lambda(this=exp.Array(expressions=leaves), expressions=[exp.to_identifier("__d")])
        fast = _fn("element_at", _fn("transform", exp.Array(expressions=[doc]), lam), exp.Literal.number(1))
    case = exp.Case().when(_strict(j.copy()), fast)
    if checked:
        return case.when(whole_json(j.copy()), each)
    # Unchecked, as DuckDB's: NULL for NULL, else whatever each path gives.
    return case.when(exp.not_(exp.Is(this=j.copy(), expression=exp.null())), each)
