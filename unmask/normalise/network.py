"""Hosts, sign-ins and IP intelligence, as tables every endpoint and network signal shares.

- ``hosts``: a laptop's hostname and serial, its worker, and when it was delivered.
- ``signins``: Okta and Entra sign-ins in one shape, joined to the worker by e-mail, with the
  country as ISO alpha-2 and the egress classified (corporate, vpn, hosting, astrill, residential).
- ``ip_ranges``: the shipped VPN and datacenter CIDR lists (X4BNet, MIT) as integer intervals,
  matched by the dialect's interval join (DuckDB's ASOF join: a sorted merge, not a nested loop).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path

from unmask.config import Config
from unmask.engine import Engine, register_udfs

NETLISTS = Path(__file__).resolve().parent.parent / "data" / "netlists"


def _cidr_rows(path: Path, kind: str) -> list[tuple[int, int, str, str]]:
    st = path.stat()
    return list(_parsed_cidrs(path, st.st_mtime_ns, st.st_size, kind))


# The shipped lists hold some 60,000 networks: parsed once per process (a changed file, by
# its time and size, is parsed again), not at every scan.
@lru_cache(maxsize=8)
def _parsed_cidrs(path: Path, _mtime_ns: int, _size: int, kind: str) -> tuple[tuple[int, int, str, str], ...]:
    rows = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        net = ipaddress.ip_network(line, strict=False)
        if net.version == 4:
            rows.append((int(net.network_address), int(net.broadcast_address), kind, line))
    return tuple(rows)


def _merge(rows: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """Merge overlapping ranges of one kind: the interval join needs disjoint intervals per kind."""
    out: list[tuple[int, int, str, str]] = []
    for kind in dict.fromkeys(r[2] for r in rows):
        spans = sorted(r for r in rows if r[2] == kind)
        for a, b, k, c in spans:
            if out and out[-1][2] == k and a <= out[-1][1] + 1:
                pa, pb, pk, pc = out[-1]
                out[-1] = (pa, max(pb, b), pk, pc if pb >= b else f"{pc}+{c}")
            else:
                out.append((a, b, k, c))
    return out


def load_ip_ranges(engine: Engine, config: Config, workdir: Path) -> int:
    """``ip_ranges(start, stop, kind, cidr)``, non-overlapping per kind, corporate first.

    ``workdir`` is unused since the rows are inserted from Python; it stays for the callers."""
    if engine.table_exists("ip_ranges"):
        return int(engine.query("SELECT count(*) FROM ip_ranges")[0][0])
    rows = []
    for cidr in config.corporate_cidrs:
        net = ipaddress.ip_network(cidr, strict=False)
        if net.version == 4:
            rows.append((int(net.network_address), int(net.broadcast_address), "corporate", cidr))
    rows += _cidr_rows(NETLISTS / "vpn-ipv4.txt", "vpn")
    rows += _cidr_rows(NETLISTS / "datacenter-ipv4.txt", "hosting")
    rows = _merge(rows)
    # IPv4 addresses fit a signed BIGINT: no unsigned type, which Spark lacks.
    engine.execute("CREATE TABLE ip_ranges(start BIGINT, stop BIGINT, kind VARCHAR, cidr VARCHAR)")
    engine.insert_rows("ip_ranges", ("start", "stop", "kind", "cidr"), sorted(rows))
    return len(rows)


# IPv4 text -> integer in SQL; NULL for anything else (IPv6 is not classified by range here).
IPV4_INT = (
    "CASE WHEN regexp_full_match({ip}, '\\d{{1,3}}(\\.\\d{{1,3}}){{3}}') THEN "
    "(split_part({ip}, '.', 1)::BIGINT << 24) + (split_part({ip}, '.', 2)::BIGINT << 16) + "
    "(split_part({ip}, '.', 3)::BIGINT << 8) + split_part({ip}, '.', 4)::BIGINT END"
)


def classify_ips(engine: Engine, source: str, dest: str) -> None:
    """``dest(ip, kind, cidr)`` for the distinct IPs of ``source(ip)``: the narrowest listed
    range that holds the IP, by kind priority corporate > vpn > hosting."""
    hits = " UNION ALL ".join(
        engine.dialect.interval_join("ips.ip, r.kind, r.cidr", "ips", "ips.n",
                                     f"(SELECT * FROM ip_ranges WHERE kind = '{kind}') r",  # noqa: S608 - our kinds
                                     "r.start", "r.stop")
        for kind in ("corporate", "vpn", "hosting"))
    engine.execute(
        f"CREATE OR REPLACE TEMP TABLE {dest} AS "  # noqa: S608 - our table names
        f"WITH ips AS (SELECT DISTINCT ip, {IPV4_INT.format(ip='ip')} AS n FROM {source} WHERE ip IS NOT NULL), "
        f"hits AS ({hits}) "
        "SELECT ip, arg_min(kind, CASE kind WHEN 'corporate' THEN 0 WHEN 'vpn' THEN 1 ELSE 2 END) AS kind, "
        "arg_min(cidr, CASE kind WHEN 'corporate' THEN 0 WHEN 'vpn' THEN 1 ELSE 2 END) AS cidr FROM hits GROUP BY ip"
    )


# Okta's securityContext.asOrg of mobile carriers (their CGNAT pools): the largest in the
# countries where remote workers most often live. Entra gives no AS name, so it cannot tell.
MOBILE_CARRIERS = (r"(?i)t-mobile|verizon wireless|cellco|at&t mobility|sprint|vodafone|telstra mobile|"
                   r"\bo2\b|ee limited|orange mobile|jio|airtel|rogers wireless|bell mobility")


# A device fingerprint from the user agent with any language tag ("en-us", "ko-KR") taken out:
# signals compare devices, and must never see a language (scoring.md, Fairness). The 'i' flag
# matters: "ko-KR" must go too (tests/test_dialect.py checks it survives translation).
DEVICE_FP_SQL = (
    "CASE WHEN user_agent LIKE 'Okta-Integrations%' THEN 'okta-internal' WHEN user_agent IS NULL THEN NULL "
    "ELSE md5(lower(regexp_replace(user_agent, '\\b[a-z]{2}[-_][a-z]{2}\\b', '', 'gi'))) END"
)


def build(engine: Engine, config: Config, workdir: Path) -> None:
    register_udfs(engine, "unmask_country")
    load_ip_ranges(engine, config, workdir)
    engine.execute(
        "CREATE OR REPLACE TABLE hosts AS "
        "SELECT d.asset_tag, lower(d.hostname) AS hostname, upper(d.serial_number) AS serial, "
        "d.assigned_employee_id AS employee_id, d.source_file, d.line, "
        "coalesce(min(s.delivered_at), min(s.shipped_at), min(d.enrolled_at)) AS delivered_at "
        "FROM devices d LEFT JOIN shipments s USING (asset_tag) GROUP BY ALL"
    )
    # One row per successful interactive sign-in, from either identity provider, joined to
    # its worker. A view: the lookups below and the table read it, nothing is copied.
    engine.execute(
        "CREATE OR REPLACE TEMP VIEW signin_src AS "
        "WITH o AS (SELECT 'okta' AS idp, source_file, line, published AS ts, actor_email AS email, ip, "
        "  country AS country_raw, state, city, lat, lon, as_number AS asn, as_org, is_proxy, "
        # Okta names the network three ways: an Astrill exit rented from M247 says "Astrill" only
        # in the ISP or the domain.
        "  session_id, user_agent, nullif(concat_ws(' ', isp, domain), '') AS net_owner FROM okta_events "
        "  WHERE outcome IS DISTINCT FROM 'FAILURE' AND event_type IN ('user.session.start', "
        "  'user.authentication.sso', 'user.authentication.auth_via_mfa', 'user.authentication.verify')), "
        "e AS (SELECT 'entra', source_file, line, created, upn, ip, country, state, city, lat, lon, "
        "  asn, NULL, NULL, session_id, coalesce(user_agent, browser), NULL FROM entra_signins "
        "  WHERE coalesce(error_code, 0) = 0 AND coalesce(category, 'SignInLogs') IN "
        "  ('SignInLogs', 'NonInteractiveUserSignInLogs')), "
        "u AS (SELECT * FROM o UNION ALL SELECT * FROM e) "
        "SELECT u.*, emp.employee_id FROM u JOIN employees emp ON emp.email = u.email WHERE u.ts IS NOT NULL"
    )
    # Millions of sign-ins come from a few thousand countries' spellings, user agents and
    # networks: the country scalar (Python), the fingerprint's regex and hash and the egress
    # class run once per distinct value, in small lookup tables joined back below.
    engine.execute("CREATE OR REPLACE TEMP TABLE signin_country AS SELECT country_raw, unmask_country(country_raw) "
                   "AS country FROM (SELECT DISTINCT country_raw FROM signin_src WHERE country_raw IS NOT NULL)")
    engine.execute(
        f"CREATE OR REPLACE TEMP TABLE signin_device AS SELECT user_agent, {DEVICE_FP_SQL} AS device_fp "  # noqa: S608
        "FROM (SELECT DISTINCT user_agent FROM signin_src WHERE user_agent IS NOT NULL)"
    )
    classify_ips(engine, "signin_src", "signin_ip_class")
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE signin_egress AS SELECT s.*, "
        "CASE WHEN c.kind = 'corporate' OR list_contains($asns, s.asn) THEN 'corporate' "
        "WHEN concat_ws(' ', s.as_org, s.net_owner) ILIKE '%astrill%' THEN 'astrill' "
        "WHEN c.kind IS NOT NULL THEN c.kind "
        "WHEN s.is_proxy THEN 'proxy' "
        # A mobile carrier's NAT puts thousands of strangers behind one address: sharing it says
        # nothing of a shared home.
        "WHEN regexp_matches(concat_ws(' ', s.as_org, s.net_owner), $mobile) THEN 'mobile' "
        "ELSE 'residential' END AS egress, c.cidr AS egress_range "
        "FROM (SELECT DISTINCT ip, asn, as_org, net_owner, is_proxy FROM signin_src) s "
        "LEFT JOIN signin_ip_class c USING (ip)",
        {"asns": config.corporate_asns, "mobile": MOBILE_CARRIERS},
    )
    # The sign-in table in one statement: each row written once, with its lookups, in worker
    # order: the report, explain and the workbench read one worker's sign-ins at a time, and a
    # table sorted by worker lets the engine skip the rest (min/max per row group).
    engine.execute(
        "CREATE OR REPLACE TABLE signins AS SELECT s.idp, s.source_file, s.line, s.ts, s.email, s.ip, c.country, "
        "s.state, s.city, s.lat, s.lon, s.asn, s.as_org, s.is_proxy, s.session_id, s.user_agent, s.net_owner, "
        "s.employee_id, d.device_fp, g.egress, g.egress_range FROM signin_src s "
        "LEFT JOIN signin_country c ON c.country_raw = s.country_raw "
        "LEFT JOIN signin_device d ON d.user_agent = s.user_agent "
        "LEFT JOIN signin_egress g ON g.ip IS NOT DISTINCT FROM s.ip AND g.asn IS NOT DISTINCT FROM s.asn "
        "AND g.as_org IS NOT DISTINCT FROM s.as_org AND g.net_owner IS NOT DISTINCT FROM s.net_owner "
        "AND g.is_proxy IS NOT DISTINCT FROM s.is_proxy ORDER BY s.employee_id, s.ts, s.source_file, s.line"
    )
    for t in ("signin_country", "signin_device", "signin_egress"):
        engine.execute(f"DROP TABLE {t}")  # noqa: S608 - our own names
    engine.execute("DROP VIEW signin_src")
    # Interview participant IPs get the same classes (a VPN, a hosting network, corporate).
    engine.execute("CREATE OR REPLACE TEMP VIEW interview_ips AS SELECT participant_ip AS ip FROM interviews")
    classify_ips(engine, "interview_ips", "interview_ip_class_all")
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE interview_ip_class AS SELECT * FROM interview_ip_class_all "
        "WHERE kind <> 'corporate'"
    )


def build_endpoint(engine: Engine) -> None:
    """``endpoint_obs``: one row per thing seen on a worker's laptop, as lower-case text.

    ``item`` is program, process, usb, display, dns or command; ``text`` what was seen (for
    usb: ``vid:pid|vendor|model|serial``). The laptop's worker comes from assets/devices.csv
    by hostname (a domain suffix is ignored) or serial.
    """
    from unmask.sources.osquery import TABLE_SQL

    engine.execute(
        "CREATE OR REPLACE TABLE endpoint_obs AS "  # noqa: S608 - TABLE_SQL is our constant
        f"WITH o AS (SELECT *, {TABLE_SQL} AS tbl FROM osquery_rows), "
        "raw AS ("
        "  SELECT source_file, line, observed_at, hostname, serial, "
        "  CASE WHEN tbl IN ('programs', 'apps', 'chrome_extensions') THEN 'program' "
        "       WHEN tbl = 'processes' THEN 'process' WHEN tbl = 'usb_devices' THEN 'usb' "
        "       WHEN tbl = 'connected_displays' THEN 'display' END AS item, "
        "  lower(CASE WHEN tbl = 'usb_devices' THEN concat_ws('|', "
        "      json_extract_string(row, '$.vendor_id') || ':' || json_extract_string(row, '$.model_id'), "
        "      json_extract_string(row, '$.vendor'), json_extract_string(row, '$.model'), "
        "      json_extract_string(row, '$.serial')) "
        "    WHEN tbl = 'processes' THEN coalesce(json_extract_string(row, '$.name'), '') || '|' || "
        "      coalesce(json_extract_string(row, '$.path'), '') || '|' || "
        "      coalesce(json_extract_string(row, '$.cmdline'), '') "
        "    ELSE coalesce(json_extract_string(row, '$.name'), json_extract_string(row, '$.bundle_name')) END) AS text "
        "  FROM o WHERE action IS DISTINCT FROM 'removed' "
        "  UNION ALL SELECT source_file, line, observed_at, computer, NULL, 'process', "
        "    lower(concat_ws('|', image, original_file_name, command_line)) FROM endpoint_events "
        "    WHERE event_id = 1 "
        "  UNION ALL SELECT source_file, line, observed_at, computer, NULL, 'dns', query_name FROM endpoint_events "
        "    WHERE event_id = 22 AND query_name IS NOT NULL) "
        # Two equality joins, not one OR-join: an OR in the condition forces a nested loop.
        "SELECT r.*, coalesce(h1.employee_id, h2.employee_id) AS employee_id, "
        "coalesce(h1.delivered_at, h2.delivered_at) AS delivered_at FROM raw r "
        "LEFT JOIN hosts h1 ON h1.hostname = split_part(r.hostname, '.', 1) "
        "LEFT JOIN hosts h2 ON h2.serial = r.serial "
        "WHERE r.item IS NOT NULL AND r.text IS NOT NULL AND coalesce(h1.employee_id, h2.employee_id) IS NOT NULL"
    )
