"""Sysmon and other Windows events: ``.evtx`` through the ``evtx`` wheel, or JSON Lines.

JSON Lines carry the ``EventData`` fields at the top level (as Zircolite and most SIEM
exports write them). An ``.evtx`` file is flattened to the same shape first: System fields
(EventID, Channel, Provider, Computer, time) plus EventData/UserData fields.
"""

from __future__ import annotations

import gzip
import itertools
import os
import re
import zlib
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

import orjson

from unmask.engine.textfiles import Source
from unmask.sources.base import Col, FileReport, LoadContext, Part, is_gzip, unreadable
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
    """Every record the ``evtx`` parser can recover, and one reject per damaged chunk or record.

    A damaged log (a bad chunk header, a zero-size record, a log recovered from a volume shadow
    copy, a file cut mid-chunk) still yields its other records, as Chainsaw and Hayabusa read
    them. The records are numbered by their position among everything the parser yields, a
    damaged chunk or record included, so a record's ``line`` is stable and a reject sits where
    the loss was. ``*.evtx.gz`` is read through gzip.
    """
    import evtx

    rel = path.relative_to(ctx.bundle).as_posix()
    report = FileReport(rel, SYSMON.id)
    dest = ctx.workdir / f"evtx{next(_n)}.jsonl"
    damaged: list[tuple[int, str]] = []
    position = 0
    try:
        with ExitStack() as stack:
            source: str | IO[bytes] = str(path)
            if path.name.lower().endswith(".gz") or is_gzip(path):
                source = stack.enter_context(gzip.open(path, "rb"))  # type: ignore[assignment]
            parser = evtx.PyEvtxParser(source)
            # 0600: the events name users and hosts; the folder is private as well.
            out = stack.enter_context(os.fdopen(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb"))
            records = iter(parser.records_json())
            while len(damaged) < _MAX_DAMAGE:
                try:
                    rec = next(records)
                except StopIteration:
                    break
                except (RuntimeError, OSError, ValueError, EOFError, zlib.error) as e:
                    position += 1
                    damaged.append((position, _damage(e)))
                    out.write(b"{}\n")  # keeps the numbering; its reason is set below
                    continue
                position += 1
                try:
                    flat = _flatten(orjson.loads(rec["data"]))  # type: ignore[index]
                except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
                    damaged.append((position, "EVTX record could not be decoded"))
                    out.write(b"{}\n")
                    continue
                out.write(orjson.dumps(flat) + b"\n")
            if cut := _cut_short(path):
                position += 1
                damaged.append((position, cut))
                out.write(b"{}\n")
    except (OSError, RuntimeError, ValueError, EOFError, zlib.error) as e:
        dest.unlink(missing_ok=True)
        return unreadable(ctx, report, f"not a readable EVTX file: {_damage(e)}")
    try:
        report_out = load_json_part(ctx, SYSMON, dest, report=report)
    finally:
        dest.unlink(missing_ok=True)
    report_out.path = rel
    if damaged:
        # The damaged records' rejects say why (each became an empty record, refused for what
        # it lacks): rewritten with their reasons, as rows of ours, not UPDATE ... FROM.
        eng, why = ctx.engine, dict(damaged)
        found = [(ln, unit) for ln, unit in eng.query(
            "SELECT line, unit FROM rejects WHERE file = $file AND part = $part", {"file": rel, "part": SYSMON.id})
            if ln in why]
        if found:
            eng.execute("DELETE FROM rejects WHERE file = $file AND part = $part AND list_contains($lines, line)",
                        {"file": rel, "part": SYSMON.id, "lines": [ln for ln, _u in found]})
            eng.insert_rows("rejects", ("file", "part", "line", "unit", "reason"),
                            [(rel, SYSMON.id, ln, unit, why[ln]) for ln, unit in found])
        report_out.status = "partial"
        report_out.note = f"{len(damaged)} damaged EVTX chunks or records could not be read; the others were kept"
    return report_out


# Past this many damaged chunks or records the file is not read further (the parser could
# otherwise report the same damage for ever).
_MAX_DAMAGE = 100_000
_n = itertools.count()


_HEADER, _CHUNK = 4096, 65536


def _cut_short(path: Path) -> str:
    """Why the file ends before its last chunk does, or "". The parser reads whole chunks only
    and says nothing of a last one cut off (a copy stopped early, a full disk)."""
    src = Source(path)
    size = sum(len(c) for c in src.chunks())
    if src.stop:
        return f"{src.stop}: the EVTX records after that point are lost"
    if size < _HEADER:
        return ""  # the parser has already refused a file without a whole header
    whole, rest = divmod(size - _HEADER, _CHUNK)
    if rest:
        return f"the EVTX file is cut short inside chunk {whole + 1}: its records could not be read"
    return ""


def _damage(e: BaseException) -> str:
    """What the parser found, without the bytes it quotes (they may hold event data)."""
    msg = str(e)
    chunk = re.search(r"chunk number (\d+)", msg)
    record = re.search(r"record number (\d+)", msg)
    if "chunk header" in msg or (chunk and not record):
        what = f"EVTX chunk {chunk.group(1)} is damaged" if chunk else "an EVTX chunk is damaged"
        why = "bad chunk header" if "header" in msg else "unreadable chunk"
        return f"{what} ({why}): its records are lost"
    if record:
        return f"EVTX record {record.group(1)} is damaged: it could not be decoded"
    if "data size" in msg:
        return "EVTX record with an invalid size (zero or too small): it could not be read"
    if "record header" in msg:
        return "EVTX record header is damaged: the record could not be read"
    if "file header" in msg or "signature" in msg.lower():
        return "bad EVTX file header"
    return "EVTX data could not be read"
