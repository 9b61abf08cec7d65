from __future__ import annotations

import pytest

# What the Spark engine does not do yet (issue 16 is landing in increments). Strict: a case
# that starts passing fails here until it is taken off this list.
SPARK_GAPS: dict[str, str] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        name = getattr(item, "originalname", item.name)
        if item.name.endswith("[spark]") and name in SPARK_GAPS:
            item.add_marker(pytest.mark.xfail(reason=SPARK_GAPS[name], strict=True))
