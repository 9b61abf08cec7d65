"""Two workers claim the same name and the same date of birth: one identity used twice."""

from unmask.signals.base import Signal, lookalike, negative, positive

SIGNAL = Signal(
    id="name_dob_shared",
    needs=("hr.employees",),
    strength="medium",
    family="identity",
    description="Two or more worker records carry the same name (tokens in any order) and the same date of "
    "birth under different employee ids: one identity used twice (medium; weak when both records carry "
    "different national IDs: namesakes born on one day exist in large organisations).",
    reference="indicators.md §3.A id_stolen_identity_complaint (same name + DOB on two people)",
    log_odds=1.0,
    basis=(
        "M: the same name and birth date on two records (§3.A) is an identity claim, but namesakes born on one "
        "day exist in large organisations; the national ID decides (national_id_shared)."
    ),
    sql="""
WITH e AS (
  SELECT employee_id, unmask_name_key(full_name) AS k, date_of_birth AS dob, national_id, source_file, line,
    hire_date
  FROM employees WHERE date_of_birth IS NOT NULL AND full_name IS NOT NULL
), per AS (
  SELECT x.employee_id AS a, x.k, x.dob, count(DISTINCT y.employee_id) AS others,
    list(DISTINCT y.employee_id ORDER BY y.employee_id) AS who,
    -- Both sides hold a national ID and they differ: two legal persons who share a name and a
    -- birthday, unless something else ties them.
    bool_and(x.national_id IS NOT NULL AND y.national_id IS NOT NULL AND x.national_id <> y.national_id)
      AS namesakes
  FROM e x JOIN e y ON x.k = y.k AND x.dob = y.dob AND x.employee_id <> y.employee_id
  WHERE x.k IS NOT NULL GROUP BY ALL
)
SELECT 'employee' AS subject_type, e.employee_id AS subject_id, e.source_file, e.line,
  e.hire_date::TIMESTAMPTZ AS observed_at,
  'the same name and date of birth as ' || per.others || ' other worker record(s): '
    || array_to_string(per.who[1:10], ', ')
    || CASE WHEN per.namesakes THEN ' (different national IDs: namesakes?)' ELSE '' END AS detail,
  CASE WHEN per.namesakes THEN 'weak' ELSE 'medium' END AS strength,
  CASE WHEN NOT per.namesakes THEN 'name_dob:' || md5(per.k || per.dob::VARCHAR) END AS group_key,
  'name_dob' AS via, 'name and birth date' AS value_hint
FROM e JOIN per ON per.a = e.employee_id
""",
    samples=(
        positive("one name and birth date under two employee ids", {"employees": [
            {"employee_id": "E1", "full_name": "Ann Lee", "date_of_birth": "1990-01-02"},
            {"employee_id": "E2", "full_name": "LEE, Ann", "date_of_birth": "1990-01-02"},
            {"employee_id": "E3", "full_name": "Bo Chan", "date_of_birth": "1990-01-02"},
        ]}, {"E1": "medium", "E2": "medium"}),
        negative("the same name born on another day", {"employees": [
            {"employee_id": "E1", "full_name": "Ann Lee", "date_of_birth": "1990-01-02"},
            {"employee_id": "E2", "full_name": "Ann Lee", "date_of_birth": "1991-05-06"},
        ]}),
        lookalike("profile_social_mismatch: common names, namesakes born on one day with their own national IDs", {
            "employees": [
                {"employee_id": "E1", "full_name": "Ann Lee", "date_of_birth": "1990-01-02", "national_id": "tok-1"},
                {"employee_id": "E2", "full_name": "Ann Lee", "date_of_birth": "1990-01-02", "national_id": "tok-2"},
            ]}, {"E1": "weak", "E2": "weak"}),
    ),
)
