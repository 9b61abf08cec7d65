"""The typed rows the read API returns: plain frozen dataclasses, no engine types, so that the
report, the command line and a web page can hold them after the store is closed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


def source_of(source_file: str | None, line: int | None) -> str:
    """``file:line`` as findings.jsonl writes it (the file alone when there is no line)."""
    if source_file is None:
        return ""
    return source_file if line is None else f"{source_file}:{line}"


@dataclass(frozen=True)
class ScanMeta:
    """What ``manifest.json`` says about the scan; ``raw`` is the whole manifest."""

    tool_version: str
    bundle: str | None
    started_at: str | None
    finished_at: str | None
    totals: dict[str, int]
    parts: dict[str, dict[str, Any]]
    missing_parts: list[str]
    disabled_signals: list[dict[str, Any]]
    files: list[dict[str, Any]]
    ignored_files: list[dict[str, str]]  # {"path", "reason"}
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_manifest(cls, m: dict[str, Any]) -> ScanMeta:
        return cls(
            tool_version=str(m.get("tool", {}).get("version", "")),
            bundle=m.get("bundle"),
            started_at=m.get("started_at"),
            finished_at=m.get("finished_at"),
            totals={k: int(v) for k, v in m.get("totals", {}).items()},
            parts=dict(m.get("parts", {})),
            missing_parts=list(m.get("missing_parts", [])),
            disabled_signals=list(m.get("disabled_signals", [])),
            files=list(m.get("files", [])),
            ignored_files=list(m.get("ignored_files", [])),
            raw=m,
        )

    @property
    def unreadable_files(self) -> list[dict[str, Any]]:
        return [f for f in self.files if f.get("status") != "ok"]


@dataclass(frozen=True)
class SubjectRef:
    type: str  # employee / candidate
    id: str


@dataclass(frozen=True)
class Decision:
    """An investigator's judgement in force (``unmask.cases``), as the scan loaded it. For a
    subject, ``reopened`` says whether evidence it did not see (``new_evidence``, by id) undoes a
    dismissal; a cluster's decision carries no such check."""

    status: str  # confirmed / dismissed / needs_review / escalated
    reason: str | None
    note: str | None
    by: str | None
    at: str | None
    judgement: int | None
    reason_text: str | None = None
    evidence_fingerprint: str | None = None
    reopened: bool = False
    new_evidence: tuple[str, ...] = ()

    @classmethod
    def from_struct(cls, d: dict[str, Any] | None) -> Decision | None:
        if not d:
            return None
        return cls(str(d["status"]), d.get("reason"), d.get("note"), d.get("by"), d.get("at"), d.get("judgement"),
                   d.get("reason_text"), d.get("evidence_fingerprint"), bool(d.get("reopened")),
                   tuple(d.get("new_evidence") or ()))


@dataclass(frozen=True)
class Evidence:
    """One scored evidence row; ``evidence_id`` is its stable key (unmask.model)."""

    evidence_id: str
    subject_type: str
    subject_id: str
    signal: str
    family: str | None
    strength: str
    weight: float
    detail: str
    source_file: str | None
    line: int | None
    observed_at: datetime | None
    via: str | None
    value_hint: str | None
    # A decisive indicator (unmask.model): near-conclusive by itself, the subject is at least "high".
    decisive: bool = False

    @property
    def source(self) -> str:
        return source_of(self.source_file, self.line)


@dataclass(frozen=True)
class Finding:
    """One scored subject as the queue shows it."""

    subject_type: str
    subject_id: str
    name: str | None
    score: float
    band: str
    rank: int  # 1 for the highest score of the whole scan, whatever the filters
    signals: tuple[str, ...]
    families: tuple[str, ...]
    clusters: tuple[str, ...]


@dataclass(frozen=True)
class FindingsPage:
    total: int  # findings that pass the filters, before offset and limit
    offset: int
    items: list[Finding]


@dataclass(frozen=True)
class Record:
    """One record a subject has in the bundle (an employee row, a candidate row), with the
    context fields the tables hold; a field the part does not have is None."""

    kind: str  # employee / candidate
    id: str
    full_name: str | None
    email: str | None
    source_file: str | None
    line: int | None
    title: str | None = None
    department: str | None = None
    manager_id: str | None = None
    manager_name: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    employment_type: str | None = None
    vendor: str | None = None
    hire_date: date | None = None
    termination_date: date | None = None
    applied_at: datetime | None = None
    stage: str | None = None
    employee_id: str | None = None  # a candidate's employee id once hired


@dataclass(frozen=True)
class TimelineEvent:
    """One dated moment of a subject's life, from the record that says so."""

    at: datetime  # UTC; a date is its midnight
    kind: str  # applied, interviewed, hired, shipped, delivered, first sign-in, ... or "evidence"
    detail: str
    source_file: str | None
    line: int | None

    @property
    def source(self) -> str:
        return source_of(self.source_file, self.line)


@dataclass(frozen=True)
class ClusterLink:
    a: str
    b: str
    via: str
    value_hint: str | None  # masked: enough to tell values apart, never the value


@dataclass(frozen=True)
class ClusterMember:
    subject_type: str
    subject_id: str
    name: str | None
    score: float | None  # None: the member has no finding of its own
    band: str | None
    title: str | None
    department: str | None
    role: str | None = None  # link/verdicts.py: victim, claimant, host, worker, applicant, ...


@dataclass(frozen=True)
class ClusterVerdict:
    """What the cluster is (link/verdicts.py), how sure the scan is, and why in one sentence."""

    kind: str  # farm, identity_pair, persona_network, mixed
    score: float  # the highest score of a member who is not a likely victim
    band: str
    summary: str


@dataclass(frozen=True)
class Cluster:
    cluster_id: str  # a stable key derived from the member set
    members: list[ClusterMember]  # by subject type, then id
    links: list[ClusterLink]  # by via, a, b
    vias: tuple[str, ...]  # what the members share, sorted
    continues: str | None = None  # the previous scan's cluster this one grew or shrank from
    decision: Decision | None = None
    verdict: ClusterVerdict | None = None  # None in a store written before cluster verdicts

    @property
    def member_ids(self) -> list[str]:
        return [m.subject_id for m in self.members]


@dataclass(frozen=True)
class SubjectCluster:
    """A cluster seen from one member: who else is in it, and what links this member."""

    cluster_id: str
    others: tuple[SubjectRef, ...]
    vias: tuple[str, ...]  # the links that touch this member
    kind: str | None = None  # the cluster's kind (link/verdicts.py); None in an older store
    role: str | None = None  # this member's role in it


@dataclass(frozen=True)
class Subject:
    """Everything the scan knows about one subject."""

    subject_type: str
    subject_id: str
    name: str | None
    records: list[Record]
    score: float | None  # None when no evidence scored the subject
    band: str | None
    rank: int | None
    findings_total: int  # scored subjects in the scan
    evidence: list[Evidence]  # strongest first
    timeline: list[TimelineEvent]  # oldest first
    clusters: list[SubjectCluster]
    person_records: list[SubjectRef] = field(default_factory=list)  # every record of the same human
    evidence_fingerprint: str | None = None
    decision: Decision | None = None


@dataclass(frozen=True)
class Reject:
    file: str
    part: str | None
    line: int | None
    unit: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "part": self.part, "line": self.line, "unit": self.unit, "reason": self.reason}


@dataclass(frozen=True)
class GiantGroup:
    """An identifier shared by so many people that it names a place or a network."""

    via: str
    value_hint: str | None
    members: int


@dataclass(frozen=True)
class HourProfile:
    """A worker's sign-ins and activity by hour of the day in their declared zone."""

    tz: str
    hours: list[int]  # 24 counts


@dataclass(frozen=True)
class SigninPlace:
    """Where a worker signed in from (the IdP's geolocation, rounded to ~1 km), how often, when."""

    lat: float
    lon: float
    city: str
    country: str  # "?" when unknown
    n: int
    first: datetime | None
    last: datetime | None


@dataclass(frozen=True)
class DeclaredPlace:
    """A home or ship-to address the bundle declares, placed at its ZIP code's centroid."""

    kind: str  # "home" or "ship_to"
    lat: float
    lon: float
    label: str  # city and ZIP code, never the street


@dataclass(frozen=True)
class SigninDay:
    day: date
    country: str  # "?" when unknown
    n: int


@dataclass(frozen=True)
class ContactHolder:
    """A stored contact identifier equal to a probed value."""

    kind: str
    value: str
    subject_type: str
    subject_id: str
    source_file: str | None
    line: int | None


@dataclass(frozen=True)
class AddressHolder:
    kind: str  # home / ship_to
    subject_type: str
    subject_id: str
    same_unit: bool
    source_file: str | None
    line: int | None


@dataclass(frozen=True)
class ListedName:
    """A sanctions-list name reached through the name index, best-keyed first."""

    list_id: str
    entity_id: str
    name: str
    caption: str
    birth_dates: list[str]


@dataclass(frozen=True)
class Indicator:
    """One shareable indicator of a case, in the ``intel/iocs.csv`` vocabulary."""

    type: str
    value: str
    note: str  # what it is in this case: "personal email of E1001", ...


@dataclass(frozen=True)
class DocumentHash:
    subject_id: str
    path: str
    sha256: str
