"""Registry of signals and the runner that writes their evidence into the store."""

from __future__ import annotations

from dataclasses import dataclass

from unmask.config import Config
from unmask.engine import Engine
from unmask.model import EVIDENCE_COLUMNS, OPTIONAL_COLUMNS, evidence_id_sql
from unmask.signals import (
    astrill_client,
    bank_account_shared,
    bulk_clone,
    concurrent_sessions,
    crd_unattended,
    deposit_churn,
    entra_device_shared,
    first_signin_far,
    foreign_push,
    holder_mismatch,
    identity_changes,
    impossible_travel,
    interview_theatre,
    ioc_match,
    kvm_composite,
    kvm_display,
    kvm_usb,
    mfa_shared,
    mouse_jiggler,
    name_dob_shared,
    national_id_shared,
    payout_platform,
    rdp_timezone,
    rmm,
    rmm_multiple,
    same_person,
    sanctions_match,
    session_reuse,
    shared_contact,
    shared_egress,
    shared_subnet,
    ship_to_far,
    ship_to_shared,
    sigma_idp,
    sigma_rules,
    signin_country,
    signin_egress,
    work_hours,
)
from unmask.signals.base import Signal

SIGNALS: tuple[Signal, ...] = (
    ship_to_shared.SIGNAL,
    ship_to_far.SIGNAL,
    bank_account_shared.SIGNAL,
    holder_mismatch.SIGNAL,
    payout_platform.SIGNAL,
    deposit_churn.SIGNAL,
    national_id_shared.SIGNAL,
    kvm_usb.SIGNAL,
    kvm_composite.SIGNAL,
    kvm_display.SIGNAL,
    rmm.SIGNAL,
    rmm_multiple.SIGNAL,
    astrill_client.SIGNAL,
    signin_egress.SIGNAL,
    signin_country.SIGNAL,
    shared_egress.SIGNAL,
    shared_subnet.SIGNAL,
    rdp_timezone.SIGNAL,
    work_hours.SIGNAL,
    bulk_clone.SIGNAL,
    crd_unattended.SIGNAL,
    shared_contact.SIGNAL,
    sigma_rules.SIGNAL,
    impossible_travel.SIGNAL,
    concurrent_sessions.SIGNAL,
    mouse_jiggler.SIGNAL,
    sanctions_match.SIGNAL,
    ioc_match.SIGNAL,
    mfa_shared.SIGNAL,
    entra_device_shared.SIGNAL,
    first_signin_far.SIGNAL,
    session_reuse.SIGNAL,
    sigma_idp.SIGNAL,
    foreign_push.SIGNAL,
    interview_theatre.SIGNAL,
    name_dob_shared.SIGNAL,
    identity_changes.SIGNAL,
    same_person.SIGNAL,
)
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
        "strength VARCHAR, group_key VARCHAR, via VARCHAR, value_hint VARCHAR, evidence_id VARCHAR)"
    )


def run_signals(engine: Engine, config: Config, present: set[str]) -> list[SignalRun]:
    init_evidence(engine)
    runs = []
    for sig in SIGNALS:
        missing = tuple(p for p in sig.needs if p not in present)
        if missing:
            runs.append(SignalRun(sig, False, missing))
            continue
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
        before = engine.query("SELECT count(*) FROM evidence")[0][0]
        bound = {"sid": sig.id, "family": sig.family, **params}
        if "strength" not in have:
            bound["strength"] = sig.strength
        engine.execute(
            f"INSERT INTO evidence SELECT $sid, $family, {cols}, {', '.join(opt)}, {ev_id} "  # noqa: S608
            f"FROM ({sig.sql}) q",
            bound,
        )
        after = engine.query("SELECT count(*) FROM evidence")[0][0]
        runs.append(SignalRun(sig, True, (), int(after - before)))
    return runs

