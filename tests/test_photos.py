"""A photo reused under different names (imagehash pHash), found through the identifier graph."""

from __future__ import annotations

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
    write_csv(root / "hr/candidates.csv", ["candidate_id", "full_name", "email", "photo_path"],
              [{"candidate_id": c, "full_name": n, "email": f"{c.lower()}@example.org",
                "photo_path": f"hr/photos/{p}"} for c, n, p in rows])
    out = tmp_path / "out"
    run(root, out)
    (ev,) = signals_of(out, "C1")["shared_contact"]
    assert ev["strength"] == "strong" and ev["detail"] == "photo is the same face as that of 1 other person(s): C2"
    for cid in ("C3", "C5", "C6", "C7", "C8"):
        assert cid not in findings(out), cid
