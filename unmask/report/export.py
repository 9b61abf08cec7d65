"""``unmask export-iocs OUT --cluster ID | --subject ID --format stix|csv``: one case's
indicators, to share with the next company the same people apply to.

Read from the scan's store (``OUT/unmask.duckdb``): personal and reference e-mails, phones,
e-mail domains that are not public mail services, non-corporate sign-in and interview IPs,
profile handles, ship-to addresses, crypto payout addresses and SHA-256 hashes of the
résumés and photos (taken when the scan read the bundle, which is not opened again). Account
numbers exist in the store only as keyed tokens; they are exported (as those tokens) only with
``include_tokens``, and match only where the importer uses the same token key.

Only a case worth sharing leaves: a subject (or a cluster with a member) whose finding is high
or critical, or that an investigator confirmed in the cases store (``OUT/cases.sqlite``);
anything else needs ``force``, because the export is a person's private data. References are
third parties: their e-mails and phones leave only with ``include_references``.

CSV is the ``intel/iocs.csv`` format, so another organisation's Unmask imports it as is; every
cell a spreadsheet would run as a formula is neutralised (OWASP CSV injection).
STIX 2.1 is built with the ``stix2`` library (which validates every object) as a bundle of
an Identity, one Indicator per value and a Grouping naming the case. A value gets a standard
STIX pattern only when it is one (a valid IP, e-mail, domain, profile URL, SHA-256); phones,
postal addresses, wallets and account tokens have no STIX Cyber Observable, so their
Indicators are marked Unmask-only by a property extension other tools can see and skip.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from unmask.model import Key
from unmask.results import Indicator, Results, ResultsError, SubjectRef
from unmask.scans import out_root

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


SHAREABLE_BANDS = ("high", "critical")
CONFIRMED = ("confirmed",)


def confirmed_keys(out_dir: Path, keys: list[Key]) -> list[Key]:
    """The keys an investigator confirmed in the cases store beside the scans (none without one).

    This is the hook for the workbench's decisions: a confirmed case is shareable whatever its
    band today."""
    from unmask.cases import CasesError, CasesStore

    path = out_root(out_dir) / "cases.sqlite"
    if not path.is_file():
        return []
    try:
        with CasesStore.open(path, create=False) as cases:
            return [k for k in keys if (j := cases.current(k)) is not None and j.decision in CONFIRMED]
    except CasesError as e:
        raise ExportError(str(e)) from None


def _check_shareable(results: Results, out_dir: Path, subjects: list[SubjectRef], cluster: str | None) -> None:
    """Refuse to export a case no finding or decision supports: its indicators would be an
    innocent worker's personal e-mail, phones and home IP, sent to another organisation."""
    bands = results.bands_of(subjects)
    if any(b in SHAREABLE_BANDS for b in bands.values()):
        return
    keys = [Key(s.type, s.id) for s in subjects if s.type in ("employee", "candidate")]  # type: ignore[arg-type]
    if cluster:
        keys.append(Key("cluster", cluster))
    if confirmed_keys(out_dir, keys):
        return
    shown = ", ".join(f"{s.type} {s.id}: {bands.get(s, 'no finding')}" for s in subjects[:5])
    raise ExportError(
        f"{'cluster ' + cluster if cluster else 'subject'} has no high or critical finding and no confirmed "
        f"decision ({shown}): its indicators are personal data; give --force to export anyway")


def collect(results: Results, subjects: list[SubjectRef], include_tokens: bool,
            include_references: bool = False) -> list[Ioc]:
    """Every indicator of ``subjects``, deduplicated, in a stable order."""
    out = results.indicators(subjects, include_tokens, include_references)
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
        w.writerow([csv_safe(i.type), csv_safe(i.value), csv_safe(f"unmask case {case}"), csv_safe(i.note)])
    return buf.getvalue()


# OWASP CSV injection: a cell starting with one of these runs as a formula in Excel, LibreOffice
# or Sheets ("-2+3+cmd|...", "+1+HYPERLINK(...)" included), so every such cell gets a leading
# single quote. Unmask's own import strips it again (normalise/identifiers.py).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """``text`` as a spreadsheet shows it and never runs it."""
    return "'" + text if text.startswith(FORMULA_START) else text


# Property extension marking an Indicator only Unmask reads (STIX 2.1 §7.3): a fixed id, so every
# export names the same definition.
UNMASK_EXTENSION = "extension-definition--" + str(uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/unmask/x-unmask-ioc"))
_EXTENSION_SCHEMA = (
    "Unmask indicator (property extension on indicator): 'unmask_only' (boolean) is true when no STIX Cyber "
    "Observable can express the value (a phone number, a postal address, a crypto address, a keyed account "
    "token), so the pattern is written in Unmask's intel/iocs.csv vocabulary (pattern_type 'unmask-iocs') and "
    "only Unmask matches it; 'ioc_type' is the intel/iocs.csv type.")

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = re.compile(rf"[^@\s\\]+@{_LABEL}(?:\.{_LABEL})+")
_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
_PROFILE = re.compile(r"(?:github\.com|linkedin\.com/in)/[A-Za-z0-9._-]+")
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def stix_pattern(ioc: Ioc) -> str | None:
    """A standard STIX pattern for ``ioc``, or None when its value is no valid Cyber Observable:
    a string that is not an IP is never an ``ipv4-addr``."""
    v = ioc.value
    if ioc.type == "ip":
        try:
            addr = ipaddress.ip_address(v)
        except ValueError:
            return None
        return f"[{'ipv4-addr' if addr.version == 4 else 'ipv6-addr'}:value = {_quote(str(addr))}]"
    if ioc.type == "email" and _EMAIL.fullmatch(v):
        return f"[email-addr:value = {_quote(v)}]"
    if ioc.type == "domain" and _DOMAIN.fullmatch(v):
        return f"[domain-name:value = {_quote(v.lower())}]"
    if ioc.type in ("github", "linkedin") and _PROFILE.fullmatch(v):
        return f"[url:value = {_quote('https://' + v)}]"
    if ioc.type == "sha256" and _SHA256.fullmatch(v):
        return f"[file:hashes.'SHA-256' = {_quote(v.lower())}]"
    return None


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def to_stix(iocs: list[Ioc], case: str, created: datetime | None = None) -> str:
    import stix2

    when = created or datetime.now(UTC)
    author = stix2.Identity(name="Unmask", identity_class="system", created=when, modified=when)
    ext = stix2.ExtensionDefinition(
        id=UNMASK_EXTENSION, name="x-unmask-ioc", version="1.0.0", schema=_EXTENSION_SCHEMA,
        extension_types=["property-extension"], created_by_ref=author.id, created=when, modified=when)
    indicators: list[Any] = []
    unmask_only = 0
    for i in iocs:
        pattern = stix_pattern(i)
        if pattern:
            kw: dict[str, Any] = {"pattern": pattern, "pattern_type": "stix", "name": f"{i.type} {i.value}"[:200],
                                  "description": i.note}
            only = False
        else:
            unmask_only += 1
            only = True
            kw = {"pattern": f"{i.type} = {_quote(i.value)}", "pattern_type": "unmask-iocs",
                  "name": f"Unmask-only {i.type} {i.value}"[:200],
                  "description": f"Unmask-only indicator (no STIX Cyber Observable for a {i.type.replace('_', ' ')}; "
                                 f"import with Unmask's intel/iocs.csv): {i.note}"}
        indicators.append(stix2.Indicator(
            indicator_types=["attribution"], valid_from=when, created=when, modified=when, created_by_ref=author.id,
            extensions={UNMASK_EXTENSION: {"extension_type": "property-extension", "unmask_only": only,
                                           "ioc_type": i.type}},
            **kw,
        ))
    objects: list[Any] = [author, ext, *indicators]
    objects.append(stix2.Grouping(
        name=f"unmask case {case}", context="suspicious-activity", created=when, modified=when,
        created_by_ref=author.id, object_refs=[o.id for o in indicators] or [author.id],
        description="Indicators of people suspected of working under a false identity (DPRK IT-worker pattern). "
                    f"{unmask_only} of {len(indicators)} are Unmask-only (extension {UNMASK_EXTENSION}: "
                    "unmask_only = true): other tools will not match them.",
    ))
    bundle = stix2.Bundle(objects=objects)
    text: str = bundle.serialize(pretty=True)
    stix2.parse(text, allow_custom=False)  # a round trip through the validating parser
    return text


def export(out_dir: Path, cluster: str | None, subject: str | None, fmt: str, include_tokens: bool = False,
           include_references: bool = False, force: bool = False) -> tuple[str, int]:
    """The case's indicators as text in ``fmt``; and how many there are. The store is opened
    read-only and is all that is read: the bundle may be gone, or elsewhere, by now."""
    if bool(cluster) == bool(subject):
        raise ExportError("name exactly one case: --cluster ID or --subject ID")
    try:
        results = Results.open(out_dir)
    except ResultsError:
        raise ExportError(f"no unmask.duckdb in {out_dir} that can be read: is it the output folder of a scan?") \
            from None
    with results:
        subjects = _subjects(results, cluster, subject)
        if not force:
            _check_shareable(results, out_dir, subjects, cluster)
        iocs = collect(results, subjects, include_tokens, include_references)
    case = cluster or subject or ""
    return (to_stix(iocs, case) if fmt == "stix" else to_csv(iocs, case)), len(iocs)
