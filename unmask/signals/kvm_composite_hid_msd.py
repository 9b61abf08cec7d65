"""A USB device that is several keyboards/mice and a disk at once: the generic IP-KVM shape when
its identity has been changed to a donor device's."""

import json
from typing import Any

from unmask.signals.base import Signal, lookalike, negative, positive
from unmask.sources.osquery import TABLE_SQL

# Vendors whose docks and keyboards legitimately combine HID and storage interfaces.
DOCK_VENDORS = ("dell", "lenovo", "hewlett", "hp inc", "apple", "logitech", "microsoft", "plugable", "anker",
                "caldigit", "kensington", "targus", "belkin", "razer", "corsair", "keychron", "displaylink",
                "realtek", "synaptics")


def _iface(host: str, vendor: str, vid: str, cls: int, at: str = "2026-08-05T10:00:00Z") -> dict[str, Any]:
    """One interface of a USB device on a laptop, as osquery's usb_devices lists it (samples)."""
    row = {"vendor_id": vid, "model_id": "0001", "vendor": vendor, "model": "Device", "serial": "S1", "class": str(cls)}
    return {"query_name": "pack_unmask_usb_devices", "hostname": host, "observed_at": at, "row": json.dumps(row)}


_HOSTS = [{"hostname": "lt-e1", "employee_id": "E1", "delivered_at": "2026-08-01T12:00:00Z"},
          {"hostname": "lt-e2", "employee_id": "E2", "delivered_at": "2026-08-01T12:00:00Z"}]

SIGNAL = Signal(
    id="kvm_composite_hid_msd",
    needs=("endpoint.osquery", "assets.devices"),
    strength="medium",
    family="endpoint",
    description="One USB device (vendor, product and serial) shows two or more HID interfaces and a mass-storage "
    "interface, first seen after the laptop was issued, from a vendor that does not make docks or keyboards "
    "(medium: docks and keyboards with storage look alike).",
    reference="indicators.md §3.G kvm_composite_hid_plus_msd, §4.3 (PiKVM kvmd-otgconf clones donor ids)",
    params=lambda _cfg: {"docks": list(DOCK_VENDORS)},
    log_odds=1.0,
    basis="M in §3.G kvm_composite_hid_plus_msd: docking stations and keyboards with storage look alike.",
    sql=f"""
WITH u AS (
  SELECT source_file, line, observed_at, lower(hostname) AS hostname, upper(serial) AS host_serial,
    lower(json_extract_string(row, '$.vendor_id')) AS vid, lower(json_extract_string(row, '$.model_id')) AS pid,
    json_extract_string(row, '$.vendor') AS vendor, json_extract_string(row, '$.model') AS model,
    coalesce(json_extract_string(row, '$.serial'), '') AS dev_serial,
    -- Windows lists each interface of a composite device as a device of its own, with the
    -- parent's ids: class 3 is HID, class 8 mass storage.
    try_cast(json_extract_string(row, '$.class') AS INTEGER) AS cls
  FROM osquery_rows WHERE {TABLE_SQL} = 'usb_devices' AND action IS DISTINCT FROM 'removed'
), d AS (
  SELECT hostname, host_serial, vid, pid, dev_serial, any_value(vendor) AS vendor, any_value(model) AS model,
    count(*) FILTER (WHERE cls = 3) AS hid, count(*) FILTER (WHERE cls = 8) AS msd, min(observed_at) AS first_seen,
    arg_min(source_file, observed_at) AS source_file, arg_min(line, observed_at) AS line
  FROM u GROUP BY hostname, host_serial, vid, pid, dev_serial
  HAVING count(*) FILTER (WHERE cls = 3) >= 2 AND count(*) FILTER (WHERE cls = 8) >= 1
)
SELECT 'employee' AS subject_type, h.employee_id AS subject_id, d.source_file, d.line, d.first_seen AS observed_at,
  'USB device ' || d.vid || ':' || d.pid || ' "' || coalesce(d.vendor, '?') || ' ' || coalesce(d.model, '') || '" on '
    || d.hostname || ' is ' || d.hid || ' HID interfaces and ' || d.msd
    || ' mass-storage interface(s) at once, first seen after the laptop was issued' AS detail
FROM d JOIN hosts h ON h.hostname = split_part(d.hostname, '.', 1) OR h.serial = d.host_serial
WHERE (h.delivered_at IS NULL OR d.first_seen > h.delivered_at)
  AND len(list_filter($docks, lambda v: strpos(lower(coalesce(d.vendor, '')), v) > 0)) = 0
""",  # noqa: S608 - TABLE_SQL is our constant
    samples=(
        positive("two HID interfaces and mass storage on one no-name device, after delivery", {
            "hosts": _HOSTS,
            "osquery_rows": [_iface("LT-E1", "Generic", "1a2b", 3), _iface("LT-E1", "Generic", "1a2b", 3),
                             _iface("LT-E1", "Generic", "1a2b", 8), _iface("lt-e2", "Generic", "1a2b", 3)],
        }, {"E1": "medium"}),
        negative("a mouse and a USB stick, each a device of its own; the device seen before delivery", {
            "hosts": _HOSTS,
            "osquery_rows": [_iface("lt-e1", "Generic", "1a2b", 3), _iface("lt-e1", "Generic", "1a2b", 3),
                             _iface("lt-e1", "SanDisk", "0781", 8),
                             *(_iface("lt-e2", "Generic", "1a2b", c, "2026-07-01T10:00:00Z") for c in (3, 3, 8))],
        }),
        lookalike("kvm_composite_hid_plus_msd: a docking station with a card reader", {
            "hosts": _HOSTS,
            "osquery_rows": [_iface("lt-e1", "Dell Inc.", "413c", c) for c in (3, 3, 8)],
        }),
    ),
)
