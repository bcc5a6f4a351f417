"""Retries of HTTP requests: what an attempt left, and when to try again.

A failed attempt is summed up in a ``Failure``: plain values only (status,
texts, the wait the server asked for), never the request, the response or
the ``httpx`` error, which carry the credentials. ``RetryPolicy`` decides
after each failure whether to try again and after how long: exponential
backoff with full jitter, or the server's ``Retry-After``, until the total
bound ``retry_timeout`` runs out, and within ``retries`` extra attempts
when that option is given.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import random
import time

__all__ = ["RETRY_STATUSES", "Failure", "RetryPolicy", "clock", "parse_retry_after"]

#: Statuses that may pass: a server error, an overloaded or restarting server.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Seconds of the first backoff ceiling, doubled at each retry.
BACKOFF_FIRST = 0.1
#: The highest backoff ceiling, in seconds.
BACKOFF_MAX = 5.0


def clock() -> float:
    """The monotonic time that retry deadlines are measured on."""
    return time.monotonic()


@dataclasses.dataclass(frozen=True)
class Failure:
    """What a failed attempt left, free of anything that holds credentials.

    ``status`` is the HTTP status, or None when no answer came (``detail``
    then says why, and ``timeout`` whether time ran out). ``text`` is the
    server's error text, already scrubbed of secrets; ``retry_after`` the
    seconds the server asked to wait (``Retry-After``), if it did.
    """

    status: int | None = None
    reason: str = ""
    text: str = ""
    retry_after: float | None = None
    timeout: bool = False
    detail: str = ""

    @property
    def may_pass(self) -> bool:
        """Whether trying again may succeed."""
        if self.status is None:
            return True
        if self.status == 500 and "retention policy not found" in self.text:
            # InfluxDB 1.x answers 500 for an unknown retention policy.
            return False
        return self.status in RETRY_STATUSES


def parse_retry_after(value: str, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value, or None if it says nothing.

    Both forms of RFC 9110 are read: a number of seconds, and an HTTP date
    (a date in the past means no wait). *now* is the current epoch time.
    """
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 and seconds == seconds else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """When to try a request again.

    ``retry_timeout`` bounds the time spent retrying: no attempt starts
    after it has passed since the first. ``retries``, when not None, also
    caps the number of extra attempts; None (the default) leaves the time
    bound alone in charge.
    """

    retries: int | None
    retry_timeout: float

    def deadline(self) -> float:
        """The monotonic time after which no new attempt starts."""
        return clock() + self.retry_timeout

    def wait(self, attempt: int, deadline: float, failure: Failure) -> float | None:
        """Seconds to wait before the next attempt, or None to give up.

        *attempt* counts the attempts made before this one failed (0 for
        the first). A ``Retry-After`` is honoured as asked, unless it runs
        past the deadline, where waiting would only delay the same error;
        otherwise the wait is drawn at random up to a ceiling that doubles
        each time, and the last one ends at the deadline.
        """
        if not failure.may_pass:
            return None
        if self.retries is not None and attempt >= self.retries:
            return None
        left = deadline - clock()
        if left <= 0:
            return None
        if failure.retry_after is not None:
            return failure.retry_after if failure.retry_after <= left else None
        ceiling = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** min(attempt, 32))
        return min(left, random.uniform(0, ceiling))
