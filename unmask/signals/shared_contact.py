"""A phone, personal e-mail, reference, profile, interview IP or résumé shared by different people."""

from unmask.signals.base import Signal, lookalike, negative, positive
from unmask.signals.shapes import shared

SIGNAL = Signal(
    id="shared_contact",
    needs=("hr.candidates",),
    uses=("hr.employees", "hr.references", "hr.interviews"),
    strength="strong",
    family="identity",
    description="Different people (candidates or workers) share a phone, a personal e-mail or a photo "
    "(perceptual hash, under different names) (strong), or a reference, profile handle, interview IP or "
    "near-identical résumé (medium).",
    reference="indicators.md §3.B reuse_contact_across_identities, §3.C profile_resume_text_reuse, "
    "§3.D intv_conference_client_ip; G25, MND",
    log_odds=2.0,
    basis=(
        "S for a phone, personal e-mail or photo reused under different names, M for an address, reference, "
        "résumé or profile (§3.B reuse_contact_across_identities, §3.C profile_resume_text_reuse; G25: cross-"
        "reference applicants' contact details and résumés; MND). Household, recruiter and template look-alikes "
        "are weak or medium."
    ),
    sql=shared("""
WITH holders AS (
  SELECT subject_type, subject_id, kind AS via, value AS key, source_file, line,
    NULL::TIMESTAMPTZ AS observed_at, NULL AS excuse
  FROM identifiers
)""", """
SELECT subject_type, subject_id, first_file AS source_file, first_line AS line, NULL::TIMESTAMPTZ AS observed_at,
  CASE via WHEN 'resume' THEN 'résumé is a near-copy of' WHEN 'photo' THEN 'photo is the same face as that of'
       ELSE replace(via, '_', ' ') || ' also used by' END
    || ' ' || others || ' other person(s): ' || array_to_string(who[1:10], ', ')
    || CASE WHEN unrelated = 0 THEN ' (same household)' ELSE '' END AS detail,
  CASE WHEN unrelated = 0 THEN 'weak' WHEN via IN ('phone', 'personal_email', 'photo') THEN 'strong'
       ELSE 'medium' END
    AS strength,
  group_key, via,
  CASE WHEN via IN ('phone', 'reference_phone') THEN '…' || right(key, 4)
       WHEN via IN ('personal_email', 'reference_email') THEN left(key, 2) || '…@' || split_part(key, '@', 2)
       WHEN via = 'resume' THEN 'résumé text' WHEN via = 'photo' THEN 'photo' ELSE key END AS value_hint
FROM shared
"""),
    samples=(
        positive("two candidates give one phone; a worker and a candidate one GitHub handle", {"identifiers": [
            {"subject_type": "candidate", "subject_id": "C1", "kind": "phone", "value": "+16145550101"},
            {"subject_type": "candidate", "subject_id": "C2", "kind": "phone", "value": "+16145550101"},
            {"subject_type": "employee", "subject_id": "E1", "kind": "profile", "value": "github.com/devstar"},
            {"subject_type": "candidate", "subject_id": "C3", "kind": "profile", "value": "github.com/devstar"},
            {"subject_type": "candidate", "subject_id": "C4", "kind": "phone", "value": "+16145550199"},
        ]}, {"C1": "strong", "C2": "strong", "E1": "medium", "C3": "medium"}),
        negative("contacts of their own; one person giving the same phone twice", {"identifiers": [
            {"subject_type": "candidate", "subject_id": "C1", "kind": "phone", "value": "+16145550101"},
            {"subject_type": "candidate", "subject_id": "C1", "kind": "phone", "value": "+16145550101"},
            {"subject_type": "candidate", "subject_id": "C2", "kind": "phone", "value": "+16145550102"},
            {"subject_type": "candidate", "subject_id": "C2", "kind": "personal_email", "value": "+16145550101"},
        ]}),
        lookalike("reuse_contact_across_identities: spouses sharing a home phone", {
            "identifiers": [
                {"subject_type": "employee", "subject_id": "E1", "kind": "phone", "value": "+16145550101"},
                {"subject_type": "employee", "subject_id": "E2", "kind": "phone", "value": "+16145550101"}],
            "households": [{"a": "E1", "b": "E2", "kind": "spouse"}, {"a": "E2", "b": "E1", "kind": "spouse"}],
        }, {"E1": "weak", "E2": "weak"}),
    ),
)
