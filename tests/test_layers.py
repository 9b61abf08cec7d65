"""The package's layering, read from the source: no import cycle, no stage importing a later
stage, and DuckDB only behind the engine door.

Every ``import`` counts, at module level or inside a function (a lazy import is still a
dependency). A module's stage is the longest prefix of its name in :data:`STAGES`; a module
may import its own stage and earlier ones, never a later one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "unmask"

# The scan's route, first to last. Modules of one level may import each other (without a cycle).
STAGES: tuple[tuple[str, ...], ...] = (
    ("unmask.values",),  # pure value functions: the leaf
    ("unmask", "unmask.model", "unmask.config", "unmask.sensitive"),  # the root is __version__
    ("unmask.engine",),
    ("unmask.sources",),
    ("unmask.normalise",),
    ("unmask.resolve",),
    ("unmask.screen",),
    ("unmask.signals",),
    ("unmask.link",),
    ("unmask.score",),
    ("unmask.results", "unmask.cases"),  # the read API over a finished scan, and the cases store
    ("unmask.report",),
    ("unmask.pipeline", "unmask.check"),
    ("unmask.demo",),  # the demo generator may use everything below the command line
    ("unmask.cli", "unmask.serve"),
)

# Where ``duckdb`` may be imported. Splink's DuckDB API is reached through the engine
# (``Engine.splink_api``), so no other place needs it.
DUCKDB_ALLOWED = ("unmask.engine.duckdb",)


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str, module: str, is_package: bool) -> set[str]:
    """Absolute names of every module ``source`` imports (``from a import b`` gives ``a`` and,
    when ``b`` is a submodule, ``a.b``; the caller keeps the names that exist)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            out.add(target)
            out.update(f"{target}.{a.name}" for a in node.names)
    return out


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the modules of the package it imports, plus ``duckdb`` when it imports it."""
    sources = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in sources.items():
        found = imports_of(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")
        keep = {t for t in found if t in sources and t != name}
        keep |= {"duckdb"} & {t.split(".")[0] for t in found}
        graph[name] = keep
    return graph


def stage_of(module: str, stages: tuple[tuple[str, ...], ...] = STAGES) -> int:
    best, level = -1, -1
    for i, prefixes in enumerate(stages):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best:
                best, level = len(p), i
    if level < 0:
        raise AssertionError(f"{module} is in no stage: add it to STAGES")
    return level


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def back_arrows(graph: Mapping[str, Iterable[str]], stages: tuple[tuple[str, ...], ...] = STAGES) -> list[str]:
    return sorted(
        f"{a} -> {b}" for a, targets in graph.items() for b in targets
        if b != "duckdb" and stage_of(b, stages) > stage_of(a, stages)
    )


def duckdb_outside(graph: Mapping[str, Iterable[str]], allowed: tuple[str, ...] = DUCKDB_ALLOWED) -> list[str]:
    return sorted(m for m, t in graph.items() if "duckdb" in t
                  and not any(m == a or m.startswith(a + ".") for a in allowed))


def test_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_no_stage_imports_a_later_stage() -> None:
    assert back_arrows(import_graph()) == []


def test_duckdb_only_behind_the_engine_door() -> None:
    graph = import_graph()
    assert duckdb_outside(graph) == []
    assert any("duckdb" in t for t in graph.values()), "the engine imports duckdb: the check must see it"


def test_values_is_a_leaf() -> None:
    graph = import_graph()
    values = {m: t for m, t in graph.items() if m.startswith("unmask.values")}
    assert values and all(t <= set(values) for t in values.values()), values


# -- the checker itself, on a synthetic package: it must fail when the rules are broken ----------


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / "pkg" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root / "pkg"


def test_checker_finds_a_cycle_a_back_arrow_and_duckdb(tmp_path: Path) -> None:
    pkg = _write(tmp_path, {
        "__init__.py": "",
        "low/__init__.py": "",
        "low/a.py": "from pkg.low import b\n",
        "low/b.py": "def f():\n    from . import a\n",  # lazy and relative: still an import
        "high/__init__.py": "",
        "high/c.py": "import duckdb\nfrom pkg.low.a import x\n",
        "low/d.py": "from pkg.high import c\n",  # earlier stage importing a later one
    })
    stages = (("pkg",), ("pkg.low",), ("pkg.high",))
    graph = import_graph(pkg)
    assert cycles(graph) == [["pkg.low.a", "pkg.low.b"]]
    assert back_arrows(graph, stages) == ["pkg.low.d -> pkg.high", "pkg.low.d -> pkg.high.c"]
    assert duckdb_outside(graph, ("pkg.engine",)) == ["pkg.high.c"]
    assert duckdb_outside(graph, ("pkg.high",)) == []


def test_checker_passes_a_clean_package(tmp_path: Path) -> None:
    pkg = _write(tmp_path, {
        "__init__.py": "",
        "low/__init__.py": "X = 1\n",
        "low/a.py": "from pkg.low import X\n",
        "high/__init__.py": "from pkg.low.a import X\nimport os\n",
    })
    graph = import_graph(pkg)
    stages = (("pkg",), ("pkg.low",), ("pkg.high",))
    assert cycles(graph) == [] and back_arrows(graph, stages) == [] and duckdb_outside(graph) == []
    # The package root imports nothing here, but a module outside every stage is an error.
    with pytest.raises(AssertionError, match="in no stage"):
        stage_of("other.x", stages)
