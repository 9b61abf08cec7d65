"""Generate docs/signals.md from the signal registry: ``python -m unmask.report.signal_docs``."""

from __future__ import annotations

import math

from unmask.signals import SIGNALS


def render() -> str:
    lines = [
        "# Signals",
        "",
        "Generated from the code by `python -m unmask.report.signal_docs > docs/signals.md`;",
        "a test fails when this page and the code disagree.",
        "",
        f"{len(SIGNALS)} signals. The references name sections of [indicators.md](indicators.md) and its",
        "sources (§1).",
        "",
        "| id | strength | log-odds (LR) | decisive | family | needs | what it says | reference |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in SIGNALS:
        needs = ", ".join(s.needs) + (f" (uses {', '.join(s.uses)})" if s.uses else "")
        dec = f"{s.decisive_log_odds:g} (LR {_lr(s.decisive_log_odds)})" if s.decisive_log_odds else "no"
        lines.append(
            f"| `{s.id}` | {s.strength} | {s.weight:g} (LR {_lr(s.weight)}) | {dec} | {s.family} | {needs} "
            f"| {s.description} | {s.reference} |"
        )
    lines += [
        "",
        "A signal may lower the strength of one evidence row (never raise it): a shared address or",
        "account inside a household is weak, a holder with the worker's surname is weak. The",
        "strength in the table is the signal's usual strength; a lowered row keeps the signal's",
        "proportion to that strength's default (docs/scoring.md).",
        "",
        "## Why each number",
        "",
        "The log-odds is the natural log of the likelihood ratio (LR): how much likelier one row is",
        "for an impostor than for an honest worker. No labelled real-world data exists to fit them,",
        "so each follows the strength grade that [indicators.md](indicators.md) gives the",
        "indicator from the reports it cites (S = 2.0, M = 1.0, W = 0.4; where a source gives a",
        "range, the lower end unless the signal already splits the range by row), and a decisive",
        "indicator has its own, larger number with the reason it is near-conclusive. The letters",
        "name the indicators.md sections; the source keys (DOJ24a, MNDp, G22, ...) are its §1.",
        "",
    ]
    for s in SIGNALS:
        lines.append(f"- **`{s.id}`** (log-odds {s.weight:g}"
                     + (f", decisive {s.decisive_log_odds:g}" if s.decisive_log_odds else "") + f"): {s.basis}")
    lines += [
        "",
        "## Rows the scan adds after the signals",
        "",
        "These are not signals of their own. They carry what a subject's ties say (docs/scoring.md):",
        "",
        "- **`persona_network`** (family cluster; medium, or strong for a firmly tied member of a network",
        "  of four or more): one row per member of a persona network",
        "  with two independent kinds of tie, one of them the personas' own (`unmask/link/verdicts.py`).",
        "- **`cluster_propagation`** (family cluster, weak): a share of the weight of the cluster's",
        "  strongest other member (`unmask/score/__init__.py`).",
        "- **`referral_propagation`** (family cluster, weak): the same along a referral edge.",
        "",
    ]
    return "\n".join(lines)


def _lr(log_odds: float) -> str:
    """The likelihood ratio, rounded as a reader would say it."""
    lr = math.exp(log_odds)
    return f"{lr:.1f}" if lr < 10 else f"{round(lr):d}"


if __name__ == "__main__":
    print(render(), end="")
