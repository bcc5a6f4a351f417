"""Retention-policy values: what a model declares about keeping its points.

``RetentionPolicy`` and the readers of ``Meta.retention_policy``,
``Meta.retention_policies`` and ``Meta.aggregated_measurements`` live here,
low in the package, because models read them when a class is created and
compilers read them to spell statements; neither needs a backend for it.
``influxpy.schema`` re-exports the public names.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from influxpy.durations import Duration, Hour, as_duration, duration_from_nanoseconds
from influxpy.exceptions import ImproperlyConfigured

__all__ = [
    "DURATION_TOO_SHORT",
    "MIN_DURATION_NS",
    "RetentionPolicy",
    "declared_downsampling",
    "declared_policies",
    "default_shard_duration",
    "parse_go_duration",
    "policy_from_row",
]

_HOUR_NS = 3_600 * 1_000_000_000
_DAY_NS = 24 * _HOUR_NS
#: The shortest retention policy duration InfluxDB keeps (0 is no limit).
MIN_DURATION_NS = _HOUR_NS
#: InfluxDB's error for a duration under ``MIN_DURATION_NS``.
DURATION_TOO_SHORT = "retention policy duration must be at least 1h0m0s"
_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|h|m|s)")
_GO_UNITS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60 * 1_000_000_000,
    "h": _HOUR_NS,
}


def parse_go_duration(text: str) -> int:
    """Return the nanoseconds of a duration as InfluxDB prints it (``168h0m0s``)."""
    total = 0
    position = 0
    for match in _GO_DURATION.finditer(text):
        if match.start() != position:
            break
        whole, _, fraction = match.group(1).partition(".")
        unit = _GO_UNITS[match.group(2)]
        total += int(whole) * unit
        if fraction:
            total += int(fraction) * unit // 10 ** len(fraction)
        position = match.end()
    if position != len(text) or not text:
        msg = f"{text!r} is not a duration as InfluxDB writes one (e.g. '168h0m0s')."
        raise ValueError(msg)
    return total


def default_shard_duration(duration: Duration | None) -> Duration:
    """Return the shard-group duration InfluxDB picks for a policy *duration*.

    Under 2 days: 1 hour; under 180 days: 1 day; longer or infinite: 7
    days (reference §4.2, observed on 1.6.7).
    """
    ns = 0 if duration is None else duration.nanoseconds
    if ns == 0 or ns >= 180 * _DAY_NS:
        return duration_from_nanoseconds(7 * _DAY_NS)
    if ns >= 2 * _DAY_NS:
        return duration_from_nanoseconds(_DAY_NS)
    return Hour(1)


def _optional_duration(value: Any, what: str) -> Duration | None:
    if value is None or (isinstance(value, str) and value.upper() == "INF"):
        return None
    duration = as_duration(value, what)
    if duration.value == 0:
        return None
    return duration


@dataclasses.dataclass(frozen=True)
class RetentionPolicy:
    """A retention policy: how long a database keeps points, and where.

    ``duration`` is a ``Duration`` or ``timedelta`` of at least one hour, or
    ``None`` (or ``'INF'``) to keep points forever. ``shard_duration`` left
    ``None`` lets the server choose (see ``default_shard_duration``);
    ``default`` makes it the policy that writes and queries naming no policy
    use. Durations are compared by length (``Day(7)`` matches ``Week(1)``)
    when the schema is checked.
    """

    name: str
    duration: Duration | None
    replication: int = 1
    shard_duration: Duration | None = None
    default: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            msg = f"RetentionPolicy() takes a non-empty name; got {self.name!r}."
            raise ValueError(msg)
        duration = _optional_duration(self.duration, "RetentionPolicy's duration")
        shard = _optional_duration(
            self.shard_duration, "RetentionPolicy's shard_duration"
        )
        for what, value in (("duration", duration), ("shard_duration", shard)):
            if value is not None and value.nanoseconds < _HOUR_NS:
                msg = (
                    f"RetentionPolicy {self.name!r}: InfluxDB keeps points for at "
                    f"least one hour, so {what} must be Hour(1) or longer (or None "
                    f"for ever); got {value!r}."
                )
                raise ValueError(msg)
        replication = self.replication
        if (
            isinstance(replication, bool)
            or not isinstance(replication, int)
            or replication < 1
        ):
            msg = (
                f"RetentionPolicy {self.name!r}: replication must be a whole "
                f"number of at least 1; got {replication!r}."
            )
            raise ValueError(msg)
        default: object = self.default
        if not isinstance(default, bool):
            msg = (
                f"RetentionPolicy {self.name!r}: default must be True or False; "
                f"got {self.default!r}."
            )
            raise TypeError(msg)
        object.__setattr__(self, "duration", duration)
        object.__setattr__(self, "shard_duration", shard)

    @property
    def effective_shard_duration(self) -> Duration:
        """The shard-group duration the server will use."""
        if self.shard_duration is not None:
            return max(self.shard_duration, Hour(1))
        return default_shard_duration(self.duration)

    def differences(self, stored: RetentionPolicy) -> list[str]:
        """Describe how *stored* differs from this declaration (empty if not).

        The shard duration is compared only when declared, and ``default``
        only when this declaration asks for it.
        """
        out = []
        mine = self.duration.nanoseconds if self.duration else 0
        theirs = stored.duration.nanoseconds if stored.duration else 0
        if mine != theirs:
            now, declared = _show(stored.duration), _show(self.duration)
            out.append(f"duration is {now}, declared {declared}")
        if self.replication != stored.replication:
            out.append(
                f"replication is {stored.replication}, declared {self.replication}"
            )
        if (
            self.shard_duration is not None
            and self.effective_shard_duration.nanoseconds
            != stored.effective_shard_duration.nanoseconds
        ):
            now = _show(stored.effective_shard_duration)
            declared = _show(self.shard_duration)
            out.append(f"shard duration is {now}, declared {declared}")
        if self.default and not stored.default:
            out.append("it is not the default policy, declared default")
        return out


def _show(duration: Duration | None) -> str:
    return "INF" if duration is None else str(duration)


def declared_policies(
    model_name: str, retention_policy: Any, retention_policies: Any
) -> tuple[str | None, tuple[RetentionPolicy, ...]]:
    """Read ``Meta.retention_policy`` and ``Meta.retention_policies``.

    Return the policy name the model reads and writes (``None`` for the
    database's default) and the policies it declares. A ``RetentionPolicy``
    given as ``retention_policy`` is declared and used; without
    ``retention_policy``, a declared ``default=True`` policy is used, so the
    model names it explicitly on every backend.
    """
    declared: list[RetentionPolicy] = []
    if not isinstance(retention_policies, (list, tuple)) or not all(
        isinstance(p, RetentionPolicy) for p in retention_policies
    ):
        msg = (
            f"{model_name}.Meta.retention_policies takes a list of "
            f"RetentionPolicy objects; got {retention_policies!r}."
        )
        raise ImproperlyConfigured(msg)
    declared.extend(retention_policies)
    name: str | None
    if isinstance(retention_policy, RetentionPolicy):
        if retention_policy not in declared:
            declared.append(retention_policy)
        name = retention_policy.name
    elif retention_policy is None or isinstance(retention_policy, str):
        name = retention_policy or None
    else:
        msg = (
            f"{model_name}.Meta.retention_policy takes a policy name or a "
            f"RetentionPolicy; got {retention_policy!r}."
        )
        raise ImproperlyConfigured(msg)
    seen: dict[str, RetentionPolicy] = {}
    for policy in declared:
        other = seen.setdefault(policy.name, policy)
        if other is not policy and other != policy:
            msg = (
                f"{model_name} declares the retention policy {policy.name!r} "
                f"twice with different options: {other!r} and {policy!r}."
            )
            raise ImproperlyConfigured(msg)
    defaults = sorted({p.name for p in declared if p.default})
    if len(defaults) > 1:
        names = ", ".join(defaults)
        msg = (
            f"{model_name} declares several default retention policies "
            f"({names}); a database has one default."
        )
        raise ImproperlyConfigured(msg)
    if name is None and defaults:
        name = defaults[0]
    return name, tuple(seen.values())


def declared_downsampling(
    model_name: str, value: Any, model_class: type
) -> dict[Duration, Any]:
    """Read ``Meta.aggregated_measurements``: ``{window: name or model}``.

    Windows are durations (or timedeltas); targets are measurement names
    (in the default retention policy) or models (their own measurement,
    database and policy): instances of *model_class*, the models'
    metaclass.
    """

    if not isinstance(value, dict):
        msg = (
            f"{model_name}.Meta.aggregated_measurements takes a dict such as "
            f"{{Minute(5): 'servers_5m'}}; got {value!r}."
        )
        raise ImproperlyConfigured(msg)
    out: dict[Duration, Any] = {}
    for window, target in value.items():
        try:
            duration = as_duration(window, "aggregated_measurements")
        except TypeError:
            msg = (
                f"{model_name}.Meta.aggregated_measurements is keyed by durations "
                f"such as Minute(5); got the key {window!r}."
            )
            raise ImproperlyConfigured(msg) from None
        if duration.value <= 0:
            msg = (
                f"{model_name}.Meta.aggregated_measurements needs positive "
                f"windows; got {duration!r}."
            )
            raise ImproperlyConfigured(msg)
        if not (isinstance(target, str) and target) and not isinstance(
            target, model_class
        ):
            msg = (
                f"{model_name}.Meta.aggregated_measurements maps {duration!r} to "
                f"{target!r}; give a measurement name or a model."
            )
            raise ImproperlyConfigured(msg)
        out[duration] = target
    return out


def policy_from_row(row: dict[str, Any]) -> RetentionPolicy:
    """Build a ``RetentionPolicy`` from a stored description (ns durations)."""
    duration = row["duration"]
    return RetentionPolicy(
        row["name"],
        duration_from_nanoseconds(duration) if duration else None,
        replication=int(row["replication"]),
        shard_duration=duration_from_nanoseconds(row["shard_duration"]),
        default=bool(row["default"]),
    )
