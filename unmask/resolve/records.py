"""One person per human: which records (workers, applicants) are one person, and which claim
another person's identity.

A real HR and ATS export holds several records for one human: an applicant who applied twice,
a rehire whose old record was terminated, an ATS record and the employee record it became.
Scored as different people they "share" a national ID, a phone and a home, which is the
strongest evidence there is, and backwards. So records are resolved first:

- ``identity_ties``: two records that claim one identity: the same national ID (keyed token),
  the same name and birth date, or Splink's model says one person (``person_matches``, pairs
  whose national IDs differ left out).
- ``same_person_pairs``: an identity tie whose records also agree beyond the identity: the same
  personal e-mail or phone, or the same declared home (building and unit). Applicants carry no
  birth date or national ID, so two applicant records with one name and one personal e-mail
  or phone are one person too (a reapplication). These are one human with several records.
- ``claimed_identity_pairs``: an identity tie without that agreement: someone using another
  person's identity, whether or not the records overlap in time (a former employee's identity
  is as easy to reuse as a current one's). The record that came first is the likely victim.
- ``person_records``: every record with its ``person_id`` (the smallest record key of its
  connected group of same-person pairs), so that "shared by N people" counts persons.
"""

from __future__ import annotations

from unmask.engine import Engine

_MAX_ITERATIONS = 30


def build(engine: Engine) -> None:
    # Who claims which identity. Employees carry the identity attributes; applicants only a name.
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE record_identity AS "
        "SELECT 'employee' AS subject_type, employee_id AS subject_id, national_id, date_of_birth AS dob, "
        "unmask_name_key(full_name) AS name_key, hire_date AS started, termination_date AS ended "
        "FROM employees "
        "UNION ALL SELECT 'candidate', candidate_id, NULL, NULL, unmask_name_key(full_name), "
        "applied_at::DATE, NULL FROM candidates "
        "WHERE employee_id IS NULL OR employee_id NOT IN (SELECT employee_id FROM employees)"
    )
    has_matches = engine.table_exists("person_matches")
    splink = (
        " UNION SELECT a_type, a_id, b_type, b_id FROM person_matches WHERE NOT ids_differ"
        " UNION SELECT b_type, b_id, a_type, a_id FROM person_matches WHERE NOT ids_differ"
        if has_matches else ""
    )
    engine.execute(
        "CREATE OR REPLACE TABLE identity_ties AS "  # noqa: S608 - our own fragment only
        "SELECT x.subject_type AS a_type, x.subject_id AS a, y.subject_type AS b_type, y.subject_id AS b "
        "FROM record_identity x JOIN record_identity y ON x.national_id = y.national_id "
        "AND NOT (x.subject_type = y.subject_type AND x.subject_id = y.subject_id) "
        "UNION SELECT x.subject_type, x.subject_id, y.subject_type, y.subject_id "
        "FROM record_identity x JOIN record_identity y ON x.name_key = y.name_key AND x.dob = y.dob "
        "AND NOT (x.subject_type = y.subject_type AND x.subject_id = y.subject_id) "
        # Two different national IDs on both sides are two legal persons (namesakes born on one day).
        "AND (x.national_id IS NULL OR y.national_id IS NULL OR x.national_id = y.national_id)"
        + splink
    )
    # What two records share beyond the identity: a personal contact or the declared home.
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE record_contacts AS "
        "SELECT subject_type, subject_id, kind || ':' || value AS k FROM identifiers "
        "WHERE kind IN ('phone', 'personal_email') "
        "UNION SELECT subject_type, subject_id, 'home:' || full_key FROM addresses "
        "WHERE kind = 'home' AND full_key IS NOT NULL"
    )
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE contact_ties AS "
        "SELECT DISTINCT x.subject_type AS a_type, x.subject_id AS a, y.subject_type AS b_type, y.subject_id AS b "
        "FROM record_contacts x JOIN record_contacts y ON x.k = y.k "
        "AND NOT (x.subject_type = y.subject_type AND x.subject_id = y.subject_id)"
    )
    engine.execute(
        "CREATE OR REPLACE TABLE same_person_pairs AS "
        "SELECT a_type, a, b_type, b, 'identity and contact' AS why FROM identity_ties "
        "SEMI JOIN contact_ties USING (a_type, a, b_type, b) "
        # A reapplication: two applicant records, one name, one personal e-mail or phone (no
        # home: a household applies from one address under one surname too).
        "UNION SELECT c.a_type, c.a, c.b_type, c.b, 'reapplication' FROM contact_ties c "
        "JOIN record_identity x ON x.subject_type = c.a_type AND x.subject_id = c.a "
        "JOIN record_identity y ON y.subject_type = c.b_type AND y.subject_id = c.b "
        "WHERE c.a_type = 'candidate' AND c.b_type = 'candidate' AND x.name_key = y.name_key "
        "AND EXISTS (SELECT 1 FROM record_contacts p JOIN record_contacts q ON p.k = q.k "
        "  WHERE p.subject_type = c.a_type AND p.subject_id = c.a AND q.subject_type = c.b_type "
        "  AND q.subject_id = c.b AND p.k NOT LIKE 'home:%')"
    )
    # The record that came first is the likely victim of a claimed identity.
    engine.execute(
        "CREATE OR REPLACE TABLE claimed_identity_pairs AS "
        "SELECT t.a_type, t.a, t.b_type, t.b, "
        # NULL when the records started the same day (or a date is missing): no victim is named.
        "CASE WHEN x.started <> y.started THEN x.started < y.started END AS a_is_first, "
        "x.started <= coalesce(y.ended, DATE '9999-12-31') AND y.started <= coalesce(x.ended, DATE '9999-12-31') "
        "AS overlap "
        "FROM identity_ties t "
        "JOIN record_identity x ON x.subject_type = t.a_type AND x.subject_id = t.a "
        "JOIN record_identity y ON y.subject_type = t.b_type AND y.subject_id = t.b "
        "ANTI JOIN same_person_pairs s ON s.a_type = t.a_type AND s.a = t.a AND s.b_type = t.b_type AND s.b = t.b"
    )
    # A person is not their own housemate: two records of one person sharing a home are one
    # person's records (their shared identifiers are then no sharing at all, see link/persons.py).
    engine.execute(
        "CREATE OR REPLACE TABLE households AS SELECT h.* FROM households h ANTI JOIN same_person_pairs s "
        "ON s.a = h.a AND s.b = h.b"
    )
    _person_ids(engine)


def _person_ids(engine: Engine) -> None:
    """Connected components of same-person pairs, by label propagation in SQL."""
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE pr_label AS "
        "SELECT subject_type, subject_id, subject_type || ':' || subject_id AS label FROM record_identity"
    )
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE pr_edges AS "
        "SELECT a_type || ':' || a AS x, b_type || ':' || b AS y FROM same_person_pairs "
        "UNION SELECT b_type || ':' || b, a_type || ':' || a FROM same_person_pairs"
    )
    for _ in range(_MAX_ITERATIONS):
        engine.execute(
            "CREATE OR REPLACE TEMP TABLE pr_next AS "
            "SELECT l.subject_type, l.subject_id, least(l.label, coalesce(min(n.label), l.label)) AS label "
            "FROM pr_label l LEFT JOIN pr_edges e ON e.x = l.subject_type || ':' || l.subject_id "
            "LEFT JOIN pr_label n ON n.subject_type || ':' || n.subject_id = e.y "
            "GROUP BY l.subject_type, l.subject_id, l.label"
        )
        changed = engine.query(
            "SELECT count(*) FROM pr_label l JOIN pr_next n USING (subject_type, subject_id) WHERE l.label <> n.label"
        )[0][0]
        engine.execute("CREATE OR REPLACE TEMP TABLE pr_label AS SELECT * FROM pr_next")
        if not changed:
            break
    engine.execute(
        "CREATE OR REPLACE TABLE person_records AS "
        "SELECT subject_type, subject_id, label AS person_id, "
        "count(*) OVER (PARTITION BY label) AS records FROM pr_label"
    )


def summary(engine: Engine) -> dict[str, int]:
    """For the manifest: how many persons the records are, and the pairs of each kind."""
    persons, multi = engine.query(
        "SELECT count(DISTINCT person_id), count(DISTINCT person_id) FILTER (WHERE records > 1) FROM person_records"
    )[0]
    return {
        "persons": int(persons), "persons_with_several_records": int(multi),
        "same_person_pairs": int(engine.query("SELECT count(*) FROM same_person_pairs")[0][0]) // 2,
        "claimed_identity_pairs": int(engine.query("SELECT count(*) FROM claimed_identity_pairs")[0][0]) // 2,
    }
