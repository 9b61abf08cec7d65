"""The demo bundle generator (``unmask demo``), also used by the tests.

``generator`` builds the workforce and what is planted in it; ``writers`` writes it as a
bundle. Only this module uses both, so neither imports the other's caller.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from unmask.demo import writers
from unmask.demo.generator import Demo, Truth

__all__ = ["Truth", "build", "generate", "truth_path"]


def generate(bundle: Path, seed: int = 7, size: str = "small") -> Truth:
    """Write the demo bundle into ``bundle`` (replacing files it wrote before)."""
    return build(bundle, seed, size)[1]


def build(
    bundle: Path, seed: int = 7, size: str = "small", workers: int | None = None, candidates: int | None = None
) -> tuple[Demo, Truth]:
    """:func:`generate`, with the workforce kept (the scale benchmark signs its workers in) and
    the head counts chosen freely."""
    demo = Demo(seed, size, workers, candidates)
    demo.build()
    bundle.mkdir(parents=True, exist_ok=True)
    writers.write_all(demo, bundle)
    note = (
        f"Seed {seed}, {len(demo.workers)} workers. Planted: "
        + "; ".join(f"{k.replace('_', ' ')} ({', '.join(v)})" for k, v in demo.planted.items())
        + ". Look-alikes that should stay below high: "
        + "; ".join(f"{k.replace('_', ' ')} ({', '.join(v)})" for k, v in demo.benign.items())
        + "."
    )
    truth = Truth(demo.planted, demo.benign, note)
    truth_path(bundle).write_bytes(orjson.dumps(
        {"seed": seed, "size": size, "planted": demo.planted, "benign": demo.benign, "note": note},
        option=orjson.OPT_INDENT_2))
    return demo, truth


def truth_path(bundle: Path) -> Path:
    """The planted truth sits beside the bundle, not in it: it is not an export."""
    return bundle.with_name(bundle.name + "-truth.json")
