"""Two worker records of one identity active at the same time."""

from typing import Any

from unmask.signals.base import Signal, lookalike, negative, positive


def _emp(eid: str, hired: str, ended: str | None = None) -> dict[str, Any]:
    return {"employee_id": eid, "hire_date": hired, "termination_date": ended, "source_file": "hr/employees.csv",
            "line": int(eid[1:]) + 1}


def _claim(a: str, b: str, a_first: bool, overlap: bool) -> list[dict[str, Any]]:
    """Both directions of a claimed identity, as resolve/records.py writes them."""
    return [{"a_type": "employee", "a": a, "b_type": "employee", "b": b, "a_is_first": a_first, "overlap": overlap},
            {"a_type": "employee", "a": b, "b_type": "employee", "b": a, "a_is_first": not a_first,
             "overlap": overlap}]


def _same(a: str, b: str) -> list[dict[str, Any]]:
    return [{"a_type": "employee", "a": a, "b_type": "employee", "b": b, "why": "identity and contact"},
            {"a_type": "employee", "a": b, "b_type": "employee", "b": a, "why": "identity and contact"}]


SIGNAL = Signal(
    id="identity_active_twice",
    needs=("hr.employees",),
    strength="strong",
    family="identity",
    description="Two worker records of one identity (the same national ID, or name and birth date, or one person "
    "by the model) are employed at the same time: the later record of a claimed identity, or both records when "
    "they are one person on the payroll twice. A rehire whose old record ended first is not this.",
    reference="indicators.md §3.A id_stolen_identity_complaint (one identity, two concurrent workers); DOJ25b",
    log_odds=2.0,
    decisive=True,
    decisive_log_odds=3.4,
    basis=(
        "Decisive for a claimed identity (LR about 30): §3.A id_stolen_identity_complaint is S, and one identity "
        "employed twice at once is that complaint seen in the data before the owner calls (DOJ24a: 68 identities;"
        " DOJ25b: >80). One person's two records at once stays strong, not decisive: a duplicate HR record is the"
        " clerical look-alike."
    ),
    sql="""
WITH ties AS (
  -- Both records when neither is known to have come first.
  SELECT c.a, c.b, coalesce(NOT c.a_is_first, true) AS later, false AS same_person
  FROM claimed_identity_pairs c WHERE c.a_type = 'employee' AND c.b_type = 'employee' AND c.overlap
  UNION ALL
  SELECT s.a, s.b, true, true FROM same_person_pairs s
  JOIN employees x ON x.employee_id = s.a JOIN employees y ON y.employee_id = s.b
  WHERE s.a_type = 'employee' AND s.b_type = 'employee'
    AND x.hire_date <= coalesce(y.termination_date, DATE '9999-12-31')
    AND y.hire_date <= coalesce(x.termination_date, DATE '9999-12-31')
), per AS (
  SELECT a, bool_or(same_person) AS same_person, list(DISTINCT b ORDER BY b) AS who FROM ties WHERE later GROUP BY a
)
SELECT 'employee' AS subject_type, e.employee_id AS subject_id, e.source_file, e.line,
  e.hire_date::TIMESTAMPTZ AS observed_at,
  CASE WHEN per.same_person THEN 'employed at the same time under another record of the same person: '
       ELSE 'employed under the identity of another worker who was employed at the same time: ' END
    || array_to_string(per.who[1:10], ', ') AS detail,
  -- Decisive for a claimed identity; one person's duplicate record may be clerical.
  NOT per.same_person AS decisive
FROM per JOIN employees e ON e.employee_id = per.a
""",
    samples=(
        positive("a second worker under the identity of one employed at the same time: the later record", {
            "employees": [_emp("E1", "2021-03-01"), _emp("E2", "2026-08-01")],
            "claimed_identity_pairs": _claim("E1", "E2", True, True),
        }, {"E2": "strong"}, decisive=["E2"]),
        positive("one person on the payroll twice at once: both records", {
            "employees": [_emp("E1", "2024-03-01"), _emp("E2", "2025-09-01")],
            "same_person_pairs": _same("E1", "E2"),
        }, {"E1": "strong", "E2": "strong"}),
        negative("a former worker's identity reused after they left: strong elsewhere, not this", {
            "employees": [_emp("E1", "2015-03-01", "2020-01-31"), _emp("E2", "2026-08-01")],
            "claimed_identity_pairs": _claim("E1", "E2", True, False),
        }),
        lookalike("a rehire: one person, the old record ended before the new one began", {
            "employees": [_emp("E1", "2019-03-01", "2022-06-30"), _emp("E2", "2025-01-06")],
            "same_person_pairs": _same("E1", "E2"),
        }),
    ),
)
