"""A photo reused under different names (imagehash pHash), found through the identifier graph."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import ImageEnhance

from tests.helpers import bundle, emp, findings, run, signals_of, write_csv
from unmask.demo.writers import portrait


def test_one_face_under_two_names_is_strong(tmp_path: Path) -> None:
    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee")])
    photos = root / "hr/photos"
    photos.mkdir(parents=True)
    a = portrait(1)
    a.save(photos / "c1.png")
    # The same photo resized, brightened and saved as JPEG: another file, the same face.
    ImageEnhance.Brightness(a.resize((200, 250))).enhance(1.1).save(photos / "c2.jpg", quality=80)
    portrait(4).save(photos / "c3.png")
    portrait(7).save(photos / "c5.png")
    portrait(7).save(photos / "c6.png")  # one person who applied twice under one name
    (photos / "c7.png").write_bytes(b"not an image")
    rows = [("C1", "Jin Park", "c1.png"), ("C2", "Min Choi", "c2.jpg"), ("C3", "Bo Lee", "c3.png"),
            ("C5", "Ann Kim", "c5.png"), ("C6", "Ann Kim", "c6.png"), ("C7", "Cy Diaz", "c7.png"),
            ("C8", "Di Ng", "../../etc/passwd")]
    # Not there; not a kind that is read; outside the bundle (never followed).
    resumes = {"C1": "hr/resumes/gone.txt", "C2": "hr/resumes/c2.pdf", "C3": "../outside.txt"}
    (tmp_path / "outside.txt").write_text("a résumé outside the bundle")
    (root / "hr/resumes").mkdir(parents=True)
    (root / "hr/resumes/c2.pdf").write_bytes(b"%PDF-1.4")
    write_csv(root / "hr/candidates.csv", ["candidate_id", "full_name", "email", "photo_path", "resume_path"],
              [{"candidate_id": c, "full_name": n, "email": f"{c.lower()}@example.org",
                "photo_path": f"hr/photos/{p}", "resume_path": resumes.get(c, "")} for c, n, p in rows])
    out = tmp_path / "out"
    run(root, out)
    (ev,) = signals_of(out, "C1")["shared_contact"]
    assert ev["strength"] == "strong" and ev["detail"] == "photo is the same face as that of 1 other person(s): C2"
    for cid in ("C3", "C5", "C6", "C7", "C8"):
        assert cid not in findings(out), cid
    # Every document a record names is read in sources: the ones that cannot be used are
    # rejects with the file and the reason, counted in the manifest.
    rejects = {(r["file"], r["part"]): r for r in map(json.loads, (out / "rejects.jsonl").read_text().splitlines())}
    assert set(rejects) == {("hr/photos/c7.png", "hr.photos"), ("hr/photos/../../etc/passwd", "hr.photos"),
                            ("hr/resumes/gone.txt", "hr.resumes"), ("hr/resumes/c2.pdf", "hr.resumes"),
                            ("../outside.txt", "hr.resumes")}
    assert all(r["unit"] == "file" and r["line"] is None and r["reason"] for r in rejects.values())
    assert "leaves the bundle" in rejects["../outside.txt", "hr.resumes"]["reason"]
    assert "no such file" in rejects["hr/resumes/gone.txt", "hr.resumes"]["reason"]
    assert "not an image" in rejects["hr/photos/c7.png", "hr.photos"]["reason"]
    documents = json.loads((out / "manifest.json").read_text())["documents"]
    assert documents == {"hr.photos": {"files": 7, "loaded": 5, "rejected": 2},
                         "hr.resumes": {"files": 3, "loaded": 0, "rejected": 3}}
