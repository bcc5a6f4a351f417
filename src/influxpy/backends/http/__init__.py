"""InfluxDB over its HTTP API: ``HTTPBackend`` and its options.

The backend's jobs live in modules of this package: ``options`` (URL options
and credentials), ``sending`` (requests and retries), ``retry`` (the retry
policy), ``errors`` (mapping failures to ``influxpy.exceptions``),
``reading`` (queries and their results), ``statements`` (InfluxQL text
answered per statement), ``writing`` (batches of line protocol) and
``backend`` (the class, its set-up and administration).
"""

from __future__ import annotations

from influxpy.backends.http.backend import HTTPBackend
from influxpy.backends.http.options import HTTPOptions

__all__ = ["HTTPBackend", "HTTPOptions"]
