"""``influxpy import`` and ``export``: time units, CSV delimiters, missing things.

Run as subprocesses against the real server and, where the behaviour is the
store's, an embedded database file too; what was written is read back with
``influxpy export`` (line protocol, times in nanoseconds).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from _cli import database_of, one_line_error, rows, run
from _influxd import InfluxServer

#: 2024-01-01T00:00:00Z in seconds, and in nanoseconds.
NEW_YEAR = 1_704_067_200
NEW_YEAR_NS = NEW_YEAR * 1_000_000_000


@pytest.fixture(params=["influxdb", "duckdb"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The server's fresh test database, then an embedded database file."""
    if request.param == "influxdb":
        return str(request.getfixturevalue("influx_url"))
    return f"duckdb:///{tmp_path}/store.duckdb"


def exported(url: str, *args: str) -> str:
    result = run("export", "--url", url, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


# -- --precision --------------------------------------------------------------


def test_precision_scales_integer_times_only(store_url: str, tmp_path: Path):
    """RFC 3339 times are exact; --precision applies to epoch integers only."""
    path = tmp_path / "mixed.csv"
    path.write_text(
        "measurement,time,v\n"
        "m,2024-01-01T00:00:00Z,1.5\n"
        f"m,{NEW_YEAR + 1},2.5\n"
        "m,2024-01-01T00:00:02.5Z,3.5\n"
    )
    result = run("import", "--url", store_url, "--precision", "s", str(path))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"{path}: wrote 3 points, rejected 0 lines.\n"
    assert exported(store_url) == (
        f"m v=1.5 {NEW_YEAR_NS}\n"
        f"m v=2.5 {NEW_YEAR_NS + 1_000_000_000}\n"
        f"m v=3.5 {NEW_YEAR_NS + 2_500_000_000}\n"
    )
    lines = run(
        "import",
        "--url",
        store_url,
        "--precision",
        "ms",
        "-",
        stdin=f"n v=1 {NEW_YEAR * 1000 + 5}\n",
    )
    assert lines.returncode == 0, lines.stderr
    assert exported(store_url, "-m", "n") == f"n v=1.0 {NEW_YEAR_NS + 5_000_000}\n"


@pytest.mark.parametrize(
    ("stamp", "unit", "name"),
    [
        (NEW_YEAR, "s", "seconds"),
        (NEW_YEAR * 1_000, "ms", "milliseconds"),
        (NEW_YEAR * 1_000_000, "us", "microseconds"),
    ],
)
def test_integer_times_too_small_for_nanoseconds_warn(
    influx_server: InfluxServer, influx_url: str, stamp: int, unit: str, name: str
):
    """Epoch seconds read as nanoseconds land in 1970: one warning line says so."""
    result = run("import", "--url", influx_url, "-", stdin=f"m v=1 {stamp}\n")
    assert result.returncode == 0
    assert result.stdout == "stdin: wrote 1 point, rejected 0 lines.\n"
    [warning] = result.stderr.splitlines()
    assert warning.startswith(f"influxpy: warning: stdin:1: the time {stamp} is 1970-")
    assert warning.endswith(
        f"in nanoseconds (the default); if the times are {name}, pass "
        f"--precision {unit}."
    )
    # The point is written as told: the warning changes nothing.
    series = rows(influx_server, database_of(influx_url), 'SELECT * FROM "m"')
    assert series[0]["values"] == [[stamp, 1.0]]


def test_no_warning_for_nanoseconds_rfc3339_or_an_explicit_unit(
    influx_url: str, tmp_path: Path
):
    """Plausible nanoseconds, RFC 3339 times in 1970 and --precision ns are quiet."""
    plausible = run("import", "--url", influx_url, "-", stdin=f"m v=1 {NEW_YEAR_NS}\n")
    assert (plausible.returncode, plausible.stderr) == (0, "")
    told = run(
        "import",
        "--url",
        influx_url,
        "--precision",
        "ns",
        "-",
        stdin=f"m v=2 {NEW_YEAR}\n",
    )
    assert (told.returncode, told.stderr) == (0, "")
    path = tmp_path / "early.csv"
    path.write_text("measurement,time,v\ne,1970-01-01T00:00:01Z,3\n")
    early = run("import", "--url", influx_url, str(path))
    assert (early.returncode, early.stderr) == (0, "")


# -- CSV delimiters -----------------------------------------------------------


@pytest.mark.parametrize(
    ("delimiter", "option"),
    [(";", None), ("|", None), ("\t", None), ("\t", "tab"), (";", ";")],
)
def test_csv_delimiter_is_found_or_given(
    store_url: str, tmp_path: Path, delimiter: str, option: str | None
):
    """A semicolon, pipe or tab CSV is read column by column, not as one field."""
    header = ["measurement", "time", "host:tag", "load", "note"]
    row = ["cpu", "2024-01-01T00:00:00Z", "a", "0.5", '"x,y"']
    path = tmp_path / "data.csv"
    path.write_text(delimiter.join(header) + "\n" + delimiter.join(row) + "\n")
    given = ["--delimiter", option] if option else []
    result = run("import", "--url", store_url, *given, str(path))
    assert (result.returncode, result.stderr) == (0, "")
    assert exported(store_url) == f'cpu,host=a load=0.5,note="x,y" {NEW_YEAR_NS}\n'


def test_an_unclear_or_bad_delimiter_is_refused(influx_url: str, tmp_path: Path):
    """A header with as many commas as semicolons is refused, with the way out."""
    path = tmp_path / "unclear.csv"
    path.write_text("measurement,time;v\nm,1;2\n")
    result = run("import", "--url", influx_url, str(path))
    assert one_line_error(result) == (
        "influxpy: The CSV header has 1 each of commas and semicolons, so which "
        "one separates the columns is unclear; name it with --delimiter."
    )
    # Told commas, the importer reads a field named "time;v" (and no time).
    told = run("import", "--url", influx_url, "--delimiter", ",", str(path))
    assert (told.returncode, told.stderr) == (0, "")
    assert exported(influx_url).startswith('m time;v="1;2" ')
    for bad in ("ab", '"', ""):
        wrong = run("import", "--url", influx_url, "--delimiter", bad, str(path))
        assert wrong.returncode == 2
        assert "is not a delimiter" in one_line_error(wrong)


# -- a missing database or measurement --------------------------------------------


def test_import_into_a_missing_database_says_how_to_create_it(
    influx_server: InfluxServer,
):
    """The error offers --create-database, which creates it and writes."""
    host = f"{influx_server.host}:{influx_server.port}"
    url = f"influxdb://{host}/cli_created_db"
    missing = run("import", "--url", url, "-", stdin="m v=1 1\n")
    line = one_line_error(missing)
    assert line.startswith("influxpy: The database 'cli_created_db' does not exist")
    assert "pass --create-database to create it" in line
    assert 'CREATE DATABASE "cli_created_db"\'' in line
    try:
        created = run(
            "import", "--url", url, "--create-database", "-", stdin="m v=1 1\n"
        )
        assert created.returncode == 0, created.stderr
        assert created.stdout == "stdin: wrote 1 point, rejected 0 lines.\n"
        assert rows(influx_server, "cli_created_db", 'SELECT * FROM "m"') == [
            {"name": "m", "columns": ["time", "v"], "values": [[1, 1.0]]}
        ]
        again = run("import", "--url", url, "--create-database", "-", stdin="m v=2 2\n")
        assert again.returncode == 0, again.stderr
    finally:
        influx_server.drop_database("cli_created_db")


def test_export_of_a_missing_measurement_fails(store_url: str, tmp_path: Path):
    """-m names what is not there: the error lists what is, and the exit is 2."""
    loaded = run("import", "--url", store_url, "-", stdin="cpu v=1 1\ndisk v=2 2\n")
    assert loaded.returncode == 0, loaded.stderr
    output = tmp_path / "out.lp"
    typo = run("export", "--url", store_url, "-m", "cpux", "-o", str(output))
    assert typo.returncode == 2
    database = "influxpy" if store_url.startswith("duckdb") else database_of(store_url)
    assert one_line_error(typo) == (
        f"influxpy: The database {database!r} has no measurement 'cpux'; it has: "
        "cpu, disk. Did you mean 'cpu'?"
    )
    assert not output.exists()
    other = run("export", "--url", store_url, "-m", "cpu", "-m", "zzz")
    assert other.returncode == 2
    assert one_line_error(other).endswith("no measurement 'zzz'; it has: cpu, disk.")
    assert other.stdout == ""
