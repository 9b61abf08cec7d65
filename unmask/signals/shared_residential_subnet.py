"""Two unrelated workers sign in from different residential IPs of one /24: a weak echo of a
shared home (a router that renews its lease, two lines into one building)."""

from unmask.signals.base import Signal, lookalike, negative, positive, signin

SIGNAL = Signal(
    id="shared_residential_subnet",
    needs=("hr.employees",),
    uses=("idp.okta", "idp.entra"),
    strength="weak",
    family="network",
    description="Two to five unrelated workers each sign in on two or more days from residential IPv4 "
    "addresses of one /24 in one city, never the same address (weak: neighbours on one ISP share a /24; "
    "mobile carriers, whose pools hold thousands, are left out; it never joins a cluster).",
    reference="indicators.md §3.H net_same_egress_ip_multiple_employees (the /24 neighbourhood of a farm's line)",
    log_odds=0.4,
    basis="W: the /24 neighbourhood of a farm's line (§3.H); neighbours on one ISP share a /24.",
    sql="""
WITH r AS (
  SELECT employee_id, ip, ts::DATE AS d, source_file, line, ts,
    coalesce(lower(city), '?') || '|' || coalesce(country, '?') AS place,
    regexp_extract(ip, '^([0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3})\\.[0-9]{1,3}$', 1) AS net
  FROM signins
  -- Mobile carriers' pools are their own egress class ('mobile'), not residential.
  WHERE egress = 'residential'
), n AS (
  SELECT employee_id, net, list(DISTINCT ip) AS ips, count(DISTINCT d) AS days, mode(place) AS place,
    min({'ts': ts, 'f': source_file, 'l': line}).f AS source_file,
      min({'ts': ts, 'f': source_file, 'l': line}).l AS line, min(ts) AS ts
  FROM r WHERE net <> '' GROUP BY employee_id, net HAVING count(DISTINCT d) >= 2
), sizes AS (SELECT net, count(*) AS workers FROM n GROUP BY net),
pairs AS (
  -- (x and y, not a and b: inside the EXISTS below, Spark reads a.employee_id as a field of
  -- the households column h.a before it looks for the outer table a.)
  SELECT x.employee_id AS a, x.net, y.employee_id AS b
  -- A /24 seen in two cities is a carrier's or a geolocation database's, not one home line's.
  FROM n x JOIN n y ON x.net = y.net AND x.employee_id <> y.employee_id AND x.place = y.place
  -- One address shared is shared_residential_egress's evidence, not this.
  WHERE NOT list_has_any(x.ips, y.ips)
    AND NOT EXISTS (SELECT 1 FROM households h WHERE h.a = x.employee_id AND h.b = y.employee_id)
)
SELECT 'employee' AS subject_type, p.a AS subject_id, min({'f': n.source_file, 'l': n.line}).f AS source_file,
  min({'f': n.source_file, 'l': n.line}).l AS line, min({'f': n.source_file, 'l': n.line, 't': n.ts}).t AS observed_at,
  'residential network ' || p.net || '.0/24 (other addresses) also signs in ' || count(DISTINCT p.b)
    || ' unrelated worker(s): ' || array_to_string(list(DISTINCT p.b ORDER BY p.b)[1:5], ', ') AS detail,
  'egress_24' AS via, p.net || '.0/24' AS value_hint
FROM pairs p JOIN sizes s USING (net) JOIN n ON n.employee_id = p.a AND n.net = p.net
WHERE s.workers <= 5
GROUP BY p.a, p.net
""",
    samples=(
        positive("two unrelated workers, one /24 in one city, on two days each", {"signins": [
            signin(e, f"2026-08-0{d}T10:00:00Z", ip, city="Columbus", country="US")
            for e, ip in (("E1", "73.1.2.10"), ("E2", "73.1.2.20")) for d in (3, 4)
        ] + [signin("E3", "2026-08-03T10:00:00Z", "73.1.2.30", city="Columbus", country="US")]},
            {"E1": "weak", "E2": "weak"}),
        negative("one /24 seen in two cities: a carrier's or a geolocation database's", {"signins": [
            signin(e, f"2026-08-0{d}T10:00:00Z", ip, city=c, country="US")
            for e, ip, c in (("E1", "73.1.2.10", "Columbus"), ("E2", "73.1.2.20", "Dayton")) for d in (3, 4)
        ]}),
        lookalike("net_same_egress_ip_multiple_employees: CGNAT on a mobile ISP", {"signins": [
            signin(e, f"2026-08-0{d}T10:00:00Z", ip, "mobile", city="Columbus", country="US")
            for e, ip in (("E1", "100.64.2.10"), ("E2", "100.64.2.20")) for d in (3, 4)
        ]}),
    ),
)
