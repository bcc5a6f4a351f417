"""The embedded engine's storage: files, other processes, crashes, concurrency."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import influxpy
from influxpy import fields, models
from influxpy.exceptions import FieldTypeConflictError

MODEL = """
from influxpy import fields, models

class Reading(models.InfluxMeasurement):
    measurement = "readings"
    value = fields.FloatField()
    host = fields.InfluxTag()

    class Meta:
        using = "file"
"""


class Reading(models.InfluxMeasurement):
    """The same model as the child processes use."""

    measurement = "readings"
    value = fields.FloatField()
    host = fields.InfluxTag()

    class Meta:
        using = "file"


def run_child(code: str) -> subprocess.Popen[str]:
    """Start a Python child running *code* after the model definition."""
    source = MODEL + textwrap.dedent(code)
    return subprocess.Popen(
        [sys.executable, "-c", source],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def path(tmp_path: Path):
    yield tmp_path / "metrics.duckdb"
    influxpy.connections.close_all()


def test_a_file_written_by_one_process_is_read_by_another(path: Path) -> None:
    """Points written and committed by a child are all there for the parent."""
    child = run_child(
        f"""
        import influxpy
        influxpy.connect("duckdb://{path}", alias="file")
        Reading.series.bulk_create(
            Reading(value=float(i), host=f"h{{i % 3}}", time=i) for i in range(10_000)
        )
        influxpy.connections.close_all()
        """
    )
    _out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err

    influxpy.connect(f"duckdb://{path}", alias="file")
    assert Reading.series.count() == 10_000
    assert Reading.series.aggregate(total=influxpy.Sum("value")) == {
        "total": float(sum(range(10_000)))
    }
    hosts = [
        r.tags["host"]
        for r in Reading.series.annotate(influxpy.Count("value")).group_by("host")
    ]
    assert hosts == ["h0", "h1", "h2"]


def test_a_process_killed_while_writing_keeps_every_completed_batch(
    path: Path,
) -> None:
    """Each batch is one transaction: a kill loses at most the batch in flight."""
    batch = 2_000
    child = run_child(
        f"""
        import sys
        import influxpy
        influxpy.connect("duckdb://{path}", alias="file")
        done = 0
        while True:
            Reading.series.bulk_create(
                (Reading(value=1.0, host="h", time=done + i) for i in range({batch})),
                batch_size={batch},
            )
            done += {batch}
            print(done, flush=True)
        """
    )
    assert child.stdout is not None
    reported = 0
    for line in child.stdout:
        reported = int(line)
        if reported >= 10 * batch:
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()
    assert child.stderr is not None
    child.stderr.close()

    influxpy.connect(f"duckdb://{path}", alias="file")
    stored = Reading.series.count()
    assert stored >= reported
    assert stored % batch == 0
    times = [p["time"] for p in Reading.series.epoch().points()]
    assert times == list(range(stored))


def test_two_connections_to_one_file_in_one_process(path: Path) -> None:
    """A second connection to an open file shares it instead of failing."""
    first = influxpy.connect(f"duckdb://{path}", alias="file")
    second = influxpy.connect(f"duckdb://{path}", alias="other")
    Reading.series.create(value=1.0, host="a", time=1)
    assert first.list_databases() == second.list_databases() == ["influxpy"]


def test_mixed_types_in_line_protocol_are_refused_not_altered(path: Path) -> None:
    """A value of another type than the first in a batch is refused like
    InfluxDB, in a shard group that holds points already (in a group the
    batch creates, InfluxDB refuses all of the batch's points there)."""
    backend = influxpy.connect(f"duckdb://{path}", alias="file")
    backend.write_lines(["other x=1 0"])
    with pytest.raises(FieldTypeConflictError) as info:
        backend.write_lines(
            [
                "readings,host=a value=1 1",
                'readings,host=a value="x" 2',
                "readings,host=a value=3 3",
            ]
        )
    assert info.value.dropped == 1
    assert [p["value"] for p in Reading.series.points()] == [1.0, 3.0]


def test_a_file_opened_read_only_answers_queries_and_refuses_changes(
    path: Path,
) -> None:
    """``read_only`` reads what a writer stored; every change is refused."""
    writer = influxpy.connect(f"duckdb://{path}", alias="file")
    Reading.series.bulk_create(
        Reading(value=float(i), host=f"h{i % 2}", time=i) for i in range(10)
    )
    writer.close()
    influxpy.connections.close_all()

    influxpy.connect(f"duckdb://{path}?read_only=true", alias="file")
    means = Reading.series.annotate(influxpy.Mean("value")).group_by("host")
    assert [(r.tags, r.points[0]["mean"]) for r in means] == [
        ({"host": "h0"}, 4.0),
        ({"host": "h1"}, 5.0),
    ]
    with pytest.raises(influxpy.NotSupportedError, match="read_only"):
        Reading.series.create(value=1.0, host="h2", time=100)
    with pytest.raises(influxpy.NotSupportedError, match="drop a measurement"):
        Reading.series.drop()
    with pytest.raises(influxpy.NotSupportedError, match="INTO or DELETE"):
        Reading.series.filter(host="h0").delete()
    assert Reading.series.count() == 10


def test_a_file_the_engine_never_wrote_is_refused_read_only(path: Path) -> None:
    """Read-only cannot create the engine's catalog, so it says so."""
    import duckdb

    other = duckdb.connect(str(path))
    other.execute("CREATE TABLE unrelated (x INTEGER)")
    other.close()
    with pytest.raises(influxpy.InterfaceError, match="holds no influxpy database"):
        influxpy.connect(f"duckdb://{path}?read_only=true", alias="file")
