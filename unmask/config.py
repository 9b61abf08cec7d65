"""``unmask.toml``: read and validated in one pass, every problem reported together."""

from __future__ import annotations

import ipaddress
import tomllib
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unmask.values.country import country_code

# "household" is what an investigator's household dismissal declares (unmask.cases).
RELATION_KINDS = ("spouse", "partner", "relative", "roommate", "household")


@dataclass(frozen=True)
class Relation:
    a: str
    b: str
    kind: str


@dataclass(frozen=True)
class PersonTool:
    """A remote-control tool allowed to one worker (an IT contractor's approved AnyDesk)."""

    subject: str
    tool: str


@dataclass
class Config:
    """Validated settings. Defaults are what a bundle without ``unmask.toml`` gets."""

    org_name: str = ""
    # Owners (GitHub/GitLab organisations or users) of the organisation's code; the code-audit
    # log's repository owners are added at scan time.
    code_owners: list[str] = field(default_factory=list)
    work_countries: list[str] = field(default_factory=lambda: ["US"])
    home_timezone: str = "America/Chicago"
    offices: list[str] = field(default_factory=list)
    corporate_cidrs: list[str] = field(default_factory=list)
    corporate_asns: list[int] = field(default_factory=list)
    remote_tools_departments: list[str] = field(default_factory=list)
    remote_tools: list[str] = field(default_factory=list)
    person_tools: list[PersonTool] = field(default_factory=list)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)
    # Band cut-offs on the 0-1 score and the share of a cluster's strongest member that flows
    # to each other member (scoring.md); unmask.toml [scoring] overrides them.
    bands: dict[str, float] = field(default_factory=lambda: {"critical": 0.9, "high": 0.7, "medium": 0.4})
    propagation: float = 0.25
    max_line_bytes: int = 8 * 1024 * 1024
    far_km: float = 150.0
    # [sigma] rules_dir: the user's own Sigma rules folder (e.g. a SigmaHQ checkout's rules/),
    # evaluated instead of the rules shipped in unmask/data/sigma.
    sigma_rules_dir: Path | None = None
    source: str = "defaults (no unmask.toml)"


@dataclass(frozen=True)
class ConfigProblem:
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.key}: {self.reason}"


class ConfigError(Exception):
    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def load_config(
    bundle: Path, csv_columns: dict[str, tuple[str, ...]], signal_ids: tuple[str, ...]
) -> Config:
    """Read ``bundle/unmask.toml``. ``csv_columns`` names the mappable columns per CSV part."""
    path = bundle / "unmask.toml"
    cfg = Config()
    if not path.exists():
        return cfg
    cfg.source = "unmask.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError([ConfigProblem("unmask.toml", f"not valid TOML: {e}")]) from None
    problems: list[ConfigProblem] = []

    def bad(key: str, reason: str) -> None:
        problems.append(ConfigProblem(key, reason))

    def table(name: str, known: dict[str, Callable[[str, Any], None]]) -> None:
        sect = data.get(name, {})
        if not isinstance(sect, dict):
            bad(name, "must be a table")
            return
        for k, v in sect.items():
            if k not in known:
                bad(f"{name}.{k}", f"unknown key (known: {', '.join(sorted(known))})")
            else:
                known[k](f"{name}.{k}", v)

    def set_str(attr: str) -> Callable[[str, Any], None]:
        def f(key: str, v: Any) -> None:
            if isinstance(v, str):
                setattr(cfg, attr, v)
            else:
                bad(key, "must be a string")

        return f

    def set_strs(attr: str) -> Callable[[str, Any], None]:
        def f(key: str, v: Any) -> None:
            if _str_list(v):
                setattr(cfg, attr, list(v))
            else:
                bad(key, "must be a list of strings")

        return f

    def countries(key: str, v: Any) -> None:
        # "USA" or "United States" in a hand-written toml means US: the same reading as the data's.
        codes = [country_code(x) for x in v] if _str_list(v) else [None]
        if codes and all(codes):
            cfg.work_countries = [str(c) for c in codes]
        else:
            bad(key, "must be a list of countries, ISO 3166-1 alpha-2 codes such as \"US\" or names")

    def tz(key: str, v: Any) -> None:
        try:
            zoneinfo.ZoneInfo(v)
            cfg.home_timezone = v
        except (zoneinfo.ZoneInfoNotFoundError, TypeError, ValueError):
            bad(key, "not an IANA time zone such as \"America/Chicago\"")

    def cidrs(key: str, v: Any) -> None:
        if not _str_list(v):
            bad(key, "must be a list of CIDR strings")
            return
        for i, c in enumerate(v):
            try:
                ipaddress.ip_network(c, strict=False)
            except ValueError:
                bad(f"{key}[{i}]", "not a CIDR such as \"203.0.113.0/24\"")
        cfg.corporate_cidrs = list(v)

    def asns(key: str, v: Any) -> None:
        if isinstance(v, list) and all(isinstance(x, int) and x > 0 for x in v):
            cfg.corporate_asns = list(v)
        else:
            bad(key, "must be a list of positive AS numbers")

    def positive(attr: str, kind: type) -> Callable[[str, Any], None]:
        def f(key: str, v: Any) -> None:
            if isinstance(v, int | float) and not isinstance(v, bool) and v > 0:
                setattr(cfg, attr, kind(v))
            else:
                bad(key, "must be a positive number")

        return f

    def rules_dir(key: str, v: Any) -> None:
        # Relative to the bundle, like every other path the bundle's own config names.
        d = (bundle / v).resolve() if isinstance(v, str) and v else None
        if d is None:
            bad(key, "must be a folder path, a string")
        elif not d.is_dir():
            bad(key, f"no folder at {d}")
        elif next(d.rglob("*.yml"), None) is None:
            bad(key, f"no Sigma rule (*.yml) under {d}")
        else:
            cfg.sigma_rules_dir = d

    table("sigma", {"rules_dir": rules_dir})

    top_known = {"org", "network", "allow", "columns", "relations", "scoring", "limits", "sigma"}
    for k in data:
        if k not in top_known:
            bad(k, f"unknown section (known: {', '.join(sorted(top_known))})")

    table(
        "org",
        {
            "name": set_str("org_name"),
            "work_countries": countries,
            "home_timezone": tz,
            "offices": set_strs("offices"),
            "code_owners": set_strs("code_owners"),
        },
    )
    table("network", {"corporate_cidrs": cidrs, "corporate_asns": asns})
    def person_tools(key: str, v: Any) -> None:
        if not isinstance(v, list):
            bad(key, "must be an array of tables [[allow.person_tools]] with subject and tool")
            return
        for i, t in enumerate(v):
            if (not isinstance(t, dict) or set(t) != {"subject", "tool"}
                    or not all(isinstance(x, str) and x for x in t.values())):
                bad(f"{key}[{i}]", "needs subject (an employee id) and tool (a vendor such as \"AnyDesk\"), "
                    "both strings; no other keys")
            else:
                cfg.person_tools.append(PersonTool(t["subject"], t["tool"]))

    table(
        "allow",
        {
            "remote_tools_departments": set_strs("remote_tools_departments"),
            "remote_tools": set_strs("remote_tools"),
            "person_tools": person_tools,
        },
    )
    table(
        "limits",
        {"max_line_bytes": positive("max_line_bytes", int), "far_km": positive("far_km", float)},
    )

    cols = data.get("columns", {})
    if not isinstance(cols, dict):
        bad("columns", "must be a table of tables")
        cols = {}
    for part, mapping in cols.items():
        if part not in csv_columns:
            bad(f"columns.{part}", f"unknown part (known: {', '.join(sorted(csv_columns))})")
            continue
        if not isinstance(mapping, dict):
            bad(f"columns.{part}", "must be a table of ours = \"theirs\"")
            continue
        ok: dict[str, str] = {}
        for ours, theirs in mapping.items():
            if ours not in csv_columns[part]:
                bad(f"columns.{part}.{ours}", "unknown column for this part")
            elif not isinstance(theirs, str) or not theirs:
                bad(f"columns.{part}.{ours}", "must be the export's column name, a string")
            else:
                ok[ours] = theirs
        cfg.columns[part] = ok

    rels = data.get("relations", [])
    if not isinstance(rels, list):
        bad("relations", "must be an array of tables [[relations]]")
        rels = []
    for i, r in enumerate(rels):
        key = f"relations[{i}]"
        if not isinstance(r, dict) or set(r) - {"a", "b", "kind"} or not {"a", "b"} <= set(r):
            bad(key, "needs a and b (subject ids) and optional kind; no other keys")
            continue
        kind = r.get("kind", "relative")
        if kind not in RELATION_KINDS:
            bad(f"{key}.kind", f"must be one of {', '.join(RELATION_KINDS)}")
            continue
        if not isinstance(r["a"], str) or not isinstance(r["b"], str):
            bad(key, "a and b must be strings")
            continue
        cfg.relations.append(Relation(r["a"], r["b"], kind))

    scoring = data.get("scoring", {})
    if isinstance(scoring, dict):
        for k, v in scoring.items():
            if k == "weights":
                if not isinstance(v, dict):
                    bad("scoring.weights", "must be a table of signal = weight")
                    continue
                for sid, w in v.items():
                    if sid not in signal_ids:
                        bad(f"scoring.weights.{sid}", "unknown signal id")
                    elif not isinstance(w, int | float) or isinstance(w, bool) or w < 0:
                        bad(f"scoring.weights.{sid}", "must be a number >= 0")
                    else:
                        cfg.weights[sid] = float(w)
            elif k == "bands":
                if not isinstance(v, dict) or set(v) - {"critical", "high", "medium"}:
                    bad("scoring.bands", "must be a table with critical, high and/or medium")
                    continue
                cuts = dict(cfg.bands)
                for b, cut in v.items():
                    if not isinstance(cut, int | float) or isinstance(cut, bool) or not 0 < cut < 1:
                        bad(f"scoring.bands.{b}", "must be a number between 0 and 1")
                    else:
                        cuts[b] = float(cut)
                if not cuts["critical"] > cuts["high"] > cuts["medium"]:
                    bad("scoring.bands", "cut-offs must fall: critical > high > medium")
                else:
                    cfg.bands = cuts
            elif k == "propagation":
                if not isinstance(v, int | float) or isinstance(v, bool) or not 0 <= v <= 1:
                    bad("scoring.propagation", "must be a number from 0 to 1")
                else:
                    cfg.propagation = float(v)
            else:
                bad(f"scoring.{k}", "unknown key (known: weights, bands, propagation)")
    else:
        bad("scoring", "must be a table")

    if problems:
        raise ConfigError(problems)
    return cfg
