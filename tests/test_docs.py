from __future__ import annotations

from pathlib import Path

from unmask.report.signal_docs import render

ROOT = Path(__file__).parent.parent


def test_signals_page_matches_the_code() -> None:
    assert (ROOT / "docs/signals.md").read_text() == render(), (
        "docs/signals.md is stale: python -m unmask.report.signal_docs > docs/signals.md")


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci/run").read_text()
    cmd = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"
    assert cmd in readme and cmd in ci


def test_every_signal_module_is_registered() -> None:
    import importlib

    from unmask.signals import SIGNALS

    # Each module of unmask/signals (but the contract and the shared shapes) is one signal, named by its id.
    modules = sorted(p.stem for p in (ROOT / "unmask/signals").glob("*.py")
                     if p.stem not in ("__init__", "base", "shapes"))
    declared = [importlib.import_module(f"unmask.signals.{m}").SIGNAL for m in modules]
    assert [s.id for s in declared] == modules
    assert sorted(s.id for s in SIGNALS) == modules
    for s in SIGNALS:  # each declares what the contract asks for
        assert s.id and s.needs and s.strength in ("weak", "medium", "strong")
        assert s.description.endswith(".") and s.reference
