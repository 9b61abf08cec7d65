"""Two records of different ids are, by the probabilistic model, one person: a rejected
applicant back under a variant name, or one identity carried by two workers."""

from unmask.signals.base import Signal, lookalike, negative, positive

SIGNAL = Signal(
    id="same_person_records",
    needs=("hr.employees",),
    uses=("hr.candidates",),
    strength="medium",
    family="identity",
    description="Splink's unsupervised model finds two records (workers or candidates, different ids) more "
    "likely one person than not, and they agree on an identifier besides the name and address (birth date or "
    "national ID, equal or one typo apart; e-mail; phone): name variants, typos, swapped fields. Weak, and no "
    "cluster, when the two carry different national IDs: twins and namesakes do too.",
    reference="indicators.md §3.A, §3.B (one person under several identities); Splink 5",
    log_odds=1.0,
    basis=(
        "M: a model's match on name variants and typos (§3.A, §3.B; Splink) is probabilistic; twins and namesakes"
        " with different national IDs are weak."
    ),
    sql="""
WITH m AS (
  SELECT a_type AS st, a_id AS sid, b_type AS ot, b_id AS oid, match_weight, match_probability, agrees, ids_differ
  FROM person_matches
  UNION ALL SELECT b_type, b_id, a_type, a_id, match_weight, match_probability, agrees, ids_differ
  FROM person_matches
)
SELECT m.st AS subject_type, m.sid AS subject_id, p.source_file, p.line, NULL::TIMESTAMPTZ AS observed_at,
  'probably the same person as ' || m.ot || ' ' || m.oid || ' (match weight ' || round(m.match_weight, 1)
    || '; same ' || m.agrees || ')' AS detail,
  CASE WHEN m.ids_differ THEN 'weak' ELSE 'medium' END AS strength,
  CASE WHEN NOT m.ids_differ THEN
    'person:' || md5(least(m.st || m.sid, m.ot || m.oid) || greatest(m.st || m.sid, m.ot || m.oid)) END AS group_key,
  'same_person' AS via, 'person record' AS value_hint
FROM m JOIN people p ON p.subject_type = m.st AND p.subject_id = m.sid
""",
    samples=(
        positive("Splink matches a worker with a candidate under another id", {
            "people": [{"subject_type": "employee", "subject_id": "E1"},
                       {"subject_type": "candidate", "subject_id": "C1"},
                       {"subject_type": "employee", "subject_id": "E2"}],
            "person_matches": [{"a_type": "employee", "a_id": "E1", "b_type": "candidate", "b_id": "C1",
                                "match_weight": 12.5, "match_probability": 0.99, "agrees": "date of birth",
                                "ids_differ": False}],
        }, {"E1": "medium", "C1": "medium"}),
        negative("records the model did not match", {
            "people": [{"subject_type": "employee", "subject_id": "E1"},
                       {"subject_type": "employee", "subject_id": "E2"}],
        }),
        lookalike("profile_photo_reuse_or_synthetic: twins, alike in all but their national IDs", {
            "people": [{"subject_type": "employee", "subject_id": "E1"},
                       {"subject_type": "employee", "subject_id": "E2"}],
            "person_matches": [{"a_type": "employee", "a_id": "E1", "b_type": "employee", "b_id": "E2",
                                "match_weight": 9.0, "match_probability": 0.98, "agrees": "date of birth",
                                "ids_differ": True}],
        }, {"E1": "weak", "E2": "weak"}),
    ),
)
