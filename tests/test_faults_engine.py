"""Faults around the embedded engine's file: a second process opening it,
a process killed in the middle of deletions, and refused writes in a
stream of good ones from many threads.

Real processes (``subprocess``, SIGKILL) and real files; every loop is
bounded by a count.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

import influxpy
from influxpy.exceptions import (
    DatabaseNotFoundError,
    InterfaceError,
    RetentionPolicyNotFoundError,
)


def _child(code: str, *, stdin: bool = False) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def path(tmp_path: Path) -> Any:
    yield tmp_path / "faults.duckdb"
    influxpy.connections.close_all()


# -- a second process ----------------------------------------------------


def test_a_second_process_gets_a_clear_error_and_the_first_goes_on(path):
    """The file is open in a child: opening it here (read_only too) fails
    with a message naming the file, the holder and what to do; the child
    writes on and closes, and every point is there."""
    child = _child(
        f"""
        import sys, influxpy
        c = influxpy.connect("duckdb://{path}?database=d", alias="holder")
        c.write_line_protocol("m v=1 1", database="d")
        print("open", flush=True)
        sys.stdin.readline()
        c.write_line_protocol("m v=2 2", database="d")
        c.close()
        print("closed", flush=True)
        """,
        stdin=True,
    )
    assert child.stdout is not None
    assert child.stdin is not None
    try:
        assert child.stdout.readline().strip() == "open"
        for url in (f"duckdb://{path}", f"duckdb://{path}?read_only=true"):
            with pytest.raises(InterfaceError) as caught:
                influxpy.connect(url, alias="second")
            text = str(caught.value)
            assert repr(str(path)) in text
            assert f"process {child.pid} has it open" in text
            assert "influxpy serve" in text
            assert "IO Error" not in text
        child.stdin.write("go on\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "closed"
    finally:
        child.stdin.close()
        child.wait(timeout=60)
        child.stdout.close()
        assert child.stderr is not None
        child.stderr.close()
    assert child.returncode == 0
    reopened = influxpy.connect(f"duckdb://{path}?database=d", alias="after")
    [result] = reopened.query("SELECT v FROM m", database="d", epoch="ns")
    assert result.points == [{"time": 1, "v": 1.0}, {"time": 2, "v": 2.0}]


# -- a kill in the middle of deletions -----------------------------------

MEASUREMENTS = 12
POINTS = 3_000


def _seed(path: Path) -> None:
    seeding = influxpy.connect(f"duckdb://{path}?database=d", alias="seed")
    for m in range(MEASUREMENTS):
        seeding.write_line_protocol(
            "\n".join(
                f"m{m},host=h{j % 5} v={j},w={m}i {j + 1}" for j in range(POINTS)
            ),
            database="d",
        )
    seeding.close()


#: Statements the child runs on each measurement, in order.
DELETIONS = {
    "drop": ["DROP MEASUREMENT m{m}"],
    "delete": [
        "DELETE FROM m{m} WHERE host = 'h1'",
        "DROP SERIES FROM m{m} WHERE host = 'h2'",
    ],
}


@pytest.mark.parametrize("kind", sorted(DELETIONS))
@pytest.mark.parametrize("after", [0, 5])
def test_a_kill_in_the_middle_of_deletions_leaves_data_and_catalog_agreeing(
    path, kind, after
):
    """Killed right after its (after+1)th measurement's deletion was
    acknowledged: reopened, every acknowledged deletion is there, every
    other measurement is whole or has each statement wholly done, and
    SHOW MEASUREMENTS / FIELD KEYS / TAG VALUES match the points."""
    _seed(path)
    statements = DELETIONS[kind]
    child = _child(
        f"""
        import influxpy
        c = influxpy.connect("duckdb://{path}?database=d", alias="deleting")
        for m in range({MEASUREMENTS}):
            for text in {statements!r}:
                c.query(text.format(m=m), database="d")
            print(m, flush=True)
        """
    )
    assert child.stdout is not None
    acknowledged = -1
    for line in child.stdout:  # bounded: one line per measurement
        acknowledged = int(line)
        if acknowledged >= after:
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=60)
    child.stdout.close()
    assert child.stderr is not None
    child.stderr.close()
    assert acknowledged >= after

    c = influxpy.connect(f"duckdb://{path}?database=d", alias="reopened")
    names = {
        p["name"] for r in c.query("SHOW MEASUREMENTS", database="d") for p in r.points
    }
    whole, left = POINTS, POINTS * 3 // 5
    for m in range(MEASUREMENTS):
        counts = c.query(f"SELECT count(v), count(w) FROM m{m}", database="d")
        count = counts[0].points[0]["count"] if counts else 0
        if counts:
            assert counts[0].points[0]["count_1"] == count
        fields = c.query(f"SHOW FIELD KEYS FROM m{m}", database="d")
        hosts = c.query(f"SHOW TAG VALUES FROM m{m} WITH KEY = host", database="d")
        stored_hosts = sorted(p["value"] for r in hosts for p in r.points)
        if kind == "drop":
            assert count == (0 if m <= acknowledged else count)
            assert count in (0, whole)
            assert (f"m{m}" in names) == (count > 0)
            assert bool(fields) == (count > 0)
        else:
            assert count == (left if m <= acknowledged else count)
            assert count in (whole, POINTS * 4 // 5, left)
            gone = {whole: [], POINTS * 4 // 5: ["h1"], left: ["h1", "h2"]}[count]
            expected = sorted({f"h{j}" for j in range(5)} - set(gone))
            assert stored_hosts == expected
            assert f"m{m}" in names


# -- refused writes among good ones, from threads -------------------------

THREADS = 6
BODIES = 30


def test_refused_writes_among_good_ones_from_threads_leave_exact_answers(path):
    """Six threads write bodies of 15 good points with, mixed in, a bad
    line, a type conflict of each field and writes to a missing database
    and policy; and race to create measurements with a field of two
    types. Afterwards every answer counts exactly the accepted points."""
    c = influxpy.connect(f"duckdb://{path}?database=d&checkpoint_rows=500", alias="s")
    c.write_line_protocol("m,host=base v=0.5,i=1i 1", database="d")
    expected = {("base", 1): 0.5}
    races: dict[int, list[tuple[int, int]]] = {}
    problems: list[Any] = []
    lock = threading.Lock()

    def work(t: int) -> None:
        for b in range(BODIES):
            times = [t * 1_000_000 + b * 100 + j + 10 for j in range(15)]
            lines = [
                f"m,host=t{t},k=k{j % 3} v={t + b + j}.25,i={j}i {at}"
                for j, at in enumerate(times)
            ]
            lines.insert(b % 15, f'm,host=t{t} v="s" {times[0] + 50}')
            lines.insert((b * 7) % 16, f"m,host=t{t} i=1.5 {times[0] + 51}")
            lines.insert((b * 3) % 17, f"bad line {b}")
            outcome = c.write_line_protocol(
                "\n".join(lines), database="d", raise_on_refusal=False
            )
            with lock:
                if outcome.written != 15 or len(outcome.rejected) != 3:
                    problems.append((t, b, outcome))
                expected.update(
                    {(f"t{t}", at): t + b + j + 0.25 for j, at in enumerate(times)}
                )
            value = f"{t}i" if t % 2 == 0 else f'"{t}"'
            raced = c.write_line_protocol(
                f"n{b},t=t{t} f={value} {t + 1}", database="d", raise_on_refusal=False
            )
            with lock:
                races.setdefault(b, []).append((t, raced.written))
            for where in ({"database": "nowhere"}, {"retention_policy": "nope"}):
                try:
                    c.write_line_protocol(f"m,host=t{t} v=1 {times[0] + 77}", **where)
                except (DatabaseNotFoundError, RetentionPolicyNotFoundError):
                    pass
                else:
                    problems.append(("accepted", where))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert problems == []

    [*series] = c.query("SELECT v FROM m GROUP BY host", database="d", epoch="ns")
    stored = {(r.tags["host"], p["time"]): p["v"] for r in series for p in r.points}
    assert stored == expected
    [totals] = c.query("SELECT count(v), count(i), sum(i) FROM m", database="d")
    want = 1 + THREADS * BODIES * sum(range(15))
    assert totals.points[0]["count"] == totals.points[0]["count_1"] == len(expected)
    assert totals.points[0]["sum"] == want
    [hosts] = c.query("SHOW TAG VALUES FROM m WITH KEY = host", database="d")
    assert len(hosts.points) == THREADS + 1
    for b in range(BODIES):
        [keys] = c.query(f"SHOW FIELD KEYS FROM n{b}", database="d")
        [kind] = [p["fieldType"] for p in keys.points]
        rows = c.query(f"SELECT f FROM n{b} GROUP BY t", database="d")
        kept = {r.tags["t"] for r in rows}
        told = {f"t{t}" for t, written in races[b] if written == 1}
        typed = {f"t{t}" for t in range(THREADS) if (t % 2 == 0) == (kind == "integer")}
        assert kept == told == typed


# -- a kill in the middle of retention enforcement ------------------------

HOUR = 3_600 * 10**9
HOURS = 24


def test_a_kill_in_the_middle_of_retention_enforcement_drops_whole_groups(path):
    """A policy of one hour with one-hour shard groups holds a point an
    hour in 24 groups, each of its own tag value; a child enforces
    retention an hour later each time and is killed after the fifth.
    Reopened, the points left are the newest hours (whole groups go), at
    least five are gone, and SHOW TAG VALUES names exactly their tags."""
    child = _child(
        f"""
        import influxpy
        c = influxpy.connect("duckdb://{path}?database=d", alias="enforcing")
        c.query(
            "CREATE RETENTION POLICY short ON d DURATION 1h REPLICATION 1 "
            "SHARD DURATION 1h DEFAULT",
            database="d",
        )
        for i in range({HOURS}):
            c.clock = lambda: i * {HOUR} + 2
            c.write_line_protocol(
                f"m,hour=h{{i:02}} v={{i}} {{i * {HOUR} + 1}}", database="d"
            )
        print("written", flush=True)
        for k in range({HOURS}):
            c.enforce_retention(now=(k + 2) * {HOUR} + 1)
            print(k, flush=True)
        """
    )
    assert child.stdout is not None
    acknowledged = -1
    for line in child.stdout:  # bounded: one line per hour
        if line.strip() != "written":
            acknowledged = int(line)
        if acknowledged >= 4:
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=60)
    child.stdout.close()
    assert child.stderr is not None
    child.stderr.close()
    assert acknowledged >= 4

    c = influxpy.connect(f"duckdb://{path}?database=d", alias="reopened")
    results = c.query('SELECT v FROM d."short".m', database="d", epoch="ns")
    hours = [int(p["v"]) for r in results for p in r.points]
    assert hours == list(range(HOURS - len(hours), HOURS))
    assert len(hours) <= HOURS - (acknowledged + 1)
    tags = c.query('SHOW TAG VALUES FROM "short".m WITH KEY = "hour"', database="d")
    assert [p["value"] for r in tags for p in r.points] == [f"h{h:02}" for h in hours]


# -- a kill in the middle of continuous query runs ------------------------


def test_a_kill_in_the_middle_of_continuous_query_runs_keeps_whole_windows(path):
    """A continuous query averages each hour by host (five hosts) into
    another measurement; a child runs it hour after hour and is killed
    after the fifth run. Reopened, each hour has its five averages or
    none, every hour of an acknowledged run has them, and each is right."""
    hosts = 5
    child = _child(
        f"""
        import influxpy
        c = influxpy.connect("duckdb://{path}?database=d", alias="running")
        c.write_line_protocol(
            "\\n".join(
                f"m,host=h{{j % {hosts}}} v={{j}} {{j * {HOUR // 60}}}"
                for j in range({HOURS} * 60)
            ),
            database="d",
        )
        c.query(
            "CREATE CONTINUOUS QUERY cq ON d BEGIN SELECT mean(v) AS v "
            "INTO d.autogen.hourly FROM m GROUP BY time(1h), host END",
            database="d",
        )
        print("ready", flush=True)
        for k in range({HOURS}):
            c.run_continuous_queries(now=(k + 1) * {HOUR} + 1)
            print(k, flush=True)
        """
    )
    assert child.stdout is not None
    acknowledged = -1
    for line in child.stdout:  # bounded: one line per hour
        if line.strip() != "ready":
            acknowledged = int(line)
        if acknowledged >= 4:
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=60)
    child.stdout.close()
    assert child.stderr is not None
    child.stderr.close()
    assert acknowledged >= 4

    c = influxpy.connect(f"duckdb://{path}?database=d", alias="reopened")
    results = c.query("SELECT v FROM hourly GROUP BY host", database="d", epoch="ns")
    by_hour: dict[int, dict[str, float]] = {}
    for result in results:
        for point in result.points:
            by_hour.setdefault(point["time"] // HOUR, {})[result.tags["host"]] = point[
                "v"
            ]
    # The first run only starts the clock (no window closed since).
    assert set(range(1, acknowledged + 1)) <= set(by_hour)
    for hour, means in by_hour.items():
        assert len(means) == hosts
        for h in range(hosts):
            values = [j for j in range(hour * 60, hour * 60 + 60) if j % hosts == h]
            assert means[f"h{h}"] == sum(values) / len(values)


# -- a database named after the file --------------------------------------


def test_a_database_named_after_the_file_in_the_url(tmp_path):
    """``duckdb:///path/db.duckdb/d`` opens the file ``db.duckdb`` with
    database ``d`` (as ``influxdb://host/d`` names one), and so does
    ``duckdb://:memory:/d`` in memory; a directory called ``x.duckdb``
    keeps its files."""
    file = tmp_path / "db.duckdb"
    first = influxpy.connect(f"duckdb://{file}/d", alias="named")
    first.write_line_protocol("m v=1 1")
    first.close()
    assert file.is_file()
    again = influxpy.connect(f"duckdb://{file}?database=d", alias="named-again")
    [result] = again.query("SELECT v FROM m", database="d", epoch="ns")
    assert result.points == [{"time": 1, "v": 1.0}]
    again.close()
    memory = influxpy.connect("duckdb://:memory:/d", alias="named-memory")
    assert memory.path == ":memory:"
    assert memory.list_databases() == ["d"]
    memory.close()
    folder = tmp_path / "x.duckdb"
    folder.mkdir()
    inside = influxpy.connect(f"duckdb://{folder}/inner", alias="inside")
    assert inside.path == str(folder / "inner")
    assert inside.database == "influxpy"
    inside.close()


# -- a store that cannot grow ------------------------------------------------------


def test_a_write_the_file_cannot_hold_is_refused_whole_and_clearly(path):
    """A process whose files may not grow past 6 MB (as a full disk would
    stop them) writes 200,000-point calls until one fails: it fails with
    ``OperationalError`` naming the file and the cause, its ``written``
    counts the batches of that call already stored, nothing of the failed
    batch is kept, the answers there and after reopening count exactly the
    points stored, and the next small write goes in."""
    child = _child(
        f"""
        import json, resource, signal
        import influxpy
        from influxpy.exceptions import OperationalError
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        c = influxpy.connect("duckdb://{path}?database=d", alias="full")
        limit = 6_000_000
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        stored, error = 0, None
        for call in range(30):
            lines = [
                f"m,host=h{{i % 50}} v={{i}}.5,n={{call}}i {{call * 10**6 + i}}"
                for i in range(200_000)
            ]
            try:
                stored += c.write_lines(lines, batch_size=10_000)
            except OperationalError as exc:
                error = {{"text": str(exc), "written": exc.written}}
                stored += exc.written
                break
        counted = c.query("SELECT count(v), count(n) FROM m")[0].points[0]
        c.write_lines(["m,host=x v=1 5"])
        after = c.query("SELECT count(v) FROM m")[0].points[0]["count"]
        print(json.dumps({{"stored": stored, "error": error,
                          "counted": [counted["count"], counted["count_1"]],
                          "after": after}}))
        """
    )
    out, err = child.communicate(timeout=300)
    assert child.returncode == 0, err[-3000:]
    report = json.loads(out)
    error = report["error"]
    assert error is not None, "the limit was never reached"
    assert str(path) in error["text"]
    assert "File too large" in error["text"]
    assert error["written"] % 10_000 == 0
    stored = report["stored"]
    assert report["counted"] == [stored, stored]
    assert report["after"] == stored + 1
    c = influxpy.connect(f"duckdb://{path}?database=d", alias="after-full")
    assert c.query("SELECT count(v) FROM m")[0].points[0]["count"] == stored + 1


# -- a damaged file ------------------------------------------------------------


def _stored(path: Path) -> bytes:
    c = influxpy.connect(f"duckdb://{path}", alias="to-damage")
    c.write_lines(f"m,h=h{i % 50} v={i},w={i * 2} {i * 10**9}" for i in range(300_000))
    c.close()
    return path.read_bytes()


def test_a_file_cut_short_is_refused_as_damaged(path):
    data = _stored(path)
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InterfaceError) as raised:
        influxpy.connect(f"duckdb://{path}", alias="cut")
    text = str(raised.value)
    assert repr(str(path)) in text
    assert "The database file is damaged" in text
    assert "restore it from a copy" in text


@pytest.mark.parametrize("share", [0.3, 0.5, 0.7, 0.8])
def test_damaged_pages_are_named_at_open_or_in_the_query_that_reads_them(path, share):
    """DuckDB checks each block's checksum when it reads it: at open for
    the catalog's, in a query for the data's. Either way the error is
    influxpy's and says the file is damaged; a query that reads no damaged
    block answers right."""
    data = bytearray(_stored(path))
    at = int(len(data) * share) // 4096 * 4096
    data[at + 100 : at + 200] = b"\xff" * 100
    path.write_bytes(bytes(data))
    try:
        c = influxpy.connect(f"duckdb://{path}", alias=f"damaged-{share}")
    except InterfaceError as exc:
        refusal: str | None = str(exc)
    else:
        refusal = None
    if refusal is not None:
        assert "The database file is damaged" in refusal
        return
    failures: list[str] = []
    expected = {
        "SELECT count(v) FROM m": lambda points: points[0]["count"] == 300_000,
        "SELECT * FROM m": lambda points: len(points) == 300_000,
        "SELECT max(w) FROM m": lambda points: points[0]["max"] == 599_998,
    }
    for q, right in expected.items():
        try:
            found = c.query(q)
        except influxpy.exceptions.DatabaseError as exc:
            failures.append(str(exc))
            continue
        assert right(found[0].points), q
    for text in failures:
        assert "The database file is damaged" in text, text
    c.close()
