"""Sign-ins from a country the worker neither lives in nor may work from."""

from typing import Any

from unmask.config import Config
from unmask.signals.base import Signal, lookalike, negative, positive, signin

# Where DPRK IT workers are reported to operate from (indicators.md §3.I): a sign-in from here
# by a worker declared elsewhere is medium; any other foreign country is weak (travel).
HIGH_RISK = ["KP", "CN", "RU", "LA", "VN", "KH", "AE", "NG"]


def _params(cfg: Config) -> dict[str, Any]:
    return {"work": cfg.work_countries, "high_risk": HIGH_RISK}


SIGNAL = Signal(
    id="signin_foreign_country",
    needs=("hr.employees",),
    uses=("idp.okta", "idp.entra"),
    strength="weak",
    family="network",
    description="Sign-ins from a country other than the declared home and the work countries "
    "(medium from the countries where the scheme operates, weak elsewhere: travel).",
    reference="indicators.md §3.I geo_signin_vs_residence; G22, G25",
    params=_params,
    log_odds=0.4,
    basis=(
        "W for travel; the rows from the countries where the scheme operates are M (§3.I geo_signin_vs_residence:"
        " M, S for high-risk countries; G22, G25)."
    ),
    sql="""
SELECT 'employee' AS subject_type, s.employee_id AS subject_id, min({'f': s.source_file, 'l': s.line}).f AS source_file,
  min({'f': s.source_file, 'l': s.line}).l AS line, min(s.ts) AS observed_at,
  count(*) || ' sign-in(s) from ' || s.country || ' (' || count(DISTINCT s.ts::DATE) || ' day(s)) while declaring '
    || coalesce(e.country, 'US') AS detail,
  CASE WHEN list_contains($high_risk, s.country) THEN 'medium' ELSE 'weak' END AS strength
FROM signins s JOIN employees e USING (employee_id)
WHERE s.country IS NOT NULL AND s.egress NOT IN ('corporate', 'vpn', 'astrill', 'proxy')
  AND s.country <> coalesce(e.country, 'US') AND NOT list_contains($work, s.country)
GROUP BY s.employee_id, s.country, e.country
""",
    samples=(
        positive("a US worker signs in from China", {
            "employees": [{"employee_id": "E1", "country": "US"}, {"employee_id": "E2", "country": "US"}],
            "signins": [signin("E1", "2026-08-03T02:00:00Z", "5.6.7.8", country="CN"),
                        signin("E2", "2026-08-03T02:00:00Z", "73.1.2.3", country="US")],
        }, {"E1": "medium"}),
        negative("at home, in a work country, or through the office", {
            "employees": [{"employee_id": "E1", "country": "US"}, {"employee_id": "E2", "country": "CA"}],
            "signins": [signin("E1", "2026-08-03T02:00:00Z", "73.1.2.3", country="US"),
                        signin("E2", "2026-08-03T02:00:00Z", "24.1.2.3", country="CA"),
                        signin("E1", "2026-08-04T02:00:00Z", "10.1.2.3", "corporate", country="CN")],
        }),
        lookalike("geo_signin_vs_residence: travel (weak), and a travel VPN", {
            "employees": [{"employee_id": "E1", "country": "US"}],
            "signins": [signin("E1", "2026-08-03T02:00:00Z", "80.1.2.3", country="FR"),
                        signin("E1", "2026-08-04T02:00:00Z", "45.1.2.3", "vpn", country="VN")],
        }, {"E1": "weak"}),
    ),
)
