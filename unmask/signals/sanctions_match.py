"""A party of the bundle matches an OFAC SDN entry (list, entry id, matched name and score named)."""

from unmask.signals.base import Signal

SIGNAL = Signal(
    id="sanctions_name_match",
    needs=("hr.employees",),
    uses=("hr.candidates", "hr.references", "payroll.deposits"),
    strength="strong",
    family="sanctions",
    description="A vendor company or account holder matches an OFAC SDN name or alias (strong); a person's "
    "name matches a sanctioned person: strong with the same date of birth, none with a different birth "
    "year, weak otherwise (common names).",
    reference="indicators.md §3.M sanc_name_match, sanc_front_company_link, §4.1; OFAC SDN",
    sql="""
WITH best AS (
  SELECT subject_type, subject_id, role, name, ent_num, arg_max(list_name, score) AS list_name, max(score) AS score,
    any_value(sdn_type) AS sdn_type, any_value(programs) AS programs, any_value(primary_name) AS primary_name,
    any_value(dob_years) AS dob_years, any_value(dob_dates) AS dob_dates, any_value(dob) AS dob,
    min(line) AS line, any_value(source_file) AS source_file
  FROM screen_pairs GROUP BY subject_type, subject_id, role, name, ent_num
), judged AS (
  SELECT *, dob IS NOT NULL AND (list_contains(dob_dates, strftime(dob, '%d %b %Y'))
      OR list_contains(dob_dates, strftime(dob, '%-d %b %Y'))) AS dob_agrees,
    dob IS NOT NULL AND len(dob_years) > 0 AND NOT list_contains(dob_years, year(dob)::VARCHAR) AS dob_differs
  FROM best
)
SELECT subject_type, subject_id, source_file, line, NULL::TIMESTAMPTZ AS observed_at,
  role || ' "' || name || '" matches OFAC SDN entry ' || ent_num || ' "' || coalesce(primary_name, list_name) || '"'
    || CASE WHEN list_name IS DISTINCT FROM primary_name THEN ' (alias "' || list_name || '")' ELSE '' END
    || coalesce(' [' || replace(programs, '] [', ', ') || ']', '') || ', score ' || round(score, 2)
    || CASE WHEN dob_agrees THEN ', same date of birth' ELSE '' END AS detail,
  -- Names of people are common: only a company, or a person with the same date of birth, is
  -- strong. A birth year alone is not enough (namesakes born the same year are many).
  CASE WHEN role IN ('vendor company', 'account holder') AND sdn_type IS DISTINCT FROM 'individual' THEN 'strong'
       WHEN dob_agrees THEN 'strong'
       ELSE 'weak' END AS strength
FROM judged
-- A person is not the listed person when the birth years disagree; a company is not a person.
WHERE NOT dob_differs
  AND NOT (role IN ('worker', 'candidate', 'reference') AND sdn_type IS DISTINCT FROM 'individual')
""",
)
