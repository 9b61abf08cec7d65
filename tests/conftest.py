from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

import unmask.pipeline
from tests.helpers import RecordingEngine
from unmask.demo import Truth, generate
from unmask.engine import Engine, open_engine
from unmask.pipeline import ScanResult, scan

# Hypothesis' per-example deadline measures the machine, not the property: on CI's two shared
# cores a first example that imports or compiles can take 300 ms and fail a correct test.
settings.register_profile("unmask", deadline=None)
settings.load_profile("unmask")

TEST_KEY = "6b" * 32
# Every statement the demo scan's stages sent through the engine door (tests/test_dialect.py).
SCAN_SQL: list[str] = []


def _spark_missing() -> str:
    import importlib.util
    import shutil

    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install 'unmask[spark]')"
    if shutil.which("java") is None:
        return "no java on PATH (Spark needs a JRE 17: openjdk-17-jre-headless)"
    return ""


# Engines the engine-parametrised tests run on; Spark skips, saying why, where it cannot start.
ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.skipif(bool(_spark_missing()), reason=_spark_missing()))]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    eng = open_engine(None, kind=request.param)
    yield eng
    eng.close()


@pytest.fixture(autouse=True)
def _token_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests never touch the user's key file.
    monkeypatch.setenv("UNMASK_TOKEN_KEY", TEST_KEY)


@pytest.fixture(scope="session")
def demo_scan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Truth, ScanResult, Path]]:
    mp = pytest.MonkeyPatch()
    mp.setenv("UNMASK_TOKEN_KEY", TEST_KEY)
    root = tmp_path_factory.mktemp("demo")
    truth = generate(root / "bundle", seed=7, size="small")
    mp.setattr(unmask.pipeline, "open_engine", lambda *a, **k: RecordingEngine(open_engine(*a, **k), SCAN_SQL))
    result = scan(root / "bundle", root / "out", planted_note=truth.note)
    mp.setattr(unmask.pipeline, "open_engine", open_engine)
    yield truth, result, root
    mp.undo()
