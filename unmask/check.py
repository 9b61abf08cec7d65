"""``unmask check CANDIDATE.json --store OUT``: one new applicant against the store of a past
scan, at application time, before any interview.

What is checked, each a keyed lookup in the store (no scan of the bundle again):
- the applicant's phone, personal e-mail, profiles and references' e-mails and phones against
  every contact identifier of every worker and candidate already known;
- the home address against known homes and ship-to addresses (building and unit);
- the name (and birth date, when given) against the sanctions lists the scan loaded;
- every value, the e-mail domains and the home street against the indicators the scan loaded
  (``intel/iocs.csv`` and the lists' published e-mails, phones, websites and addresses), as the
  scan's ``ioc_match`` signal compares them.

The same check is the Python function :func:`check`, for an ATS integration: open the store
once with :func:`open_store` (read-only, through :class:`unmask.results.Results`) and call it
per applicant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unmask.results import Results, ResultsError
from unmask.sources.intel.common import iso_date
from unmask.values.address import address_key
from unmask.values.contact import email_canonical, phone_e164, profile_handle
from unmask.values.country import country_code
from unmask.values.screen_names import block_keys, name_score, prepare


class CheckError(Exception):
    """The applicant file or the store cannot be used."""


SCHEMA_PATH = Path(__file__).parent / "schemas" / "applicant.schema.json"
# Field names the usual ATS exports use (Greenhouse, Ashby, Lever, Workday), read as ours. A
# key not here and not in the schema is an error: a value read under the wrong name would be
# "nothing known" about a flagged persona.
ATS_FIELDS = {
    "name": "full_name", "fullName": "full_name", "legal_name": "full_name", "legalName": "full_name",
    "candidate_name": "full_name", "Legal Name": "full_name",
    "email_address": "email", "emailAddress": "email", "personal_email": "email", "primaryEmailAddress": "email",
    "Email Address": "email",
    "phone_number": "phone", "phoneNumber": "phone", "primaryPhoneNumber": "phone", "mobile": "phone",
    "Phone Number": "phone",
    "dob": "date_of_birth", "dateOfBirth": "date_of_birth", "birth_date": "date_of_birth",
    "linkedin": "linkedin_url", "linkedInUrl": "linkedin_url", "linkedin_profile": "linkedin_url",
    "github": "github_url", "githubUrl": "github_url", "website": "portfolio_url",
    "address": "address_line1", "addressLine1": "address_line1", "address1": "address_line1",
    "addressLine2": "address_line2", "address2": "address_line2", "state": "region", "province": "region",
    "zip": "postal_code", "zipCode": "postal_code", "postalCode": "postal_code", "countryCode": "country",
}


def applicant(data: Any, mapping: dict[str, str] | None = None) -> dict[str, Any]:
    """The applicant ``data`` under our field names, validated against the published schema
    (``unmask/schemas/applicant.schema.json``): a CheckError names the first problem, and for
    an unknown key the closest known one."""
    import difflib
    import json

    import jsonschema  # type: ignore[import-untyped]

    if not isinstance(data, dict):
        raise CheckError("the file must hold one JSON object (the applicant)")
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    known = list(schema["properties"])
    names = {**ATS_FIELDS, **(mapping or {})}
    out: dict[str, Any] = {}
    for k, v in data.items():
        ours = k if k in known else names.get(str(k))
        if ours is None:
            near = difflib.get_close_matches(str(k), known + list(names), 1, 0.6)
            hint = f"; did you mean {names.get(near[0], near[0])!r}?" if near else ""
            raise CheckError(f"unknown key {str(k)[:80]!r}{hint} (known: {', '.join(known)}; or --map {k}=FIELD)")
        out[ours] = v
    try:
        jsonschema.validate(out, schema)
    except jsonschema.ValidationError as e:
        where = "/".join(str(p) for p in e.absolute_path) or "the applicant"
        raise CheckError(f"{where}: {e.message[:200]}") from None
    except RecursionError:
        raise CheckError("the applicant is nested too deeply") from None
    return out


@dataclass(frozen=True)
class Hit:
    what: str  # "phone", "personal email", "reference email", "profile", "home address", "sanctions",
    # "known indicator"
    strength: str  # strong / medium / weak, as the scan's signals would weigh it
    detail: str
    subject_type: str | None = None
    subject_id: str | None = None
    source: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def open_store(path: Path) -> Results:
    try:
        return Results.open(path)
    except ResultsError as e:
        raise CheckError(str(e)) from None


def _values(c: dict[str, Any]) -> list[tuple[str, str]]:
    """(what, normalised value) of every identifier the applicant gives."""
    country = c.get("country")
    out: list[tuple[str, str]] = []
    if (p := phone_e164(c.get("phone"), country)) is not None:
        out.append(("phone", p))
    if (e := email_canonical(c.get("email"))) is not None:
        out.append(("personal email", e))
    for key in ("github_url", "linkedin_url"):
        if (h := profile_handle(c.get(key))) is not None:
            out.append(("profile", h))
    for r in c.get("references") or []:
        if isinstance(r, dict):
            if (e := email_canonical(r.get("email"))) is not None:
                out.append(("reference email", e))
            if (p := phone_e164(r.get("phone"), country)) is not None:
                out.append(("reference phone", p))
    return out


def check(results: Results, candidate: dict[str, Any]) -> list[Hit]:
    """Evidence about one applicant from the store; strongest first."""
    hits: list[Hit] = []
    vals = _values(candidate)
    if vals:
        by_value: dict[str, list[str]] = {}
        for what, v in vals:
            by_value.setdefault(v, []).append(what)
        for h in results.contact_holders([v for _, v in vals]):
            for what in by_value.get(h.value, []):
                ours_is_contact = what in ("phone", "personal email")
                theirs_is_contact = h.kind in ("phone", "personal_email")
                strength = "strong" if ours_is_contact and theirs_is_contact else "medium"
                hits.append(Hit(what, strength,
                                f"{what} also held as {h.kind.replace('_', ' ')} by {h.subject_type} {h.subject_id}",
                                h.subject_type, h.subject_id, f"{h.source_file}:{h.line}"))
    key = address_key(candidate.get("address_line1"), candidate.get("address_line2"), candidate.get("city"),
                      candidate.get("region"), candidate.get("postal_code"), candidate.get("country"))
    if key.building:
        for a in results.address_holders(key.building, key.full):
            place = "home" if a.kind == "home" else "ship-to address"
            hits.append(Hit("home address", "medium" if a.same_unit else "weak",
                            f"home address is the {place} of {a.subject_type} {a.subject_id}"
                            + ("" if a.same_unit else " (same building)"),
                            a.subject_type, a.subject_id, f"{a.source_file}:{a.line}"))
    hits += _sanctions(results, candidate)
    hits += _indicators(results, candidate, vals)
    order = {"strong": 0, "medium": 1, "weak": 2}
    return sorted(hits, key=lambda h: (order[h.strength], h.what, h.subject_id or ""))


def _indicators(results: Results, c: dict[str, Any], vals: list[tuple[str, str]]) -> list[Hit]:
    """The applicant's values that are known indicators (ioc_values, built by the scan)."""
    probes: list[tuple[str, str, str]] = []  # (what, ioc kind, value)
    for what, v in vals:
        if what == "profile":
            probes.append((what, "github" if v.startswith("github.com/") else "linkedin", v))
            continue
        kind = "phone" if what.endswith("phone") else "email"
        probes.append((what, kind, v))
        if kind == "email":
            probes.append((f"{what} domain", "domain", v.split("@", 1)[1]))
    street = re.sub(r"[^a-z0-9]", "", (c.get("address_line1") or "").lower())
    if street:
        probes.append(("home address", "address", f"{street}|{(country_code(c.get('country') or 'US') or '').lower()}"))
    if not probes:
        return []
    said = results.known_indicators([v for _, _, v in probes])
    out = []
    for what, kind, v in probes:
        if (kind, v) in said:
            shown = "" if kind == "address" else f" {v}"
            out.append(Hit("known indicator", "medium" if kind in ("domain", "address") else "strong",
                           f"{what}{shown} is a known indicator: {said[(kind, v)]}"))
    return out


def _sanctions(results: Results, c: dict[str, Any]) -> list[Hit]:
    name = c.get("full_name")
    if not name:
        return []
    keys = block_keys(name, "Person")
    if not keys:
        return []
    rows = [(n.list_id, n.entity_id, n.name, n.caption, n.birth_dates) for n in results.listed_names(keys)]
    dob = iso_date(c.get("date_of_birth"))
    me = prepare(name, "Person")
    out = []
    seen: set[tuple[str, str]] = set()
    for lst, eid, listed, caption, dates in rows:
        if (lst, eid) in seen:
            continue  # the best-keyed alias of an entity speaks for it
        s = name_score(me, prepare(listed, "Person"))
        if s < 0.88:
            continue
        years = {d[:4] for d in dates or []}
        if dob and years and dob[:4] not in years:
            continue  # a namesake born in another year is not the listed person
        same = bool(dob and len(dob) == 10 and dob in (dates or []))
        seen.add((lst, eid))
        out.append(Hit("sanctions", "strong" if same else "weak",
                       f'name matches {lst} entry {eid} "{caption}" (as "{listed}"), score {s:.2f}'
                       + (", same date of birth" if same else ", name only")))
    return out
