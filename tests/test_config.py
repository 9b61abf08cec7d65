from __future__ import annotations

from pathlib import Path

import pytest

from unmask.config import ConfigError, load_config
from unmask.signals import SIGNAL_IDS
from unmask.sources import CSV_COLUMNS


def _load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    (tmp_path / "unmask.toml").write_text(text)
    return load_config(tmp_path, CSV_COLUMNS, SIGNAL_IDS)


def test_defaults_without_a_file(tmp_path: Path) -> None:
    cfg = load_config(tmp_path, CSV_COLUMNS, SIGNAL_IDS)
    assert cfg.work_countries == ["US"] and cfg.offices == [] and cfg.source.startswith("defaults")


def test_every_problem_is_reported_together(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        _load(tmp_path, """
[org]
work_countries = ["Atlantis"]
home_timezone = "Mars/Olympus"
colour = "red"
[network]
corporate_cidrs = ["10.0.0.0/33"]
corporate_asns = ["x"]
[columns.employees]
full_name = "Legal Name"
shoe_size = "Size"
[columns.payslips]
x = "y"
[scoring.weights]
no_such_signal = 2
[[relations]]
a = "E1"
b = "E2"
kind = "cousin"
[surprise]
""")
    keys = {p.key for p in e.value.problems}
    assert keys == {
        "org.work_countries", "org.home_timezone", "org.colour", "network.corporate_cidrs[0]",
        "network.corporate_asns", "columns.employees.shoe_size", "columns.payslips",
        "scoring.weights.no_such_signal", "relations[0].kind", "surprise",
    }
    assert any("unknown key" in p.reason and "name" in p.reason for p in e.value.problems if p.key == "org.colour")


def test_valid_file_is_applied(tmp_path: Path) -> None:
    cfg = _load(tmp_path, """
[org]
name = "Example"
work_countries = ["us", "CA"]
offices = ["100 Main St, Springfield, IL 62701, US"]
[columns.employees]
full_name = "Legal Name"
[scoring.weights]
ship_to_shared = 0.5
[[relations]]
a = "E1"
b = "E2"
""")
    assert cfg.work_countries == ["US", "CA"]
    assert cfg.columns == {"employees": {"full_name": "Legal Name"}}
    assert cfg.weights == {"ship_to_shared": 0.5}
    assert cfg.relations[0].kind == "relative"


def test_broken_toml_is_one_problem(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        _load(tmp_path, "[org\nname=")
    assert len(e.value.problems) == 1 and "not valid TOML" in e.value.problems[0].reason
