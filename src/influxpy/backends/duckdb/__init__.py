"""The embedded engine on DuckDB (``duckdb://``).

``backend`` holds ``DuckDBBackend``; ``catalog``, ``batches``, ``ingest``
and ``stream`` its catalog snapshots, write batches, stored rows and
streamed results.
"""

from __future__ import annotations

from influxpy.backends.duckdb.backend import DuckDBBackend

__all__ = ["DuckDBBackend"]
