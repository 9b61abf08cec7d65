"""``unmask export-iocs OUT --cluster ID | --subject ID --format stix|csv``: one case's
indicators, to share with the next company the same people apply to.

Read from the scan's store (``OUT/unmask.duckdb``, read-only, through ``unmask.results``):
personal and reference e-mails, phones,
e-mail domains that are not public mail services, non-corporate sign-in and interview IPs,
profile handles, ship-to addresses, crypto payout addresses and SHA-256 hashes of the
résumés and photos, taken when the scan read them. Account numbers exist in the store only as keyed tokens;
they are exported (as those tokens) only with ``include_tokens``, and match only where the
importer uses the same token key.

CSV is the ``intel/iocs.csv`` format, so another organisation's Unmask imports it as is.
STIX 2.1 is built with the ``stix2`` library (which validates every object) as a bundle of
an Identity, one Indicator per value and a Grouping naming the case.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from unmask.results import Results, ResultsError

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


def _subjects(results: Results, cluster: str | None, subject: str | None) -> list[tuple[str, str]]:
    if cluster:
        members = results.cluster_members(cluster)
        if not members:
            raise ExportError(f"no cluster {cluster} in this scan (see clusters.jsonl)")
        return members
    found = results.subjects_named(subject or "")
    if not found:
        raise ExportError(f"no subject {subject} in this scan")
    return found


def collect(results: Results, subjects: list[tuple[str, str]], include_tokens: bool) -> list[Ioc]:
    """Every indicator of ``subjects``, deduplicated, in a stable order."""
    seen: dict[tuple[str, str], list[str]] = {}
    for typ, value, note in results.case_indicators(subjects, include_tokens):
        if not value or (typ == "domain" and value in FREE_MAIL):
            continue
        seen.setdefault((str(typ), str(value)), []).append(str(note))
    # The résumés' and photos' SHA-256, taken when the scan read them (no second read of the bundle).
    for sid, path, digest in results.document_hashes([sid for _, sid in subjects]):
        seen.setdefault(("sha256", digest), []).append(f"{Path(path).name} of {sid}")
    out = [Ioc(t, v, "; ".join(sorted(set(n)))) for (t, v), n in seen.items()]
    return sorted(out, key=lambda i: (i.type, i.value))


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
    try:
        results = Results.open(out_dir)
    except ResultsError:
        raise ExportError(f"no unmask.duckdb in {out_dir} that can be read: is it the output folder of a scan?") \
            from None
    try:
        subjects = _subjects(results, cluster, subject)
        iocs = collect(results, subjects, include_tokens)
    finally:
        results.close()
    case = cluster or subject or ""
    return (to_stix(iocs, case) if fmt == "stix" else to_csv(iocs, case)), len(iocs)
