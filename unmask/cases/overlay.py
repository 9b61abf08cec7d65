"""From judgements to what the next scan reads: an overlay on the configuration, and the
decisions that ``findings.jsonl`` carries.

Two kinds of dismissal are facts about the organisation, not just about one finding:

- "household" between two subjects: a declared relation, exactly as ``[[relations]]`` in
  ``unmask.toml`` (their shared home and account become weak evidence, not a farm);
- "approved_tool": one remote-control tool allowed to one worker, as
  ``[[allow.person_tools]]``.

Nothing is silently suppressed: every overlay entry is listed in the manifest with the
judgement it comes from, and a dismissed subject keeps its findings, marked with the decision
(and reopened when evidence appeared that the decision did not see).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from unmask.cases.store import CasesStore, Judgement
from unmask.config import Config, PersonTool, Relation
from unmask.engine import Engine


@dataclass(frozen=True)
class OverlayEntry:
    judgement: int
    kind: Literal["relation", "person_tool"]
    subject: str  # the stable key judged, "employee:E1"
    value: str  # the related subject's key, or the tool
    author: str
    decided_at: str
    new: bool  # False when unmask.toml already declares the same

    def as_dict(self) -> dict[str, Any]:
        return {"judgement": self.judgement, "kind": self.kind, "subject": self.subject, "value": self.value,
                "author": self.author, "decided_at": self.decided_at, "already_configured": not self.new}


@dataclass(frozen=True)
class Overlay:
    relations: tuple[Relation, ...]
    person_tools: tuple[PersonTool, ...]
    entries: tuple[OverlayEntry, ...]
    judgements: tuple[Judgement, ...]  # every judgement in force, for marking findings

    def apply(self, config: Config) -> Config:
        """``config`` with the overlay's relations and tools added (each once)."""
        have_rel = {frozenset((r.a, r.b)) for r in config.relations}
        rels = [*config.relations, *(r for r in self.relations if frozenset((r.a, r.b)) not in have_rel)]
        have_tool = {(p.subject, p.tool.lower()) for p in config.person_tools}
        tools = [*config.person_tools, *(p for p in self.person_tools if (p.subject, p.tool.lower()) not in have_tool)]
        return replace(config, relations=rels, person_tools=tools)

    def manifest(self, path: str) -> dict[str, Any]:
        return {"store": path, "judgements": len(self.judgements),
                "overlay": [e.as_dict() for e in self.entries]}


def overlay(store: CasesStore, config: Config | None = None) -> Overlay:
    """The overlay of the judgements in force. ``config`` (the bundle's own) only marks which
    entries it already declares."""
    cfg = config or Config()
    have_rel = {frozenset((r.a, r.b)) for r in cfg.relations}
    have_tool = {(p.subject, p.tool.lower()) for p in cfg.person_tools}
    judgements = tuple(store.all_current())
    rels: list[Relation] = []
    tools: list[PersonTool] = []
    entries: list[OverlayEntry] = []
    for j in judgements:
        if j.decision != "dismissed":
            continue
        if j.reason == "household" and j.related is not None:
            pair = frozenset((j.key.id, j.related.id))
            if pair not in {frozenset((r.a, r.b)) for r in rels}:
                rels.append(Relation(j.key.id, j.related.id, "household"))
                entries.append(OverlayEntry(j.id, "relation", str(j.key), str(j.related), j.author, j.decided_at,
                                            pair not in have_rel))
        elif j.reason == "approved_tool" and j.tool and j.key.kind == "employee":
            tools.append(PersonTool(j.key.id, j.tool))
            entries.append(OverlayEntry(j.id, "person_tool", str(j.key), j.tool, j.author, j.decided_at,
                                        (j.key.id, j.tool.lower()) not in have_tool))
    return Overlay(tuple(rels), tuple(tools), tuple(entries), judgements)


def load_decisions(engine: Engine, judgements: tuple[Judgement, ...] = ()) -> None:
    """Create the scan store's ``decisions`` table (empty without a cases store), which the
    outputs join to mark each finding and cluster with the decision in force."""
    engine.execute(
        "CREATE OR REPLACE TABLE decisions(key_kind VARCHAR, key_id VARCHAR, judgement BIGINT, decision VARCHAR, "
        "reason VARCHAR, reason_text VARCHAR, note VARCHAR, author VARCHAR, decided_at VARCHAR, "
        "evidence_fingerprint VARCHAR, evidence_ids VARCHAR[])"
    )
    engine.insert_rows(
        "decisions",
        ("key_kind", "key_id", "judgement", "decision", "reason", "reason_text", "note", "author", "decided_at",
         "evidence_fingerprint", "evidence_ids"),
        [(j.key.kind, j.key.id, j.id, j.decision, j.reason, j.reason_text, j.note, j.author, j.decided_at,
          j.evidence_fingerprint, list(j.evidence_ids)) for j in judgements],
    )
