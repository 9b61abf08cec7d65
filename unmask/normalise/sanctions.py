"""Names on the sanctions lists and the parties of the bundle, ready to screen.

``sanction_names``: every OFAC primary name and alias, normalised. ``parties``: each name the
bundle holds (workers, candidates, references, vendor companies, account holders) with its
role. ``screen_pairs``: party/list pairs that share a rare name token (an inverted index in
SQL), scored with rapidfuzz. Company legal forms are dropped before comparing, so "Yanbian
Silverstar Network Technology Co., Ltd." meets "YANBIAN SILVERSTAR NETWORK TECHNOLOGY CO., LTD.".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz

from unmask.engine import Engine

LEGAL_FORMS = {
    "co", "ltd", "llc", "inc", "corp", "corporation", "company", "limited", "plc", "gmbh", "sa", "sarl",
    "jsc", "ooo", "pte", "pty", "bv", "ag", "the", "of", "and", "liability",
}


@lru_cache(maxsize=200_000)
def screen_key(name: str | None) -> str | None:
    """Lower-case ASCII tokens without legal forms, sorted: word order does not matter."""
    if not name:
        return None
    s = unicodedata.normalize("NFKD", name)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    toks = [t for t in re.split(r"[^a-z0-9]+", s) if t and t not in LEGAL_FORMS]
    return " ".join(sorted(toks)) or None


def similarity(a: str | None, b: str | None) -> float:
    if not a or not b:
        return 0.0
    return float(fuzz.token_sort_ratio(a, b)) / 100.0


def build(engine: Engine) -> None:
    if not engine.table_exists("ofac_sdn"):
        engine.execute("CREATE OR REPLACE TABLE screen_pairs(role VARCHAR) ")
        return
    engine.register_scalar("unmask_screen_key", screen_key, ["VARCHAR"], "VARCHAR")
    engine.register_scalar("unmask_screen_sim", similarity, ["VARCHAR", "VARCHAR"], "DOUBLE")
    engine.execute(
        "CREATE OR REPLACE TABLE sanction_names AS "
        "WITH n AS (SELECT ent_num, name, 'primary' AS kind FROM ofac_sdn "
        "  UNION ALL SELECT ent_num, alt_name, alt_type FROM ofac_alt) "
        "SELECT n.ent_num, n.name, n.kind, unmask_screen_key(n.name) AS key, "
        "coalesce(s.sdn_type, 'entity') AS sdn_type, s.programs, s.name AS primary_name, s.remarks, "
        # Birth years from the remarks ("DOB 25 Apr 1965; alt. DOB 1966"): support or contradiction.
        "regexp_extract_all(coalesce(s.remarks, ''), 'DOB (?:\\d{1,2} )?(?:[A-Z][a-z]{2} )?(\\d{4})', 1) AS dob_years, "
        "regexp_extract_all(coalesce(s.remarks, ''), 'DOB (\\d{1,2} [A-Z][a-z]{2} \\d{4})', 1) AS dob_dates "
        "FROM n LEFT JOIN ofac_sdn s USING (ent_num) WHERE n.name IS NOT NULL"
    )
    engine.execute(
        "CREATE OR REPLACE TABLE parties AS "
        "SELECT 'employee' AS subject_type, employee_id AS subject_id, 'worker' AS role, full_name AS name, "
        "  date_of_birth AS dob, source_file, line FROM employees "
        "UNION ALL SELECT 'employee', employee_id, 'vendor company', vendor_company, NULL, source_file, line "
        "  FROM employees WHERE vendor_company IS NOT NULL "
        # An account in the worker's own name is screened as the worker, not twice.
        "UNION ALL SELECT 'employee', d.employee_id, 'account holder', d.account_holder_name, NULL, d.source_file, "
        "  d.line FROM deposits d JOIN employees e USING (employee_id) WHERE d.account_holder_name IS NOT NULL "
        "  AND unmask_name_sim(e.full_name, d.account_holder_name) < 0.85 "
        "UNION ALL SELECT 'candidate', candidate_id, 'candidate', full_name, NULL, source_file, line FROM candidates "
        "UNION ALL SELECT 'candidate', candidate_id, 'reference', reference_name, NULL, source_file, line "
        "  FROM candidate_references WHERE reference_name IS NOT NULL"
    )
    engine.execute("ALTER TABLE parties ADD COLUMN key VARCHAR")
    engine.execute("UPDATE parties SET key = unmask_screen_key(name)")
    # Blocking: a pair must share one token that is rare on the list (not 'trading', 'kim',
    # ...); rapidfuzz on the whole normalised names then decides.
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE list_tokens AS "
        "SELECT DISTINCT ent_num, key, unnest(string_split(key, ' ')) AS tok FROM sanction_names WHERE key IS NOT NULL"
    )
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE rare AS SELECT tok FROM list_tokens WHERE length(tok) >= 3 GROUP BY tok "
        "HAVING count(DISTINCT ent_num) <= 50"
    )
    engine.execute(
        "CREATE OR REPLACE TABLE screen_pairs AS "
        "WITH p AS (SELECT DISTINCT subject_type, subject_id, role, name, dob, source_file, line, key, "
        "  unnest(string_split(key, ' ')) AS tok FROM parties WHERE key IS NOT NULL), "
        "c AS (SELECT DISTINCT p.subject_type, p.subject_id, p.role, p.name, p.dob, p.source_file, p.line, "
        "  p.key AS pkey, l.key AS lkey FROM p JOIN rare USING (tok) JOIN list_tokens l USING (tok)), "
        "s AS (SELECT *, unmask_screen_sim(pkey, lkey) AS score FROM c) "
        "SELECT s.*, n.ent_num, n.name AS list_name, n.kind, n.sdn_type, n.programs, n.primary_name, n.remarks, "
        "n.dob_years, n.dob_dates "
        "FROM s JOIN sanction_names n ON n.key = s.lkey WHERE s.score >= 0.9"
    )
