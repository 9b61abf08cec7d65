"""Geography in the store: the ZIP table (from :mod:`unmask.values.geo`) and great-circle distance in SQL."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from unmask.engine import Engine
from unmask.values.geo import ZIP_COLUMNS, zip_centroids


def load_zip_table(engine: Engine, workdir: Path) -> int:
    """Create ``zip_geo(zip5, city, state, lat, lon, tz)``; returns its row count.

    ``workdir`` is unused since the rows are inserted from Python; it stays for the callers."""
    if engine.table_exists("zip_geo"):
        return int(engine.query("SELECT count(*) FROM zip_geo")[0][0])
    types = {"zip5": "VARCHAR", "city": "VARCHAR", "state": "VARCHAR", "lat": "DOUBLE", "lon": "DOUBLE",
             "tz": "VARCHAR"}
    engine.execute(f"CREATE TABLE zip_geo({', '.join(f'{c} {types[c]}' for c in ZIP_COLUMNS)})")
    engine.insert_rows("zip_geo", ZIP_COLUMNS, _zip_rows())
    return int(engine.query("SELECT count(*) FROM zip_geo")[0][0])


@lru_cache(maxsize=1)
def _zip_rows() -> tuple[tuple[str | None, ...], ...]:
    # Empty fields are NULL, as a CSV reader would have them. The zipcodes package's table does
    # not change while the process runs: read once, not at every scan.
    return tuple(tuple(v or None for v in z) for z in zip_centroids())


# Great-circle distance in km between two lat/lon pairs, as SQL.
def haversine_sql(lat1: str, lon1: str, lat2: str, lon2: str) -> str:
    return (
        f"(2 * 6371.0 * asin(sqrt(pow(sin(radians({lat2} - {lat1}) / 2), 2) + "
        f"cos(radians({lat1})) * cos(radians({lat2})) * pow(sin(radians({lon2} - {lon1}) / 2), 2))))"
    )
