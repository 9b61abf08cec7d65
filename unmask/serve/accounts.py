"""Workbench accounts, sessions and API tokens, in the cases store's SQLite file.

They sit beside the judgements and the audit log (``OUT/cases.sqlite``) because they answer the
same question, who decided what: a judgement's author is an account name. Passwords are argon2id
hashes (argon2-cffi); session ids, CSRF tokens and API tokens are random 256-bit values of which
only a SHA-256 is stored, so a copy of the store logs nobody in.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from unmask.cases.store import CasesStore

Role = Literal["admin", "investigator", "viewer"]
ROLES: tuple[Role, ...] = get_args(Role)
SESSION_HOURS = 8  # a working day; ASVS 3.3.2 wants re-authentication after a bounded time
IDLE_MINUTES = 30  # idle sessions end sooner (ASVS 3.3.1)
# Failed logins per account in the window before it is refused for the rest of the window.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS users(name TEXT PRIMARY KEY CHECK (name <> ''), "
    "role TEXT NOT NULL CHECK (role IN ('admin', 'investigator', 'viewer')), pw_hash TEXT, created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sessions(sid_hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name), "
    "csrf TEXT NOT NULL, created_at TEXT NOT NULL, seen_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS api_tokens(token_hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name), "
    "created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS login_failures(user TEXT NOT NULL, at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS login_links(token_hash TEXT PRIMARY KEY, user TEXT NOT NULL, expires_at TEXT NOT NULL)",
)
_hasher = PasswordHasher()


class AccountError(Exception):
    """A user, password or token that cannot be used."""


@dataclass(frozen=True)
class User:
    name: str
    role: Role

    def can_decide(self) -> bool:
        return self.role in ("admin", "investigator")


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str


def _h(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(s: str) -> datetime:
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


class Accounts:
    """The accounts of one cases store. The cases store itself is opened (and migrated) first."""

    def __init__(self, path: Path) -> None:
        CasesStore.open(path).close()
        self._conn = sqlite3.connect(path, isolation_level=None, timeout=10.0, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        for stmt in _SCHEMA:
            self._conn.execute(stmt)

    def close(self) -> None:
        self._conn.close()

    # -- users -------------------------------------------------------------------------------

    def add_user(self, name: str, role: str, password: str | None) -> User:
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        if not name.strip() or name != name.strip() or len(name) > 64:
            raise AccountError("a user name is 1-64 characters without surrounding spaces")
        if password is not None and len(password) < 12:
            raise AccountError("a password has at least 12 characters")
        pw = _hasher.hash(password) if password is not None else None
        try:
            self._conn.execute("INSERT INTO users VALUES (?, ?, ?, ?)", (name, role, pw, _iso(_now())))
        except sqlite3.IntegrityError:
            raise AccountError(f"user {name!r} exists") from None
        return User(name, role)

    def user(self, name: str) -> User | None:
        row = self._conn.execute("SELECT name, role FROM users WHERE name = ?", (name,)).fetchone()
        return User(row[0], row[1]) if row else None

    def users(self) -> list[User]:
        return [User(a, b) for a, b in self._conn.execute("SELECT name, role FROM users ORDER BY name")]

    def first_admin(self) -> User | None:
        row = self._conn.execute("SELECT name FROM users WHERE role = 'admin' ORDER BY created_at, name").fetchone()
        return self.user(row[0]) if row else None

    def check_password(self, name: str, password: str) -> User | None:
        """The user if the password is right; None if not, or if the account is locked for now.
        A wrong password and an unknown name cost the same argon2 time (no user enumeration)."""
        since = _iso(_now() - FAILURE_WINDOW)
        fails = self._conn.execute("SELECT count(*) FROM login_failures WHERE user = ? AND at > ?",
                                   (name, since)).fetchone()[0]
        row = self._conn.execute("SELECT pw_hash FROM users WHERE name = ?", (name,)).fetchone()
        stored = row[0] if row and row[0] else _DUMMY
        try:
            ok = _hasher.verify(stored, password) and row is not None and row[0] is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if ok and fails < MAX_FAILURES:
            self._conn.execute("DELETE FROM login_failures WHERE user = ?", (name,))
            return self.user(name)
        if not ok:
            self._conn.execute("INSERT INTO login_failures VALUES (?, ?)", (name, _iso(_now())))
        return None

    def locked(self, name: str) -> bool:
        since = _iso(_now() - FAILURE_WINDOW)
        n = self._conn.execute("SELECT count(*) FROM login_failures WHERE user = ? AND at > ?",
                               (name, since)).fetchone()[0]
        return int(n) >= MAX_FAILURES

    # -- sessions ----------------------------------------------------------------------------

    def new_session(self, user: User) -> str:
        sid = secrets.token_urlsafe(32)
        now = _iso(_now())
        self._conn.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                           (_h(sid), user.name, secrets.token_urlsafe(32), now, now))
        return sid

    def session(self, sid: str) -> Session | None:
        row = self._conn.execute(
            "SELECT s.user, u.role, s.csrf, s.created_at, s.seen_at FROM sessions s JOIN users u ON u.name = s.user "
            "WHERE s.sid_hash = ?", (_h(sid),)).fetchone()
        if row is None:
            return None
        now = _now()
        if now - _parse(row[3]) > timedelta(hours=SESSION_HOURS) or now - _parse(row[4]) > timedelta(
                minutes=IDLE_MINUTES):
            self.end_session(sid)
            return None
        self._conn.execute("UPDATE sessions SET seen_at = ? WHERE sid_hash = ?", (_iso(now), _h(sid)))
        return Session(User(row[0], row[1]), row[2])

    def end_session(self, sid: str) -> None:
        self._conn.execute("DELETE FROM sessions WHERE sid_hash = ?", (_h(sid),))

    # -- one-time login links and API tokens -------------------------------------------------

    def login_link(self, user: User, minutes: int = 15) -> str:
        """A token that logs ``user`` in once (the URL ``unmask serve`` prints)."""
        tok = secrets.token_urlsafe(32)
        self._conn.execute("INSERT INTO login_links VALUES (?, ?, ?)",
                           (_h(tok), user.name, _iso(_now() + timedelta(minutes=minutes))))
        return tok

    def use_login_link(self, tok: str) -> User | None:
        row = self._conn.execute("DELETE FROM login_links WHERE token_hash = ? RETURNING user, expires_at",
                                 (_h(tok),)).fetchone()
        if row is None or _parse(row[1]) < _now():
            return None
        return self.user(row[0])

    def new_api_token(self, name: str) -> str:
        if self.user(name) is None:
            raise AccountError(f"no user {name!r}")
        tok = "umk_" + secrets.token_urlsafe(32)
        self._conn.execute("INSERT INTO api_tokens VALUES (?, ?, ?)", (_h(tok), name, _iso(_now())))
        return tok

    def api_user(self, tok: str) -> User | None:
        row = self._conn.execute("SELECT user FROM api_tokens WHERE token_hash = ?", (_h(tok),)).fetchone()
        return self.user(row[0]) if row else None


# Verified against when the name is unknown, so that answer takes as long as a wrong password.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))
