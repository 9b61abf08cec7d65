"""Who in a bundle is screened, in which role, as a person or a company.

Workers, candidates and references are people; vendor companies and paying banks are
companies; a bank-account holder may be either. An account in the worker's own name is
screened as the worker, not twice. Country is left out for people: where a worker says
they live is not their nationality, and a disagreement would be no evidence either way.
"""

from __future__ import annotations

from unmask.engine import Engine
from unmask.screen import index

PARTIES_SQL = """
CREATE OR REPLACE TABLE screen_parties AS
SELECT 'employee' AS subject_type, employee_id AS subject_id, 'worker' AS role, full_name AS name,
  'Person' AS schema, strftime(date_of_birth, '%Y-%m-%d') AS dob, NULL::VARCHAR AS country, source_file, line
  FROM employees
UNION ALL SELECT 'employee', employee_id, 'vendor company', vendor_company, 'Company', NULL, NULL, source_file,
  line
  FROM employees WHERE vendor_company IS NOT NULL
UNION ALL SELECT 'employee', d.employee_id, 'account holder', d.account_holder_name, 'Any', NULL, NULL, d.source_file,
  d.line FROM deposits d JOIN employees e USING (employee_id) WHERE d.account_holder_name IS NOT NULL
  AND unmask_name_sim(e.full_name, d.account_holder_name) < 0.85
UNION ALL SELECT 'employee', d.employee_id, 'bank', d.institution_name, 'Company', NULL, d.country, d.source_file,
  d.line FROM deposits d JOIN employees e USING (employee_id) WHERE d.institution_name IS NOT NULL
UNION ALL SELECT 'candidate', candidate_id, 'candidate', full_name, 'Person', NULL, NULL, source_file, line
  FROM candidates
UNION ALL SELECT 'candidate', candidate_id, 'reference', reference_name, 'Person', NULL, NULL, source_file, line
  FROM candidate_references WHERE reference_name IS NOT NULL
"""


def build(engine: Engine) -> None:
    """``screen_parties`` from the bundle tables, then ``screen_matches``."""
    engine.execute(PARTIES_SQL)
    index.build_list_index(engine)
    index.screen(engine)
