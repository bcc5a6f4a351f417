"""Each command of ``influxpy`` is a module-level ``click`` command.

A command can be imported from its module and run on its own, without the
``influxpy`` group around it; the group is made of exactly these commands.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

import influxpy

#: Where each command lives: (module, attribute, the name typed on the line).
COMMANDS = [
    ("influxpy.cli.admin", "demo", "demo"),
    ("influxpy.cli.admin", "ping", "ping"),
    ("influxpy.cli.query", "query", "query"),
    ("influxpy.cli.transfer", "import_", "import"),
    ("influxpy.cli.transfer", "export", "export"),
    ("influxpy.cli.schema", "inspect", "inspect"),
    ("influxpy.cli.schema", "migrate", "migrate"),
    ("influxpy.cli.serve", "serve", "serve"),
]


@pytest.fixture(autouse=True)
def _closed() -> Iterator[None]:
    """Each run opens its own connection, as a new process would."""
    influxpy.connections.close_all()
    yield
    influxpy.connections.close_all()


@pytest.mark.parametrize(("module", "attribute", "name"), COMMANDS)
def test_each_command_is_importable_as_a_function(
    module: str, attribute: str, name: str
):
    """The command is a module-level function that the group adds as is."""
    from influxpy.cli import cli

    command = getattr(importlib.import_module(module), attribute)
    assert isinstance(command, click.Command)
    assert command.name == name
    assert callable(command.callback)
    assert command.callback.__doc__
    assert cli.commands[name] is command


def test_the_group_has_no_other_command():
    """Every command of the group is one of the commands above."""
    from influxpy.cli import cli

    assert sorted(cli.commands) == sorted(name for *_, name in COMMANDS)


def test_ping_runs_alone(capsys: pytest.CaptureFixture[str]):
    """``ping`` runs without the group, on the embedded engine."""
    from influxpy.cli.admin import ping

    ping.main(["--url", "duckdb://:memory:"], standalone_mode=False)
    assert capsys.readouterr().out.startswith("duckdb://:memory:: ")


def test_query_runs_alone(capsys: pytest.CaptureFixture[str], influx_url: str):
    """``query`` runs without the group and prints with a console of its own."""
    from influxpy.cli.query import query

    query.main(
        ["--url", influx_url, "--format", "json", "SHOW DATABASES"],
        standalone_mode=False,
    )
    out = capsys.readouterr().out
    assert out.startswith('[{"name": "databases"')


def test_a_command_alone_raises_its_usage_error():
    """Alone, a refused command raises ``click.UsageError`` to its caller."""
    from influxpy.cli.transfer import export

    with pytest.raises(click.UsageError, match="cannot be combined with"):
        export.main(
            ["--url", "duckdb://:memory:", "--query", "SELECT * FROM m", "-m", "m"],
            standalone_mode=False,
        )


def test_export_runs_alone(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    """``export`` runs without the group (its progress bar on its own console)."""
    from influxpy.cli.transfer import export, import_

    url = f"duckdb:///{tmp_path}/alone.duckdb"
    source = f"{tmp_path}/in.lp"
    with open(source, "w", encoding="utf-8") as file:
        file.write("cpu,host=a usage=1.5 1000000000\n")
    import_.main(["--url", url, source], standalone_mode=False)
    influxpy.connections.close_all()
    export.main(["--url", url, "--no-progress"], standalone_mode=False)
    captured = capsys.readouterr()
    assert "cpu,host=a usage=1.5 1000000000\n" in captured.out
    assert "Exported 1 point." in captured.err
