"""Why the CLI starts DuckDB with its allocator junk-filling memory.

DuckDB writes whole 256 KiB blocks to the store file, and the unused tail of a block is not
always zeroed (duckdb/duckdb#23382): it can carry whatever the process's heap last held. The
scan reads clear national IDs and account numbers (and tokenises them in the reading
statement), so without this a few bytes of clear text could survive in ``unmask.duckdb``'s
slack, invisible to any query.

Measured on DuckDB 2.0.0 with a reproduction that holds marked text in a temporary table,
drops it, then persists string tables (five files a run): the mark was in the file in 6 of 13
runs without, in none of 10 runs with ``junk:true``.

DuckDB's Linux wheels link jemalloc under the ``duckdb_je_`` prefix, whose configuration is
read once, when the process starts, from ``DUCKDB_JE_MALLOC_CONF``. ``junk:true`` fills new
allocations with 0xa5 and freed ones with 0x5a, so no earlier content reaches a block's tail.
Its cost is one memset per allocation and free.
"""

from __future__ import annotations

PROCESS_ENV = {"DUCKDB_JE_MALLOC_CONF": "junk:true"}
