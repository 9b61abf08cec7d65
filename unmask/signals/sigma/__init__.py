"""Sigma rules over endpoint telemetry, converted with pySigma and evaluated in DuckDB.

pySigma's SQLite backend (with the Sysmon and Windows log-source pipelines) turns each rule
into a WHERE clause; sqlglot rewrites it for DuckDB and for Sigma's semantics (string matches
are case-insensitive). The measured choice of backend is in docs/benchmarks.md: the PyPI
``pysigma-backend-duckdb`` 0.1.4 package installs no importable backend, so the SQLite
backend's output, transpiled, is what runs.

Evaluation (docs/benchmarks.md, "The full sysmon-high set"): every field the rules name is
extracted from each event **once** and lower-cased once, so a rule compares plain strings
(``contains``/``suffix``/``prefix``/``=`` instead of ``ILIKE`` and ``lower()`` per rule and
row); regular expressions, which Sigma applies case-sensitively, read the raw value. Rules are
grouped by the ``Channel`` and ``EventID`` their condition requires, and each group runs in
one pass over only the events of that log source (``list_filter`` of one ``CASE`` per rule).

A user's own folder (``[sigma] rules_dir``) may hold anything SigmaHQ ships: a rule that cannot
be parsed, converted or evaluated is skipped **with its reason**, kept in ``sigma_skipped`` and
counted in the manifest, never fatal and never silent. Conversions are remembered per file
(path and SHA-256) in a cache file beside the scans, so a rescan converts only changed rules.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from unmask.engine import Engine
from unmask.signals.rmm_on_laptop import CATALOGUE

RULES_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "sigma"
# Events from endpoint/sysmon/*.jsonl often carry no Channel; they are Sysmon by contract.
SYSMON_CHANNEL = "Microsoft-Windows-Sysmon/Operational"
# Okta System Log fields that Sigma rules name, and the okta_events column each is read into.
# A rule naming a field outside this map is skipped with that reason, never half-evaluated.
OKTA_FIELDS = {
    "eventType": "event_type", "securityContext.isProxy": "lower(is_proxy::VARCHAR)",
    "debugContext.debugData.requestUri": "request_uri", "actor.alternateId": "actor_email",
    "client.ipAddress": "ip", "outcome.result": "outcome", "securityContext.asOrg": "as_org",
    "securityContext.isp": "isp", "client.userAgent.rawUserAgent": "user_agent",
}
# Fields the endpoint_events table holds as columns, not inside the event's JSON.
SPECIAL = {"EventID": "event_id::VARCHAR", "Channel": f"coalesce(channel, '{SYSMON_CHANNEL}')",
           "Provider_Name": "provider"}
# A field name goes into SQL as a quoted identifier and a JSON path: only plain names do.
_FIELD_OK = re.compile(r"^[A-Za-z0-9_.\- ]{1,128}$")
RAW = "raw:"  # the prefix of a column that keeps a field's original case (for regular expressions)
# Bump when the conversion below changes: cached conversions of an older one are not reused.
CONVERTER = "2"


@dataclass(frozen=True)
class CompiledRule:
    id: str
    title: str
    level: str
    author: str
    path: str
    where: str  # DuckDB SQL over the event's fields, as pySigma wrote it (case-insensitive)
    fields: tuple[str, ...]
    remote_access: bool  # an RMM-tool rule: the [allow] lists apply
    source: str = "endpoint"  # "endpoint" (Sysmon events) or "okta" (the Okta System Log)
    # What runs: the same condition over the lower-cased columns, without the guards below.
    fast: str = ""
    channel: str | None = None  # lower-cased Channel the rule requires (None: any)
    event_ids: tuple[str, ...] = ()  # EventIDs it requires (empty: any)
    raw_fields: tuple[str, ...] = ()  # fields read in their original case (regex, cased)


@dataclass
class RuleSet:
    rules: list[CompiledRule] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    files: int = 0  # rule files read
    cached: int = 0  # of which the conversion came from the cache


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Like):
        return exp.ILike(this=node.this, expression=node.expression)
    if isinstance(node, exp.Escape) and isinstance(node.this, exp.Like):
        like = node.this
        return exp.Escape(this=exp.ILike(this=like.this, expression=like.expression), expression=node.expression)
    if isinstance(node, exp.EQ):
        left, right = node.this, node.expression
        if isinstance(right, exp.Literal):
            value = exp.Literal.string(str(right.this).lower())
            return exp.EQ(this=exp.Lower(this=left), expression=value)
    if isinstance(node, exp.Column):
        return exp.column(node.name, quoted=True)
    return node


def _to_duckdb(sqlite_query: str) -> tuple[str, tuple[str, ...]]:
    tree = sqlglot.parse_one(sqlite_query, read="sqlite")
    where = tree.args["where"].this
    fields = tuple(sorted({c.name for c in where.find_all(exp.Column)}))
    rewritten = where.transform(_rewrite)
    return rewritten.sql(dialect="duckdb"), fields


def _like_parts(pattern: str, escape: str | None) -> list[str | None] | None:
    """A LIKE pattern as literal runs and ``None`` for ``%``; None when it holds a ``_``."""
    out: list[str | None] = []
    buf, i = "", 0
    while i < len(pattern):
        c = pattern[i]
        if escape and c == escape and i + 1 < len(pattern):
            buf += pattern[i + 1]
            i += 2
            continue
        if c == "_":
            return None
        if c == "%":
            if buf:
                out.append(buf)
            buf = ""
            if not out or out[-1] is not None:
                out.append(None)
        else:
            buf += c
        i += 1
    if buf:
        out.append(buf)
    return out


def _fast_like(col: exp.Expression, pattern: str, escape: str | None) -> exp.Expression:
    """``col ILIKE pattern`` over an already lower-cased column, as the cheapest string test."""
    low = pattern.lower()
    parts = _like_parts(low, escape)
    lit = exp.Literal.string
    if parts is not None:
        texts = [p for p in parts if p is not None]
        if not texts:  # '%' (or '%%'): any value
            if not parts:
                return exp.EQ(this=col, expression=lit(""))
            return exp.Not(this=exp.Is(this=col, expression=exp.Null()))
        if len(texts) == 1:
            t = texts[0]
            lead, trail = parts[0] is None, parts[-1] is None
            if lead and trail:
                return exp.Anonymous(this="contains", expressions=[col, lit(t)])
            if lead:
                return exp.EndsWith(this=col, expression=lit(t))
            if trail:
                return exp.StartsWith(this=col, expression=lit(t))
            return exp.EQ(this=col, expression=lit(t))
    like = exp.Like(this=col, expression=lit(low))
    return exp.Escape(this=like, expression=lit(escape)) if escape else like


def _flatten_and(node: exp.Expression) -> list[exp.Expression]:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.And):
        return _flatten_and(node.this) + _flatten_and(node.expression)
    return [node]


def _eq_on(node: exp.Expression, name: str) -> str | None:
    """The literal of ``lower(name) = 'x'``, else None."""
    if (isinstance(node, exp.EQ) and isinstance(node.this, exp.Lower) and isinstance(node.this.this, exp.Column)
            and node.this.this.name == name and isinstance(node.expression, exp.Literal)):
        return str(node.expression.this)
    return None


def _event_ids(node: exp.Expression) -> tuple[str, ...] | None:
    while isinstance(node, exp.Paren):
        node = node.this
    one = _eq_on(node, "EventID")
    if one is not None:
        return (one,)
    if isinstance(node, exp.Or):
        left, right = _event_ids(node.this), _event_ids(node.expression)
        if left is not None and right is not None:
            return left + right
    return None


def _fast(where: str) -> tuple[str, str | None, tuple[str, ...], tuple[str, ...]]:
    """The condition over lower-cased columns, with its Channel and EventID guards taken out."""
    tree = sqlglot.parse_one(where, read="duckdb")
    assert isinstance(tree, exp.Expression)
    conjuncts = _flatten_and(tree)
    channel: str | None = None
    event_ids: tuple[str, ...] = ()
    rest: list[exp.Expression] = []
    for c in conjuncts:
        ch, ids = _eq_on(c, "Channel"), _event_ids(c)
        if ch is not None and channel is None:
            channel = ch
        elif ids is not None and not event_ids:
            event_ids = tuple(sorted(set(ids)))
        else:
            rest.append(c)
    raw: set[str] = set()

    def lowered(node: exp.Expression) -> exp.Expression:
        # pySigma's NULL-safe NOT is ``NOT coalesce(cond, 0)``: the 0 is false to DuckDB, a type
        # mismatch to Spark (the rule was skipped there), so it is written ``false``.
        if isinstance(node, exp.Coalesce) and len(node.expressions) == 1 \
                and isinstance(node.expressions[0], exp.Literal) and node.expressions[0].name == "0":
            return exp.Coalesce(this=node.this.transform(lowered), expressions=[exp.false()])
        if isinstance(node, exp.EQ) and isinstance(node.this, exp.Lower):
            return exp.EQ(this=node.this.this, expression=node.expression)
        if isinstance(node, exp.Escape) and isinstance(node.this, exp.ILike) \
                and isinstance(node.this.expression, exp.Literal) and isinstance(node.expression, exp.Literal):
            return _fast_like(node.this.this, str(node.this.expression.this), str(node.expression.this) or None)
        if isinstance(node, exp.ILike) and isinstance(node.expression, exp.Literal):
            return _fast_like(node.this, str(node.expression.this), None)
        if isinstance(node, exp.RegexpLike | exp.Glob) and isinstance(node.this, exp.Column) \
                and not node.this.name.startswith(RAW):
            raw.add(node.this.name)
            return node.__class__(this=exp.column(RAW + node.this.name, quoted=True), expression=node.expression)
        return node

    cond = exp.and_(*[c.transform(lowered) for c in rest]) if rest else exp.true()
    return cond.sql(dialect="duckdb"), channel, event_ids, tuple(sorted(raw))


def _is_remote_access(path: Path, title: str) -> bool:
    text = (path.name + " " + title).lower()
    return "remote_access" in text or any(v.lower() in text for v in CATALOGUE)


_SKIP_WHY = {
    "azure": "Entra ID Protection risk detections and Azure activity logs are not bundle parts "
             "(the sign-in signals cover anonymous IPs, new countries and travel)",
    "macos": "macOS process events are not a bundle part (osquery processes carry no parent image)",
}


def _versions() -> str:
    names = ("pySigma", "pySigma-backend-sqlite", "pysigma-pipeline-sysmon", "pysigma-pipeline-windows", "sqlglot")
    found = []
    for n in names:
        try:
            found.append(f"{n}={metadata.version(n)}")
        except metadata.PackageNotFoundError:
            found.append(f"{n}=?")
    return ";".join([f"unmask-sigma={CONVERTER}", *found])


def compile_rules(rules_dir: Path = RULES_DIR, cache: Path | None = None) -> RuleSet:
    """Every rule under ``rules_dir``, converted, or skipped with its reason.

    ``cache`` is a JSON file of earlier conversions (keyed by path, content hash and the
    converter's versions); it is read, and rewritten when a rule had to be converted."""
    if cache is None and rules_dir == RULES_DIR:
        return _shipped()
    return _compile(rules_dir, cache)


@lru_cache(maxsize=1)
def _shipped() -> RuleSet:
    return _compile(RULES_DIR, None)


class _Converter:
    """pySigma, imported and set up only when some rule is not in the cache."""

    def __init__(self) -> None:
        from sigma.backends.sqlite import sqliteBackend  # type: ignore[attr-defined]
        from sigma.pipelines.sysmon import sysmon_pipeline  # type: ignore[attr-defined]
        from sigma.pipelines.windows import windows_logsource_pipeline  # type: ignore[attr-defined]

        self.backend = sqliteBackend(sysmon_pipeline() + windows_logsource_pipeline())  # type: ignore[no-untyped-call]
        self.plain = sqliteBackend()  # type: ignore[no-untyped-call]  # Okta rules name the log's own fields

    def file(self, path: Path, rel: str) -> tuple[list[CompiledRule], list[tuple[str, str]]]:
        from sigma.collection import SigmaCollection
        from sigma.rule import SigmaRule

        rules: list[CompiledRule] = []
        skipped: list[tuple[str, str]] = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                found = SigmaCollection.load_ruleset([path]).rules
            except Exception as e:  # noqa: BLE001 - a bad rule file is reported, not fatal
                return [], [(rel, f"cannot parse: {(str(e).splitlines() or [''])[0][:120]}")]
        if not found:
            return [], [(rel, "cannot parse: no rule in the file")]
        for rule in found:
            if not isinstance(rule, SigmaRule):  # correlation rules need state across events
                skipped.append((rel, f"{type(rule).__name__.removeprefix('Sigma').lower()} rule: not evaluated"))
                continue
            one = self.rule(rule, path, rel)
            if isinstance(one, CompiledRule):
                rules.append(one)
            else:
                skipped.append((rel, one))
        return rules, skipped

    def rule(self, rule: Any, path: Path, rel: str) -> CompiledRule | str:
        product = (rule.logsource.product or "").lower()
        if product not in ("windows", "linux", "okta"):
            why = _SKIP_WHY.get(product, f"{product or 'unknown'} log source: not read by Unmask")
            if (rule.logsource.service or "").lower() == "signinlogs":
                why = ("a placeholder rule over Entra sign-ins: its countries are the organisation's own, which "
                       "signin_foreign_country applies from org.work_countries")
            return why
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                backend = self.plain if product == "okta" else self.backend
                queries = backend.convert_rule(rule)  # type: ignore[no-untyped-call]
            if len(queries) != 1:
                return f"cannot convert: {len(queries)} queries for one rule"
            where, fields = _to_duckdb(str(queries[0]))
        except Exception as e:  # noqa: BLE001 - pySigma raises many kinds; the reason is kept
            return f"cannot convert: {e.__class__.__name__}: {(str(e).splitlines() or [''])[0][:100]}"
        bad = [f for f in fields if not _FIELD_OK.match(f)]
        if bad:
            return "names a field Unmask cannot read: " + ", ".join(repr(f[:40]) for f in bad)
        if product == "okta" and set(fields) - set(OKTA_FIELDS):
            return "names Okta fields Unmask does not read: " + ", ".join(sorted(set(fields) - set(OKTA_FIELDS)))
        fast, channel, event_ids, raw = (where, None, (), ()) if product == "okta" else _fast(where)
        level = rule.level.name.lower() if rule.level else "medium"
        return CompiledRule(
            id=str(rule.id) if rule.id else f"no-id:{rel}", title=rule.title, level=level,
            author=rule.author or "unknown", path=rel, where=where, fields=fields,
            remote_access=_is_remote_access(path, rule.title), source="okta" if product == "okta" else "endpoint",
            fast=fast, channel=channel, event_ids=event_ids, raw_fields=raw,
        )


def _from_cache(r: dict[str, Any]) -> CompiledRule:
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in r.items()}
    return CompiledRule(**fields)


def _compile(rules_dir: Path, cache: Path | None) -> RuleSet:
    out = RuleSet()
    versions = _versions()
    old: dict[str, Any] = {}
    if cache is not None and cache.is_file():
        try:
            data = json.loads(cache.read_text())
            old = data["entries"] if data.get("versions") == versions else {}
        except (ValueError, KeyError, TypeError):
            old = {}  # a damaged cache is a cold cache
    new: dict[str, Any] = {}
    converter: _Converter | None = None
    seen: dict[str, str] = {}
    for path in sorted(rules_dir.rglob("*.yml")):
        rel = path.relative_to(rules_dir).as_posix()
        out.files += 1
        key = rel + "\0" + hashlib.sha256(path.read_bytes()).hexdigest()
        if key in old:
            rules = [_from_cache(r) for r in old[key]["rules"]]
            skipped = [(p, w) for p, w in old[key]["skipped"]]
            out.cached += 1
        else:
            converter = converter or _Converter()
            rules, skipped = converter.file(path, rel)
        new[key] = {"rules": [asdict(r) for r in rules], "skipped": skipped}
        out.skipped.extend(skipped)
        for r in rules:
            if r.id in seen:  # sigma_hits names rules by id: a second rule with it would be ambiguous
                out.skipped.append((rel, f"duplicate rule id {r.id} (also in {seen[r.id]})"))
                continue
            seen[r.id] = rel
            out.rules.append(r)
    if cache is not None and new.keys() != old.keys():
        tmp = cache.with_name(cache.name + ".tmp")
        tmp.write_text(json.dumps({"versions": versions, "entries": new}))
        os.replace(tmp, cache)
    return out


def evaluate(engine: Engine, ruleset: RuleSet | None = None) -> int:
    """Create ``sigma_hits`` (one row per event and matching rule) and ``sigma_skipped`` (every
    rule not evaluated, with why); return the hit count."""
    rs = ruleset or compile_rules()
    skipped = list(rs.skipped)
    engine.execute(
        "CREATE OR REPLACE TABLE sigma_rules(rule_id VARCHAR, title VARCHAR, level VARCHAR, author VARCHAR, "
        "path VARCHAR, remote_access BOOLEAN, idx INTEGER)"
    )
    engine.execute(
        "CREATE OR REPLACE TABLE sigma_hits(source_file VARCHAR, line BIGINT, observed_at TIMESTAMPTZ, "
        "computer VARCHAR, rule_id VARCHAR, seen VARCHAR, actor_email VARCHAR)"
    )
    endpoint = [(i, r) for i, r in enumerate(rs.rules) if r.source == "endpoint"]
    okta = [(i, r) for i, r in enumerate(rs.rules) if r.source == "okta"]
    failed: set[int] = set()
    failed |= _evaluate_okta(engine, okta, skipped)
    if endpoint and engine.table_exists("endpoint_events"):
        failed |= _evaluate_endpoint(engine, endpoint, skipped)
    if failed:  # a rule refused in one log source's pass is refused everywhere, its hits too
        engine.execute("DELETE FROM sigma_hits WHERE list_contains(?, rule_id)", [[rs.rules[i].id for i in failed]])
    skipped = list(dict.fromkeys(skipped))
    engine.insert_rows("sigma_rules", ["rule_id", "title", "level", "author", "path", "remote_access", "idx"],
                       [[r.id, r.title, r.level, r.author, r.path, r.remote_access, i]
                        for i, r in enumerate(rs.rules) if i not in failed])
    engine.execute("CREATE OR REPLACE TABLE sigma_skipped(path VARCHAR, reason VARCHAR)")
    engine.insert_rows("sigma_skipped", ["path", "reason"], skipped)
    return int(engine.query("SELECT count(*) FROM sigma_hits")[0][0])


def _checks(rules: list[tuple[int, CompiledRule]]) -> str:
    # Rule SQL is pySigma's output over our own field names, regenerated by sqlglot (literals
    # quoted by it); the rule's number, not its id, is what the query returns.
    return ", ".join(f"CASE WHEN {r.fast} THEN {i} END" for i, r in rules)


def _run_group(engine: Engine, sql: str, params: dict[str, Any], rules: list[tuple[int, CompiledRule]],
               skipped: list[tuple[str, str]]) -> set[int]:
    """Run one group's INSERT; if DuckDB refuses it (a regex RE2 cannot compile, a type it cannot
    compare), find the rules it refuses by halves, skip them with DuckDB's reason, run the rest."""
    try:
        engine.execute(sql.format(checks=_checks(rules)), params)
        return set()
    except Exception as e:  # noqa: BLE001 - the engine's error types vary; the reason is kept
        if len(rules) == 1:
            i, r = rules[0]
            skipped.append((r.path, f"cannot evaluate in DuckDB: {(str(e).splitlines() or [''])[0][:120]}"))
            return {i}
    half = len(rules) // 2
    return (_run_group(engine, sql, params, rules[:half], skipped)
            | _run_group(engine, sql, params, rules[half:], skipped))


def _evaluate_endpoint(engine: Engine, rules: list[tuple[int, CompiledRule]],
                       skipped: list[tuple[str, str]]) -> set[int]:
    fields = sorted({f for _, r in rules for f in r.fields})
    raw = sorted({f for _, r in rules for f in r.raw_fields})
    in_json = [f for f in fields if f not in SPECIAL]
    # One parse per event: every field the rules name, extracted in a single call, lower-cased once.
    paths = ", ".join("'$.\"" + f + "\"'" for f in in_json) or "'$.\"EventID\"'"
    value = {f: f"x[{n + 1}]" for n, f in enumerate(in_json)} | SPECIAL
    cols = [f'lower({value[f]}) AS "{f}"' for f in sorted(set(fields) | {"Channel", "EventID"})]
    cols += [f'{value[f]} AS "{RAW}{f}"' for f in raw]
    shown = [f for f in ("Image", "CommandLine", "QueryName", "TargetObject", "TargetFilename", "ServiceName")
             if f in value]
    seen = f"concat_ws(' | ', {', '.join(value[f] for f in shown)})" if shown else "NULL::VARCHAR"
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE sigma_flat AS SELECT source_file, line, observed_at, computer, "  # noqa: S608
        f"{seen} AS seen, {', '.join(cols)} "
        f"FROM (SELECT *, json_extract_string(event, [{paths}]) AS x FROM endpoint_events)"
    )
    failed: set[int] = set()
    # One pass per log source present: a rule runs only over the events its Channel and EventID admit.
    for channel, event_id in engine.query('SELECT DISTINCT "Channel", "EventID" FROM sigma_flat'):
        group = [(i, r) for i, r in rules
                 if (r.channel is None or r.channel == channel) and (not r.event_ids or event_id in r.event_ids)]
        if group:
            failed |= _run_group(engine, (
                "INSERT INTO sigma_hits SELECT source_file, line, observed_at, computer, rule_id, seen, NULL "
                "FROM (SELECT source_file, line, observed_at, computer, seen, "
                "unnest(list_filter([{checks}], lambda r: r IS NOT NULL)) AS idx FROM sigma_flat "
                'WHERE "Channel" IS NOT DISTINCT FROM $channel AND "EventID" IS NOT DISTINCT FROM $event_id) '
                "JOIN (SELECT unnest($ids::VARCHAR[]) AS rule_id, unnest($idx::INTEGER[]) AS idx) USING (idx)"
            ), {"channel": channel, "event_id": event_id, "ids": [r.id for _, r in group],
                "idx": [i for i, _ in group]}, group, skipped)
    engine.execute("DROP TABLE sigma_flat")
    return failed


def _evaluate_okta(engine: Engine, rules: list[tuple[int, CompiledRule]],
                   skipped: list[tuple[str, str]]) -> set[int]:
    """Okta rules over the Okta System Log: one pass, columns named as the rules name them."""
    if not rules or not engine.table_exists("okta_events"):
        return set()
    cols = ", ".join(f'{sql} AS "{name}"' for name, sql in OKTA_FIELDS.items())
    return _run_group(engine, (
        "INSERT INTO sigma_hits SELECT source_file, line, published, NULL, rule_id, "  # noqa: S608 - our SQL
        "concat_ws(' | ', \"eventType\", \"client.ipAddress\", \"securityContext.asOrg\"), \"actor.alternateId\" "
        "FROM (SELECT *, unnest(list_filter([{checks}], lambda r: r IS NOT NULL)) AS idx "
        f"FROM (SELECT source_file, line, published, {cols.replace('{', '{{').replace('}', '}}')} FROM okta_events)) "
        "JOIN (SELECT unnest($ids::VARCHAR[]) AS rule_id, unnest($idx::INTEGER[]) AS idx) USING (idx)"
    ), {"ids": [r.id for _, r in rules], "idx": [i for i, _ in rules]}, rules, skipped)


def account(eng: Engine, rules_dir: Path | None, rules: RuleSet) -> dict[str, Any]:
    """How many rules were read, evaluated and skipped, and why each skipped one was."""
    skipped = [{"path": p, "reason": r} for p, r in eng.query("SELECT path, reason FROM sigma_skipped")]
    by_reason: dict[str, int] = {}
    for s in skipped:
        kind = s["reason"].split(":")[0]
        by_reason[kind] = by_reason.get(kind, 0) + 1
    return {
        "rules_dir": str(rules_dir) if rules_dir else "shipped",
        "files": rules.files, "converted_from_cache": rules.cached,
        "evaluated": int(eng.query("SELECT count(*) FROM sigma_rules")[0][0]),
        "skipped": len(skipped), "skipped_by_reason": dict(sorted(by_reason.items())), "skipped_rules": skipped,
    }
