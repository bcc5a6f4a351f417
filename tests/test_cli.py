"""The ``influxpy`` command, run as a subprocess against the real server.

Each test runs ``python -m influxpy`` (and one the installed ``influxpy``
console script) and checks the effect on the server or the embedded engine:
what was written, what was printed, and the exit code.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import influxpy
from _cli import database_of, one_line_error, rows, run
from _influxd import InfluxServer
from influxpy.introspection import get_introspection

#: Points with every type and every escape: names, keys and tag values with
#: commas, spaces, equals signs, quotes and backslashes; a string with a
#: newline; integers at the int64 limits; floats that need 17 digits.
TRICKY = [
    'cpu,host=a,region=eu count=3i,msg="hi, there",ok=true,usage=1.5 1000000000',
    "cpu,host=b count=-9223372036854775808i,usage=0.30000000000000004 2000000000",
    'cpu,host=b msg="multi\nline \\"quoted\\" \\\\ back",ok=false 3000000000',
    'cpu,host=c count=9223372036854775807i,msg="",usage=1e+300 4000000000',
    (
        "weird\\ name\\,x,tag\\=k=v\\,x\\ y field\\ key=-1.7976931348623157e+308 "
        "5000000000"
    ),
    'caf\u00e9,h\u00f4te=\u00e9t\u00e9 \u00e9=1.0,t="\u2603" 6000000000',
    "cpu,host=a usage=2.0000000000000004 1500000000123456789",
]


@pytest.fixture
def second_url(influx_server: InfluxServer) -> Iterator[str]:
    """A URL for another fresh database on the server."""
    name = f"test_{uuid.uuid4().hex[:8]}"
    influx_server.create_database(name)
    host = f"{influx_server.host}:{influx_server.port}"
    try:
        yield f"{influx_server.url_scheme}://{host}/{name}"
    finally:
        influx_server.drop_database(name)


def exported(url: str) -> set[str]:
    """The points of a database, exported as line protocol."""
    result = run("export", "--url", url)
    assert result.returncode == 0, result.stderr
    return set(_points(result.stdout))


def _points(text: str) -> list[str]:
    """Split exported line protocol into points (a string may hold a newline)."""
    points: list[str] = []
    for line in text.splitlines():
        if points and points[-1].count('"') % 2 == 1:
            points[-1] += "\n" + line
        else:
            points.append(line)
    return points


# -- the console script, ping and errors ------------------------------------------


def test_console_script_pings_the_server(influx_url: str):
    """The installed ``influxpy`` script answers with the server version."""
    script = shutil.which("influxpy")
    assert script is not None, "pip install -e . installs the influxpy script"
    result = run("ping", "--url", influx_url, program=[script])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(": 1.6.7~rc0")


def test_ping_uses_the_environment_and_the_embedded_engine(influx_url: str):
    """INFLUX_DATABASE_URL (then INFLUXDB_URL) is read; without it, the engine."""
    for variable in ("INFLUX_DATABASE_URL", "INFLUXDB_URL"):
        result = run("ping", env={variable: influx_url})
        assert result.returncode == 0, result.stderr
        assert "1.6.7" in result.stdout
    result = run("ping")
    assert result.returncode == 0
    assert "duckdb" in result.stdout


def test_errors_are_one_line_and_a_non_zero_exit_code(tmp_path: Path):
    """Bad URLs, unreachable servers and missing files fail readably."""
    line = one_line_error(run("ping", "--url", "nope://x/y"))
    assert "unknown scheme 'nope'" in line
    unreachable = run("ping", "--url", "influxdb://127.0.0.1:1/x?retries=0")
    assert "Cannot reach InfluxDB at http://127.0.0.1:1" in one_line_error(unreachable)
    secret = run("ping", "--url", "influxdb://u:hunter2@127.0.0.1:1/x?retries=0")
    assert "hunter2" not in secret.stderr
    missing = run("import", "--url", "duckdb://:memory:", str(tmp_path / "no.lp"))
    assert "Cannot read" in one_line_error(missing)
    missing_db = run("query", "--url", "duckdb://:memory:", "SHOW TAG KEYS ON nodb")
    assert missing_db.returncode == 1
    assert one_line_error(missing_db) == (
        "influxpy: Statement 0 of the query failed on the duckdb backend: "
        "database not found: nodb."
    )
    statement = run("query", "--url", "duckdb://:memory:")
    assert statement.returncode == 2


# -- query --------------------------------------------------------------------


def test_query_prints_tables_csv_json_and_line_protocol(
    influx_server: InfluxServer, influx_url: str
):
    """Each --format prints the same result its own way."""
    influx_server.write(
        "cpu,host=a usage=1.5,n=2i 1000000000\ncpu,host=b usage=2.5 2000000000",
        database_of(influx_url),
    )
    select = 'SELECT * FROM "cpu" GROUP BY *'
    table = run("query", "--url", influx_url, select)
    assert table.returncode == 0, table.stderr
    assert "cpu host=a" in table.stdout
    assert "1970-01-01T00:00:01Z" in table.stdout
    csv = run("query", "--url", influx_url, "--format", "csv", select)
    assert csv.stdout == (
        "measurement,time,host:tag,n,usage\n"
        '"cpu",1970-01-01T00:00:01Z,"a",2,1.5\n'
        '"cpu",1970-01-01T00:00:02Z,"b",,2.5\n'
    )
    line = run("query", "--url", influx_url, "--format", "line", select)
    assert line.stdout == (
        "cpu,host=a n=2i,usage=1.5 1000000000\ncpu,host=b usage=2.5 2000000000\n"
    )
    document = json.loads(
        run("query", "--url", influx_url, "--format", "json", select).stdout
    )
    assert document == [
        {
            "name": "cpu",
            "tags": {"host": "a"},
            "columns": ["time", "n", "usage"],
            "values": [["1970-01-01T00:00:01Z", 2, 1.5]],
        },
        {
            "name": "cpu",
            "tags": {"host": "b"},
            "columns": ["time", "n", "usage"],
            "values": [["1970-01-01T00:00:02Z", None, 2.5]],
        },
    ]
    keys = run("query", "--url", influx_url, "--format", "csv", "SHOW FIELD KEYS")
    assert keys.stdout == (
        "name,tags,fieldKey,fieldType\ncpu,,n,integer\ncpu,,usage,float\n"
    )
    no_time = run("query", "--url", influx_url, "--format", "line", "SHOW FIELD KEYS")
    assert "has no time column" in one_line_error(no_time)
    wrong = run("query", "--url", influx_url, "SELECT nope FROM")
    assert one_line_error(wrong).startswith("influxpy: error parsing query: found EOF")


# -- import -------------------------------------------------------------------


def test_import_writes_good_lines_and_reports_bad_ones(
    influx_server: InfluxServer, influx_url: str, tmp_path: Path
):
    """Bad lines are reported with their numbers; every good line is written."""
    path = tmp_path / "data.lp"
    path.write_text(
        "# a comment\n"
        "cpu,host=a v=1.5 1000000000\n"
        "cpu,host= v=1 2000000000\n"
        "\n"
        "cpu v=abc 3000000000\n"
        "cpu,host=b v=2i 4000000000\n"
        'cpu,host=c s="open\n'
        "still open 5000000000\n"
        "cpu,host=d v=4.5 6000000000\n"
    )
    result = run(
        "import",
        "--url",
        influx_url,
        "--precision",
        "ns",
        "--batch-size",
        "2",
        str(path),
    )
    assert result.returncode == 1
    # The quote opened on line 7 is never closed: lines 7 to 9 are one bad
    # point, as InfluxDB would read them.
    assert result.stdout == f"{path}: wrote 1 point, rejected 4 lines.\n"
    assert result.stderr.splitlines() == [
        f"{path}:3: the tag 'host' has no value: cpu,host= v=1 2000000000",
        f"{path}:5: it is not valid line protocol: cpu v=abc 3000000000",
        (
            f'{path}:6: field type conflict: input field "v" on measurement "cpu" '
            "is type integer, already exists as type float: cpu,host=b v=2i "
            "4000000000"
        ),
        (
            f'{path}:7: a string value is never closed: cpu,host=c s="open\\nstill '
            "open 5000000000\\ncpu,host=d v=4.5 6000000000"
        ),
    ]
    series = rows(influx_server, database_of(influx_url), 'SELECT * FROM "cpu"')
    assert series[0]["values"] == [[1_000_000_000, "a", 1.5]]


def test_import_keeps_good_lines_of_a_batch_the_server_refuses_whole(
    influx_server: InfluxServer, influx_url: str
):
    """A type conflict inside a batch for a new shard loses no good point."""
    result = run(
        "import",
        "--url",
        influx_url,
        "-",
        stdin="m v=1i 1\nm v=2.5 2\nm w=1 3\nm v=3i 4\n",
    )
    assert result.returncode == 1
    assert result.stdout == "stdin: wrote 3 points, rejected 1 line.\n"
    assert result.stderr.startswith("stdin:2: field type conflict")
    series = rows(influx_server, database_of(influx_url), 'SELECT * FROM "m"')
    assert series[0]["values"] == [[1, 1, None], [3, None, 1.0], [4, 3, None]]


def test_import_reads_csv_with_tags_and_a_time_unit(
    influx_server: InfluxServer, influx_url: str, tmp_path: Path
):
    """--measurement, --tag and --precision describe a plain CSV file."""
    path = tmp_path / "plain.csv"
    path.write_text(
        'time,host,load,note,count:float\n1,a,0.5,"7",3\n2,b,1.25,,\n3,c,x,y,z\n4\n'
    )
    result = run(
        "import",
        "--url",
        influx_url,
        "--measurement",
        "load",
        "--tag",
        "host",
        "--precision",
        "s",
        "--progress",
        str(path),
    )
    assert result.returncode == 1
    assert "wrote 2 points, rejected 2 lines." in result.stdout
    assert f"{path}:4: the column 'count': could not convert string to float" in (
        result.stderr
    )
    assert f"{path}:5: the row has 1 cells, the header 5: 4" in result.stderr
    body = influx_server.query(
        'SELECT * FROM "load" GROUP BY *', database_of(influx_url), epoch="s"
    )
    values = [(s["tags"], s["values"]) for s in body["results"][0]["series"]]
    assert values == [
        ({"host": "a"}, [[1, 3.0, 0.5, "7"]]),
        ({"host": "b"}, [[2, None, 1.25, None]]),
    ]
    fields = rows(influx_server, database_of(influx_url), "SHOW FIELD KEYS")
    assert fields[0]["values"] == [
        ["count", "float"],
        ["load", "float"],
        ["note", "string"],
    ]


def test_import_into_a_missing_database_fails_readably(influx_server: InfluxServer):
    """The error names the database and how to create it."""
    host = f"{influx_server.host}:{influx_server.port}"
    result = run("import", "--url", f"influxdb://{host}/nope_db", "-", stdin="m v=1\n")
    assert "The database 'nope_db' does not exist" in one_line_error(result)


# -- export and round trips ---------------------------------------------------


@pytest.mark.parametrize("fmt", ["line", "csv"])
def test_export_then_import_round_trips_exactly(
    influx_server: InfluxServer, influx_url: str, second_url: str, fmt: str
):
    """Every point comes back identical: types, digits, escapes and times."""
    influx_server.write("\n".join(TRICKY), database_of(influx_url))
    original = exported(influx_url)
    assert original == set(TRICKY) - {TRICKY[4], TRICKY[5]} | {
        # Fields come back sorted by key; the values are the same.
        (
            "weird\\ name\\,x,tag\\=k=v\\,x\\ y field\\ key=-1.7976931348623157e+308 "
            "5000000000"
        ),
        'caf\u00e9,h\u00f4te=\u00e9t\u00e9 t="\u2603",\u00e9=1.0 6000000000',
    }
    dump = run("export", "--url", influx_url, "--format", fmt)
    assert dump.returncode == 0, dump.stderr
    assert dump.stderr == "Exported 7 points.\n"
    loaded = run("import", "--url", second_url, "--format", fmt, "-", stdin=dump.stdout)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout == "stdin: wrote 7 points, rejected 0 lines.\n"
    assert exported(second_url) == original
    field_keys = rows(influx_server, database_of(second_url), "SHOW FIELD KEYS")
    types = {(s["name"], k, t) for s in field_keys for k, t in s["values"]}
    assert ("cpu", "count", "integer") in types
    assert ("cpu", "usage", "float") in types
    assert ("cpu", "ok", "boolean") in types


def test_export_and_import_on_the_embedded_engine(
    influx_server: InfluxServer, influx_url: str, tmp_path: Path
):
    """A server's points moved to an embedded file export identically."""
    influx_server.write("\n".join(TRICKY), database_of(influx_url))
    csv_path = tmp_path / "dump.csv"
    result = run("export", "--url", influx_url, "--format", "csv", "-o", str(csv_path))
    assert result.returncode == 0, result.stderr
    engine = f"duckdb:///{tmp_path}/engine.duckdb"
    loaded = run("import", "--url", engine, str(csv_path))
    assert loaded.returncode == 0, loaded.stderr
    assert exported(engine) == exported(influx_url)


def test_export_chooses_measurements_times_and_queries(
    influx_server: InfluxServer, influx_url: str
):
    """--measurement, --start/--end and --query narrow what is exported."""
    influx_server.write(
        "a v=1 1000000000\na v=2 2000000000\nb,t=x w=3i 3000000000",
        database_of(influx_url),
    )
    only_a = run("export", "--url", influx_url, "-m", "a", "--start", "2000000000")
    assert only_a.stdout == "a v=2.0 2000000000\n"
    before = run("export", "--url", influx_url, "--end", "1970-01-01T00:00:02Z")
    assert before.stdout == "a v=1.0 1000000000\n"
    query = run(
        "export",
        "--url",
        influx_url,
        "--query",
        'SELECT max("w") AS "w" FROM "b" GROUP BY *',
    )
    assert query.stdout == "b,t=x w=3i 3000000000\n"
    mixed = run("export", "--url", influx_url, "--query", "SELECT * FROM a", "-m", "a")
    assert "cannot be combined" in one_line_error(mixed)
    bad_time = run("export", "--url", influx_url, "--start", "yesterday")
    assert "--start" in one_line_error(bad_time)


# -- inspect and migrate ------------------------------------------------------


def test_inspect_prints_models_that_import_and_query(
    influx_server: InfluxServer, influx_url: str
):
    """The printed module runs, and its models read the stored points."""
    influx_server.write(
        'net,if=eth0 bytes\\ in=10i,up=true,name="x" 1000000000',
        database_of(influx_url),
    )
    result = run("inspect", influx_url, "--measurement", "net")
    assert result.returncode == 0, result.stderr
    assert "    if_tag = fields.InfluxTag(db_name='if')\n" in result.stdout
    assert "    bytes_in = fields.IntegerField(db_name='bytes in')\n" in result.stdout
    namespace: dict[str, Any] = {"__name__": "inspected"}
    exec(compile(result.stdout, "inspected", "exec"), namespace)
    backend = influxpy.connect(influx_url, alias="inspected")
    try:
        point = namespace["Net"].series.using("inspected").get()
        assert (point.if_tag, point.bytes_in, point.up, point.name) == (
            "eth0",
            10,
            True,
            "x",
        )
    finally:
        backend.close()
    missing = run("inspect", influx_url, "-m", "nope")
    assert "has no measurement 'nope'; it has: net" in one_line_error(missing)


MIGRATIONS = """
from influxpy import RetentionPolicy, fields, models
from influxpy.aggregates import Mean
from influxpy.durations import Day, Hour, Minute


class Reading(models.InfluxMeasurement):
    value = fields.FloatField()
    host = fields.InfluxTag()

    class Meta:
        retention_policies = [RetentionPolicy("raw", Day(7), default=True)]


class Hourly(models.InfluxMeasurement):
    measurement = "reading_1h"
    value = fields.FloatField()
    host = fields.InfluxTag()

    class Meta:
        retention_policy = RetentionPolicy("forever", None)


hourly = (
    Reading.series.annotate(value=Mean("value"))
    .resolution(Hour(1))
    .into(Hourly)
    .continuous_query("reading_1h", resample_every=Minute(10))
)
"""


def test_migrate_creates_policies_and_continuous_queries_once(
    influx_url: str, tmp_path: Path
):
    """migrate applies what a module declares; a second run changes nothing."""
    module = tmp_path / "migrations_example.py"
    module.write_text(MIGRATIONS)
    first = run("migrate", "--url", influx_url, str(module))
    assert first.returncode == 0, first.stderr
    database = database_of(influx_url)
    assert first.stdout.splitlines() == [
        f"Created retention policy 'forever' on {database!r}.",
        f"Created retention policy 'raw' on {database!r}.",
        "Created continuous query 'reading_1h'.",
    ]
    again = run("migrate", "--url", influx_url, str(module))
    assert again.stdout == "Nothing to do: the schema is up to date.\n"
    replaced = run("migrate", "--url", influx_url, "--replace", str(module))
    assert replaced.stdout == "Replaced continuous query 'reading_1h'.\n"
    backend = influxpy.connect(influx_url, alias="migrated")
    try:
        intro = get_introspection(backend)
        assert intro.default_retention_policy() == "raw"
        assert [c.name for c in intro.continuous_queries()] == ["reading_1h"]
    finally:
        backend.close()
    dotted = run(
        "migrate",
        "--url",
        influx_url,
        "migrations_example",
        env={"PYTHONPATH": str(tmp_path)},
    )
    assert dotted.stdout == "Nothing to do: the schema is up to date.\n"
    missing = run("migrate", "--url", influx_url, "no_such_module_here")
    assert "Cannot import the module 'no_such_module_here'" in one_line_error(missing)
    # The embedded engine stores the continuous query in its file and runs it.
    engine_url = f"duckdb:///{tmp_path / 'migrated.duckdb'}"
    embedded = run("migrate", "--url", engine_url, str(module))
    assert embedded.returncode == 0, embedded.stderr
    assert embedded.stdout.splitlines()[-1] == "Created continuous query 'reading_1h'."
    again = run("migrate", "--url", engine_url, str(module))
    assert again.stdout == "Nothing to do: the schema is up to date.\n"
    backend = influxpy.connect(engine_url, alias="migrated-engine")
    try:
        listed = get_introspection(backend).continuous_queries()
        assert [c.name for c in listed] == ["reading_1h"]
        # No points yet: whatever run is due writes nothing.
        assert all(r.written == 0 for r in backend.run_continuous_queries())
    finally:
        backend.close()


# -- in the test process (the same commands, measured by coverage) ---------------


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Iterator[Any]:
    """Run ``influxpy.cli.main`` here and return (exit code, stdout, stderr)."""
    from influxpy.cli import main

    def invoke(*args: str) -> tuple[int, str, str]:
        # Each run opens its own connection, as a new process would; the
        # embedded engine cannot yet open one file twice in a process.
        influxpy.connections.close_all()
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    try:
        yield invoke
    finally:
        influxpy.connections.close_all()


def test_commands_in_process_on_an_embedded_file(cli: Any, tmp_path: Path):
    """import, export, inspect, migrate and ping on an embedded database file."""
    url = f"duckdb:///{tmp_path}/cli.duckdb"
    points = tmp_path / "points.lp"
    points.write_text("\n".join(TRICKY[:4]) + "\ncpu,host= v=1 1\n")
    code, out, err = cli(
        "import", "--url", url, "--precision", "ns", "--batch-size", "2", str(points)
    )
    assert (code, out) == (1, f"{points}: wrote 4 points, rejected 1 line.\n")
    # The third point holds a newline, so the bad one is on line 6; the
    # engine reads bodies as InfluxDB does and gives the server's reason.
    assert err == f"{points}:6: missing tag value: cpu,host= v=1 1\n"
    code, out, err = cli("export", "--url", url, "--format", "csv")
    assert code == 0
    assert out.startswith("measurement,time,host:tag,region:tag,count,msg,ok,usage\n")
    assert err == "Exported 4 points.\n"
    dump = tmp_path / "dump.lp"
    assert cli("export", "--url", url, "-o", str(dump), "-m", "cpu")[0] == 0
    assert set(_points(dump.read_text())) == set(TRICKY[:4])
    code, out, _ = cli("inspect", "--url", url)
    assert "class Cpu(models.InfluxMeasurement):" in out
    module = tmp_path / "cli_models.py"
    module.write_text(
        "from influxpy import RetentionPolicy, fields, models\n"
        "from influxpy.durations import Day\n\n"
        "class Kept(models.InfluxMeasurement):\n"
        "    v = fields.FloatField()\n\n"
        "    class Meta:\n"
        "        retention_policy = RetentionPolicy('kept', Day(3))\n"
    )
    code, out, _ = cli("migrate", "--url", url, str(module))
    assert (code, out) == (0, "Created retention policy 'kept' on 'influxpy'.\n")
    code, out, _ = cli("ping", "--url", url)
    assert code == 0
    assert out.startswith(f"{url}: duckdb ")


def test_command_errors_in_process(cli: Any, tmp_path: Path):
    """Usage mistakes and store errors are one line each."""
    code, _, err = cli("query", "--url", "duckdb://:memory:", "SELEC 1")
    assert (code, err) == (
        1,
        (
            "influxpy: error parsing query: found SELEC, expected SELECT, DELETE, "
            "SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, "
            "char 1\n"
        ),
    )
    code, _, err = cli("import", "--url", "duckdb://:memory:", str(tmp_path / "no"))
    assert code == 1
    assert err.startswith("influxpy: Cannot read ")
    bad = tmp_path / "bad.csv"
    bad.write_text("time,v\n1,2\n")
    code, _, err = cli("import", "--url", "duckdb://:memory:", str(bad))
    assert (code, err) == (
        1,
        (
            "influxpy: The CSV header has no 'measurement' column; name the "
            "measurement with --measurement.\n"
        ),
    )
    code, _, err = cli("migrate", "--url", "duckdb://:memory:", str(bad))
    assert (code, err) == (
        2,
        f"influxpy: Cannot load models from {str(bad)!r}: no such Python file.\n",
    )
    code, _, err = cli(
        "export", "--url", "duckdb://:memory:", "--query", "SELECT v FROM nodb..m"
    )
    assert (code, err) == (
        1,
        (
            "influxpy: Statement 0 of the query failed on the duckdb backend: "
            "database not found: nodb.\n"
        ),
    )
    code, _, err = cli("import", "--url", "duckdb://:memory:", "--batch-size", "0")
    assert code == 2
    assert "--batch-size" in err


def test_query_and_export_on_an_embedded_file(cli: Any, tmp_path: Path) -> None:
    """``query`` and ``export --query`` run InfluxQL text on the engine."""
    url = f"duckdb:///{tmp_path}/text.duckdb"
    lines = tmp_path / "m.lp"
    lines.write_text("m,t=a v=1.5 1000000000\nm,t=b v=2.5 2000000000\n")
    assert cli("import", "--url", url, str(lines))[0] == 0
    code, out, _ = cli(
        "query", "--url", url, "--format", "json", "SHOW TAG KEYS; SHOW DATABASES"
    )
    assert (code, json.loads(out)) == (
        0,
        [
            {"name": "m", "tags": {}, "columns": ["tagKey"], "values": [["t"]]},
            {
                "name": "databases",
                "tags": {},
                "columns": ["name"],
                "values": [["influxpy"]],
            },
        ],
    )
    code, out, _ = cli("query", "--url", url, "--format", "csv", "SELECT v FROM m")
    assert (code, out) == (
        0,
        'measurement,time,v\n"m",1970-01-01T00:00:01Z,1.5\n"m",1970-01-01T00:00:02Z,2.5\n',
    )
    code, out, _ = cli(
        "export", "--url", url, "--query", "SELECT * FROM m WHERE t = 'b' GROUP BY *"
    )
    assert (code, out) == (0, "m,t=b v=2.5 2000000000\n")


def test_query_formats_in_process(
    cli: Any, influx_server: InfluxServer, influx_url: str
):
    """Each output format, measured in process."""
    influx_server.write("m,t=a v=1.5 1000000000", database_of(influx_url))
    code, out, _ = cli("query", "--url", influx_url, 'SELECT * FROM "m" GROUP BY *')
    assert code == 0
    assert "m t=a" in out
    code, out, _ = cli(
        "query", "--url", influx_url, "--format", "json", "SHOW TAG KEYS"
    )
    assert json.loads(out) == [
        {"name": "m", "tags": {}, "columns": ["tagKey"], "values": [["t"]]}
    ]
    code, out, _ = cli("query", "--url", influx_url, 'SELECT * FROM "nothing"')
    assert out == "(no rows)\n"
    code, out, _ = cli(
        "export", "--url", influx_url, "--query", 'SELECT * FROM "m" GROUP BY *'
    )
    assert out == "m,t=a v=1.5 1000000000\n"
