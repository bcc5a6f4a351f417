"""The engine's dictionary of tag values shrinks when the points go.

Every tag value is stored with an integer code from one dictionary
(``main.influxpy_tag_codes``) that grouped queries join. Deleting or
dropping points removes, in the same transaction, the values no stored
table holds any more, so the dictionary is what the stored points need.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import influxpy
from influxpy import fields, models
from influxpy.backends.duckdb import DuckDBBackend
from influxpy.compilers.duckdb import TAG_CODES
from influxpy.durations import Day
from influxpy.schema import RetentionPolicy, get_schema_editor

S = 1_000_000_000
T0 = 1_577_923_200 * S
ALIAS = "tag-codes"


class Host(models.InfluxMeasurement):
    """Points of hosts in data centres."""

    class Meta:
        measurement = "hosts"
        using = ALIAS

    v = fields.FloatField()
    host = fields.InfluxTag()
    dc = fields.InfluxTag(null=True)


class Kept(models.InfluxMeasurement):
    """Another measurement sharing some tag values with ``hosts``."""

    class Meta:
        measurement = "kept"
        using = ALIAS

    v = fields.FloatField()
    host = fields.InfluxTag()


@pytest.fixture
def engine() -> Iterator[DuckDBBackend]:
    backend = influxpy.connect("duckdb://:memory:", alias=ALIAS)
    assert isinstance(backend, DuckDBBackend)
    try:
        yield backend
    finally:
        backend.close()


def dictionary(engine: DuckDBBackend) -> list[str]:
    """The values in the dictionary, sorted."""
    rows = engine._cursor().execute(f"SELECT value FROM {TAG_CODES}").fetchall()
    return sorted(str(r[0]) for r in rows)


def by_host(model: Any = Host) -> dict[str, list[float]]:
    """The values of each host, grouped by the engine (through the codes)."""
    grouped = model.series.only("v").group_by("host").epoch()
    return {r.tags["host"]: [p["v"] for p in r.points] for r in grouped}


def write(engine: DuckDBBackend, hosts: list[str], dc: str = "x") -> None:
    Host.series.bulk_create(
        Host(time=T0 + n * S, v=float(n), host=h, dc=dc) for n, h in enumerate(hosts)
    )


def drop_policy(engine: DuckDBBackend) -> None:
    get_schema_editor(ALIAS).drop_retention_policy("old", engine.database)


REMOVALS: dict[str, Callable[[DuckDBBackend], None]] = {
    "delete": lambda engine: Host.series.filter(dc="x").delete(),
    "drop": lambda engine: Host.series.drop(),
    "drop_series": lambda engine: Host.series.filter(dc="x").drop_series(),
    "drop_measurement": lambda engine: get_schema_editor(ALIAS).drop_measurement(
        "hosts", engine.database
    ),
    "drop_database": lambda engine: engine.drop_database(),
}


@pytest.mark.parametrize("remove", REMOVALS.values(), ids=list(REMOVALS))
def test_removed_values_leave_the_dictionary(
    engine: DuckDBBackend, remove: Callable[[DuckDBBackend], None]
) -> None:
    """Values only the removed points had are gone; shared ones stay."""
    Kept.series.bulk_create([Kept(time=T0, v=1.0, host="shared")])
    before = dictionary(engine)
    assert before == ["", "shared"]
    write(engine, ["a", "b", "shared", "c"])
    assert dictionary(engine) == ["", "a", "b", "c", "shared", "x"]
    remove(engine)
    if remove is REMOVALS["drop_database"]:
        assert dictionary(engine) == [""]
        return
    assert dictionary(engine) == before
    assert by_host(Kept) == {"shared": [1.0]}


def test_a_partial_delete_keeps_the_values_still_stored(engine: DuckDBBackend) -> None:
    write(engine, ["a", "b"], dc="x")
    Host.series.bulk_create([Host(time=T0 + 9 * S, v=9.0, host="b", dc="y")])
    Host.series.filter(dc="x").delete()
    assert dictionary(engine) == ["", "b", "y"]
    assert by_host() == {"b": [9.0]}


def test_dropping_a_retention_policy_prunes_its_values(engine: DuckDBBackend) -> None:
    editor = get_schema_editor(ALIAS)
    editor.create_retention_policy(RetentionPolicy("old", Day(7)), engine.database)
    engine.clock = lambda: T0  # the point is within the policy's week
    engine.write_lines([f"hosts,host=gone v=1 {T0}"], retention_policy="old")
    write(engine, ["a"])
    assert dictionary(engine) == ["", "a", "gone", "x"]
    drop_policy(engine)
    assert dictionary(engine) == ["", "a", "x"]
    assert by_host() == {"a": [0.0]}


def test_codes_given_again_after_pruning_group_correctly(engine: DuckDBBackend) -> None:
    """Pruned codes are given to new values; the connection's cache of codes
    forgets the pruned ones, so an old value written again gets a fresh
    code, not the code a new value now has."""
    write(engine, ["a", "b", "c"])
    Host.series.drop()
    write(engine, ["z"])  # takes a code "a" had
    Host.series.bulk_create([Host(time=T0 + 5 * S, v=5.0, host="a", dc="x")])
    assert by_host() == {"a": [5.0], "z": [0.0]}
    codes = dict(
        engine._cursor().execute(f"SELECT value, code FROM {TAG_CODES}").fetchall()
    )
    assert len(set(codes.values())) == len(codes)


def test_a_refused_write_gives_no_codes(
    engine: DuckDBBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Codes given in a transaction that rolls back are forgotten too."""
    from influxpy.backends.duckdb import ingest, writing

    write(engine, ["a"])
    stored = ingest.merge

    def failing(*args: Any, **kwargs: Any) -> None:
        stored(*args, **kwargs)  # gives the codes, then the transaction fails
        raise influxpy.NotSupportedError("The write failed.")

    monkeypatch.setattr(writing, "merge", failing)
    with pytest.raises(influxpy.NotSupportedError):
        engine.write_lines([f"hosts,host=new1 v=1 {T0}"])
    monkeypatch.undo()
    assert dictionary(engine) == ["", "a", "x"]
    write(engine, ["new1"])
    assert by_host() == {"a": [0.0], "new1": [0.0]}


@pytest.mark.slow
def test_a_million_values_written_then_dropped_leave_the_dictionary_as_it_was(
    engine: DuckDBBackend,
) -> None:
    import pandas as pd  # the dev extra installs it: never skipped

    Kept.series.bulk_create([Kept(time=T0, v=1.0, host="shared")])
    before = dictionary(engine)
    count = 1_000_000
    frame = pd.DataFrame(
        {
            "time": T0 + pd.RangeIndex(count) * S,
            "v": 1.0,
            "host": [f"host-{n}" for n in range(count)],
        }
    )
    assert Host.series.write_dataframe(frame, batch_size=250_000) == count
    total = engine._cursor().execute(f"SELECT count(*) FROM {TAG_CODES}").fetchone()
    assert total == (count + len(before),)
    Host.series.drop()
    assert dictionary(engine) == before
    assert by_host(Kept) == {"shared": [1.0]}
