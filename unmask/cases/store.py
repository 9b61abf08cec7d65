"""The cases store: investigators' judgements and an append-only audit log, in SQLite.

It lives beside the scans (``OUT/cases.sqlite``) and outlasts them: a scan replaces
``unmask.duckdb`` wholesale, but a decision must survive next week's scan. Like
nomenklatura's resolver edges, a judgement is never edited: a newer judgement on the same
stable key supersedes it (``superseded_by``), so the history of a case is the chain of rows.
Each judgement names the evidence it was made on (its ids and their fingerprint, see
``unmask.model``), which lets the next scan tell "unchanged or weaker" from "new evidence".

SQLite in WAL mode lets a reader (a running scan, the workbench) and a writer work at once;
``synchronous=FULL`` makes every committed decision durable. The schema version is
``PRAGMA user_version``; :data:`MIGRATIONS` brings any older store up to date on open.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Self, cast, get_args

from unmask.model import Key, fingerprint

Decision = Literal["confirmed", "dismissed", "needs_review", "escalated"]
Reason = Literal["household", "rehire", "approved_tool", "travel", "data_error", "other"]
DECISIONS: tuple[Decision, ...] = get_args(Decision)
REASONS: tuple[Reason, ...] = get_args(Reason)


class CasesError(Exception):
    """The cases store cannot be used, or a decision is not well formed."""


def _in(values: Sequence[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


# Each entry brings the store from version i to i + 1. Never edit a released entry: add one.
MIGRATIONS: tuple[str, ...] = (
    # 1: judgements on stable keys, and the audit log that refuses change.
    f"""
CREATE TABLE judgements(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key_kind TEXT NOT NULL CHECK (key_kind IN ('employee', 'candidate', 'cluster')),
  key_id TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ({_in(DECISIONS)})),
  reason TEXT CHECK (reason IS NULL OR reason IN ({_in(REASONS)})),
  note TEXT NOT NULL DEFAULT '',
  author TEXT NOT NULL CHECK (author <> ''),
  decided_at TEXT NOT NULL,
  evidence_fingerprint TEXT,
  superseded_by INTEGER REFERENCES judgements(id),
  CHECK (decision <> 'dismissed' OR reason IS NOT NULL)
);
CREATE INDEX judgements_by_key ON judgements(key_kind, key_id, id);
CREATE TABLE audit(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  key TEXT,
  detail TEXT NOT NULL DEFAULT '{{}}'
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
""",
    # 2: what the overlay and the reopening need (the reason's free text, the evidence ids seen,
    # the household's other member, the approved tool); judgements become immutable but for
    # the one link to their successor.
    """
ALTER TABLE judgements ADD COLUMN reason_text TEXT NOT NULL DEFAULT '';
ALTER TABLE judgements ADD COLUMN evidence_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE judgements ADD COLUMN related TEXT;
ALTER TABLE judgements ADD COLUMN tool TEXT;
CREATE TRIGGER judgements_no_delete BEFORE DELETE ON judgements
BEGIN SELECT RAISE(ABORT, 'judgements are superseded, never deleted'); END;
CREATE TRIGGER judgements_immutable BEFORE UPDATE ON judgements
WHEN OLD.superseded_by IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.key_kind IS NOT OLD.key_kind
  OR NEW.key_id IS NOT OLD.key_id OR NEW.decision IS NOT OLD.decision OR NEW.reason IS NOT OLD.reason
  OR NEW.note IS NOT OLD.note OR NEW.author IS NOT OLD.author OR NEW.decided_at IS NOT OLD.decided_at
  OR NEW.evidence_fingerprint IS NOT OLD.evidence_fingerprint OR NEW.reason_text IS NOT OLD.reason_text
  OR NEW.evidence_ids IS NOT OLD.evidence_ids OR NEW.related IS NOT OLD.related OR NEW.tool IS NOT OLD.tool
BEGIN SELECT RAISE(ABORT, 'a judgement is never edited: record a new one that supersedes it'); END;
""",
    # 3: who works a case. Append-only like the audit log: the newest row per key is in force
    # (assignee NULL: handed back), the older rows are the hand-over history.
    """
CREATE TABLE assignments(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key_kind TEXT NOT NULL CHECK (key_kind IN ('employee', 'candidate', 'cluster')),
  key_id TEXT NOT NULL,
  assignee TEXT CHECK (assignee IS NULL OR assignee <> ''),
  author TEXT NOT NULL CHECK (author <> ''),
  assigned_at TEXT NOT NULL
);
CREATE INDEX assignments_by_key ON assignments(key_kind, key_id, id);
CREATE TRIGGER assignments_no_update BEFORE UPDATE ON assignments
BEGIN SELECT RAISE(ABORT, 'assignments are append-only'); END;
CREATE TRIGGER assignments_no_delete BEFORE DELETE ON assignments
BEGIN SELECT RAISE(ABORT, 'assignments are append-only'); END;
""",
)
VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class Judgement:
    id: int
    key: Key
    decision: Decision
    reason: Reason | None
    reason_text: str
    note: str
    author: str
    decided_at: str  # ISO 8601 UTC
    evidence_fingerprint: str | None
    evidence_ids: tuple[str, ...]
    related: Key | None  # "household": the other member
    tool: str | None  # "approved_tool": the remote tool allowed to this person
    superseded_by: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "key": str(self.key), "decision": self.decision, "reason": self.reason,
            "reason_text": self.reason_text, "note": self.note, "author": self.author,
            "decided_at": self.decided_at, "evidence_fingerprint": self.evidence_fingerprint,
            "evidence_ids": list(self.evidence_ids), "related": str(self.related) if self.related else None,
            "tool": self.tool, "superseded_by": self.superseded_by,
        }


@dataclass(frozen=True)
class Assignment:
    id: int
    key: Key
    assignee: str | None  # None: handed back to nobody
    author: str
    assigned_at: str  # ISO 8601 UTC

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "key": str(self.key), "assignee": self.assignee, "author": self.author,
                "assigned_at": self.assigned_at}


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    key: str | None
    detail: dict[str, Any]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_COLS = ("id, key_kind, key_id, decision, reason, reason_text, note, author, decided_at, evidence_fingerprint, "
         "evidence_ids, related, tool, superseded_by")


def _judgement(r: sqlite3.Row) -> Judgement:
    return Judgement(
        id=r["id"], key=Key(r["key_kind"], r["key_id"]), decision=r["decision"], reason=r["reason"],
        reason_text=r["reason_text"], note=r["note"], author=r["author"], decided_at=r["decided_at"],
        evidence_fingerprint=r["evidence_fingerprint"], evidence_ids=tuple(json.loads(r["evidence_ids"])),
        related=Key.parse(r["related"]) if r["related"] else None, tool=r["tool"],
        superseded_by=r["superseded_by"],
    )


class CasesStore:
    """One open cases store. Use :meth:`open`; close it (or use ``with``) when done."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path, create: bool = True, target_version: int = VERSION, shared: bool = False) -> Self:
        """Open (or create, unless ``create`` is false) the store at ``path`` and migrate it to
        ``target_version`` (the current one; tests ask for older ones to prove migrations).
        ``shared``: usable from several threads (the workbench, which serialises calls itself)."""
        if not create and not path.is_file():
            raise CasesError(f"no cases store at {path}")
        try:
            # Autocommit: every write below opens its own BEGIN IMMEDIATE transaction.
            conn = sqlite3.connect(path, isolation_level=None, timeout=10.0, check_same_thread=not shared)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            store = cls(conn, path)
            store._migrate(target_version)
        except sqlite3.DatabaseError as e:
            raise CasesError(f"cannot use the cases store {path}: {e}") from None
        return store

    @property
    def version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self, target: int) -> None:
        have = self.version
        if have > VERSION:
            raise CasesError(f"{self.path} was written by a newer unmask (schema {have}, this one knows {VERSION})")
        for v in range(have, target):
            with self._tx():
                for stmt in _statements(MIGRATIONS[v]):
                    self._conn.execute(stmt)
                self._conn.execute(f"PRAGMA user_version = {v + 1}")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def decide(
        self, key: Key, decision: Decision, *, author: str, reason: Reason | None = None, reason_text: str = "",
        note: str = "", evidence_ids: Sequence[str] = (), related: Key | None = None, tool: str | None = None,
    ) -> Judgement:
        """Record a judgement on ``key``, superseding the current one, and audit it.

        ``evidence_ids`` are the rows the decision was made on (``findings.jsonl``); their
        fingerprint is stored with them. A dismissal needs a reason; "household" needs the other
        member (``related``), "approved_tool" the tool."""
        if decision not in DECISIONS:
            raise CasesError(f"decision must be one of {', '.join(DECISIONS)}")
        if (decision == "dismissed") != (reason is not None):
            raise CasesError("a dismissal needs a reason, and only a dismissal has one")
        if reason is not None and reason not in REASONS:
            raise CasesError(f"reason must be one of {', '.join(REASONS)}")
        if not author.strip():
            raise CasesError("a decision needs its author")
        if (reason == "household") != (related is not None):
            raise CasesError("a household dismissal names the other member, and only it does")
        if related is not None and (related.kind == "cluster" or key.kind == "cluster" or related == key):
            raise CasesError("a household relates two different subjects")
        if (reason == "approved_tool") != bool(tool and tool.strip()):
            raise CasesError("an approved-tool dismissal names the tool, and only it does")
        ids = sorted(set(evidence_ids))
        fp = fingerprint(ids) if ids else None
        at = _now()
        with self._tx() as c:
            cur = c.execute(
                "INSERT INTO judgements(key_kind, key_id, decision, reason, reason_text, note, author, decided_at, "
                "evidence_fingerprint, evidence_ids, related, tool) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key.kind, key.id, decision, reason, reason_text, note, author, at, fp, json.dumps(ids),
                 str(related) if related else None, tool.strip() if tool else None),
            )
            new_id = cast(int, cur.lastrowid)
            c.execute("UPDATE judgements SET superseded_by = ? WHERE key_kind = ? AND key_id = ? "
                      "AND superseded_by IS NULL AND id <> ?", (new_id, key.kind, key.id, new_id))
            row = c.execute(f"SELECT {_COLS} FROM judgements WHERE id = ?", (new_id,)).fetchone()  # noqa: S608
            j = _judgement(row)
            self._append(c, author, "decide", str(key), j.as_dict(), at)
        return j

    def current(self, key: Key) -> Judgement | None:
        """The judgement in force on ``key``: the one nothing supersedes."""
        row = self._conn.execute(
            f"SELECT {_COLS} FROM judgements WHERE key_kind = ? AND key_id = ? AND superseded_by IS NULL",  # noqa: S608
            (key.kind, key.id),
        ).fetchone()
        return _judgement(row) if row else None

    def history(self, key: Key) -> list[Judgement]:
        """Every judgement on ``key``, oldest first."""
        rows = self._conn.execute(
            f"SELECT {_COLS} FROM judgements WHERE key_kind = ? AND key_id = ? ORDER BY id",  # noqa: S608
            (key.kind, key.id),
        ).fetchall()
        return [_judgement(r) for r in rows]

    def histories(self) -> dict[Key, list[Judgement]]:
        """Every judgement, by key, oldest first (report.html's decision history)."""
        out: dict[Key, list[Judgement]] = {}
        for r in self._conn.execute(f"SELECT {_COLS} FROM judgements ORDER BY id").fetchall():  # noqa: S608
            j = _judgement(r)
            out.setdefault(j.key, []).append(j)
        return out

    def all_current(self) -> list[Judgement]:
        """The judgement in force on every key, in key order."""
        rows = self._conn.execute(
            f"SELECT {_COLS} FROM judgements WHERE superseded_by IS NULL ORDER BY key_kind, key_id"  # noqa: S608
        ).fetchall()
        return [_judgement(r) for r in rows]

    def assign(self, key: Key, assignee: str | None, *, author: str) -> Assignment:
        """Give the case on ``key`` to ``assignee`` (None: to nobody), and audit it."""
        if not author.strip():
            raise CasesError("an assignment needs its author")
        who = assignee.strip() if assignee else None
        at = _now()
        with self._tx() as c:
            cur = c.execute("INSERT INTO assignments(key_kind, key_id, assignee, author, assigned_at) "
                            "VALUES (?, ?, ?, ?, ?)", (key.kind, key.id, who or None, author, at))
            a = Assignment(cast(int, cur.lastrowid), key, who or None, author, at)
            self._append(c, author, "assign", str(key), {"assignee": a.assignee}, at)
        return a

    def assignments(self, key: Key | None = None) -> list[Assignment]:
        """The assignment in force on every key (or the whole hand-over history of ``key``,
        oldest first); an unassigned key in force has ``assignee`` None."""
        if key is not None:
            rows = self._conn.execute(
                "SELECT id, key_kind, key_id, assignee, author, assigned_at FROM assignments "
                "WHERE key_kind = ? AND key_id = ? ORDER BY id", (key.kind, key.id)).fetchall()
        else:
            rows = self._conn.execute(
                "SELECT id, key_kind, key_id, assignee, author, assigned_at FROM assignments a WHERE id = "
                "(SELECT max(id) FROM assignments b WHERE b.key_kind = a.key_kind AND b.key_id = a.key_id) "
                "ORDER BY key_kind, key_id").fetchall()
        return [Assignment(r["id"], Key(r["key_kind"], r["key_id"]), r["assignee"], r["author"], r["assigned_at"])
                for r in rows]

    def record(self, actor: str, action: str, key: Key | None = None, detail: dict[str, Any] | None = None) -> int:
        """Append one event (a view, an export, a login...) to the audit log; returns its id."""
        with self._tx() as c:
            return self._append(c, actor, action, str(key) if key else None, detail or {}, _now())

    @staticmethod
    def _append(c: sqlite3.Connection, actor: str, action: str, key: str | None, detail: dict[str, Any],
                at: str) -> int:
        cur = c.execute("INSERT INTO audit(at, actor, action, key, detail) VALUES (?, ?, ?, ?, ?)",
                        (at, actor, action, key, json.dumps(detail, sort_keys=True)))
        return cast(int, cur.lastrowid)

    def audit(self, key: Key | None = None, after: int = 0) -> list[AuditEntry]:
        """The audit log in order, optionally for one key and after an entry id."""
        sql = "SELECT id, at, actor, action, key, detail FROM audit WHERE id > ?"
        args: list[Any] = [after]
        if key is not None:
            sql += " AND key = ?"
            args.append(str(key))
        rows = self._conn.execute(sql + " ORDER BY id", args).fetchall()
        return [AuditEntry(r["id"], r["at"], r["actor"], r["action"], r["key"], json.loads(r["detail"]))
                for r in rows]


def _statements(script: str) -> list[str]:
    """Split a migration into statements (sqlite3.complete_statement knows trigger bodies), so
    each runs inside our transaction: ``executescript`` would commit first."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
