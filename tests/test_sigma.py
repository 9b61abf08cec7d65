"""Shipped SigmaHQ rules: all convert, each fires on its SigmaHQ regression sample or on a
positive sample crafted from its own detection, and none fires on a benign event."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from sigma.collection import SigmaCollection
from sigma.modifiers import SigmaAllModifier
from sigma.rule import SigmaDetection, SigmaDetectionItem

from tests.helpers import DATA
from unmask.config import Config
from unmask.engine import open_engine
from unmask.sensitive import load_tokenizer
from unmask.signals.sigma import RULES_DIR, CompiledRule, RuleSet, compile_rules, evaluate
from unmask.sources import load_bundle
from unmask.sources.base import LoadContext, create_part_table, init_store
from unmask.sources.sysmon import SYSMON

RULES = compile_rules()
REGRESSION = sorted((DATA / "sigmahq-regression/regression_data").rglob("info.yml"))
COVERED = {yaml.safe_load(p.read_text())["rule_metadata"][0]["id"]: p for p in REGRESSION}


def test_every_endpoint_and_okta_rule_converts() -> None:
    assert sum(r.source == "endpoint" for r in RULES.rules) == 33
    assert sum(r.source == "okta" for r in RULES.rules) == 2
    # Every shipped rule is evaluated: none is skipped, none fails to convert.
    assert RULES.skipped == []
    assert len(RULES.rules) + len(RULES.skipped) == len(list(RULES_DIR.rglob("*.yml")))
    for r in RULES.rules:  # DRL 1.1: the author travels with every match
        assert r.author and r.id and r.title and r.level


@pytest.mark.parametrize("info", REGRESSION, ids=[p.parent.name for p in REGRESSION])
def test_rule_fires_on_its_sigmahq_regression_sample(info: Path, tmp_path: Path) -> None:
    meta = yaml.safe_load(info.read_text())
    rule_id = meta["rule_metadata"][0]["id"]
    test = meta["regression_tests_info"][0]
    evtx = DATA / "sigmahq-regression" / test["path"]
    (tmp_path / "endpoint/sysmon").mkdir(parents=True)
    (tmp_path / "endpoint/sysmon/sample.evtx").write_bytes(evtx.read_bytes())
    ctx = LoadContext(open_engine(None), tmp_path, Config(), load_tokenizer())
    load_bundle(ctx)
    evaluate(ctx.engine, RULES)
    hits = ctx.engine.query("SELECT count(*) FROM sigma_hits WHERE rule_id = ?", [rule_id])[0][0]
    # SigmaHQ counts one match; Sigma's contains-match also fits the rule's sibling files.
    assert hits >= test.get("match_count", 1)


def _value(item: SigmaDetectionItem) -> str | None:
    vals = [str(v) for v in item.value]
    if not vals:
        return None
    joined = " ".join(vals) if any(m is SigmaAllModifier for m in item.modifiers) else vals[0]
    return joined.replace("*", "x").replace("?", "x")


def _fields(det: SigmaDetection | SigmaDetectionItem, out: dict[str, str]) -> None:
    if isinstance(det, SigmaDetectionItem):
        v = _value(det)
        if det.field and v is not None:
            # Several items on one field (contains + endswith) must all hold: concatenate.
            out[det.field] = out.get(det.field, "") + v
        return
    items = det.detection_items
    if det.item_linking is not None and det.item_linking.__name__ == "ConditionOR":
        items = items[:1]
    for item in items:
        _fields(item, out)


def _crafted_events(rule: CompiledRule) -> list[dict[str, Any]]:
    sigma_rule = SigmaCollection.load_ruleset([RULES_DIR / rule.path]).rules[0]
    base: dict[str, Any] = {}
    m = re.search(r"LOWER\(EventID\) = '(\d+)'", rule.where)
    if m:
        base["EventID"] = int(m.group(1))
    m = re.search(r"LOWER\(Channel\) = '([^']+)'", rule.where)
    base["Channel"] = m.group(1) if m else "Microsoft-Windows-Sysmon/Operational"
    selections = {k: v for k, v in sigma_rule.detection.detections.items() if not k.startswith("filter")}
    merged: dict[str, str] = {}
    singles = []
    for det in selections.values():
        one: dict[str, str] = {}
        _fields(det, one)
        merged.update(one)
        singles.append(one)
    events = [dict(base, **merged)] + [dict(base, **s) for s in singles]
    for e in events:
        if "Provider_Name" in e:
            e["Provider"] = e.pop("Provider_Name")
        e.setdefault("EventID", 1)
        e.setdefault("Computer", "lt-test")
        e.setdefault("UtcTime", "2026-09-01 10:00:00.000")
    return events


def _run(events: list[dict[str, Any]], rule: CompiledRule) -> bool:
    eng = open_engine(None)
    init_store(eng)
    create_part_table(eng, SYSMON)
    for i, e in enumerate(events):
        eng.execute(
            "INSERT INTO endpoint_events (source_file, line, event_id, channel, provider, computer, event) "
            "VALUES ('t', ?, ?, ?, ?, ?, ?)",
            [i + 1, e.get("EventID"), e.get("Channel"), e.get("Provider"), e["Computer"], json.dumps(e)],
        )
    evaluate(eng, RuleSet(rules=[rule]))
    return bool(eng.query("SELECT count(*) FROM sigma_hits")[0][0])


UNCOVERED = [r for r in RULES.rules if r.id not in COVERED and r.source == "endpoint"]
WITH_SAMPLE = [r for r in RULES.rules if r.id in COVERED and r.source == "endpoint"]


def _benign(rule: CompiledRule) -> dict[str, Any]:
    """The rule's own log source (EventID, Channel) with every field it reads set to notepad."""
    base = _crafted_events(rule)[0]
    benign = {k: v for k, v in base.items() if k in ("EventID", "Channel", "Computer", "UtcTime")}
    for f in rule.fields:
        if f not in ("EventID", "Channel", "Provider_Name"):
            benign[f] = "C:\\Windows\\System32\\notepad.exe"
    benign["Provider"] = "Microsoft-Windows-Sysmon"
    return benign


@pytest.mark.parametrize("rule", WITH_SAMPLE, ids=[r.path.rsplit("/", 1)[-1][:60] for r in WITH_SAMPLE])
def test_rule_with_a_regression_sample_does_not_fire_on_a_benign_event(rule: CompiledRule) -> None:
    assert not _run([_benign(rule)], rule), f"{rule.title} fires on a benign event"


@pytest.mark.parametrize("rule", UNCOVERED, ids=[r.path.rsplit("/", 1)[-1][:60] for r in UNCOVERED])
def test_rule_fires_on_a_crafted_positive_and_not_on_a_benign_event(rule: CompiledRule) -> None:
    events = _crafted_events(rule)
    assert any(_run([e], rule) for e in events), f"no crafted event matches {rule.title}"
    assert not _run([_benign(rule)], rule), f"{rule.title} fires on a benign event"


def _okta_hits(tmp_path: Path, events: list[dict[str, Any]]) -> list[str]:
    (tmp_path / "idp/okta").mkdir(parents=True)
    (tmp_path / "idp/okta/log.jsonl").write_text("\n".join(json.dumps(e) for e in events) + "\n")
    ctx = LoadContext(open_engine(None), tmp_path, Config(), load_tokenizer())
    load_bundle(ctx)
    evaluate(ctx.engine, RULES)
    return [r[0] for r in ctx.engine.query(
        "SELECT r.title FROM sigma_hits h JOIN sigma_rules r USING (rule_id) ORDER BY h.line")]


def _okta(event_type: str, proxy: bool, uri: str = "/login") -> dict[str, Any]:
    return {"uuid": f"{event_type}{proxy}{uri}", "published": "2026-09-01T10:00:00.000Z", "eventType": event_type,
            "actor": {"alternateId": "ann@corp.example"}, "outcome": {"result": "SUCCESS"},
            "client": {"ipAddress": "45.137.9.7"}, "securityContext": {"isProxy": proxy},
            "debugContext": {"debugData": {"requestUri": uri}}}


def test_okta_rules_fire_on_crafted_positives_and_not_on_benign_events(tmp_path: Path) -> None:
    hits = _okta_hits(tmp_path, [
        _okta("user.session.start", True),  # positive: anonymising proxy session
        _okta("user.session.start", False),  # benign: no proxy
        _okta("policy.evaluate_sign_on", True, "/admin/users"),  # positive: admin through proxy
        _okta("policy.evaluate_sign_on", False, "/admin/users"),  # benign: admin without proxy
    ])
    assert hits == ["Okta User Session Start Via An Anonymising Proxy Service",
                    "Okta Admin Functions Access Through Proxy"]


def test_okta_proxy_rule_agrees_with_panther_fixtures(tmp_path: Path) -> None:
    """panther's Okta.Anonymizing.VPN.Login test events: the Sigma rule fires where panther's does."""
    rows = [json.loads(x) for x in (DATA / "panther/okta_system_log_test_events.jsonl").read_text().splitlines()]
    rows = [r for r in rows if r["rule_id"] == "Okta.Anonymizing.VPN.Login"]
    events = []
    for i, r in enumerate(rows):
        e = dict(r["log"])
        e["uuid"], e["published"] = f"p{i}", "2026-09-01T10:00:00.000Z"
        events.append(e)
    hits = _okta_hits(tmp_path, events)
    fired = hits.count("Okta User Session Start Via An Anonymising Proxy Service")
    assert fired == sum(r["expected_result"] for r in rows) == 2
