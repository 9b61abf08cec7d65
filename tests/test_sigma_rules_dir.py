"""``[sigma] rules_dir`` (issue 17): a user's own Sigma rules folder is evaluated instead of the
rules shipped with Unmask; a path that holds no rules is a configuration problem, not a silent
scan without rules."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.helpers import bundle, dep, emp
from unmask.config import ConfigError, load_config
from unmask.pipeline import scan
from unmask.signals import SIGNAL_IDS
from unmask.signals.sigma import RULES_DIR
from unmask.sources import CSV_COLUMNS

OKTA = RULES_DIR / "rules" / "identity" / "okta"


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
