"""``[sigma] rules_dir`` (issue 17): a user's own Sigma rules folder is evaluated instead of the
rules shipped with Unmask; a path that holds no rules is a configuration problem, not a silent
scan without rules."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import jsonschema
import pytest

from tests.helpers import bundle, dep, emp
from unmask.config import ConfigError, load_config
from unmask.pipeline import scan
from unmask.signals import SIGNAL_IDS
from unmask.signals.sigma import RULES_DIR, compile_rules
from unmask.sources import CSV_COLUMNS

OKTA = RULES_DIR / "rules" / "identity" / "okta"
SCHEMAS = Path(__file__).resolve().parent.parent / "unmask" / "schemas"


def _config(root: Path, text: str):  # type: ignore[no-untyped-def]
    (root / "unmask.toml").write_text(text)
    return load_config(root, CSV_COLUMNS, SIGNAL_IDS)


def test_a_rules_folder_relative_to_the_bundle_is_taken(tmp_path: Path) -> None:
    shutil.copytree(OKTA, tmp_path / "my-rules" / "okta")
    cfg = _config(tmp_path, '[sigma]\nrules_dir = "my-rules"\n')
    assert cfg.sigma_rules_dir == (tmp_path / "my-rules").resolve()
    assert load_config(tmp_path / "my-rules", CSV_COLUMNS, SIGNAL_IDS).sigma_rules_dir is None  # default


@pytest.mark.parametrize(("value", "why"), [
    ('"nowhere"', "no folder at"),
    ('"empty"', r"no Sigma rule \(\*.yml\)"),
    ("3", "must be a folder path"),
    ('""', "must be a folder path"),
])
def test_a_folder_without_rules_is_a_configuration_problem(tmp_path: Path, value: str, why: str) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "README.md").write_text("not a rule")
    with pytest.raises(ConfigError) as e:
        _config(tmp_path, f"[sigma]\nrules_dir = {value}\n")
    assert [p.key for p in e.value.problems] == ["sigma.rules_dir"]
    assert re.search(why, e.value.problems[0].reason)


def test_unknown_keys_of_the_section_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        _config(tmp_path, '[sigma]\nrules = "x"\n')
    assert [p.key for p in e.value.problems] == ["sigma.rules"]


def test_a_scan_evaluates_the_users_rules_instead_of_the_shipped_ones(tmp_path: Path) -> None:
    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee")], deposits=[dep("E1", "555", "Ann Lee")])
    shutil.copytree(OKTA, root / "rules")
    (root / "unmask.toml").write_text('[sigma]\nrules_dir = "rules"\n')
    ours = scan(root, tmp_path / "out")
    shipped = scan(bundle(tmp_path / "b2", [emp("E1", "Ann Lee")], deposits=[dep("E1", "555", "Ann Lee")]),
                   tmp_path / "out2")

    def paths(out: Path) -> set[str]:
        with duckdb.connect(str(out / "unmask.duckdb"), read_only=True) as con:
            return {r[0] for r in con.execute("SELECT path FROM sigma_rules").fetchall()}

    own, default = paths(ours.out), paths(shipped.out)
    assert own == {p.name for p in OKTA.glob("*.yml")}  # paths relative to the user's folder
    # The shipped set is larger (endpoint rules too) and none of it ran in the user's scan.
    assert {f"rules/identity/okta/{p}" for p in own} < default


# A SigmaHQ-like folder in small: rules Unmask evaluates beside rules it cannot, each of which
# must be counted with its reason, never crash the scan, never vanish.
def _rule(rid: str, title: str, detection: str, product: str = "windows", category: str = "process_creation") -> str:
    return (f"title: {title}\nid: {rid}\nstatus: test\nauthor: t\nlevel: high\n"
            f"logsource:\n  product: {product}\n  category: {category}\n{detection}")


GOOD = "detection:\n  sel:\n    Image|endswith: '\\evil.exe'\n  condition: sel\n"
# Sigma allows any regex; RE2 (DuckDB) has no look-behind: it converts but cannot be evaluated.
LOOKBEHIND = "detection:\n  sel:\n    CommandLine|re: '(?<=-enc )[A-Za-z0-9+/=]{10,}'\n  condition: sel\n"


def _folder(root: Path) -> Path:
    d = root / "rules" / "windows"
    d.mkdir(parents=True)
    (d / "good.yml").write_text(_rule("11111111-1111-4111-8111-111111111111", "Evil tool", GOOD))
    (d / "registry.yml").write_text(_rule(
        "22222222-2222-4222-8222-222222222222", "Run key to temp",
        "detection:\n  sel:\n    TargetObject|contains: '\\CurrentVersion\\Run'\n    Details|contains: '\\Temp\\'\n"
        "  condition: sel\n", category="registry_set"))
    (d / "lookbehind.yml").write_text(_rule("33333333-3333-4333-8333-333333333333", "Encoded", LOOKBEHIND))
    (d / "broken.yml").write_text("title: [unclosed\n")
    (d / "good_copy.yml").write_text(_rule("11111111-1111-4111-8111-111111111111", "Same id again", GOOD))
    (d / "mac.yml").write_text(_rule("44444444-4444-4444-8444-444444444444", "Mac", GOOD, product="macos"))
    return root / "rules"


def _sysmon(root: Path) -> None:
    p = root / "endpoint" / "sysmon" / "lt-e1.jsonl"
    p.parent.mkdir(parents=True)
    events = [
        {"EventID": 1, "Computer": "lt-e1", "UtcTime": "2026-09-01 10:00:00.000",
         "Image": "C:\\Users\\a\\EVIL.EXE", "CommandLine": "evil.exe -enc QUJDREVGR0hJSktMTU5P"},
        {"EventID": 1, "Computer": "lt-e1", "UtcTime": "2026-09-01 10:01:00.000",
         "Image": "C:\\Windows\\notepad.exe", "CommandLine": "notepad.exe"},
        {"EventID": 13, "Computer": "lt-e1", "UtcTime": "2026-09-01 10:02:00.000", "EventType": "SetValue",
         "TargetObject": "HKU\\S-1\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\x",
         "Details": "C:\\Users\\a\\AppData\\Local\\Temp\\x.exe"},
        {"EventID": 13, "Computer": "lt-e1", "UtcTime": "2026-09-01 10:03:00.000",  # the wrong EventID for rule 1
         "Image": "C:\\evil.exe", "TargetObject": "HKLM\\Software\\x", "Details": "1"},
    ]
    p.write_text("".join(json.dumps(e) + "\n" for e in events))


def test_rules_that_cannot_run_are_counted_with_their_reason(tmp_path: Path) -> None:
    rules = compile_rules(_folder(tmp_path))
    assert sorted(r.title for r in rules.rules) == ["Encoded", "Evil tool", "Run key to temp"]
    why = dict(rules.skipped)
    assert why["windows/broken.yml"].startswith("cannot parse")
    assert why["windows/good_copy.yml"].startswith("duplicate rule id 11111111")
    assert why["windows/mac.yml"].startswith("macOS process events")
    assert rules.files == 6


def test_a_scan_with_a_sigmahq_like_folder_reports_every_rule(tmp_path: Path) -> None:
    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee")], deposits=[dep("E1", "555", "Ann Lee")])
    _folder(root)
    _sysmon(root)
    (root / "unmask.toml").write_text('[sigma]\nrules_dir = "rules"\n')
    res = scan(root, tmp_path / "out")
    man = json.loads((res.out / "manifest.json").read_text())
    jsonschema.validate(man, json.loads((SCHEMAS / "manifest.schema.json").read_text()))
    sg = man["sigma"]
    assert (sg["files"], sg["evaluated"], sg["skipped"]) == (6, 2, 4)
    assert sg["evaluated"] + sg["skipped"] == 6  # every rule read is accounted for
    reasons = {s["path"]: s["reason"] for s in sg["skipped_rules"]}
    assert reasons["windows/lookbehind.yml"].startswith("cannot evaluate in DuckDB")
    assert sg["skipped_by_reason"]["cannot evaluate in DuckDB"] == 1
    with duckdb.connect(str(res.out / "unmask.duckdb"), read_only=True) as con:
        hits = con.execute("SELECT r.title, h.line FROM sigma_hits h JOIN sigma_rules r USING (rule_id) "
                           "ORDER BY 2").fetchall()
    # Case-insensitive suffix on the process event only (line 4 is EventID 13), the registry rule on line 3.
    assert hits == [("Evil tool", 1), ("Run key to temp", 3)]
    # The conversions are remembered beside the scans; a rescan reads them instead of converting.
    assert (tmp_path / "out" / "sigma-cache.json").is_file()
    again = scan(root, tmp_path / "out").manifest["sigma"]
    assert again["converted_from_cache"] == 6
    assert {k: again[k] for k in ("evaluated", "skipped")} == {"evaluated": 2, "skipped": 4}
