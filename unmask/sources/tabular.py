"""The CSV parts of the bundle (HR, assets, payroll, activity, intel), as in bundle.md."""

from __future__ import annotations

from unmask.sources.base import Col, Part

_ADDRESS = (
    Col("address_line1"), Col("address_line2"), Col("city"), Col("region"),
    Col("postal_code"), Col("country", "country"),
)

EMPLOYEES = Part(
    "hr.employees", "employees", ("hr/employees.csv",),
    (
        Col("employee_id", required=True), Col("full_name", required=True),
        Col("email", "lower", required=True), Col("personal_email", "lower"), Col("phone"),
        Col("date_of_birth", "date"), Col("national_id", "token"), *_ADDRESS,
        Col("employment_type", "lower"), Col("vendor_company"), Col("hire_date", "date"),
        Col("termination_date", "date"), Col("title"), Col("department"), Col("manager_id"),
        # Derived, not a bundle column: lets person resolution see a national ID one typo off.
        Col("national_id_near", "token_variants", by="national_id"),
    ),
    "csv", key="employee_id", description="workers: employees and contractors",
)
CANDIDATES = Part(
    "hr.candidates", "candidates", ("hr/candidates.csv",),
    (
        Col("candidate_id", required=True), Col("full_name", required=True), Col("email", "lower"),
        Col("phone"), *_ADDRESS, Col("linkedin_url"), Col("github_url"), Col("portfolio_url"),
        Col("resume_path"), Col("photo_path"), Col("applied_at", "ts"), Col("stage", "lower"),
        Col("referred_by"), Col("employee_id"),
    ),
    "csv", key="candidate_id", description="applicants from the ATS",
)
REFERENCES = Part(
    "hr.references", "candidate_references", ("hr/references.csv",),
    (
        Col("candidate_id", required=True), Col("reference_name"), Col("reference_email", "lower"),
        Col("reference_phone"), Col("relationship"),
    ),
    "csv", description="candidates' references",
)
CHANGES = Part(
    "hr.changes", "hr_changes", ("hr/changes.csv",),
    (
        Col("employee_id", required=True), Col("field", "lower", required=True),
        # Tokenised when the field names a sensitive value, or when in doubt: a value shaped like
        # an account number, an SSN or an IBAN in a field that is not a postal code or a phone.
        Col("old_value", "token_if_sensitive", by="field", guess=True),
        Col("new_value", "token_if_sensitive", by="field", guess=True),
        Col("changed_at", "ts"), Col("changed_by"),
    ),
    "csv", description="HRIS audit trail",
)
INTERVIEWS = Part(
    "hr.interviews", "interviews", ("hr/interviews.csv",),
    (
        Col("candidate_id", required=True), Col("interview_at", "ts"), Col("stage", "lower"),
        Col("medium", "lower"), Col("camera_on", "bool"), Col("participant_ip"),
        Col("participant_country", "country"), Col("identity_checked", "bool"), Col("flags", "lower"),
        Col("interviewer_id"),
    ),
    "csv", description="interview records",
)
DEVICES = Part(
    "assets.devices", "devices", ("assets/devices.csv",),
    (
        Col("asset_tag", required=True), Col("serial_number", "upper"), Col("hostname", "lower"),
        Col("assigned_employee_id"), Col("model"), Col("os"), Col("enrolled_at", "ts"),
    ),
    "csv", key="asset_tag", description="issued equipment",
)
SHIPMENTS = Part(
    "assets.shipments", "shipments", ("assets/shipments.csv",),
    (
        Col("shipment_id", required=True), Col("asset_tag"), Col("employee_id"), Col("recipient_name"),
        *_ADDRESS, Col("shipped_at", "ts"), Col("delivered_at", "ts"), Col("carrier"),
        Col("tracking_number"),
    ),
    "csv", key="shipment_id", description="equipment shipments",
)
DEPOSITS = Part(
    "payroll.deposits", "deposits", ("payroll/deposits.csv",),
    (
        Col("employee_id", required=True), Col("effective_date", "date"), Col("method", "lower"),
        Col("institution_name"), Col("routing_number"), Col("account_number", "token"),
        Col("account_holder_name"), Col("platform"), Col("country", "country"),
    ),
    "csv", description="payment instructions over time",
)
ACTIVITY = Part(
    "activity", "activity", ("activity/*.csv",),
    (
        Col("actor_email", "lower", required=True), Col("timestamp", "ts", required=True),
        Col("source", "lower"), Col("action"),
    ),
    "csv", description="work activity rows (git, chat, tickets)",
)
IOCS = Part(
    "intel.iocs", "iocs", ("intel/iocs.csv",),
    (
        Col("type", "lower", required=True), Col("value", "token_if_sensitive", required=True), Col("source"),
        Col("note"),
    ),
    "csv", description="indicators of compromise to match",
)

CSV_PARTS: tuple[Part, ...] = (
    EMPLOYEES, CANDIDATES, REFERENCES, CHANGES, INTERVIEWS, DEVICES, SHIPMENTS, DEPOSITS,
    ACTIVITY, IOCS,
)
