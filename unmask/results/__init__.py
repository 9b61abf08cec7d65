"""One typed read API over a finished scan (:class:`Results`), and the rows it returns.

Nothing else reads a scan's store: the report, the JSON Lines outputs, ``explain``, ``check``,
``export-iocs`` and the workbench all go through it (``tests/test_results.py`` holds the line).
"""

from unmask.results.api import BANDS, Results, ResultsError
from unmask.results.records import (
    AddressHolder,
    Cluster,
    ClusterLink,
    ClusterMember,
    ClusterVerdict,
    ContactHolder,
    DeclaredPlace,
    DocumentHash,
    Evidence,
    Finding,
    FindingsPage,
    GiantGroup,
    HourProfile,
    Indicator,
    ListedName,
    Record,
    Reject,
    ScanMeta,
    SigninDay,
    SigninPlace,
    Subject,
    SubjectCluster,
    SubjectRef,
    TimelineEvent,
)

__all__ = [
    "BANDS", "AddressHolder", "Cluster", "ClusterLink", "ClusterMember", "ClusterVerdict", "ContactHolder",
    "DeclaredPlace", "DocumentHash", "Evidence",
    "Finding", "FindingsPage", "GiantGroup", "HourProfile", "Indicator", "ListedName", "Record", "Reject", "Results",
    "ResultsError", "ScanMeta", "SigninDay", "SigninPlace", "Subject", "SubjectCluster", "SubjectRef", "TimelineEvent",
]
