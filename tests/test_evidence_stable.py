"""Evidence names the same example on every run of the same bundle.

A group's example (the IP range of a VPN sign-in, the host of an RMM sighting, the leg of an
impossible journey, the event a Sigma rule matched) was any_value(): any row of the group,
another one on the next run once the engine reads in parallel, and not always the row the
evidence cites. Two scans of the same 10M-event bundle differed in 149 subjects' evidence. An
example is now the cited row's own (``min({'f': file, 'l': line, 'v': value}).v``); any_value()
is left only where every row of the group holds the same value.
"""

from __future__ import annotations

import re

from unmask.signals import SIGNALS

# any_value() arguments that are one value per group, and why.
CONSTANT_IN_GROUP = {
    "c.country": "interview_verification_gaps: the subject's declared country, one per claim row",
    "hire_date": "one hire date per worker (the group is the worker)",
    "home_h": "the worker's declared home offset, one per worker",
    "actor_email": "mfa_device_shared: only the fallback when the target names no user",
    "c.hostname": "rmm_multiple_vendors: tested for NULL only (any_value skips NULLs)",
    "h.kind": "account_holder_mismatch: one household kind per pair",
    "f.first": "shapes: the group's first row, already chosen by min()",
    "f.first_at": "shapes: the group's first row, already chosen by min()",
    "vendor": "kvm_composite_hid_msd: one vendor per USB device id",
    "model": "kvm_composite_hid_msd: one model per USB device id",
}


def test_examples_in_evidence_are_the_cited_rows() -> None:
    found = {}
    for sig in SIGNALS:
        for arg in re.findall(r"any_value\(\s*([^()]*?)\s*\)", sig.sql):
            found.setdefault(arg, []).append(sig.id)
    loose = {arg: ids for arg, ids in found.items() if arg not in CONSTANT_IN_GROUP}
    assert not loose, f"any_value() of a value that differs within its group (use the cited row's): {loose}"
