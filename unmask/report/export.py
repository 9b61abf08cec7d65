"""``unmask export-iocs OUT --cluster ID | --subject ID --format stix|csv``: one case's
indicators, to share with the next company the same people apply to.

Read from the scan's store (``OUT/unmask.duckdb``): personal and reference e-mails, phones,
e-mail domains that are not public mail services, non-corporate sign-in and interview IPs,
profile handles, ship-to addresses, crypto payout addresses and SHA-256 hashes of the
résumés and photos in the bundle. Account numbers exist in the store only as keyed tokens;
they are exported (as those tokens) only with ``include_tokens``, and match only where the
importer uses the same token key.

CSV is the ``intel/iocs.csv`` format, so another organisation's Unmask imports it as is.
STIX 2.1 is built with the ``stix2`` library (which validates every object) as a bundle of
an Identity, one Indicator per value and a Grouping naming the case.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from unmask.engine import Engine, open_engine

FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com", "icloud.com", "me.com",
    "aol.com", "proton.me", "protonmail.com", "pm.me", "mail.com", "gmx.com", "gmx.net", "yandex.com", "yandex.ru",
    "qq.com", "163.com", "126.com", "zoho.com", "tutanota.com", "fastmail.com", "hey.com",
})


class ExportError(Exception):
    """The scan output or the case cannot be used."""


@dataclass(frozen=True)
class Ioc:
    type: str  # the intel/iocs.csv type
    value: str
    note: str  # what it is in this case: "personal email of E1001", ...


def _subjects(eng: Engine, cluster: str | None, subject: str | None) -> list[tuple[str, str]]:
    if cluster:
        rows = eng.query("SELECT subject_type, subject_id FROM cluster_members WHERE cluster_id = $c ORDER BY ALL",
                         {"c": cluster})
        if not rows:
            raise ExportError(f"no cluster {cluster} in this scan (see clusters.jsonl)")
        return [(str(a), str(b)) for a, b in rows]
    rows = eng.query("SELECT subject_type, subject_id FROM people WHERE subject_id = $s", {"s": subject})
    if not rows:
        raise ExportError(f"no subject {subject} in this scan")
    return [(str(a), str(b)) for a, b in rows]


def collect(eng: Engine, subjects: list[tuple[str, str]], bundle: Path | None, include_tokens: bool) -> list[Ioc]:
    """Every indicator of ``subjects``, deduplicated, in a stable order."""
    eng.execute("CREATE OR REPLACE TEMP TABLE case_subjects(subject_type VARCHAR, subject_id VARCHAR)")
    eng.insert_rows("case_subjects", ("subject_type", "subject_id"), subjects)
    q = """
WITH s AS (SELECT * FROM case_subjects), ids AS (SELECT i.* FROM identifiers i JOIN s USING (subject_type, subject_id))
SELECT 'email', value, replace(kind, '_', ' ') || ' of ' || subject_id FROM ids
  WHERE kind IN ('personal_email', 'reference_email')
UNION ALL SELECT 'domain', split_part(value, '@', 2), 'e-mail domain of ' || subject_id FROM ids
  WHERE kind IN ('personal_email', 'reference_email')
UNION ALL SELECT 'phone', value, replace(kind, '_', ' ') || ' of ' || subject_id FROM ids
  WHERE kind IN ('phone', 'reference_phone')
UNION ALL SELECT CASE WHEN value LIKE 'github.com/%' THEN 'github' ELSE 'linkedin' END, value,
  'profile of ' || subject_id FROM ids WHERE kind = 'profile'
UNION ALL SELECT 'ip', value, 'interview IP of ' || subject_id FROM ids WHERE kind = 'interview_ip'
UNION ALL SELECT 'ip', ip, egress || ' sign-in IP of ' || employee_id || coalesce(' (' || country || ')', '')
  FROM signins JOIN s ON s.subject_type = 'employee' AND s.subject_id = signins.employee_id
  WHERE egress <> 'corporate' AND ip IS NOT NULL
UNION ALL SELECT 'address', concat_ws(', ', address_line1, address_line2, city, region, postal_code, country),
  'ship-to address of ' || employee_id
  FROM shipments JOIN s ON s.subject_type = 'employee' AND s.subject_id = shipments.employee_id
  WHERE address_line1 IS NOT NULL
UNION ALL SELECT CASE WHEN lower(coalesce(platform, '')) LIKE '%crypto%' OR lower(coalesce(method, '')) LIKE '%crypto%'
                      THEN 'crypto_address' ELSE 'bank_account' END, account_number,
  'payout account of ' || employee_id || ' (keyed token)'
  FROM deposits JOIN s ON s.subject_type = 'employee' AND s.subject_id = deposits.employee_id
  WHERE account_number IS NOT NULL AND $tokens
"""
    rows = eng.query(q, {"tokens": include_tokens})
    seen: dict[tuple[str, str], list[str]] = {}
    for typ, value, note in rows:
        if not value or (typ == "domain" and value in FREE_MAIL):
            continue
        seen.setdefault((str(typ), str(value)), []).append(str(note))
    out = [Ioc(t, v, "; ".join(sorted(set(n)))) for (t, v), n in seen.items()]
    out += _document_hashes(eng, subjects, bundle)
    return sorted(out, key=lambda i: (i.type, i.value))


def _document_hashes(eng: Engine, subjects: list[tuple[str, str]], bundle: Path | None) -> list[Ioc]:
    if bundle is None or not bundle.is_dir():
        return []
    ids = [sid for _, sid in subjects]
    rows = eng.query(
        "SELECT coalesce(employee_id, candidate_id), resume_path, photo_path FROM candidates "
        "WHERE list_contains($ids, candidate_id) OR list_contains($ids, employee_id)", {"ids": ids})
    root = bundle.resolve()
    out = []
    for sid, *paths in rows:
        for rel in paths:
            if not rel:
                continue
            p = (root / rel).resolve()
            if p.is_relative_to(root) and p.is_file():  # never follow a path out of the bundle
                digest = hashlib.sha256(p.read_bytes()).hexdigest()
                out.append(Ioc("sha256", digest, f"{Path(rel).name} of {sid}"))
    return out


def to_csv(iocs: list[Ioc], case: str) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["type", "value", "source", "note"])
    for i in iocs:
        w.writerow([i.type, _csv_safe(i.value), f"unmask case {case}", _csv_safe(i.note)])
    return buf.getvalue()


def _csv_safe(text: str) -> str:
    # A value from the bundle opened in a spreadsheet must not run as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not text[1:2].isdigit() else text


_STIX_PATTERN = {
    "email": "[email-addr:value = {v}]",
    "domain": "[domain-name:value = {v}]",
    "ip": "[ipv4-addr:value = {v}]",
    "sha256": "[file:hashes.'SHA-256' = {v}]",
}


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def to_stix(iocs: list[Ioc], case: str, created: datetime | None = None) -> str:
    import stix2

    when = created or datetime.now(UTC)
    author = stix2.Identity(name="Unmask", identity_class="system", created=when, modified=when)
    objects: list[Any] = [author]
    for i in iocs:
        pattern = _STIX_PATTERN.get(i.type)
        if i.type == "ip" and ":" in i.value:
            pattern = "[ipv6-addr:value = {v}]"
        if pattern:
            kw: dict[str, Any] = {"pattern": pattern.format(v=_quote(i.value)), "pattern_type": "stix"}
        else:
            # Phones, postal addresses, wallets, profiles and account tokens have no STIX Cyber
            # Observable; the pattern is written in the intel/iocs.csv vocabulary instead.
            kw = {"pattern": f"{i.type} = {_quote(i.value)}", "pattern_type": "unmask-iocs"}
        objects.append(stix2.Indicator(
            name=f"{i.type} {i.value}"[:200], description=i.note, indicator_types=["attribution"],
            valid_from=when, created=when, modified=when, created_by_ref=author.id, **kw,
        ))
    objects.append(stix2.Grouping(
        name=f"unmask case {case}", context="suspicious-activity", created=when, modified=when,
        created_by_ref=author.id, object_refs=[o.id for o in objects[1:]] or [author.id],
        description="Indicators of people suspected of working under a false identity (DPRK IT-worker pattern).",
    ))
    bundle = stix2.Bundle(objects=objects)
    text: str = bundle.serialize(pretty=True)
    stix2.parse(text, allow_custom=False)  # a round trip through the validating parser
    return text


def export(out_dir: Path, cluster: str | None, subject: str | None, fmt: str, include_tokens: bool = False
           ) -> tuple[str, int]:
    """The case's indicators as text in ``fmt``; and how many there are."""
    if bool(cluster) == bool(subject):
        raise ExportError("name exactly one case: --cluster ID or --subject ID")
    store = out_dir / "unmask.duckdb"
    if not store.is_file():
        raise ExportError(f"no unmask.duckdb in {out_dir}: is it the output folder of a scan?")
    bundle = None
    manifest = out_dir / "manifest.json"
    if manifest.is_file():
        b = json.loads(manifest.read_text(encoding="utf-8")).get("bundle")
        bundle = Path(b) if b else None
    eng = open_engine(store)
    try:
        subjects = _subjects(eng, cluster, subject)
        iocs = collect(eng, subjects, bundle, include_tokens)
    finally:
        eng.close()
    case = cluster or subject or ""
    return (to_stix(iocs, case) if fmt == "stix" else to_csv(iocs, case)), len(iocs)
