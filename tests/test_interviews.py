"""Verification theatre in hr/interviews.csv: positives, negatives and the look-alikes the
indicator notes name (an accommodation, a candidate seen on camera elsewhere, travel)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers import bundle, emp, findings, run, signals_of, write_csv

COLS = ["candidate_id", "interview_at", "stage", "medium", "camera_on", "participant_ip", "participant_country",
        "identity_checked", "flags"]


def _iv(cid: str, camera: str = "true", checked: str = "true", flags: str = "", medium: str = "video",
        ip: str = "73.20.30.40", country: str = "US", stage: str = "screen") -> dict[str, Any]:
    return {"candidate_id": cid, "interview_at": "2026-06-01T15:00:00Z", "stage": stage, "medium": medium,
            "camera_on": camera, "participant_ip": ip, "participant_country": country, "identity_checked": checked,
            "flags": flags}


def _scan(tmp_path: Path, interviews: list[dict[str, Any]]) -> Path:
    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee")])
    cands = sorted({i["candidate_id"] for i in interviews})
    write_csv(root / "hr/candidates.csv", ["candidate_id", "full_name", "email", "country"],
              [{"candidate_id": c, "full_name": f"Cand {c}", "email": f"{c.lower()}@example.org", "country": "US"}
               for c in cands])
    write_csv(root / "hr/interviews.csv", COLS, interviews)
    out = tmp_path / "out"
    run(root, out)
    return out


def _details(out: Path, cid: str) -> dict[str, str]:
    return {e["detail"]: e["strength"] for e in signals_of(out, cid).get("interview_verification_gaps", [])}


def test_theatre_is_found_and_each_part_is_weak_or_medium(tmp_path: Path) -> None:
    out = _scan(tmp_path, [
        _iv("C1", camera="false", checked="false", flags="reading_answers;declined_onsite"),
        _iv("C1", camera="false", checked="false", flags="voice_mismatch;location_smalltalk_failed",
            ip="2.26.157.10", country="KR", stage="technical"),  # in the shipped VPN list (M247)
    ])
    d = _details(out, "C1")
    assert d["camera off in 2 video interviews"] == "medium"
    assert d["declined the on-site step or the drug test"] == "medium"
    assert d["the interviewer noted a different voice between stages"] == "medium"
    assert d["interview joined from KR, not the declared US"] == "weak"
    assert d["identity never checked against the face in 2 interviews"] == "weak"
    assert d["small talk about the claimed city failed"] == "weak" and d["answers were read out"] == "weak"
    assert any(k.startswith("interview joined from vpn") for k in d)
    # Interview evidence alone never reaches high: it is one family.
    assert findings(out)["C1"]["band"] in ("low", "medium")


def test_look_alikes_are_not_theatre(tmp_path: Path) -> None:
    out = _scan(tmp_path, [
        # An agreed accommodation: camera off in both interviews.
        _iv("C2", camera="false", checked="false", flags="accommodation"),
        _iv("C2", camera="false", checked="false", flags="accommodation", stage="technical"),
        # Declined the on-site day but was seen on camera in another interview.
        _iv("C3", flags="declined_onsite"),
        _iv("C3", camera="false", stage="technical"),
        # One camera-off call: bandwidth happens.
        _iv("C4", camera="false"),
        _iv("C4", stage="technical"),
        # Beside them, a candidate never seen: the signal runs on this bundle.
        _iv("C5", camera="false"),
        _iv("C5", camera="false", stage="technical"),
    ])
    for cid in ("C2", "C3", "C4"):
        assert _details(out, cid) == {}, cid
    assert _details(out, "C5")["camera off in 2 video interviews"] == "medium"
