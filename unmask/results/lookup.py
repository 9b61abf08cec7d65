"""Keyed reads behind :class:`unmask.results.Results`: the report's pictures, ``unmask check``'s
lookups of one applicant, and one case's indicators for ``export-iocs``.

Every value comes in as a bound parameter (a list is unnested in SQL); nothing here writes, so
that a store opened read-only serves them all.
"""

from __future__ import annotations

from typing import Any

from unmask.engine import Engine
from unmask.results.records import (
    AddressHolder,
    ContactHolder,
    DeclaredPlace,
    DocumentHash,
    HourProfile,
    Indicator,
    ListedName,
    SigninDay,
    SigninPlace,
    SubjectRef,
)

FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com", "icloud.com", "me.com",
    "aol.com", "proton.me", "protonmail.com", "pm.me", "mail.com", "gmx.com", "gmx.net", "yandex.com", "yandex.ru",
    "qq.com", "163.com", "126.com", "zoho.com", "tutanota.com", "fastmail.com", "hey.com",
})


def _line(v: Any) -> int | None:
    return None if v is None else int(v)


# -- pictures ------------------------------------------------------------------------------

_HOURS_SQL = """
WITH subj AS (SELECT DISTINCT unnest($ids::VARCHAR[]) AS employee_id),
tz AS (
  SELECT p.employee_id, coalesce(any_value(h.tz), $home_tz) AS tz FROM subj p
  LEFT JOIN addresses h ON h.kind = 'home' AND h.subject_type = 'employee' AND h.subject_id = p.employee_id
  GROUP BY p.employee_id
), ev AS (
  SELECT employee_id, ts FROM signins WHERE employee_id IN (SELECT employee_id FROM subj)
  UNION ALL
  SELECT e.employee_id, a.timestamp FROM activity a JOIN employees e ON e.email = a.actor_email
  WHERE e.employee_id IN (SELECT employee_id FROM subj)
)
SELECT ev.employee_id, any_value(tz.tz), hour(timezone(tz.tz, ev.ts)) AS h, count(*) AS n
FROM ev JOIN tz USING (employee_id) WHERE ev.ts IS NOT NULL GROUP BY ev.employee_id, h
"""


def activity_hours(eng: Engine, ids: list[str], home_tz: str) -> dict[str, HourProfile]:
    if not ids:
        return {}
    hours: dict[str, list[int]] = {}
    zones: dict[str, str] = {}
    for eid, tz, h, n in eng.query(_HOURS_SQL, {"ids": ids, "home_tz": home_tz}):
        hours.setdefault(eid, [0] * 24)[int(h)] = int(n)
        zones[eid] = tz
    return {eid: HourProfile(zones[eid], h) for eid, h in hours.items()}


def signin_days(eng: Engine, ids: list[str]) -> dict[str, list[SigninDay]]:
    if not ids:
        return {}
    out: dict[str, list[SigninDay]] = {}
    for eid, d, country, n in eng.query(
        "SELECT employee_id, ts::DATE AS d, coalesce(country, '?'), count(*) FROM signins "
        "WHERE employee_id IN (SELECT unnest($ids::VARCHAR[])) AND ts IS NOT NULL "
        "GROUP BY ALL ORDER BY d, employee_id, 3", {"ids": ids}
    ):
        out.setdefault(eid, []).append(SigninDay(d, str(country), int(n)))
    return out


MAX_PLACES = 400  # a map of more points says no more; the busiest places are kept


def signin_places(eng: Engine, employee_id: str) -> list[SigninPlace]:
    """Sign-ins of one worker that carry a geolocation, grouped by place (lat/lon rounded to
    two decimals, about 1 km), busiest first; coordinates out of range are left out."""
    if not eng.table_exists("signins"):
        return []
    rows = eng.query(
        "SELECT round(lat, 2) AS la, round(lon, 2) AS lo, coalesce(min(city), ''), coalesce(min(country), '?'), "
        "count(*) AS n, min(ts), max(ts) FROM signins WHERE employee_id = $id AND lat BETWEEN -90 AND 90 "
        "AND lon BETWEEN -180 AND 180 GROUP BY la, lo ORDER BY n DESC, la, lo LIMIT $max",
        {"id": employee_id, "max": MAX_PLACES},
    )
    return [SigninPlace(float(la), float(lo), str(c), str(k), int(n), a, b) for la, lo, c, k, n, a, b in rows]


def declared_places(eng: Engine, subject_type: str, subject_id: str) -> list[DeclaredPlace]:
    """The subject's declared home and ship-to addresses that have a known ZIP centroid."""
    if not eng.table_exists("addresses"):
        return []
    # The label names the ZIP code's city where the store has the ZIP table (our constants only).
    city, join = (("coalesce(z.city || ', ' || z.state || ' ', '') || ", "LEFT JOIN zip_geo z USING (zip5) ")
                  if eng.table_exists("zip_geo") else ("", ""))
    rows = eng.query(
        f"SELECT DISTINCT a.kind, a.lat, a.lon, {city}coalesce(a.zip5, '') FROM addresses a {join}"  # noqa: S608
        "WHERE a.subject_type = $st AND a.subject_id = $sid AND a.lat IS NOT NULL AND a.lon IS NOT NULL "
        "ORDER BY 1, 4",
        {"st": subject_type, "sid": subject_id},
    )
    return [DeclaredPlace(str(k), float(la), float(lo), str(label)) for k, la, lo, label in rows]


def declared_cities(eng: Engine) -> dict[tuple[str, str], str]:
    """``(subject type, id) -> city`` of every subject's declared home (report.html's search)."""
    out: dict[tuple[str, str], str] = {}
    for table, st, col in (("candidates", "candidate", "candidate_id"), ("employees", "employee", "employee_id")):
        if eng.table_exists(table):
            for sid, city in eng.query(f"SELECT {col}, min(city) FROM {table} "  # noqa: S608 - constants
                                       "WHERE city IS NOT NULL GROUP BY 1"):
                out[(st, str(sid))] = str(city)
    return out


# -- unmask check --------------------------------------------------------------------------

def contact_holders(eng: Engine, values: list[str]) -> list[ContactHolder]:
    """Stored contact identifiers (phones, personal and reference e-mails, profiles) equal to
    any of ``values``; at most 200, in a stable order."""
    if not values:
        return []
    rows = eng.query(
        "SELECT i.kind, i.value, i.subject_type, i.subject_id, i.source_file, i.line FROM identifiers i "
        "WHERE i.value IN (SELECT unnest($v::VARCHAR[])) AND i.kind IN ('phone', 'reference_phone', "
        "'personal_email', 'reference_email', 'profile') ORDER BY ALL LIMIT 200",
        {"v": values},
    )
    return [ContactHolder(k, v, st, sid, src, _line(line)) for k, v, st, sid, src, line in rows]


def address_holders(eng: Engine, building: str, full_key: str | None) -> list[AddressHolder]:
    """Homes and ship-to addresses in ``building`` (offices aside); at most 50."""
    rows = eng.query(
        "SELECT kind, subject_type, subject_id, coalesce(full_key = $full, false) AS same_unit, source_file, line "
        "FROM addresses WHERE building = $b AND NOT coalesce(is_office, false) ORDER BY ALL LIMIT 50",
        {"b": building, "full": full_key},
    )
    return [AddressHolder(k, st, sid, bool(same), src, _line(line)) for k, st, sid, same, src, line in rows]


def known_indicators(eng: Engine, values: list[str]) -> dict[tuple[str, str], str]:
    """``(indicator kind, value) -> who says so`` for the values the scan's indicators hold."""
    if not values or not eng.table_exists("ioc_values"):
        return {}
    rows = eng.query("SELECT kind, v, string_agg(DISTINCT said_by, '; ' ORDER BY said_by) FROM ioc_values "
                     "WHERE v IN (SELECT unnest($v::VARCHAR[])) GROUP BY kind, v", {"v": values})
    return {(str(k), str(v)): str(by) for k, v, by in rows}


def listed_names(eng: Engine, keys: list[str]) -> list[ListedName]:
    """Sanctions-list names sharing the most (IDF-weighted) index keys with ``keys``: the 12 best."""
    if not keys or not eng.table_exists("intel_keys"):
        return []
    rows = eng.query(
        "SELECT n.list, n.entity_id, n.name, e.caption, e.birth_dates, sum(k.idf) AS w FROM intel_keys k "
        "JOIN intel_name_ids n USING (nid) JOIN intel_entities e USING (list, entity_id) "
        "WHERE k.key IN (SELECT unnest($k::VARCHAR[])) AND (k.person OR k.any_schema) "
        "GROUP BY ALL ORDER BY w DESC LIMIT 12",
        {"k": keys},
    )
    return [ListedName(lst, eid, name, caption, list(dates or [])) for lst, eid, name, caption, dates, _ in rows]


# -- export-iocs ---------------------------------------------------------------------------

_INDICATORS_SQL = """
WITH s AS (SELECT unnest($types::VARCHAR[]) AS subject_type, unnest($ids::VARCHAR[]) AS subject_id),
ids AS (SELECT i.* FROM identifiers i JOIN s USING (subject_type, subject_id))
-- References are third parties: their contacts leave only when asked for ($refs).
SELECT 'email', value, replace(kind, '_', ' ') || ' of ' || subject_id FROM ids
  WHERE kind = 'personal_email' OR kind = 'reference_email' AND $refs
UNION ALL SELECT 'domain', split_part(value, '@', 2), 'e-mail domain of ' || subject_id FROM ids
  WHERE kind = 'personal_email' OR kind = 'reference_email' AND $refs
UNION ALL SELECT 'phone', value, replace(kind, '_', ' ') || ' of ' || subject_id FROM ids
  WHERE kind = 'phone' OR kind = 'reference_phone' AND $refs
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


def indicators(eng: Engine, subjects: list[SubjectRef], include_tokens: bool,
               include_references: bool = False) -> list[Indicator]:
    """Every shareable indicator of ``subjects``, one per (type, value) with all its notes, in a
    stable order. Account numbers are keyed tokens and come only with ``include_tokens``; the
    references' e-mails and phones only with ``include_references``; public mail domains are no
    indicator."""
    rows = eng.query(_INDICATORS_SQL, {"types": [s.type for s in subjects], "ids": [s.id for s in subjects],
                                       "tokens": include_tokens, "refs": include_references})
    seen: dict[tuple[str, str], list[str]] = {}
    for typ, value, note in rows:
        if not value or (typ == "domain" and value in FREE_MAIL):
            continue
        seen.setdefault((str(typ), str(value)), []).append(str(note))
    return [Indicator(t, v, "; ".join(sorted(set(n)))) for (t, v), n in seen.items()]


def document_hashes(eng: Engine, subject_ids: list[str]) -> list[DocumentHash]:
    """SHA-256 of the résumés and photos of ``subject_ids`` (by candidate or employee id), as the
    scan read them from the bundle (``document_hashes``, written by ``sources/documents.py``)."""
    if not subject_ids or not eng.table_exists("document_hashes") or not eng.table_exists("candidates"):
        return []
    rows = eng.query(
        "SELECT DISTINCT coalesce(c.employee_id, c.candidate_id), d.path, d.sha256 FROM document_hashes d "
        "JOIN candidates c USING (candidate_id) "
        "WHERE list_contains($ids::VARCHAR[], c.candidate_id) OR list_contains($ids::VARCHAR[], c.employee_id) "
        "ORDER BY ALL", {"ids": subject_ids})
    return [DocumentHash(str(sid), str(path), str(sha)) for sid, path, sha in rows]
