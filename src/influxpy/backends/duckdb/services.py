"""The engine's background services: continuous queries and retention.

A connection with a continuous query, or a retention policy of finite
duration, starts one daemon thread (``Scheduler``) that does what influxd's
services do: run the continuous queries that are due every
``cq_run_interval`` (1s by default, influxd's ``[continuous_queries]
run-interval``) and enforce retention every ``retention_check_interval``
(30m, influxd's ``[retention] check-interval``). Both are URL options
(``duckdb:///f.duckdb?cq_run_interval=10s``); ``0s`` turns a job off. The
thread stops when the connection closes; ``now`` is the connection's
``clock``.
"""

from __future__ import annotations

import logging
import threading
import time as _time
import weakref
from typing import TYPE_CHECKING

from influxpy.backends.duckdb.continuous import EngineContinuousQueries
from influxpy.backends.duckdb.retention_service import EngineRetention
from influxpy.exceptions import ImproperlyConfigured
from influxpy.retention import parse_go_duration

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from influxpy.urls import DatabaseURL

__all__ = ["SERVICE_OPTIONS", "EngineServices", "Scheduler"]

logger = logging.getLogger("influxpy.scheduler")

#: URL options of the services and their defaults (influxd's).
SERVICE_OPTIONS = {"cq_run_interval": "1s", "retention_check_interval": "30m"}


def _interval(options: Mapping[str, str], name: str) -> float:
    text = options.get(name, SERVICE_OPTIONS[name])
    try:
        ns = parse_go_duration(text)
    except ValueError:
        msg = (
            f"The option {name}={text!r} is not a duration; write one as InfluxDB "
            "does, such as 1s, 30m or 1h30m (0s turns the job off)."
        )
        raise ImproperlyConfigured(msg) from None
    return ns / 1e9


class Scheduler(threading.Thread):
    """The daemon thread that runs a connection's services on time.

    It holds the connection weakly, so a connection dropped without
    ``close()`` does not live on because of it.
    """

    def __init__(
        self, backend: EngineServices, cq_every: float, rp_every: float
    ) -> None:
        super().__init__(name=f"influxpy-scheduler-{backend.alias}", daemon=True)
        self._backend = weakref.ref(backend)
        self.stopping = threading.Event()
        self._every = {"cq": cq_every, "retention": rp_every}

    def run(self) -> None:
        """Run each job when it is due until ``stopping`` is set."""
        due = {
            job: _time.monotonic() + every
            for job, every in self._every.items()
            if every > 0
        }
        while due:
            wait = max(0.0, min(due.values()) - _time.monotonic())
            if self.stopping.wait(wait):
                return
            backend = self._backend()
            if backend is None or backend.closed:
                return
            for job in sorted(due):
                if due[job] > _time.monotonic():
                    continue
                try:
                    backend._run_job(job)
                except Exception:
                    logger.exception("The scheduled %s job failed.", job)
                due[job] = _time.monotonic() + self._every[job]
            del backend


class EngineServices(EngineContinuousQueries, EngineRetention):
    """Continuous queries and retention, and the thread that runs them."""

    def __init__(self, url: DatabaseURL, alias: str = "default") -> None:
        super().__init__(url, alias)
        options = self._service_options
        self._cq_every = _interval(options, "cq_run_interval")
        self._rp_every = _interval(options, "retention_check_interval")
        self._scheduler: Scheduler | None = None
        self._scheduler_lock = threading.Lock()
        if not self.read_only:
            self._services_changed()

    def _run_job(self, job: str) -> None:
        if job == "cq":
            if self.has_continuous_queries():
                self.run_continuous_queries()
        elif self.has_finite_retention():
            self.enforce_retention()

    def _services_changed(self) -> None:
        """Start the scheduler once there is something for it to do."""
        if self.read_only or self._scheduler is not None or self.closed:
            return
        if not (self.has_continuous_queries() or self.has_finite_retention()):
            return
        with self._scheduler_lock:
            if self._scheduler is None:
                self._scheduler = Scheduler(self, self._cq_every, self._rp_every)
                self._scheduler.start()

    @property
    def scheduler_running(self) -> bool:
        """Whether the background thread of this connection is running."""
        return self._scheduler is not None and self._scheduler.is_alive()

    def _stop_background(self) -> None:
        """Stop the scheduler thread and wait for its current job."""
        scheduler = self._scheduler
        if scheduler is None:
            return
        scheduler.stopping.set()
        if scheduler is not threading.current_thread():
            scheduler.join(timeout=60)
        self._scheduler = None

    def _forget_services(self, database: str, policy: str | None = None) -> None:
        """Forget what a dropped database (or policy) had: its continuous
        queries and its shard groups."""
        if policy is None:
            self._forget_continuous_queries(database)
        self._forget_shard_groups(database, policy)

    def create_retention_policy(
        self, database: str, policy: dict[str, Any], *, replace: bool = False
    ) -> None:
        """Record a retention policy; a finite one starts the scheduler."""
        super().create_retention_policy(database, policy, replace=replace)
        self._services_changed()
