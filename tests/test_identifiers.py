"""Contact normalisation (property-based and real cases) and the shared-contact signal."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import findings, run, signals_of, write_csv
from unmask.values.contact import email_canonical, phone_e164, profile_handle

CAND_COLS = ["candidate_id", "full_name", "email", "phone", "country", "github_url", "resume_path", "employee_id"]


def test_phone_forms_meet() -> None:
    forms = ["+1 (614) 555-0134", "614-555-0134", "(614) 555 0134", "+16145550134", "1-614-555-0134"]
    assert {phone_e164(f, "US") for f in forms} == {"+16145550134"}
    assert phone_e164("020 7946 0958", "GB") == "+442079460958"
    assert phone_e164("not a phone", "US") is None and phone_e164("", "US") is None


def test_email_provider_rules() -> None:
    assert email_canonical("John.Smith+jobs@GoogleMail.com") == "johnsmith@gmail.com"
    assert email_canonical("j.smith+x@outlook.com") == "j.smith@outlook.com"
    assert email_canonical("a.b@company.com") == "a.b@company.com"  # dots matter elsewhere
    assert email_canonical("nope") is None


def test_profile_handles() -> None:
    assert profile_handle("https://github.com/Dev-Star/") == "github.com/dev-star"
    assert profile_handle("http://www.linkedin.com/in/ryan.m?trk=x") == "linkedin.com/in/ryan.m"
    assert profile_handle("https://gitlab.com/x") is None


@given(st.text(max_size=40), st.sampled_from(["US", "GB", "KR", "CN", "IN", None]))
def test_phone_normaliser_never_raises_and_is_idempotent(raw: str, country: str | None) -> None:
    out = phone_e164(raw, country)
    assert out is None or (out.startswith("+") and phone_e164(out, country) == out)


@given(st.emails())
def test_email_normaliser_is_idempotent(raw: str) -> None:
    once = email_canonical(raw)
    assert once is not None and email_canonical(once) == once


def _cands(root: Path, rows: list[dict[str, str]]) -> Path:
    write_csv(root / "hr/candidates.csv", CAND_COLS, rows)
    return root


def test_personas_sharing_a_phone_and_a_resume(tmp_path: Path) -> None:
    root = tmp_path / "b"
    text = "Senior engineer building scalable payment platforms in Go and React for fintech clients " * 3
    (root / "hr/resumes").mkdir(parents=True)
    (root / "hr/resumes/a.txt").write_text(text + "Ryan")
    (root / "hr/resumes/b.txt").write_text(text + "Jason")
    (root / "hr/resumes/c.txt").write_text("Data analyst with SQL and Tableau experience in retail and logistics.")
    r = "hr/resumes/"
    _cands(root, [
        {"candidate_id": "C1", "full_name": "Ryan Mitchell", "phone": "+1 614 555 0134", "resume_path": r + "a.txt"},
        {"candidate_id": "C2", "full_name": "Jason Carter", "phone": "614-555-0134", "resume_path": r + "b.txt"},
        {"candidate_id": "C3", "full_name": "Ann Lee", "phone": "614-555-0199", "resume_path": r + "c.txt"},
        {"candidate_id": "C4", "full_name": "Bo Park", "resume_path": "../../etc/passwd"},
    ])
    out = tmp_path / "out"
    run(root, out)
    details = [e["detail"] for e in signals_of(out, "C1")["shared_contact"]]
    assert any(d.startswith("phone also used by 1 other person(s): C2") for d in details)
    assert any(d.startswith("résumé is a near-copy of 1 other person(s): C2") for d in details)
    assert "C3" not in findings(out) and "C4" not in findings(out)


def test_a_hired_candidate_is_not_two_people(tmp_path: Path) -> None:
    root = tmp_path / "b"
    write_csv(root / "hr/employees.csv", ["employee_id", "full_name", "email", "phone"],
              [{"employee_id": "E1", "full_name": "Ann Lee", "email": "e1@corp.example", "phone": "614-555-0134"}])
    _cands(root, [{"candidate_id": "C1", "full_name": "Ann Lee", "phone": "(614) 555-0134", "employee_id": "E1"}])
    out = tmp_path / "out"
    run(root, out)
    assert findings(out) == {}
