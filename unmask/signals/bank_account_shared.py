"""One bank-account token on the payment instructions of two or more workers."""

from unmask.signals.base import Signal, lookalike, negative, positive
from unmask.signals.shapes import shared

SIGNAL = Signal(
    id="bank_account_shared",
    needs=("payroll.deposits",),
    strength="strong",
    family="payroll",
    description="One bank account (keyed token) receives pay for two or more workers.",
    reference="indicators.md §3.K pay_account_reuse_across_employees; G22",
    log_odds=2.0,
    basis=(
        "S in §3.K pay_account_reuse_across_employees (G22: one PayPal account for several developers); §7.2: "
        "never suppress bank sharing silently. Spouses both employed are the look-alike (weak inside a "
        "household)."
    ),
    sql=shared("""
WITH d AS (SELECT * FROM deposits WHERE account_number IS NOT NULL),
holders AS (
  SELECT 'employee' AS subject_type, employee_id AS subject_id, 'bank_account' AS via, account_number AS key,
    source_file, line, effective_date::TIMESTAMPTZ AS observed_at, NULL AS excuse
  FROM d
)""", """
SELECT 'employee' AS subject_type, d.employee_id AS subject_id, d.source_file, d.line,
  d.effective_date::TIMESTAMPTZ AS observed_at,
  'bank account ' || right(d.account_number, 6) || ' also pays ' || s.others || ' other worker(s): '
    || array_to_string(s.who[1:10], ', ')
    || CASE WHEN s.unrelated = 0 THEN ' (a household: joint account?)' ELSE '' END AS detail,
  CASE WHEN s.unrelated = 0 THEN 'weak' ELSE 'strong' END AS strength,
  s.group_key, 'bank_account' AS via,
  'token …' || right(d.account_number, 6) AS value_hint
FROM d JOIN shared s ON s.subject_id = d.employee_id AND s.key = d.account_number
"""),
    samples=(
        positive("two unrelated workers paid into one account", {"deposits": [
            {"employee_id": "E1", "effective_date": "2026-08-01", "account_number": "tok-A"},
            {"employee_id": "E2", "effective_date": "2026-08-03", "account_number": "tok-A"},
            {"employee_id": "E3", "effective_date": "2026-08-03", "account_number": "tok-B"},
        ]}, {"E1": "strong", "E2": "strong"}),
        negative("each worker has an account of their own; unknown accounts are not shared", {"deposits": [
            {"employee_id": "E1", "account_number": "tok-A"},
            {"employee_id": "E2", "account_number": "tok-B"},
            {"employee_id": "E3", "account_number": None},
            {"employee_id": "E4", "account_number": None},
        ]}),
        lookalike("pay_account_reuse_across_employees: spouses both employed, one joint account", {
            "deposits": [{"employee_id": "E1", "account_number": "tok-A"},
                         {"employee_id": "E2", "account_number": "tok-A"}],
            "households": [{"a": "E1", "b": "E2", "kind": "spouse"}, {"a": "E2", "b": "E1", "kind": "spouse"}],
        }, {"E1": "weak", "E2": "weak"}),
        lookalike("pay_account_reuse_across_employees: a rehire's old and new record, one person, one account", {
            "deposits": [{"employee_id": "E1", "account_number": "tok-A"},
                         {"employee_id": "E9", "account_number": "tok-A"}],
            "person_records": [{"subject_type": "employee", "subject_id": "E1", "person_id": "employee:E1"},
                               {"subject_type": "employee", "subject_id": "E9", "person_id": "employee:E1"}],
        }),
    ),
)
