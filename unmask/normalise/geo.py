"""Geography in the store: the ZIP table (from :mod:`unmask.values.geo`) and great-circle distance in SQL."""

from __future__ import annotations

import csv
from pathlib import Path

from unmask.engine import Engine
from unmask.values.geo import ZIP_COLUMNS, zip_centroids


def load_zip_table(engine: Engine, workdir: Path) -> int:
    """Create ``zip_geo(zip5, city, state, lat, lon, tz)``; returns its row count."""
    if engine.table_exists("zip_geo"):
        return int(engine.query("SELECT count(*) FROM zip_geo")[0][0])
    path = workdir / "zip_geo.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(ZIP_COLUMNS)
        w.writerows(zip_centroids())
    engine.execute(
        "CREATE TABLE zip_geo AS SELECT * FROM read_csv($p, header=true, "
        "columns={'zip5': 'VARCHAR', 'city': 'VARCHAR', 'state': 'VARCHAR', 'lat': 'DOUBLE', "
        "'lon': 'DOUBLE', 'tz': 'VARCHAR'})",
        {"p": str(path)},
    )
    return int(engine.query("SELECT count(*) FROM zip_geo")[0][0])


# Great-circle distance in km between two lat/lon pairs, as SQL.
def haversine_sql(lat1: str, lon1: str, lat2: str, lon2: str) -> str:
    return (
        f"(2 * 6371.0 * asin(sqrt(pow(sin(radians({lat2} - {lat1}) / 2), 2) + "
        f"cos(radians({lat1})) * cos(radians({lat2})) * pow(sin(radians({lon2} - {lon1}) / 2), 2))))"
    )
