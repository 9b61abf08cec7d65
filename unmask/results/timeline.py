"""One subject's records (with their context fields) and dated moments, from the part tables the
scan loaded. A part the bundle lacks has no table, or an empty one: its moments are simply absent.

A subject is an employee or a candidate. An employee's candidate records are those whose
``employee_id`` names them (the applicant they were), so that a worker's life reads from the
application to the last sign-in.
"""

from __future__ import annotations

from typing import Any

from unmask.engine import Engine
from unmask.results.records import Record, TimelineEvent

# The candidate ids of the subject: a candidate's own id, or an employee's applications.
_CANDS = ("cands AS (SELECT candidate_id FROM candidates WHERE ($st = 'candidate' AND candidate_id = $sid) "
          "OR ($st = 'employee' AND employee_id = $sid))")

# (tables it needs, SELECT at, kind, detail, source_file, line). Constants only: values are bound.
_EVENTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("candidates",),
     "SELECT applied_at, 'applied', 'applied as candidate ' || candidate_id || coalesce(' (stage ' || stage || ')', '')"
     " || coalesce(', referred by ' || referred_by, ''), source_file, line FROM candidates "
     "WHERE candidate_id IN (SELECT candidate_id FROM cands) AND applied_at IS NOT NULL"),
    (("candidates", "interviews"),
     "SELECT interview_at, 'interviewed', concat_ws(', ', coalesce(stage, 'interview'), medium, "
     "CASE WHEN camera_on = false THEN 'camera off' END, "
     "CASE WHEN participant_country IS NOT NULL THEN 'from ' || participant_country END), source_file, line "
     "FROM interviews WHERE candidate_id IN (SELECT candidate_id FROM cands) AND interview_at IS NOT NULL"),
    (("employees",),
     "SELECT hire_date::TIMESTAMPTZ, 'hired', concat_ws(', ', title, department, employment_type, vendor_company), "
     "source_file, line FROM employees WHERE $st = 'employee' AND employee_id = $sid AND hire_date IS NOT NULL"),
    (("employees",),
     "SELECT termination_date::TIMESTAMPTZ, 'terminated', '', source_file, line FROM employees "
     "WHERE $st = 'employee' AND employee_id = $sid AND termination_date IS NOT NULL"),
    (("shipments",),
     "SELECT shipped_at, 'laptop shipped', concat_ws(', ', asset_tag, city, region, country), source_file, line "
     "FROM shipments WHERE $st = 'employee' AND employee_id = $sid AND shipped_at IS NOT NULL"),
    (("shipments",),
     "SELECT delivered_at, 'laptop delivered', concat_ws(', ', asset_tag, city, region, country), source_file, line "
     "FROM shipments WHERE $st = 'employee' AND employee_id = $sid AND delivered_at IS NOT NULL"),
    (("devices",),
     "SELECT enrolled_at, 'device enrolled', concat_ws(', ', hostname, model, os), source_file, line "
     "FROM devices WHERE $st = 'employee' AND assigned_employee_id = $sid AND enrolled_at IS NOT NULL"),
    (("signins",),
     "SELECT min(ts), 'first sign-in', 'first sign-in from ' || coalesce(country, 'an unknown country') "
     "|| coalesce(' (' || arg_min(city, ts) || ')', '') || ' via ' || arg_min(idp, ts), "
     "arg_min(source_file, ts), arg_min(line, ts) FROM signins "
     "WHERE $st = 'employee' AND employee_id = $sid AND ts IS NOT NULL GROUP BY country"),
    (("deposits",),
     "SELECT effective_date::TIMESTAMPTZ, 'payout account set', concat_ws(', ', method, institution_name, platform, "
     "country, CASE WHEN account_holder_name IS NOT NULL THEN 'holder ' || account_holder_name END), "
     "source_file, line FROM deposits WHERE $st = 'employee' AND employee_id = $sid AND effective_date IS NOT NULL"),
    (("hr_changes",),
     "SELECT changed_at, 'HR record changed', field || ': ' || coalesce(old_value, '-') || ' -> ' "
     "|| coalesce(new_value, '-') || coalesce(' (by ' || changed_by || ')', ''), source_file, line "
     "FROM hr_changes WHERE $st = 'employee' AND employee_id = $sid AND changed_at IS NOT NULL"),
    # Evidence with a time: remote tools, bulk clones, sign-ins from far away, ...
    (("scored_evidence",),
     "SELECT observed_at, 'evidence', signal || ': ' || detail, source_file, line FROM scored_evidence "
     "WHERE subject_type = $st AND subject_id = $sid AND observed_at IS NOT NULL"),
)


def timeline_of(eng: Engine, subject_type: str, subject_id: str) -> list[TimelineEvent]:
    parts = [sql for needs, sql in _EVENTS if all(eng.table_exists(t) for t in needs)]
    if not parts:
        return []
    has_cands = eng.table_exists("candidates")
    union = " UNION ALL ".join(f"({p})" for p in parts)
    # Only the constant fragments above are joined; the subject is bound.
    sql = (("WITH " + _CANDS + " " if has_cands else "")  # noqa: S608
           + f"SELECT * FROM ({union}) t(at_, kind, detail, source_file, line) "  # noqa: S608
           "ORDER BY at_, kind, source_file, line, detail")
    rows = eng.query(sql, {"st": subject_type, "sid": subject_id})
    return [TimelineEvent(at, kind, detail or "", src, None if line is None else int(line))
            for at, kind, detail, src, line in rows]


_EMPLOYEE_SQL = """
SELECT 'employee', e.employee_id, e.full_name, e.email, e.source_file, e.line, e.title, e.department, e.manager_id,
  m.full_name, e.city, e.region, e.country, e.employment_type, e.vendor_company, e.hire_date, e.termination_date
FROM employees e
LEFT JOIN (SELECT employee_id, min(full_name) AS full_name FROM employees
           WHERE employee_id IN (SELECT manager_id FROM employees WHERE employee_id = $sid) GROUP BY employee_id) m
  ON m.employee_id = e.manager_id
WHERE e.employee_id = $sid ORDER BY e.source_file, e.line
"""

_CANDIDATE_SQL = """
SELECT 'candidate', candidate_id, full_name, email, source_file, line, city, region, country, applied_at, stage,
  employee_id
FROM candidates WHERE ($st = 'candidate' AND candidate_id = $sid) OR ($st = 'employee' AND employee_id = $sid)
ORDER BY source_file, line
"""


def records_of(eng: Engine, subject_type: str, subject_id: str) -> list[Record]:
    out: list[Record] = []
    p: dict[str, Any] = {"st": subject_type, "sid": subject_id}
    if subject_type == "employee" and eng.table_exists("employees"):
        for (kind, rid, name, email, src, line, title, dept, mgr, mgr_name, city, region, country, etype, vendor,
             hired, left) in eng.query(_EMPLOYEE_SQL, {"sid": subject_id}):
            out.append(Record(kind, rid, name, email, src, None if line is None else int(line), title=title,
                              department=dept, manager_id=mgr, manager_name=mgr_name, city=city, region=region,
                              country=country, employment_type=etype, vendor=vendor, hire_date=hired,
                              termination_date=left))
    if eng.table_exists("candidates"):
        for kind, rid, name, email, src, line, city, region, country, applied, stage, eid in eng.query(
                _CANDIDATE_SQL, p):
            out.append(Record(kind, rid, name, email, src, None if line is None else int(line), city=city,
                              region=region, country=country, applied_at=applied, stage=stage, employee_id=eid))
    return out
