"""Keyed tokens for sensitive values (national IDs, account numbers): the key, and the SQL.

A token is HMAC-SHA256(key, normalised value), computed inside the SQL statement that reads
the file, so the clear value is never written to a table, an output or a log. The key comes
from ``UNMASK_TOKEN_KEY`` (hex or text) or a key file created on first use with mode 0600.
The same key gives the same tokens across scans, which is what lets a later scan or another
export of the same organisation join on them. The MAC itself, in Python, is the pure
:mod:`unmask.values.mac`; the SQL here is its twin.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from unmask.values import mac
from unmask.values.mac import MAX_VARIANTS, MIN_VARIANT_LEN, TOKEN_HEX, TOKEN_PREFIX, VARIANT_DOMAIN

ENV_KEY = "UNMASK_TOKEN_KEY"
ENV_KEY_FILE = "UNMASK_KEY_FILE"
__all__ = ["TOKEN_PREFIX", "KeyError_", "Tokenizer", "load_tokenizer", "sql_near", "sql_token", "sql_token_variants"]


class KeyError_(Exception):
    """The token key could not be read or created."""


def default_key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "unmask" / "token.key"


@dataclass(frozen=True)
class Tokenizer:
    key: bytes
    source: str  # where the key came from, for the manifest (never the key)

    @property
    def key_id(self) -> str:
        """A public fingerprint of the key, so two outputs can be checked for compatibility."""
        return hashlib.sha256(b"unmask-key-id:" + self.key).hexdigest()[:12]

    def pads(self) -> tuple[bytes, bytes]:
        """HMAC inner and outer pads: lets SQL compute the MAC with two sha256 calls."""
        return mac.pads(self.key)

    def token(self, value: str | None) -> str | None:
        """Python twin of :func:`sql_token`, for single values (tests, ``unmask check``)."""
        return mac.token(self.key, value)

    def variants(self, value: str | None) -> list[int] | None:
        """Python twin of :func:`sql_token_variants`."""
        return mac.token_variants(self.key, value)


def _sql_norm(column_sql: str) -> str:
    """SQL twin of :func:`unmask.values.mac.normalise_sensitive` (regexp keeps [A-Za-z0-9]), '' for none."""
    return f"upper(regexp_replace(coalesce({column_sql}, ''), '[^A-Za-z0-9]', '', 'g'))"


def _sql_mac(text_sql: str) -> str:
    """HMAC-SHA256 of ``text_sql`` as hex, from the bound pads ``$ipad`` and ``$opad``."""
    return f"sha256($opad::BLOB || unhex(sha256($ipad::BLOB || {text_sql}::BLOB)))"


def sql_token(column_sql: str) -> str:
    """SQL that tokenises ``column_sql``; needs the bound parameters ``$ipad`` and ``$opad``."""
    norm = f"nullif({_sql_norm(column_sql)}, '')"
    return f"CASE WHEN {norm} IS NULL THEN NULL ELSE '{TOKEN_PREFIX}' || left({_sql_mac(norm)}, {TOKEN_HEX}) END"


def sql_near(left: str, right: str) -> str:
    """SQL true when two variant lists show values one substitution or one adjacent swap apart.

    A substitution at i leaves the same i-th deletion on both sides; swapping i and i+1 makes the
    i-th deletion of one equal the (i+1)-th of the other. Comparing by position, unrolled, is
    some 15 times faster than ``list_has_any`` over the millions of pairs a model samples."""
    same = [f"{left}[{i}] = {right}[{i}]" for i in range(1, MAX_VARIANTS + 1)]
    swap = [f"{left}[{i}] = {right}[{i + 1}] OR {left}[{i + 1}] = {right}[{i}]" for i in range(1, MAX_VARIANTS)]
    return f"coalesce({' OR '.join(same + swap)}, false)"


def sql_token_variants(column_sql: str) -> str:
    """SQL for the list of keyed 64-bit MACs (UBIGINT) of each one-character deletion of
    ``column_sql``'s normalised value (NULL when empty or short); needs ``$ipad`` and ``$opad``."""
    var = f"('{VARIANT_DOMAIN}' || left(__v, __i - 1) || substr(__v, __i + 1))"
    each = (f"list_transform(range(1, least(length(__v), {MAX_VARIANTS}) + 1), "
            f"lambda __i: ('0x' || left({_sql_mac(var)}, 16))::UBIGINT)")
    return (f"(SELECT CASE WHEN length(__v) >= {MIN_VARIANT_LEN} THEN {each} END "  # noqa: S608 - our SQL
            f"FROM (SELECT {_sql_norm(column_sql)} AS __v))")


def load_tokenizer(key_file: Path | None = None) -> Tokenizer:
    env = os.environ.get(ENV_KEY)
    if env is not None:
        # Set but empty is a mistake, never a reason to fall back to the key file.
        if not env.strip():
            raise KeyError_(f"{ENV_KEY} is set but empty: unset it to use the key file, or give at least 16 bytes")
        try:
            key = bytes.fromhex(env)
        except ValueError:
            key = env.encode()
        if len(key) < 16:
            raise KeyError_(f"{ENV_KEY} is too short: use at least 16 bytes (32 hex digits)")
        return Tokenizer(key, f"environment variable {ENV_KEY}")
    path = key_file or Path(os.environ.get(ENV_KEY_FILE) or default_key_file())
    try:
        if path.exists():
            if path.stat().st_mode & 0o077:
                # Anyone who reads the key can brute-force every token of an SSN (a small space).
                raise KeyError_(f"token key file {path} can be read by other users: chmod 600 it")
            key = bytes.fromhex(path.read_text().strip())
            if len(key) < 16:
                raise KeyError_(f"token key file {path} holds {len(key)} byte(s): use at least 16 (32 hex digits)")
            return Tokenizer(key, f"key file {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        # O_EXCL + 0600: never widen an existing file's mode, never race another scan.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key.hex() + "\n")
        return Tokenizer(key, f"key file {path} (created)")
    except FileExistsError:
        return load_tokenizer(path)
    except (OSError, ValueError) as e:
        raise KeyError_(f"cannot use token key file {path}: {e.__class__.__name__}") from None
