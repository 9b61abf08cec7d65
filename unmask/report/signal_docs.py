"""Generate docs/signals.md from the signal registry: ``python -m unmask.report.signal_docs``."""

from __future__ import annotations

from unmask.signals import SIGNALS


def render() -> str:
    lines = [
        "# Signals",
        "",
        "Generated from the code by `python -m unmask.report.signal_docs > docs/signals.md`;",
        "a test fails when this page and the code disagree.",
        "",
        "| id | strength | log-odds | family | needs | what it says | reference |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in SIGNALS:
        needs = ", ".join(s.needs) + (f" (uses {', '.join(s.uses)})" if s.uses else "")
        lines.append(
            f"| `{s.id}` | {s.strength} | {s.weight:g} | {s.family} | {needs} | {s.description} | {s.reference} |"
        )
    lines += [
        "",
        "A signal may lower the strength of one evidence row (never raise it): a shared address or",
        "account inside a household is weak, a holder with the worker's surname is weak. The",
        "strength in the table is the signal's usual strength.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
