"""Contact identifiers and résumé text, normalised, as one table of (subject, kind, value).

- Phones (E.164), e-mails (provider rules) and GitHub and LinkedIn handles, by the scalars
  of :mod:`unmask.values.contact`.
- References' e-mails and phones, and interview participant IPs, count as the candidate's.
- Résumés that are lightly reworded copies of each other, by MinHash LSH (datasketch).
- Photos reused under different names, by their perceptual hashes.

Résumés and photos were read by ``sources.documents`` (``candidate_resumes``,
``candidate_photos``); nothing here reads the bundle.

A candidate hired as an employee (``candidates.employee_id``) is that employee: their shared
identifiers are one person's, not two.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from datasketch import MinHash, MinHashLSH

from unmask.engine import Engine, register_udfs
from unmask.normalise.memo import Memo, distinct_values, same_as
from unmask.sensitive import sql_sensitive_kind
from unmask.sources.intel.common import LIST_NAMES

RESUME_THRESHOLD = 0.8  # Jaccard on word 5-shingles (indicators.md §3.C profile_resume_text_reuse)
_PERMUTATIONS = 128


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
    """The contact scalars of :mod:`unmask.values.contact`, for SQL."""
    register_udfs(engine, "unmask_phone", "unmask_email", "unmask_handle")


IOC_VALUES_SQL = rf"""
CREATE OR REPLACE TABLE ioc_values AS
WITH raw AS (
  -- A type naming an account number or a national ID however it is written ("iban",
  -- "bank-account", "SSN") is that kind; its value was tokenised when read (sources/tabular.py).
  -- A leading quote that a CSV export put before "+", "-", "=" or "@" (formula guard) is dropped.
  SELECT coalesce({sql_sensitive_kind("type")}, type) AS kind,
    CASE WHEN regexp_matches(value, '^''[-=+@\t\r]') THEN substr(value, 2) ELSE value END AS value,
    'intel/iocs.csv line ' || line || coalesce(' (' || source || ')', '') AS said_by
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
FROM raw WHERE kind IN ('email', 'phone', 'domain', 'github', 'linkedin', 'ip', 'bank_account', 'crypto_address',
                       'national_id')
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
"""  # noqa: S608 - LIST_NAMES and the sensitive-kind SQL are our constants


def build_iocs(engine: Engine) -> None:
    """``ioc_values`` (kind, v, said_by): the indicators of intel/iocs.csv and of the sanctions
    lists, written the way the bundle's identifiers are, for ioc_match and ``unmask check``."""
    register(engine)
    register_udfs(engine, "unmask_country")
    engine.execute(IOC_VALUES_SQL)


def build(engine: Engine, memo: Memo | None = None) -> None:
    """``memo``: the parsed phones, e-mails and profiles an earlier scan kept, and where this
    scan's go."""
    register(engine)
    # Who a candidate is: their employee id once hired. Each value is read raw, with the
    # country its phone is dialled from; the parsers run once per distinct value (or not at
    # all when an earlier scan parsed it) and are joined back.
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE __ids_raw AS "
        "WITH c AS (SELECT c.*, CASE WHEN e.employee_id IS NOT NULL THEN 'employee' ELSE 'candidate' END AS st, "
        "  coalesce(e.employee_id, c.candidate_id) AS sid FROM candidates c "
        "  LEFT JOIN employees e ON e.employee_id = c.employee_id) "
        "  SELECT 'employee' AS subject_type, employee_id AS subject_id, 'phone' AS kind, "
        "    phone AS raw, country AS cc, 'phone' AS parse, source_file, line FROM employees "
        "  UNION ALL SELECT 'employee', employee_id, 'personal_email', personal_email, NULL, 'email', source_file, "
        "    line FROM employees "
        "  UNION ALL SELECT st, sid, 'phone', phone, country, 'phone', source_file, line FROM c "
        "  UNION ALL SELECT st, sid, 'personal_email', email, NULL, 'email', source_file, line FROM c "
        "  UNION ALL SELECT st, sid, 'profile', github_url, NULL, 'handle', source_file, line FROM c "
        "  UNION ALL SELECT st, sid, 'profile', linkedin_url, NULL, 'handle', source_file, line FROM c "
        "  UNION ALL SELECT c.st, c.sid, 'reference_email', r.reference_email, NULL, 'email', r.source_file, r.line "
        "    FROM candidate_references r JOIN c USING (candidate_id) "
        "  UNION ALL SELECT c.st, c.sid, 'reference_phone', r.reference_phone, c.country, 'phone', "
        "    r.source_file, r.line FROM candidate_references r JOIN c USING (candidate_id) "
        "  UNION ALL SELECT c.st, c.sid, 'interview_ip', i.participant_ip, NULL, NULL, i.source_file, i.line "
        "    FROM interviews i JOIN c USING (candidate_id)"
    )
    for kind, expr in (("phone", "unmask_phone(raw, cc)"), ("email", "unmask_email(raw)"),
                       ("handle", "unmask_handle(raw)")):
        distinct_values(
            engine, memo, f"__ids_{kind}",
            f"SELECT raw, cc FROM __ids_raw WHERE parse = '{kind}' AND raw IS NOT NULL",  # noqa: S608 - ours
            ["raw", "cc"], {"v": expr},
        )
    on = "{t}.raw = i.raw AND " + same_as("{t}.cc", "i.cc") + " AND i.parse = '{k}'"
    engine.execute(
        "CREATE OR REPLACE TABLE identifiers AS "  # noqa: S608 - our own fragments
        "SELECT DISTINCT * FROM (SELECT i.subject_type, i.subject_id, i.kind, "
        "  CASE i.parse WHEN 'phone' THEN p.v WHEN 'email' THEN e.v WHEN 'handle' THEN h.v ELSE i.raw END AS value, "
        "  i.source_file, i.line FROM __ids_raw i "
        f"  LEFT JOIN __ids_phone p ON {on.format(t='p', k='phone')} "
        f"  LEFT JOIN __ids_email e ON {on.format(t='e', k='email')} "
        f"  LEFT JOIN __ids_handle h ON {on.format(t='h', k='handle')}) "
        "WHERE value IS NOT NULL"
    )
    for t in ("__ids_raw", "__ids_phone", "__ids_email", "__ids_handle"):
        engine.execute(f"DROP TABLE {t}")
    _resumes(engine)
    _photos(engine)


def _resumes(engine: Engine) -> None:
    """Résumé near-duplicates as identifier rows: each group of similar résumés gets one value."""
    rows = engine.query(
        "SELECT CASE WHEN e.employee_id IS NOT NULL THEN 'employee' ELSE 'candidate' END, "
        "coalesce(e.employee_id, c.candidate_id), r.text, r.source_file, r.line FROM candidate_resumes r "
        "JOIN candidates c ON c.source_file = r.source_file AND c.line = r.line "
        "LEFT JOIN employees e ON e.employee_id = c.employee_id ORDER BY r.source_file, r.line"
    )
    docs: list[tuple[str, str, str, int, MinHash]] = []
    for st, sid, text, src, line in rows:
        words = re.findall(r"\w+", text.lower())
        shingles = {" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))}
        mh = MinHash(num_perm=_PERMUTATIONS, seed=1)
        for sh in shingles:
            mh.update(sh.encode())
        docs.append((st, sid, src, int(line), mh))
    lsh = MinHashLSH(threshold=RESUME_THRESHOLD, num_perm=_PERMUTATIONS)
    for i, d in enumerate(docs):
        lsh.insert(str(i), d[4])
    # Groups of LSH neighbours that really pass the estimated Jaccard threshold.
    group = components(range(len(docs)), (
        (i, j) for i, d in enumerate(docs) for j in map(int, lsh.query(d[4]))
        if j != i and d[4].jaccard(docs[j][4]) >= RESUME_THRESHOLD))
    # A group is named by its first member, not by its position in this scan's list, so the same
    # group gives the same identifier (and evidence ids) next week.
    names: dict[int, str] = {}
    for i, d in enumerate(docs):
        names[group[i]] = min(names.get(group[i], f"{d[0]}:{d[1]}"), f"{d[0]}:{d[1]}")
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE resume_groups(st VARCHAR, sid VARCHAR, v VARCHAR, f VARCHAR, l BIGINT)"
    )
    engine.insert_rows("resume_groups", ("st", "sid", "v", "f", "l"),
                       [(d[0], d[1], f"resume-group-{names[group[i]]}", d[2], d[3]) for i, d in enumerate(docs)])
    engine.execute("INSERT INTO identifiers SELECT st, sid, 'resume', v, f, l FROM resume_groups")


PHOTO_DISTANCE = 6  # bits of 64: the same photo resized, recompressed or lightly edited


def _photos(engine: Engine) -> None:
    """Photos reused across people as identifier rows (kind 'photo'): near-identical perceptual
    hashes are found in SQL by splitting each hash into 8 bytes (two hashes within 7 bits share
    at least one byte), then comparing bits."""
    hashed = engine.query(
        "SELECT CASE WHEN e.employee_id IS NOT NULL THEN 'employee' ELSE 'candidate' END, "
        "coalesce(e.employee_id, c.candidate_id), coalesce(c.full_name, ''), p.line, p.source_file, p.phash "
        "FROM candidate_photos p JOIN candidates c ON c.source_file = p.source_file AND c.line = p.line "
        "LEFT JOIN employees e ON e.employee_id = c.employee_id ORDER BY p.source_file, p.line"
    )
    # Each photo numbered here (i), not by the engine's row number, which not every engine has.
    engine.execute("CREATE OR REPLACE TEMP TABLE photo_hashes(i BIGINT, st VARCHAR, sid VARCHAR, name VARCHAR, "
                   "l BIGINT, f VARCHAR, h BIGINT)")
    engine.insert_rows("photo_hashes", ("i", "st", "sid", "name", "l", "f", "h"),
                       [(i, *row) for i, row in enumerate(hashed)])
    pairs = engine.query(
        "WITH b AS (SELECT i, h, unnest(range(8)) AS k FROM photo_hashes), "
        "bb AS (SELECT i, h, k, (h >> (k * 8)) & 255 AS v FROM b) "
        "SELECT DISTINCT x.i, y.i FROM bb x JOIN bb y ON x.k = y.k AND x.v = y.v AND x.i < y.i "
        "WHERE bit_count(xor(x.h, y.h)) <= $d",
        {"d": PHOTO_DISTANCE},
    )
    ids = list(range(len(hashed)))
    group = components(ids, ((a, b) for a, b in pairs))
    engine.execute("CREATE OR REPLACE TEMP TABLE photo_groups(i BIGINT, g BIGINT)")
    engine.insert_rows("photo_groups", ("i", "g"), [(i, group[i]) for i in ids])
    # A photo counts only when it is shared under different names: the same person applying
    # twice with one photo is a duplicate record, not a persona.
    engine.execute(
        # Named by the group's first member (not its row number), to stay the same next week.
        "INSERT INTO identifiers SELECT p.st, p.sid, 'photo', "
        "'photo-group-' || min(p.st || ':' || p.sid) OVER (PARTITION BY g.g), p.f, p.l "
        "FROM photo_hashes p JOIN photo_groups g ON g.i = p.i "
        "WHERE g.g IN (SELECT g.g FROM photo_hashes q JOIN photo_groups g ON g.i = q.i "
        "              GROUP BY g.g HAVING count(DISTINCT lower(q.name)) >= 2)"
    )
