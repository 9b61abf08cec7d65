from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from unmask.report import bundle_docs
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


def test_bundle_page_holds_every_part_and_column_the_readers_read() -> None:
    page = (ROOT / "docs/bundle.md").read_text()
    assert bundle_docs.section(page) == bundle_docs.render(), (
        "docs/bundle.md's reference is stale: replace its generated section with python -m unmask.report.bundle_docs")
    assert "shared/spec" not in page  # the page is the contract; nothing outside the repo


def test_cli_reference_is_generated_from_the_code(tmp_path: Path) -> None:
    # Typer's own generator, as docs/cli.md says; the page and the commands cannot drift.
    got = tmp_path / "cli.md"
    subprocess.run([sys.executable, "-m", "typer", "unmask.cli", "utils", "docs", "--name", "unmask",
                    "--output", str(got)], check=True, capture_output=True)
    assert (ROOT / "docs/cli.md").read_text() == got.read_text(), (
        "docs/cli.md is stale: typer unmask.cli utils docs --name unmask --output docs/cli.md")


def test_every_cited_indicator_section_is_in_the_repo() -> None:
    # signals.md cites indicators.md sections; the page it cites ships in docs/.
    ind = (ROOT / "docs/indicators.md").read_text()
    sections = set(re.findall(r"^### (3\.[A-N])", ind, flags=re.M))
    cited = set(re.findall(r"§(3\.[A-N])", (ROOT / "docs/signals.md").read_text()))
    assert cited and cited <= sections, cited - sections
    for key in ("DOJ24a", "G22", "GTIG"):
        assert f"| {key} |" in ind


def test_readme_sets_up_in_two_commands_then_names_the_workbench() -> None:
    """Issue 15: the line that opens the workbench follows the demo command, in prose, and the
    set-up keeps exactly two commands (the demo and the tests)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme[readme.index("## Set up"):readme.index("\n## ", readme.index("## Set up") + 1)]
    commands = [line for line in setup.splitlines() if line.startswith("    ")]
    assert len(commands) == 2 and "unmask demo --out demo-out" in commands[0] and "pytest" in commands[1]
    after_demo = setup[setup.index(commands[0]):setup.index(commands[1])]
    assert "unmask serve demo-out/scan" in after_demo
