"""Investigators' decisions that survive rescans: the cases store and the overlay a scan reads."""

from unmask.cases.overlay import Overlay, OverlayEntry, load_decisions, overlay
from unmask.cases.store import (
    DECISIONS,
    REASONS,
    VERSION,
    Assignment,
    AuditEntry,
    CasesError,
    CasesStore,
    Decision,
    Judgement,
    Reason,
)

__all__ = [
    "DECISIONS", "REASONS", "VERSION", "Assignment", "AuditEntry", "CasesError", "CasesStore", "Decision", "Judgement",
    "Overlay", "OverlayEntry", "Reason", "load_decisions", "overlay",
]
