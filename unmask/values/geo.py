"""Offline geography: US ZIP centroids and time zones from the ``zipcodes`` package."""

from __future__ import annotations

from collections.abc import Iterator

import zipcodes

ZIP_COLUMNS = ("zip5", "city", "state", "lat", "lon", "tz")


def zip_centroids() -> Iterator[tuple[str, str, str, str, str, str | None]]:
    """(zip5, city, state, lat, lon, tz) of every US ZIP code that has a centroid."""
    for z in zipcodes.list_all():  # type: ignore[no-untyped-call]
        if z.get("lat") and z.get("long"):
            yield z["zip_code"], z["city"], z["state"], z["lat"], z["long"], z.get("timezone")
