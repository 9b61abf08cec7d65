"""A party of the bundle matches a sanctioned entity (list, entry id, matched alias, score and
its components named)."""

from typing import Any

from unmask.signals.base import Signal, lookalike, negative, positive
from unmask.sources.intel.common import LIST_NAMES


def _match(sid: str, name: str, listed: str, schema: str, dob: str = "unknown", score: float = 0.95,
           role: str = "worker") -> dict[str, Any]:
    """A row of ``screen_matches`` for the samples (the screening stage's candidate pairs)."""
    return {"subject_type": "employee", "subject_id": sid, "role": role, "name": name, "party_schema": schema,
            "list": "us_ofac_sdn", "entity_id": "ofac-1", "list_name": listed, "kind": "name", "caption": listed,
            "schema": schema, "name_score": score, "ofac_score": 95, "dob": dob, "country": "KP", "score": score}

SIGNAL = Signal(
    id="sanctions_name_match",
    needs=("hr.employees",),
    uses=("hr.candidates", "hr.references", "payroll.deposits"),
    strength="strong",
    family="sanctions",
    description="A vendor company, paying bank or account holder matches a sanctioned company (strong); a "
    "person matches a sanctioned person with the same date of birth (strong), or on the name alone (weak: "
    "names are common); a different birth year rules the person out.",
    reference="indicators.md §3.M sanc_name_match, sanc_front_company_link, §4.1; OFAC SDN, OFAC "
    "Consolidated, UN SC Consolidated List",
    log_odds=2.0,
    decisive=True,
    decisive_log_odds=3.4,
    basis=(
        "S for a sanctioned company or a person with the same birth date (§3.M sanc_name_match: S on exact IDs, W"
        " on name only). Decisive (LR about 30) for a sanctioned organisation as vendor, payee or account holder "
        "(§3.M sanc_front_company_link; §4.1 fronts such as Yanbian Silverstar, Chinyong, Korea Sobaeksu): a "
        "close organisation match at score >= 0.92; a same-named unrelated company is the look-alike, hence not "
        "higher."
    ),
    sql=f"""
WITH m AS (
  SELECT *, row_number() OVER (PARTITION BY subject_type, subject_id, role, name, list, entity_id
                               ORDER BY score DESC) AS r
  FROM screen_matches WHERE score >= 0.88 AND dob <> 'different year'
    -- A person known only by name: the whole listed name must be there, not two common
    -- words of a longer name ("Luis Ramírez" in "RAMIREZ, Joise Luis").
    AND (dob = 'same date' OR schema <> 'Person' OR party_schema <> 'Person'
         OR len(list_filter(string_split_regex(list_name, '[[:space:],.''-]+'), lambda t: t <> ''))
            <= len(list_filter(string_split_regex(name, '[[:space:],.''-]+'), lambda t: t <> '')))
)
SELECT subject_type, subject_id, source_file, line, NULL::TIMESTAMPTZ AS observed_at,
  role || ' "' || name || '" matches ' || {LIST_NAMES} || ' entry ' || entity_id || ' "' || caption || '"'
    || CASE WHEN list_name IS DISTINCT FROM caption THEN ' (' || kind || ' "' || list_name || '")' ELSE '' END
    || coalesce(' [' || programs || ']', '') || ': score ' || round(score, 2)
    || ' (name ' || round(name_score, 2) || ', OFAC-scale ' || ofac_score || ', birth date ' || dob
    -- No nationality here: a scan never states a worker's nationality (only `unmask screen`
    -- compares the one a user gives), and the signal must not read one.
    || ', country ' || country || ')' AS detail,
  -- Names of people are common: only a company, or a person with the same date of birth, is
  -- strong. A birth year alone is not enough (namesakes born the same year are many).
  CASE WHEN party_schema <> 'Person' AND schema <> 'Person' THEN 'strong'
       WHEN dob = 'same date' THEN 'strong'
       ELSE 'weak' END AS strength,
  -- Decisive: a sanctioned organisation as vendor, payee or account holder, matched closely.
  party_schema <> 'Person' AND schema <> 'Person' AND score >= 0.92 AS decisive
FROM m WHERE r = 1
""",  # noqa: S608 - LIST_NAMES is our constant
    samples=(
        positive("a vendor company on the list; a person listed with the same birth date", {"screen_matches": [
            _match("E1", "Yanbian Silverstar", "Yanbian Silverstar Network Technology", "Company",
                   role="vendor company"),
            _match("E2", "Pak Jin Hyok", "PAK, Jin Hyok", "Person", dob="same date"),
        ]}, {"E1": "strong", "E2": "strong"}, decisive=["E1"]),
        negative("a weak similarity; a namesake born in another year", {"screen_matches": [
            _match("E1", "Park Jinho", "PAK, Jin Hyok", "Person", score=0.80),
            _match("E2", "Pak Jin Hyok", "PAK, Jin Hyok", "Person", dob="different year"),
        ]}),
        lookalike("sanc_name_match: common Korean names; a name alone is weak, two words of a longer one nothing", {
            "screen_matches": [
                _match("E1", "Kim Chol", "KIM, Chol", "Person"),
                _match("E2", "Ri Song", "RI, Song Chol Hyok", "Person"),
            ]}, {"E1": "weak"}),
    ),
)
