"""Registry of signals and the runner that writes their evidence into the store."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import get_args

from unmask.config import Config
from unmask.engine import Engine
from unmask.model import EVIDENCE_COLUMNS, OPTIONAL_COLUMNS, Family, evidence_id_sql
from unmask.signals.base import Signal

# Modules of this package that are not signals (the contract, the shared shapes); sub-packages (the Sigma rule
# compiler) are not either.
_NOT_SIGNALS = {"base", "shapes"}
_FAMILY_ORDER = {f: i for i, f in enumerate(get_args(Family))}

def _discover() -> tuple[Signal, ...]:
    """Every module of this package is one signal named by its id; its ``SIGNAL`` is the
    registry entry. The order (family as declared, then id) is fixed, so the manifest and the
    generated docs/signals.md do not depend on the file system."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.ispkg or info.name in _NOT_SIGNALS:
            continue
        sig = importlib.import_module(f"{__name__}.{info.name}").SIGNAL
        if not isinstance(sig, Signal) or sig.id != info.name:
            raise ImportError(f"unmask/signals/{info.name}.py must define SIGNAL with id {info.name!r}")
        found.append(sig)
    return tuple(sorted(found, key=lambda s: (_FAMILY_ORDER[s.family], s.id)))

SIGNALS: tuple[Signal, ...] = _discover()
SIGNAL_IDS = tuple(s.id for s in SIGNALS)
BY_ID = {s.id: s for s in SIGNALS}

@dataclass
class SignalRun:
    signal: Signal
    ran: bool
    missing: tuple[str, ...]
    evidence: int = 0

def init_evidence(engine: Engine) -> None:
    engine.execute(
        "CREATE OR REPLACE TABLE evidence(signal VARCHAR, family VARCHAR, subject_type VARCHAR, "
        "subject_id VARCHAR, source_file VARCHAR, line BIGINT, observed_at TIMESTAMPTZ, detail VARCHAR, "
        "strength VARCHAR, group_key VARCHAR, via VARCHAR, value_hint VARCHAR, evidence_id VARCHAR, "
        "decisive BOOLEAN)"
    )

def run_signals(engine: Engine, config: Config, present: set[str]) -> list[SignalRun]:
    init_evidence(engine)
    runs = []
    for sig in SIGNALS:
        missing = tuple(p for p in sig.needs if p not in present)
        if missing:
            runs.append(SignalRun(sig, False, missing))
            continue
        runs.append(SignalRun(sig, True, (), run_signal(engine, config, sig)))
    return runs

def run_signal(engine: Engine, config: Config, sig: Signal) -> int:
    """Append one signal's evidence rows to ``evidence``; returns how many it wrote."""
    # Optional columns default to NULL, and strength to the signal's declared strength.
    cols = ", ".join(f"q.{c}" for c in EVIDENCE_COLUMNS)
    params = dict(sig.params(config))
    have = {r[0] for r in engine.query(f"DESCRIBE SELECT * FROM ({sig.sql})", params)}  # noqa: S608
    opt = [f"q.{c}" if c in have else ("$strength" if c == "strength" else "NULL") for c in OPTIONAL_COLUMNS]
    # The stable id of each row (unmask.model), from the signal and the row's own key columns;
    # rows that share all of them are told apart by their detail.
    key = ("$sid", "q.subject_type", "q.subject_id", "q.source_file", "q.line",
           "q.group_key" if "group_key" in have else "NULL")
    ev_id = (f"CASE WHEN count(*) OVER (PARTITION BY {', '.join(key[1:])}) = 1 THEN {evidence_id_sql(*key)} "
             f"ELSE {evidence_id_sql(*key, detail='q.detail')} END")
    # Decisive: a strong row of a decisive signal, unless the query says the row is not.
    strength = "q.strength" if "strength" in have else "$strength"
    decisive = (f"($decisive AND {strength} = 'strong'"
                + (" AND coalesce(q.decisive, false))" if "decisive" in have else ")"))
    before = engine.query("SELECT count(*) FROM evidence")[0][0]
    bound = {"sid": sig.id, "family": sig.family, "decisive": sig.decisive, **params}
    if "strength" not in have:
        bound["strength"] = sig.strength
    engine.execute(
        f"INSERT INTO evidence SELECT $sid, $family, {cols}, {', '.join(opt)}, {ev_id}, "  # noqa: S608
        f"{decisive} FROM ({sig.sql}) q",
        bound,
    )
    after = engine.query("SELECT count(*) FROM evidence")[0][0]
    return int(after - before)
