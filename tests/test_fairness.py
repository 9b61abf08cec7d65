"""Fairness: names never move a score. Only misrepresentation and infrastructure reuse do."""

from __future__ import annotations

import csv
import gzip
import io
import re
import shutil
from pathlib import Path

from tests.helpers import bundle, dep, emp, findings, jsonl, ship
from unmask.demo.names import FIRST, LAST
from unmask.pipeline import ScanResult, scan

ROTATE = {"anglo": "korean", "korean": "hispanic", "hispanic": "chinese", "chinese": "indian",
          "indian": "nigerian", "nigerian": "arabic", "arabic": "vietnamese", "vietnamese": "polish",
          "polish": "anglo"}


def _unique_pool(origins: list[str], table: dict[str, tuple[str, ...]]) -> list[str]:
    base = [n for o in origins for n in table[o]]
    return base + [f"{a}-{b}" for a in base for b in base if a != b]


def _read(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def _swap_names(src: Path, dst: Path) -> dict[str, str]:
    """Copy the bundle, giving every worker, candidate and reference a name of another
    origin, consistently everywhere, and every browser another interface language.

    First names and surnames map one-to-one, so who shares a surname with whom is unchanged
    (households stay households); account-holder strings get the same substitution.
    """
    shutil.copytree(src, dst)
    people = [r["full_name"] for r in _read(dst / "hr/employees.csv")]
    people += [r["full_name"] for r in _read(dst / "hr/candidates.csv")]
    people += [r["reference_name"] for r in _read(dst / "hr/references.csv") if r["reference_name"]]
    people = [p for p in dict.fromkeys(people) if " " in p]
    firsts = sorted({p.split(" ", 1)[0] for p in people})
    lasts = sorted({p.split(" ", 1)[1] for p in people})
    new_first = _unique_pool(["korean", "chinese", "hispanic"], FIRST)
    new_last = _unique_pool(["korean", "chinese", "indian", "nigerian"], LAST)
    fmap = dict(zip(firsts, new_first, strict=False))
    lmap = dict(zip(lasts, new_last, strict=False))
    assert len(fmap) == len(firsts) and len(lmap) == len(lasts)
    names = {}
    for p in people:
        first, last = p.split(" ", 1)
        names[p] = f"{fmap[first]} {lmap[last]}"

    def sub(text: str) -> str:
        if text in names:
            return names[text]
        # Joint holders ("Ann & Bo Lee", "Ann Lee and Bo Kim"): map each known token.
        return re.sub(r"[^\s&]+", lambda m: fmap.get(m.group(0), lmap.get(m.group(0), m.group(0))), text)

    for rel, cols in (("hr/employees.csv", ["full_name"]), ("payroll/deposits.csv", ["account_holder_name"]),
                      ("assets/shipments.csv", ["recipient_name"]), ("hr/candidates.csv", ["full_name"]),
                      ("hr/references.csv", ["reference_name"])):
        path = dst / rel
        data = _read(path)
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(data[0]), lineterminator="\n")
        w.writeheader()
        for r in data:
            if rel == "payroll/deposits.csv" and r["account_holder_name"] not in names:
                # Only names of workers (and their joint forms) are swapped; strangers stay.
                owner = next((n for n in names if n.split(" ", 1)[1] in r["account_holder_name"]), None)
                if owner is None:
                    w.writerow(r)
                    continue
            for c in cols:
                r[c] = sub(r[c])
            w.writerow(r)
        path.write_text(buf.getvalue(), encoding="utf-8")
    _swap_languages(dst)
    return names


LANGUAGE_SWAP = {"en-us": "ko-kr", "ko-kr": "zh-cn", "zh-cn": "es-mx", "es-mx": "hi-in", "hi-in": "vi-vn",
                 "vi-vn": "en-us"}


def _swap_languages(root: Path) -> None:
    """Every interface-language tag in the Okta user agents becomes another language."""
    pat = re.compile(r"; (" + "|".join(LANGUAGE_SWAP) + r")\)")
    swapped = 0
    for path in sorted((root / "idp/okta").iterdir()):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            text = fh.read()
        text, n = pat.subn(lambda m: f"; {LANGUAGE_SWAP[m.group(1)]})", text)
        swapped += n
        with opener(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    assert swapped > 100  # the demo writes languages into its user agents; the swap must bite


SANCTIONS = "sanctions_name_match"  # the one place a name is evidence (documented exception)


def _scores(result: ScanResult) -> dict[str, tuple[float, str, tuple[str, ...]]]:
    """Scores of subjects without a sanctions name match, and everyone's other signals."""
    out = {}
    for r in jsonl(result.out / "findings.jsonl"):
        sigs = tuple(sorted(e["signal"] for e in r["evidence"] if e["signal"] != SANCTIONS))
        if not sigs:
            continue
        screened = any(e["signal"] == SANCTIONS for e in r["evidence"])
        out[r["subject"]["id"]] = (None if screened else r["score"], None if screened else r["band"], sigs)
    return out  # type: ignore[return-value]


def test_name_swap_changes_no_score(demo_scan: tuple[object, ScanResult, Path], tmp_path: Path) -> None:
    _, original, root = demo_scan
    names = _swap_names(root / "bundle", tmp_path / "swapped")
    assert len(names) > 250 and all(a != b for a, b in names.items())
    swapped = scan(tmp_path / "swapped", tmp_path / "out")
    a, b = _scores(swapped), _scores(original)
    assert a.keys() == b.keys()
    for sid in a:
        if a[sid][0] is not None and b[sid][0] is not None:
            assert a[sid] == b[sid], sid
        else:  # a sanctions name hit on one side: the other signals are still the same
            assert a[sid][2] == b[sid][2], sid


def test_korean_american_engineer_in_ohio_scores_like_everyone_else(tmp_path: Path) -> None:
    people = [("E1", "Min-jun Kim"), ("E2", "Wei Zhang"), ("E3", "Emily Walker"), ("E4", "José García")]
    # HR holds birth dates: a namesake on a sanctions list born in another year is not them.
    emps = [emp(eid, name, f"{i + 1}0 Oak St", "43215", "Columbus", "OH", national_id=f"900-1{i}-0000",
                date_of_birth="1990-05-17") for i, (eid, name) in enumerate(people)]
    # Laptops shipped home and pay into accounts in their own names, written as banks write
    # them (family name first, capitals, no accents): the shipping and payroll signals read
    # these names and addresses too.
    ships = [ship(f"S{i}", eid, f"{i + 1}0 Oak St", "43215", "Columbus", "OH") for i, (eid, _) in enumerate(people)]
    holders = {"E1": "KIM, MIN-JUN", "E2": "Zhang Wei", "E3": "Emily Walker", "E4": "Jose Garcia"}
    deps = [dep(eid, f"7700{i}", holders[eid]) for i, (eid, _) in enumerate(people)]
    out = tmp_path / "out"
    result = scan(bundle(tmp_path / "b", emps, shipments=ships, deposits=deps), out)
    ran = {s["id"] for s in result.manifest["signals"] if s["ran"]}
    assert {"ship_to_shared", "ship_to_far_from_home", "first_signin_far_from_ship_to", "bank_account_shared",
            "account_holder_mismatch", "payout_platform_or_crypto", "deposit_changes_after_hire",
            "national_id_shared", "name_dob_shared", "sanctions_name_match"} <= ran
    assert findings(out) == {}  # nobody is scored: the same clean signals give the same (zero) score
