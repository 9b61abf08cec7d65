"""Remote-control tools on a worker's laptop (the catalogue shared by the RMM signals)."""

from typing import Any

from unmask.config import Config
from unmask.signals.base import Signal, lookalike, negative, obs, positive

# vendor -> lower-case substrings of program, process, command-line or DNS names. A small
# catalogue of the tools named in DPRK IT-worker cases and SigmaHQ/LOLRMM content.
CATALOGUE: dict[str, tuple[str, ...]] = {
    "AnyDesk": ("anydesk",),
    "TeamViewer": ("teamviewer",),
    "Chrome Remote Desktop": ("chrome remote desktop", "remoting_host", "remotedesktop-pa.googleapis.com",
                              "chromoting"),
    "RustDesk": ("rustdesk",),
    "ScreenConnect": ("screenconnect", "connectwise control"),
    "Splashtop": ("splashtop",),
    "LogMeIn": ("logmein",),
    "GoTo": ("gotoassist", "gotoopener"),
    "Parsec": ("parsecd", "parsec.app"),
    "Zoho Assist": ("zohoassist", "zoho assist"),
    "UltraViewer": ("ultraviewer",),
    "Supremo": ("supremo",),
    "Ammyy": ("ammyy",),
    "DWService": ("dwagent", "dwservice"),
    "MeshCentral": ("meshagent",),
    "Tactical RMM": ("tacticalrmm",),
    "NetSupport": ("netsupport", "client32.exe"),
    "SimpleHelp": ("simplehelp", "simple-help"),
    "Atera": ("ateraagent", "atera"),
    "NoMachine": ("nomachine", "nxplayer"),
    "Radmin": ("radmin",),
    "VNC": ("tightvnc", "realvnc", "ultravnc", "tigervnc", "vncserver"),
}


def vendor_sql(text: str) -> str:
    whens = " ".join(
        f"WHEN {' OR '.join(f'contains({text}, {chr(39)}{p}{chr(39)})' for p in pats)} THEN '{v}'"
        for v, pats in CATALOGUE.items()
    )
    return f"CASE {whens} END"


def params(cfg: Config) -> dict[str, Any]:
    return {
        "allow_depts": [d.lower() for d in cfg.remote_tools_departments],
        "allow_tools": [t.lower() for t in cfg.remote_tools],
        # One worker's approved tool, as "employee id, unit separator, lower-case vendor".
        "allow_person_tools": [f"{p.subject}\x1f{p.tool.lower()}" for p in cfg.person_tools],
    }


# Remote-tool sightings of workers who are not allowed them, with the vendor named.
SIGHTINGS = f"""
WITH seen AS (
  SELECT o.*, {vendor_sql('o.text')} AS vendor FROM endpoint_obs o WHERE o.item IN ('program', 'process', 'dns')
)
SELECT s.*, e.department FROM seen s JOIN employees e USING (employee_id)
WHERE s.vendor IS NOT NULL
  AND NOT list_contains($allow_depts, lower(coalesce(e.department, '')))
  AND NOT list_contains($allow_tools, lower(s.vendor))
  AND NOT list_contains($allow_person_tools, s.employee_id || chr(31) || lower(s.vendor))
"""  # noqa: S608 - only our catalogue is interpolated

SIGNAL = Signal(
    id="rmm_on_laptop",
    needs=("assets.devices", "hr.employees"),
    uses=("endpoint.osquery", "endpoint.sysmon"),
    strength="medium",
    family="endpoint",
    description="A remote-control tool on a worker's laptop (strong within 30 days of delivery), "
    "outside the allowed departments and tools.",
    reference="indicators.md §3.F rat_rmm_present_unapproved; DOJ24c, DOJ25a, MS1, SW",
    params=params,
    log_odds=1.0,
    basis=(
        "M in §3.F rat_rmm_present_unapproved, S within 30 days of delivery (DOJ24c, DOJ25a, MS1, SW); IT staff "
        "and vendor support look alike and are allowed by department."
    ),
    sql=f"""
WITH s AS ({SIGHTINGS})
SELECT 'employee' AS subject_type, employee_id AS subject_id, min({{'f': source_file, 'l': line}}).f AS source_file,
  min({{'f': source_file, 'l': line}}).l AS line, min(observed_at) AS observed_at,
  vendor || ' on ' || min({{'f': source_file, 'l': line, 'v': hostname}}).v ||
  CASE WHEN bool_or(observed_at <= delivered_at + INTERVAL 30 DAY)
       THEN ', within 30 days of the laptop''s delivery' ELSE '' END AS detail,
  CASE WHEN bool_or(observed_at <= delivered_at + INTERVAL 30 DAY) THEN 'strong' ELSE 'medium' END AS strength
FROM s GROUP BY employee_id, vendor
""",  # noqa: S608
    samples=(
        positive("AnyDesk days after delivery (strong); TeamViewer months later (medium)", {
            "employees": [{"employee_id": "E1", "department": "Engineering"},
                          {"employee_id": "E2", "department": "Engineering"},
                          {"employee_id": "E3", "department": "Engineering"}],
            "endpoint_obs": [obs("E1", "program", "anydesk"),
                             obs("E2", "program", "teamviewer", "2026-10-15T10:00:00Z"),
                             obs("E3", "program", "zoom")],
        }, {"E1": "strong", "E2": "medium"}),
        negative("meeting and editor software", {
            "employees": [{"employee_id": "E1", "department": "Engineering"}],
            "endpoint_obs": [obs("E1", "program", "zoom"), obs("E1", "process", "code.exe|c:\\vscode\\code.exe|")],
        }),
        lookalike("rat_rmm_present_unapproved: IT helpdesk staff, and a developer's allowed Parsec", {
            "employees": [{"employee_id": "E1", "department": "IT"},
                          {"employee_id": "E2", "department": "Engineering"}],
            "endpoint_obs": [obs("E1", "program", "anydesk"),
                             obs("E2", "process", "parsecd.exe|c:\\parsec\\parsecd.exe|")],
        }, remote_tools_departments=["it"], remote_tools=["Parsec"]),
    ),
)
