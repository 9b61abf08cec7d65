"""Sysmon and other Windows events: ``.evtx`` through the ``evtx`` wheel, or JSON Lines.

JSON Lines carry the ``EventData`` fields at the top level (as Zircolite and most SIEM
exports write them). An ``.evtx`` file is flattened to the same shape first: System fields
(EventID, Channel, Provider, Computer, time) plus EventData/UserData fields.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from unmask.sources.base import Col, FileReport, LoadContext, Part, unreadable
from unmask.sources.jsonload import load_json_part

SYSMON = Part(
    "endpoint.sysmon", "endpoint_events", ("endpoint/sysmon/*.evtx", "endpoint/sysmon/*.jsonl"),
    (
        Col("event_id", "int", required=True, paths=("$.EventID",)),
        Col("channel", paths=("$.Channel",)),
        Col("provider", paths=("$.Provider",)),
        Col("computer", "lower", paths=("$.Computer", "$.Hostname")),
        Col("observed_at", "ts", paths=("$.UtcTime", "$.TimeCreated", "$.SystemTime")),
        Col("record_id", "int", paths=("$.EventRecordID",)),
        Col("image", paths=("$.Image",)),
        Col("original_file_name", paths=("$.OriginalFileName",)),
        Col("command_line", paths=("$.CommandLine",)),
        Col("parent_image", paths=("$.ParentImage",)),
        Col("user_name", paths=("$.User",)),
        Col("query_name", "lower", paths=("$.QueryName",)),
        Col("destination_hostname", "lower", paths=("$.DestinationHostname",)),
        Col("destination_ip", paths=("$.DestinationIp",)),
        Col("target_object", paths=("$.TargetObject",)),
        Col("target_filename", paths=("$.TargetFilename",)),
        Col("event", "json", paths=("$",)),
    ),
    "json", description="Sysmon and Windows event logs",
)


def _flatten(rec: dict[str, Any]) -> dict[str, Any]:
    ev = rec.get("Event", {}) if isinstance(rec.get("Event"), dict) else {}
    system = ev.get("System", {}) or {}
    out: dict[str, Any] = {}
    eid = system.get("EventID")
    out["EventID"] = eid.get("#text") if isinstance(eid, dict) else eid
    out["Channel"] = system.get("Channel")
    prov = system.get("Provider", {})
    out["Provider"] = prov.get("#attributes", {}).get("Name") if isinstance(prov, dict) else None
    out["Computer"] = system.get("Computer")
    tc = system.get("TimeCreated", {})
    out["TimeCreated"] = tc.get("#attributes", {}).get("SystemTime") if isinstance(tc, dict) else None
    out["EventRecordID"] = system.get("EventRecordID", rec.get("event_record_id"))
    for section in ("EventData", "UserData"):
        data = ev.get(section)
        if isinstance(data, dict):
            # UserData nests one element named after the event template; lift its fields.
            if section == "UserData" and len(data) == 1:
                (inner,) = data.values()
                data = inner if isinstance(inner, dict) else data
            for k, v in data.items():
                if k != "#attributes" and k not in out:
                    out[k] = v
    return out


def load_evtx(ctx: LoadContext, path: Path) -> FileReport:
    import evtx

    rel = path.relative_to(ctx.bundle).as_posix()
    report = FileReport(rel, SYSMON.id)
    dest = ctx.workdir / (path.name + ".jsonl")
    bad = 0
    try:
        parser = evtx.PyEvtxParser(str(path))
        with dest.open("wb") as out:
            for rec in parser.records_json():
                try:
                    flat = _flatten(orjson.loads(rec["data"]))  # type: ignore[index]
                except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
                    bad += 1
                    out.write(b"{}\n")  # keeps numbering; rejected below as "no event_id"
                    continue
                out.write(orjson.dumps(flat) + b"\n")
    except (OSError, RuntimeError, ValueError) as e:
        return unreadable(ctx, report, f"not a readable EVTX file: {str(e).splitlines()[0][:160]}")
    report_out = load_json_part(ctx, SYSMON, dest, report=report)
    report_out.path = rel
    if bad:
        report_out.note = f"{bad} EVTX records could not be decoded"
    return report_out
