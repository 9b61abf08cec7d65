"""``unmask export-iocs OUT --cluster ID | --subject ID --format stix|csv``: one case's
indicators, to share with the next company the same people apply to.

Read from the scan's store (``OUT/unmask.duckdb``): personal and reference e-mails, phones,
e-mail domains that are not public mail services, non-corporate sign-in and interview IPs,
profile handles, ship-to addresses, crypto payout addresses and SHA-256 hashes of the
résumés and photos (taken when the scan read the bundle, which is not opened again). Account
numbers exist in the store only as keyed tokens; they are exported (as those tokens) only with
``include_tokens``, and match only where the importer uses the same token key.

CSV is the ``intel/iocs.csv`` format, so another organisation's Unmask imports it as is.
STIX 2.1 is built with the ``stix2`` library (which validates every object) as a bundle of
an Identity, one Indicator per value and a Grouping naming the case.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from unmask.results import Indicator, Results, ResultsError, SubjectRef

Ioc = Indicator  # the name this module has always exported


class ExportError(Exception):
    """The scan output or the case cannot be used."""


def _subjects(results: Results, cluster: str | None, subject: str | None) -> list[SubjectRef]:
    if cluster:
        refs = results.cluster_subjects(cluster)
        if not refs:
            raise ExportError(f"no cluster {cluster} in this scan (see clusters.jsonl)")
        return refs
    refs = results.subject_refs(subject or "")
    if not refs:
        raise ExportError(f"no subject {subject} in this scan")
    return refs


def collect(results: Results, subjects: list[SubjectRef], include_tokens: bool) -> list[Ioc]:
    """Every indicator of ``subjects``, deduplicated, in a stable order."""
    out = results.indicators(subjects, include_tokens)
    # The résumés' and photos' SHA-256, taken when the scan read them; one indicator per file
    # content, however many people sent it.
    docs: dict[str, list[str]] = {}
    for d in results.document_hashes([s.id for s in subjects]):
        docs.setdefault(d.sha256, []).append(f"{PurePosixPath(d.path).name} of {d.subject_id}")
    out += [Ioc("sha256", h, "; ".join(sorted(set(n)))) for h, n in docs.items()]
    return sorted(out, key=lambda i: (i.type, i.value))


def to_csv(iocs: list[Ioc], case: str) -> str:
    buf = io.StringIO()
    # RFC 4180 line ends: a field holding a bare CR or LF is then quoted, never split into rows.
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["type", "value", "source", "note"])
    for i in iocs:
        w.writerow([i.type, _csv_safe(i.value), f"unmask case {case}", _csv_safe(i.note)])
    return buf.getvalue()


def _csv_safe(text: str) -> str:
    # A value from the bundle opened in a spreadsheet must not run as a formula: every cell that
    # starts with = + - @ tab or carriage return is quoted (OWASP CSV injection). "-2+3+cmd|..."
    # is a formula too, so a leading digit after the sign does not make a cell safe; a phone
    # number "+1 614..." is shown with its quote, which every spreadsheet hides.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


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
    """The case's indicators as text in ``fmt``; and how many there are. The store is opened
    read-only and is all that is read: the bundle may be gone, or elsewhere, by now."""
    if bool(cluster) == bool(subject):
        raise ExportError("name exactly one case: --cluster ID or --subject ID")
    if not (out_dir / "unmask.duckdb").is_file():
        raise ExportError(f"no unmask.duckdb in {out_dir}: is it the output folder of a scan?")
    try:
        results = Results.open(out_dir)
    except ResultsError as e:
        raise ExportError(str(e)) from None
    with results:
        iocs = collect(results, _subjects(results, cluster, subject), include_tokens)
    case = cluster or subject or ""
    return (to_stix(iocs, case) if fmt == "stix" else to_csv(iocs, case)), len(iocs)
