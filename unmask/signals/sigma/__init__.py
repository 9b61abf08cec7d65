"""Sigma rules over endpoint telemetry, converted with pySigma and evaluated in DuckDB.

pySigma's SQLite backend (with the Sysmon and Windows log-source pipelines) turns each rule
into a WHERE clause; sqlglot rewrites it for DuckDB and for Sigma's semantics (string matches
are case-insensitive: LIKE becomes ILIKE, equality compares lower-cased text). All rules are
then evaluated in **one pass** over a flattened copy of the events: each row gets the list of
rules it matches. The measured choice of backend is in docs/benchmarks.md: the PyPI
``pysigma-backend-duckdb`` 0.1.4 package installs no importable backend, so the SQLite
backend's output, transpiled, is what runs.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

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


@dataclass(frozen=True)
class CompiledRule:
    id: str
    title: str
    level: str
    author: str
    path: str
    where: str  # DuckDB SQL over the flattened event columns
    fields: tuple[str, ...]
    remote_access: bool  # an RMM-tool rule: the [allow] lists apply
    source: str = "endpoint"  # "endpoint" (Sysmon events) or "okta" (the Okta System Log)


@dataclass
class RuleSet:
    rules: list[CompiledRule] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)


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


def _is_remote_access(path: Path, title: str) -> bool:
    text = (path.name + " " + title).lower()
    return "remote_access" in text or any(v.lower() in text for v in CATALOGUE)


_SKIP_WHY = {
    "azure": "Entra ID Protection risk detections and Azure activity logs are not bundle parts "
             "(the sign-in signals cover anonymous IPs, new countries and travel)",
    "macos": "macOS process events are not a bundle part (osquery processes carry no parent image)",
}


@lru_cache(maxsize=4)
def compile_rules(rules_dir: Path = RULES_DIR) -> RuleSet:
    from sigma.backends.sqlite import sqliteBackend  # type: ignore[attr-defined]
    from sigma.collection import SigmaCollection
    from sigma.pipelines.sysmon import sysmon_pipeline  # type: ignore[attr-defined]
    from sigma.pipelines.windows import windows_logsource_pipeline  # type: ignore[attr-defined]
    from sigma.rule import SigmaRule

    out = RuleSet()
    files = sorted(rules_dir.rglob("*.yml"))
    backend = sqliteBackend(sysmon_pipeline() + windows_logsource_pipeline())  # type: ignore[no-untyped-call]
    plain = sqliteBackend()  # type: ignore[no-untyped-call]  # Okta rules name the log's own fields
    for path in files:
        rel = path.relative_to(rules_dir).as_posix()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                (rule,) = SigmaCollection.load_ruleset([path]).rules
            except Exception as e:  # noqa: BLE001 - a bad rule file is reported, not fatal
                out.skipped.append((rel, f"cannot parse: {str(e).splitlines()[0][:120]}"))
                continue
        if not isinstance(rule, SigmaRule):  # correlation rules need state across events
            out.skipped.append((rel, "correlation rule: not evaluated"))
            continue
        product = (rule.logsource.product or "").lower()
        if product not in ("windows", "linux", "okta"):
            why = _SKIP_WHY.get(product, f"{product or 'unknown'} log source: not read by Unmask")
            if (rule.logsource.service or "").lower() == "signinlogs":
                why = ("a placeholder rule over Entra sign-ins: its countries are the organisation's own, which "
                       "signin_foreign_country applies from org.work_countries")
            out.skipped.append((rel, why))
            continue
        try:
            (query,) = (plain if product == "okta" else backend).convert_rule(rule)  # type: ignore[no-untyped-call]
            where, fields = _to_duckdb(str(query))
        except Exception as e:  # noqa: BLE001
            out.skipped.append((rel, f"cannot convert: {e.__class__.__name__}"))
            continue
        if product == "okta" and set(fields) - set(OKTA_FIELDS):
            out.skipped.append((rel, "names Okta fields Unmask does not read: "
                                     + ", ".join(sorted(set(fields) - set(OKTA_FIELDS)))))
            continue
        level = rule.level.name.lower() if rule.level else "medium"
        out.rules.append(CompiledRule(
            id=str(rule.id), title=rule.title, level=level, author=rule.author or "unknown", path=rel,
            where=where, fields=fields, remote_access=_is_remote_access(path, rule.title),
            source="okta" if product == "okta" else "endpoint",
        ))
    return out


def evaluate(engine: Engine, ruleset: RuleSet | None = None) -> int:
    """Create ``sigma_hits`` (one row per event and matching rule); return the row count."""
    rs = ruleset or compile_rules()
    engine.execute(
        "CREATE OR REPLACE TABLE sigma_rules(rule_id VARCHAR, title VARCHAR, level VARCHAR, author VARCHAR, "
        "path VARCHAR, remote_access BOOLEAN)"
    )
    for r in rs.rules:
        engine.execute("INSERT INTO sigma_rules VALUES (?, ?, ?, ?, ?, ?)",
                       [r.id, r.title, r.level, r.author, r.path, r.remote_access])
    special = {"EventID", "Channel", "Provider_Name"}
    endpoint_rules = [r for r in rs.rules if r.source == "endpoint"]
    fields = sorted({f for r in endpoint_rules for f in r.fields} - special)
    engine.execute(
        "CREATE OR REPLACE TABLE sigma_hits(source_file VARCHAR, line BIGINT, observed_at TIMESTAMPTZ, "
        "computer VARCHAR, rule_id VARCHAR, seen VARCHAR, actor_email VARCHAR)"
    )
    _evaluate_okta(engine, [r for r in rs.rules if r.source == "okta"])
    if not endpoint_rules:
        return int(engine.query("SELECT count(*) FROM sigma_hits")[0][0])
    # One parse per event: every field the rules name, extracted in a single call.
    paths = ", ".join("'$.\"" + f.replace('"', "").replace("'", "") + "\"'" for f in fields)
    cols = ", ".join(f'x[{i + 1}] AS "{f}"' for i, f in enumerate(fields))
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE sigma_flat AS SELECT source_file, line, observed_at, computer, "  # noqa: S608
        f"event_id::VARCHAR AS \"EventID\", coalesce(channel, '{SYSMON_CHANNEL}') AS \"Channel\", "
        f"provider AS \"Provider_Name\", {cols} "
        f"FROM (SELECT *, json_extract_string(event, [{paths}]) AS x FROM endpoint_events)"
    )
    shown = [f'"{f}"' for f in ("Image", "CommandLine", "QueryName", "TargetObject", "TargetFilename", "ServiceName")
             if f in fields]
    seen = f"concat_ws(' | ', {', '.join(shown)})" if shown else "NULL::VARCHAR"
    # Rule SQL is pySigma's output over our own field names, rewritten by sqlglot: not bundle text.
    checks = ", ".join(f"CASE WHEN {r.where} THEN '{r.id}' END" for r in endpoint_rules)
    engine.execute(
        "INSERT INTO sigma_hits SELECT source_file, line, observed_at, computer, rule_id, "  # noqa: S608
        f"{seen} AS seen, NULL FROM (SELECT *, unnest(list_filter([{checks}], lambda r: r IS NOT NULL)) AS rule_id "
        "FROM sigma_flat)"
    )
    engine.execute("DROP TABLE sigma_flat")
    return int(engine.query("SELECT count(*) FROM sigma_hits")[0][0])


def _evaluate_okta(engine: Engine, rules: list[CompiledRule]) -> None:
    """Okta rules over the Okta System Log: one pass, columns named as the rules name them."""
    if not rules or not engine.table_exists("okta_events"):
        return
    cols = ", ".join(f'{sql} AS "{name}"' for name, sql in OKTA_FIELDS.items())
    checks = ", ".join(f"CASE WHEN {r.where} THEN '{r.id}' END" for r in rules)
    engine.execute(
        "INSERT INTO sigma_hits SELECT source_file, line, published, NULL, rule_id, "  # noqa: S608 - our SQL
        "concat_ws(' | ', \"eventType\", \"client.ipAddress\", \"securityContext.asOrg\"), \"actor.alternateId\" "
        f"FROM (SELECT *, unnest(list_filter([{checks}], lambda r: r IS NOT NULL)) AS rule_id "
        f"FROM (SELECT source_file, line, published, {cols} FROM okta_events))"
    )
