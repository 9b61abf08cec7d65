"""Pay routed through a payment platform or crypto for a worker declared in a work country."""

from typing import Any

from unmask.config import Config
from unmask.signals.base import Signal, lookalike, negative, positive


def _params(cfg: Config) -> dict[str, Any]:
    return {"work_countries": cfg.work_countries}


SIGNAL = Signal(
    id="payout_platform_or_crypto",
    needs=("payroll.deposits", "hr.employees"),
    strength="medium",
    family="payroll",
    description="Pay routed via a payment platform or crypto for a worker who declares a home in a work country "
    "(weak for a contractor paid at home, medium when the pay goes to another country).",
    reference="indicators.md §3.K pay_platform_or_crypto; G22, GTIG, SW",
    params=_params,
    log_odds=1.0,
    basis=(
        "M for US-claimed workers in §3.K pay_platform_or_crypto (G22, GTIG, SW, DE, UK); W for real foreign "
        "contractors, who are left out."
    ),
    sql="""
SELECT 'employee' AS subject_type, d.employee_id AS subject_id, d.source_file, d.line,
  d.effective_date::TIMESTAMPTZ AS observed_at,
  'paid by ' || d.method || coalesce(' via ' || d.platform, '')
    || coalesce(' to ' || d.country, '') || ' while declaring a home in ' || coalesce(e.country, 'US')
    || CASE WHEN e.employment_type = 'contractor' THEN ' (contractor)' ELSE '' END AS detail,
  -- A contractor paid through a platform at home is ordinary (weak); one who declares a home here
  -- and is paid into an account in another country is a claim the payment contradicts (medium).
  CASE WHEN e.employment_type = 'contractor' AND (d.country IS NULL OR d.country = coalesce(e.country, 'US')
    OR list_contains($work_countries, d.country)) THEN 'weak' ELSE 'medium' END AS strength
FROM deposits d JOIN employees e USING (employee_id)
WHERE d.method IN ('platform', 'crypto') AND list_contains($work_countries, coalesce(e.country, 'US'))
""",
    samples=(
        positive("a US employee paid through a payout platform, another in crypto", {
            "employees": [{"employee_id": "E1", "country": "US", "employment_type": "employee"},
                          {"employee_id": "E2", "employment_type": "employee"},
                          {"employee_id": "E3", "country": "US", "employment_type": "employee"}],
            "deposits": [{"employee_id": "E1", "method": "platform", "platform": "Payoneer"},
                         {"employee_id": "E2", "method": "crypto"},
                         {"employee_id": "E3", "method": "direct_deposit"}],
        }, {"E1": "medium", "E2": "medium"}),
        negative("paid by direct deposit and wire", {
            "employees": [{"employee_id": "E1", "country": "US"}],
            "deposits": [{"employee_id": "E1", "method": "direct_deposit"}, {"employee_id": "E1", "method": "wire"}],
        }),
        lookalike("pay_platform_or_crypto: legitimate contractors, at home in the US or abroad", {
            "employees": [{"employee_id": "E1", "country": "US", "employment_type": "contractor"},
                          {"employee_id": "E2", "country": "PH", "employment_type": "contractor"}],
            "deposits": [{"employee_id": "E1", "method": "platform", "platform": "Deel"},
                         {"employee_id": "E2", "method": "platform", "platform": "Deel"}],
        }, {"E1": "weak"}),
        positive("a contractor who declares a US home, paid through a platform into Hong Kong", {
            "employees": [{"employee_id": "E1", "country": "US", "employment_type": "contractor"},
                          {"employee_id": "E2", "country": "US", "employment_type": "contractor"}],
            "deposits": [{"employee_id": "E1", "method": "platform", "platform": "Payoneer", "country": "HK"},
                         {"employee_id": "E2", "method": "platform", "platform": "Payoneer", "country": "US"}],
        }, {"E1": "medium", "E2": "weak"}),
    ),
)
