from __future__ import annotations

import pytest

# What the Spark engine does not do yet (issue 16 is landing in increments). Strict: a case
# that starts passing fails here until it is taken off this list.
SPARK_GAPS = {
    "test_csv_records_keep_their_lines_and_bad_rows_are_one_reject": "CSV reader not on Spark yet",
    "test_scalars_from_the_udf_registry": "UDF registry scalars not yet typed for Spark",
    "test_rejects_are_per_file_and_never_quote_the_record": "invalid UTF-8 lines not yet told apart on Spark",
    "test_json_paths_and_string_distances": "no damerau_levenshtein on Spark yet",
    "test_temp_tables_replace_and_fill": "unsigned 64-bit values in inserted rows",
    "test_scalar_and_export_errors_are_engine_errors": "a failing scalar or export not yet an EngineError",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        name = getattr(item, "originalname", item.name)
        if item.name.endswith("[spark]") and name in SPARK_GAPS:
            item.add_marker(pytest.mark.xfail(reason=SPARK_GAPS[name], strict=True))
