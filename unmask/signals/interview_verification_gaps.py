"""Verification theatre in interviews: the camera stays off, the identity is never checked,
on-site steps are declined, the call comes from a VPN or abroad, the interviewer notes a
different voice. Weak to medium each: they count beside other evidence."""

from unmask.signals.base import Signal, lookalike, negative, positive

SIGNAL = Signal(
    id="interview_verification_gaps",
    needs=("hr.interviews", "hr.candidates"),
    strength="medium",
    family="interview",
    description="Camera off in two or more video interviews, or on-site steps or a drug test declined (medium, "
    "unless the candidate has an interview on camera or on site, or an accommodation is noted); a voice that "
    "changed between stages (medium); an interview joined from Astrill or a hosting network (medium), a VPN or "
    "another country than the declared one (weak); identity never checked against the face, small talk about "
    "the claimed city failed, answers read out (weak).",
    reference="indicators.md §3.D intv_camera_refusal, intv_avoid_in_person_and_drug_test, intv_proxy_interviewee, "
    "intv_conference_client_ip, intv_location_smalltalk_failure, intv_cheating_pattern; G23, DTEX",
    log_odds=1.0,
    basis=(
        "M in §3.D intv_camera_refusal and intv_avoid_in_person_and_drug_test (G23, SW, JP, NIS); bandwidth, "
        "disability and privacy look alike; the interviewer's notes of reading and small talk are W."
    ),
    sql="""
WITH c AS (
  SELECT c.candidate_id, c.country,
    CASE WHEN e.employee_id IS NOT NULL THEN 'employee' ELSE 'candidate' END AS subject_type,
    coalesce(e.employee_id, c.candidate_id) AS subject_id
  FROM candidates c LEFT JOIN employees e ON e.employee_id = c.employee_id
), i AS (
  SELECT i.*, string_split(coalesce(i.flags, ''), ';') AS fl, k.kind AS egress_kind
  FROM interviews i LEFT JOIN interview_ip_class k ON k.ip = i.participant_ip
), per AS (
  SELECT c.subject_type, c.subject_id, any_value(c.country) AS declared, min({'f': i.source_file, 'l': i.line}).f AS f,
    min({'f': i.source_file, 'l': i.line}).l AS line, min(i.interview_at) AS first_at, count(*) AS n,
    count(*) FILTER (WHERE i.medium = 'video' AND i.camera_on = false) AS camera_off,
    -- Seen on camera or on site once: the person was seen; a refusal elsewhere is not theatre.
    bool_or(i.camera_on = true OR i.medium = 'onsite') AS seen,
    bool_or(list_contains(i.fl, 'accommodation')) AS accommodation,
    bool_or(list_contains(i.fl, 'declined_onsite') OR list_contains(i.fl, 'declined_drug_test')) AS declined,
    bool_or(list_contains(i.fl, 'voice_mismatch')) AS voice,
    bool_or(list_contains(i.fl, 'location_smalltalk_failed')) AS smalltalk,
    bool_or(list_contains(i.fl, 'reading_answers')) AS reading,
    count(*) FILTER (WHERE i.identity_checked = true) AS checked,
    list(DISTINCT i.egress_kind) FILTER (WHERE i.egress_kind IS NOT NULL) AS egress,
    list(DISTINCT upper(i.participant_country)) FILTER (WHERE i.participant_country IS NOT NULL
      AND c.country IS NOT NULL AND upper(i.participant_country) <> upper(c.country)) AS abroad
  FROM i JOIN c USING (candidate_id) GROUP BY c.subject_type, c.subject_id
), rows AS (
  SELECT *, 'camera off in ' || camera_off || ' video interviews' AS detail, 'medium' AS strength FROM per
    WHERE camera_off >= 2 AND NOT seen AND NOT accommodation
  UNION ALL SELECT *, 'declined the on-site step or the drug test', 'medium' FROM per
    WHERE declined AND NOT seen AND NOT accommodation
  UNION ALL SELECT *, 'the interviewer noted a different voice between stages', 'medium' FROM per WHERE voice
  UNION ALL SELECT *, 'interview joined from ' || array_to_string(egress, ', ')
      || CASE WHEN list_has_any(egress, ['astrill', 'hosting']) THEN ''
              ELSE ' (a VPN: travel and privacy look alike)' END,
    CASE WHEN list_has_any(egress, ['astrill', 'hosting']) THEN 'medium' ELSE 'weak' END FROM per WHERE len(egress) > 0
  UNION ALL SELECT *, 'interview joined from ' || array_to_string(abroad, ', ') || ', not the declared '
      || declared, 'weak' FROM per WHERE len(abroad) > 0
  UNION ALL SELECT *, 'identity never checked against the face in ' || n || ' interviews', 'weak' FROM per
    WHERE checked = 0 AND n >= 2 AND NOT accommodation
  UNION ALL SELECT *, 'small talk about the claimed city failed', 'weak' FROM per WHERE smalltalk
  UNION ALL SELECT *, 'answers were read out', 'weak' FROM per WHERE reading
)
SELECT subject_type, subject_id, f AS source_file, line, first_at AS observed_at, detail, strength FROM rows
""",
    samples=(
        positive("camera off in both video interviews, never seen", {
            "candidates": [{"candidate_id": "C1", "country": "US"}, {"candidate_id": "C2", "country": "US"}],
            "interviews": [
                {"candidate_id": c, "medium": "video", "camera_on": on, "identity_checked": on,
                 "interview_at": f"2026-06-0{d}T15:00:00Z"}
                for c, on in (("C1", False), ("C2", True)) for d in (1, 2)],
        }, {"C1": "medium"}),
        negative("on camera, identity checked", {
            "candidates": [{"candidate_id": "C1", "country": "US"}],
            "interviews": [{"candidate_id": "C1", "medium": "video", "camera_on": True, "identity_checked": True},
                           {"candidate_id": "C1", "medium": "onsite", "identity_checked": True}],
        }),
        lookalike("intv_camera_refusal: a disability accommodation noted", {
            "candidates": [{"candidate_id": "C1", "country": "US"}],
            "interviews": [{"candidate_id": "C1", "medium": "video", "camera_on": False, "flags": "accommodation"},
                           {"candidate_id": "C1", "medium": "video", "camera_on": False, "flags": "accommodation"}],
        }),
    ),
)
