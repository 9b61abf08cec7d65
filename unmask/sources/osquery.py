"""osquery results logs: differential rows (``columns`` + ``action``) and ``snapshot`` arrays.

Each result row becomes one record; a snapshot line yields one record per element. The
table a row came from is read from the query name (``pack_<pack>_<table>`` or the pack
shipped in ``unmask/data/osquery``), so packs written for other tools still load.
"""

from __future__ import annotations

from unmask.sources.base import Col, Part

TABLES = (
    "usb_devices", "connected_displays", "processes", "programs", "apps", "system_info",
    "logged_in_users", "chrome_extensions",
)

OSQUERY = Part(
    "endpoint.osquery", "osquery_rows", ("endpoint/osquery/*.log", "endpoint/osquery/*.jsonl"),
    (
        Col("query_name", required=True, paths=("$.name",)),
        Col("host_identifier", "lower", paths=("$.hostIdentifier",)),
        Col("hostname", "lower", paths=("$.decorations.hostname", "$.hostIdentifier")),
        Col("serial", "upper", paths=("$.decorations.hardware_serial", "$.decorations.serial")),
        Col("observed_at", "ts", paths=("$.unixTime", "$.calendarTime")),
        Col("action", "lower", paths=("$.action",)),
        Col("row", "json", paths=("$.__item", "$.columns")),
    ),
    "json", description="osquery results",
)

# SQL deriving the osquery table from the query name: the longest known table name it ends with.
TABLE_SQL = (
    "coalesce("
    + ", ".join(f"CASE WHEN query_name LIKE '%{t}' THEN '{t}' END" for t in TABLES)
    + ", query_name)"
)

# Columns Unmask reads from each table (normalise/network.py, build_endpoint; logged_in_users is
# stored for investigators, not yet scored); the shipped
# configuration (unmask/data/osquery/unmask.conf) must collect at least these.
READ_COLUMNS: dict[str, tuple[str, ...]] = {
    "usb_devices": ("vendor_id", "model_id", "vendor", "model", "serial", "class"),
    "connected_displays": ("name",),
    "processes": ("name", "path", "cmdline"),
    "programs": ("name",),
    "apps": ("name", "bundle_name"),
    "chrome_extensions": ("name",),
    "logged_in_users": ("user", "host"),
    "system_info": ("hostname", "hardware_serial"),
}
