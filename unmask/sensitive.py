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
import re
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from unmask.values import mac
from unmask.values.mac import MAX_VARIANTS, MIN_VARIANT_LEN, TOKEN_HEX, TOKEN_PREFIX, VARIANT_DOMAIN

ENV_KEY = "UNMASK_TOKEN_KEY"
ENV_KEY_FILE = "UNMASK_KEY_FILE"
__all__ = ["TOKEN_PREFIX", "KeyError_", "Tokenizer", "load_tokenizer", "looks_sensitive", "sensitive_kind",
           "sql_keyed_hash", "sql_looks_sensitive", "sql_near", "sql_sensitive_kind", "sql_token", "sql_token_variants",
           "sql_tokenise_if_sensitive"]


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


def sql_keyed_hash(text_sql: str) -> str:
    """SQL for the HMAC (hex) of any text under the token key, in a domain of its own: a cache
    key that does not reveal the text (needs ``$ipad`` and ``$opad``)."""
    return _sql_mac(f"('unmask-memo:' || {text_sql})")


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
    # The value and the HMAC pads are bound by a lambda over a one-element list of one struct:
    # - not by a subquery: a reader runs this in its reading statement, and a subquery there is
    #   a join, after which DuckDB no longer keeps the file's row order that line numbers count;
    # - the pads outside any lambda body: on Spark a pad is a function that holds the key (see
    #   unmask.engine.spark, _secrets), and Spark refuses such a function inside a lambda.
    var = f"('{VARIANT_DOMAIN}' || left(__r.v, __i - 1) || substr(__r.v, __i + 1))"
    mac = f"sha256(__r.op || unhex(sha256(__r.ip || {var}::BLOB)))"
    each = (f"list_transform(range(1, least(length(__r.v), {MAX_VARIANTS}) + 1), "
            f"lambda __i: ('0x' || left({mac}, 16))::UBIGINT)")
    return (f"list_transform([{{'v': {_sql_norm(column_sql)}, 'ip': $ipad::BLOB, 'op': $opad::BLOB}}], "
            f"lambda __r: CASE WHEN length(__r.v) >= {MIN_VARIANT_LEN} THEN {each} END)[1]")


# -- Which values are sensitive ---------------------------------------------------------------
# A field of hr/changes.csv (``field``) or an indicator type of intel/iocs.csv (``type``) names a
# sensitive value however an HRIS or a partner writes it: ``bank_account_number``,
# ``AccountNumber``, ``account-number``, ``acct_no``, ``direct_deposit_account``, ``SSN``,
# ``passport``. The name is folded to its words between underscores ("_account_number_") and
# matched word by word. A false positive only hides one audit value behind a token; a false
# negative stores an account number in clear, so the patterns lean wide.
SENSITIVE_KINDS = {
    # kind of value: pattern on the folded name (RE2 and Python re alike)
    "crypto_address": r"_(crypto|wallet)[a-z0-9]*_",
    "national_id": (r"_(ssn|passport|socialsecurity|socsec|nationalid|taxid|aadhaa?r)[a-z0-9]*_"
                    r"|_(sin|nin|nino|tin|itin|cpf|curp|nric|pesel|bsn)_"
                    r"|_social_(security|insurance)_|_national_(id|identity|insurance)|_tax_(id|number|no|file)_"),
    "bank_account": (r"_(account|acct|iban|bban)[a-z0-9]*_|_(acc|accno|clabe|cbu|bsb|sortcode)_|_sort_code_"
                     r"|_bank_(account|acct)"),
}
# Words that make an account-ish name about something else: its holder, type or status.
NOT_SENSITIVE = r"_(holder|type|status|name|owner|kind|currency|nickname|institution)_"
# Fields whose values are digit runs by nature (postal codes, phones): no guess from the value.
DIGITS_BY_NATURE = r"_(postal|zip|zipcode|postcode|phone|mobile|cell|fax|tel|telephone)[a-z0-9]*_"
# A value that looks like an account number or an SSN: 8 to 34 digits, grouped by spaces or
# hyphens (not a date), or an IBAN.
_DIGIT_RUN = r"[0-9][0-9 -]*[0-9]"
_DATE = (r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}-[0-9]{1,2}-[0-9]{4}"
         r"|(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])")
_IBAN = r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}"


def fold_name(name: str) -> str:
    """Python twin of :func:`_sql_fold`: 'AccountNumber' -> '_account_number_'."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.strip()).lower()
    return "_" + re.sub(r"[^a-z0-9]+", "_", words) + "_"


def sensitive_kind(name: str | None) -> str | None:
    """Python twin of :func:`sql_sensitive_kind`."""
    if name is None:
        return None
    folded = fold_name(name)
    if re.search(NOT_SENSITIVE, folded):
        return None
    return next((k for k, pat in SENSITIVE_KINDS.items() if re.search(pat, folded)), None)


def looks_sensitive(value: str | None) -> bool:
    """Python twin of :func:`sql_looks_sensitive`."""
    v = (value or "").strip()
    digits = sum(ch.isdigit() for ch in v)
    if re.fullmatch(_DIGIT_RUN, v) and 8 <= digits <= 34 and not re.fullmatch(_DATE, v):
        return True
    return bool(re.fullmatch(_IBAN, v.replace(" ", "").upper()))


def _lit(pattern: str) -> str:
    return "'" + pattern.replace("'", "''") + "'"  # our own constant patterns, never input


def _sql_fold(name_sql: str) -> str:
    return (f"('_' || regexp_replace(lower(regexp_replace(trim({name_sql}), '([a-z0-9])([A-Z])', '\\1_\\2', 'g')), "
            f"'[^a-z0-9]+', '_', 'g') || '_')")


def sql_sensitive_kind(name_sql: str) -> str:
    """SQL: 'bank_account', 'crypto_address' or 'national_id' when ``name_sql`` (a field name or an
    indicator type) names a sensitive value, else NULL."""
    folded = _sql_fold(name_sql)
    whens = " ".join(f"WHEN regexp_matches(__f, {_lit(pat)}) THEN {_lit(kind)}"
                     for kind, pat in SENSITIVE_KINDS.items())
    # Bound by a lambda, not a subquery: readers run this in their reading statement, where a
    # subquery would lose the file's row order (see sql_token_variants).
    return (f"list_transform([{folded}], "
            f"lambda __f: CASE WHEN regexp_matches(__f, {_lit(NOT_SENSITIVE)}) THEN NULL {whens} END)[1]")


def sql_looks_sensitive(value_sql: str) -> str:
    """SQL twin of :func:`looks_sensitive`: true when a value has the shape of an account number,
    an SSN or an IBAN, whatever its field says."""
    digits = f"length(regexp_replace({value_sql}, '[^0-9]', '', 'g'))"
    return (f"coalesce((regexp_full_match({value_sql}, {_lit(_DIGIT_RUN)}) AND {digits} BETWEEN 8 AND 34 "
            f"AND NOT regexp_full_match({value_sql}, {_lit(_DATE)})) "
            f"OR regexp_full_match(upper(replace({value_sql}, ' ', '')), {_lit(_IBAN)}), false)")


def sql_tokenise_if_sensitive(value_sql: str, name_sql: str, guess: bool) -> str:
    """SQL: ``value_sql`` as a keyed token when ``name_sql`` names a sensitive value (or, with
    ``guess``, when the value looks like one and its field is not a postal code or a phone),
    else as it is. A value that is already a token (an export of another scan) is kept."""
    cond = f"{sql_sensitive_kind(name_sql)} IS NOT NULL"
    if guess:
        cond = (f"({cond} OR (NOT coalesce(regexp_matches({_sql_fold(name_sql)}, {_lit(DIGITS_BY_NATURE)}), false) "
                f"AND {sql_looks_sensitive(value_sql)}))")
    return (f"CASE WHEN {cond} AND NOT starts_with({value_sql}, '{TOKEN_PREFIX}') "
            f"THEN {sql_token(value_sql)} ELSE {value_sql} END")


MIN_KEY_BYTES = 16  # 128 bits: below this the keyed MAC of a 9-digit SSN can be brute-forced


def _check_length(key: bytes, where: str) -> bytes:
    # The message names where the key came from and its length, never the key.
    if len(key) < MIN_KEY_BYTES:
        raise KeyError_(f"the token key in {where} is {len(key)} byte(s): use at least {MIN_KEY_BYTES} bytes "
                        f"({2 * MIN_KEY_BYTES} hex digits), for example `python -c \"import secrets; "
                        f"print(secrets.token_hex(32))\"`")
    return key


def _check_private(path: Path, st: os.stat_result) -> None:
    """Refuse a key file that other users can read or write, as OpenSSH refuses a private key:
    anyone who reads the key can brute-force every token back to its SSN or account number."""
    if os.name == "posix" and stat.S_IMODE(st.st_mode) & 0o077:
        raise KeyError_(f"the token key file {path} is open to other users (mode "
                        f"{stat.S_IMODE(st.st_mode):04o}): run `chmod 600 {path}`")


def load_tokenizer(key_file: Path | None = None) -> Tokenizer:
    env = os.environ.get(ENV_KEY)
    if env is not None:
        # Set but empty (an unset secret in CI, say) is an error: falling back to a key file
        # would silently tokenise under another key than the one the user meant.
        if not env.strip():
            raise KeyError_(f"{ENV_KEY} is set but empty: give a key of at least {MIN_KEY_BYTES} bytes or unset it")
        try:
            key = bytes.fromhex(env.strip())
        except ValueError:
            key = env.encode()
        return Tokenizer(_check_length(key, f"environment variable {ENV_KEY}"), f"environment variable {ENV_KEY}")
    path = key_file or Path(os.environ.get(ENV_KEY_FILE) or default_key_file())
    try:
        if path.exists():
            with path.open("rb") as fh:
                _check_private(path, os.fstat(fh.fileno()))
                text = fh.read(1 << 16).decode("ascii").strip()
            try:
                key = bytes.fromhex(text)
            except ValueError:
                raise KeyError_(f"cannot use token key file {path}: it does not hold hex digits") from None
            return Tokenizer(_check_length(key, f"key file {path}"), f"key file {path}")
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
