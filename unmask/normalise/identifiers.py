"""Contact identifiers and résumé text, normalised, as one table of (subject, kind, value).

- Phones to E.164 with ``phonenumbers`` (the declared country is the default region).
- E-mails lower-cased, with provider rules: Gmail ignores dots and ``+tags``; googlemail.com
  is gmail.com.
- GitHub and LinkedIn handles from profile URLs.
- References' e-mails and phones, and interview participant IPs, count as the candidate's.
- Résumés that are lightly reworded copies of each other, by MinHash LSH (datasketch).

A candidate hired as an employee (``candidates.employee_id``) is that employee: their shared
identifiers are one person's, not two.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import phonenumbers
from datasketch import MinHash, MinHashLSH

from unmask.engine import Engine
from unmask.sources.intel.common import LIST_NAMES

RESUME_THRESHOLD = 0.8  # Jaccard on word 5-shingles (indicators.md §3.C profile_resume_text_reuse)
_PERMUTATIONS = 128


@lru_cache(maxsize=200_000)
def phone_e164(raw: str | None, country: str | None) -> str | None:
    if not raw or not raw.strip():
        return None
    try:
        num = phonenumbers.parse(raw, (country or "US").upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(num):
        return None
    return str(phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164))


@lru_cache(maxsize=200_000)
def email_canonical(raw: str | None) -> str | None:
    if not raw or "@" not in raw:
        return None
    local, _, domain = raw.strip().lower().rpartition("@")
    if not local or not domain:
        return None
    if domain == "googlemail.com":
        domain = "gmail.com"
    if domain == "gmail.com":
        local = local.split("+", 1)[0].replace(".", "")
    elif domain in ("outlook.com", "hotmail.com", "live.com", "yahoo.com", "icloud.com", "proton.me", "protonmail.com"):
        local = local.split("+", 1)[0]
    return f"{local}@{domain}"


@lru_cache(maxsize=200_000)
def profile_handle(url: str | None) -> str | None:
    """github.com/<user> or linkedin.com/in/<user>, lower-cased; None for anything else."""
    if not url:
        return None
    m = re.search(r"(github\.com|linkedin\.com/in)/([\w.-]+)", url, re.IGNORECASE)
    return f"{m.group(1).lower()}/{m.group(2).lower().rstrip('.')}" if m else None


def components(nodes: Iterable[int], edges: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Connected components (union-find) of a small near-duplicate graph: node -> group label.
    For the few documents of a bundle (résumés, photos); clusters of people are built in SQL."""
    parent = {n: n for n in nodes}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent[find(a)] = find(b)
    return {n: find(n) for n in parent}


def register(engine: Engine) -> None:
    engine.register_scalar("unmask_phone", phone_e164, ["VARCHAR", "VARCHAR"], "VARCHAR")
    engine.register_scalar("unmask_email", email_canonical, ["VARCHAR"], "VARCHAR")
    engine.register_scalar("unmask_handle", profile_handle, ["VARCHAR"], "VARCHAR")


IOC_VALUES_SQL = rf"""
CREATE OR REPLACE TABLE ioc_values AS
WITH raw AS (
  SELECT type AS kind, value, 'intel/iocs.csv line ' || line || coalesce(' (' || source || ')', '') AS said_by
  FROM iocs
  UNION ALL
  -- A list's payment identifiers are compared by their keyed token, like payroll's.
  SELECT kind, coalesce(token, value), {LIST_NAMES} || ' entry ' || entity_id FROM intel_iocs
)
SELECT kind,
  CASE kind WHEN 'email' THEN unmask_email(value) WHEN 'phone' THEN unmask_phone(value, NULL)
    WHEN 'domain' THEN regexp_replace(lower(value), '^(https?://)?(www\.)?([^/]+).*$', '\3')
    WHEN 'github' THEN unmask_handle(CASE WHEN value ILIKE '%github.com/%' THEN value ELSE 'github.com/' || value END)
    WHEN 'linkedin' THEN unmask_handle(CASE WHEN value ILIKE '%linkedin.com/in/%' THEN value
                                            ELSE 'linkedin.com/in/' || value END)
    ELSE value END AS v,
  said_by
FROM raw WHERE kind IN ('email', 'phone', 'domain', 'github', 'linkedin', 'ip', 'bank_account', 'crypto_address')
UNION ALL
-- An address IOC is "street, ..., CC" (what export-iocs writes): its street and country.
SELECT 'address', regexp_replace(lower(split_part(value, ',', 1)), '[^a-z0-9]', '', 'g') || '|'
    || lower(unmask_country(trim(list_last(string_split(value, ','))))),
  'intel/iocs.csv line ' || line || coalesce(' (' || source || ')', '')
FROM iocs WHERE type = 'address' AND strpos(value, ',') > 0
UNION ALL
-- Addresses of listed entities: the street written without spaces or punctuation, and the
-- country. Short streets ("Central District") say too little to match on.
SELECT 'address', regexp_replace(lower(street), '[^a-z0-9]', '', 'g') || '|' || country,
  {LIST_NAMES} || ' entry ' || entity_id || ' address'
FROM intel_addresses WHERE length(regexp_replace(lower(street), '[^a-z0-9]', '', 'g')) >= 10
  AND country IS NOT NULL
"""  # noqa: S608 - LIST_NAMES is our constant


def build_iocs(engine: Engine) -> None:
    """``ioc_values`` (kind, v, said_by): the indicators of intel/iocs.csv and of the sanctions
    lists, written the way the bundle's identifiers are, for ioc_match and ``unmask check``."""
    from unmask.normalise import network

    register(engine)
    network.register(engine)
    engine.execute(IOC_VALUES_SQL)


def build(engine: Engine, bundle: Path) -> None:
    register(engine)
    # Who a candidate is: their employee id once hired.
    engine.execute(
        "CREATE OR REPLACE TABLE identifiers AS "
        "WITH c AS (SELECT c.*, CASE WHEN e.employee_id IS NOT NULL THEN 'employee' ELSE 'candidate' END AS st, "
        "  coalesce(e.employee_id, c.candidate_id) AS sid FROM candidates c "
        "  LEFT JOIN employees e ON e.employee_id = c.employee_id), "
        "ids AS ("
        "  SELECT 'employee' AS subject_type, employee_id AS subject_id, 'phone' AS kind, "
        "    unmask_phone(phone, country) AS value, source_file, line FROM employees "
        "  UNION ALL SELECT 'employee', employee_id, 'personal_email', unmask_email(personal_email), source_file, line "
        "    FROM employees "
        "  UNION ALL SELECT st, sid, 'phone', unmask_phone(phone, country), source_file, line FROM c "
        "  UNION ALL SELECT st, sid, 'personal_email', unmask_email(email), source_file, line FROM c "
        "  UNION ALL SELECT st, sid, 'profile', unmask_handle(github_url), source_file, line FROM c "
        "  UNION ALL SELECT st, sid, 'profile', unmask_handle(linkedin_url), source_file, line FROM c "
        "  UNION ALL SELECT c.st, c.sid, 'reference_email', unmask_email(r.reference_email), r.source_file, r.line "
        "    FROM candidate_references r JOIN c USING (candidate_id) "
        "  UNION ALL SELECT c.st, c.sid, 'reference_phone', unmask_phone(r.reference_phone, c.country), "
        "    r.source_file, r.line FROM candidate_references r JOIN c USING (candidate_id) "
        "  UNION ALL SELECT c.st, c.sid, 'interview_ip', i.participant_ip, i.source_file, i.line "
        "    FROM interviews i JOIN c USING (candidate_id)) "
        "SELECT DISTINCT * FROM ids WHERE value IS NOT NULL"
    )
    _resumes(engine, bundle)
    _photos(engine, bundle)


def _resumes(engine: Engine, bundle: Path) -> None:
    """Résumé near-duplicates as identifier rows: each group of similar résumés gets one value."""
    rows = engine.query(
        "SELECT CASE WHEN e.employee_id IS NOT NULL THEN 'employee' ELSE 'candidate' END, "
        "coalesce(e.employee_id, c.candidate_id), c.resume_path, c.source_file, c.line FROM candidates c "
        "LEFT JOIN employees e ON e.employee_id = c.employee_id WHERE c.resume_path IS NOT NULL"
    )
    root = bundle.resolve()
    docs: list[tuple[str, str, str, int, MinHash]] = []
    for st, sid, rel, src, line in rows:
        path = (root / rel).resolve()
        # Only text résumés inside the bundle; a path that leaves it is ignored, not followed.
        if not path.is_relative_to(root) or path.suffix.lower() not in (".txt", ".md") or not path.is_file():
            continue
        words = re.findall(r"\w+", path.read_text(encoding="utf-8", errors="replace").lower())
        shingles = {" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))}
        mh = MinHash(num_perm=_PERMUTATIONS, seed=1)
        for s in shingles:
            mh.update(s.encode())
        docs.append((st, sid, src, int(line), mh))
    lsh = MinHashLSH(threshold=RESUME_THRESHOLD, num_perm=_PERMUTATIONS)
    for i, d in enumerate(docs):
        lsh.insert(str(i), d[4])
    # Groups of LSH neighbours that really pass the estimated Jaccard threshold.
    group = components(range(len(docs)), (
        (i, j) for i, d in enumerate(docs) for j in map(int, lsh.query(d[4]))
        if j != i and d[4].jaccard(docs[j][4]) >= RESUME_THRESHOLD))
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE resume_groups(st VARCHAR, sid VARCHAR, v VARCHAR, f VARCHAR, l BIGINT)"
    )
    engine.insert_rows("resume_groups", ("st", "sid", "v", "f", "l"),
                       [(d[0], d[1], f"resume-group-{group[i]}", d[2], d[3]) for i, d in enumerate(docs)])
    engine.execute("INSERT INTO identifiers SELECT st, sid, 'resume', v, f, l FROM resume_groups")


PHOTO_DISTANCE = 6  # bits of 64: the same photo resized, recompressed or lightly edited
_PHOTO_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif")


def _photos(engine: Engine, bundle: Path) -> None:
    """Photos reused across people as identifier rows (kind 'photo'): a perceptual hash
    (imagehash pHash) per photo; near-identical hashes are found in SQL by splitting each hash
    into 8 bytes (two hashes within 7 bits share at least one byte), then comparing bits."""
    import imagehash
    from PIL import Image, UnidentifiedImageError

    rows = engine.query(
        "SELECT CASE WHEN e.employee_id IS NOT NULL THEN 'employee' ELSE 'candidate' END, "
        "coalesce(e.employee_id, c.candidate_id), c.full_name, c.photo_path, c.source_file, c.line FROM candidates c "
        "LEFT JOIN employees e ON e.employee_id = c.employee_id WHERE c.photo_path IS NOT NULL"
    )
    root = bundle.resolve()
    hashed: list[tuple[str, str, str, int, str, int]] = []
    for st, sid, name, rel, src, line in rows:
        path = (root / rel).resolve()
        # Only images inside the bundle; a path that leaves it is ignored, not followed.
        if not path.is_relative_to(root) or path.suffix.lower() not in _PHOTO_SUFFIXES or not path.is_file():
            continue
        try:
            with Image.open(path) as img:
                h = int(str(imagehash.phash(img)), 16)
        except (UnidentifiedImageError, OSError, ValueError):
            continue  # an unreadable image is no evidence either way
        hashed.append((st, sid, name or "", int(line), src, h - (1 << 64) if h >= 1 << 63 else h))
    engine.execute("CREATE OR REPLACE TEMP TABLE photo_hashes(st VARCHAR, sid VARCHAR, name VARCHAR, l BIGINT, "
                   "f VARCHAR, h BIGINT)")
    engine.insert_rows("photo_hashes", ("st", "sid", "name", "l", "f", "h"), hashed)
    pairs = engine.query(
        "WITH b AS (SELECT rowid AS i, h, unnest(range(8)) AS k FROM photo_hashes), "
        "bb AS (SELECT i, h, k, (h >> (k * 8)) & 255 AS v FROM b) "
        "SELECT DISTINCT x.i, y.i FROM bb x JOIN bb y ON x.k = y.k AND x.v = y.v AND x.i < y.i "
        "WHERE bit_count(xor(x.h, y.h)) <= $d",
        {"d": PHOTO_DISTANCE},
    )
    ids = [r[0] for r in engine.query("SELECT rowid FROM photo_hashes ORDER BY rowid")]
    group = components(ids, ((a, b) for a, b in pairs))
    engine.execute("CREATE OR REPLACE TEMP TABLE photo_groups(i BIGINT, g BIGINT)")
    engine.insert_rows("photo_groups", ("i", "g"), [(i, group[i]) for i in ids])
    # A photo counts only when it is shared under different names: the same person applying
    # twice with one photo is a duplicate record, not a persona.
    engine.execute(
        "INSERT INTO identifiers SELECT p.st, p.sid, 'photo', 'photo-group-' || g.g, p.f, p.l "
        "FROM photo_hashes p JOIN photo_groups g ON g.i = p.rowid "
        "WHERE g.g IN (SELECT g.g FROM photo_hashes q JOIN photo_groups g ON g.i = q.rowid "
        "              GROUP BY g.g HAVING count(DISTINCT lower(q.name)) >= 2)"
    )
