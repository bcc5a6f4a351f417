"""The ``influxpy`` command (the ``cli`` extra).

``demo``, ``ping``, ``query`` (InfluxQL text, printed as a table, CSV, JSON
or line protocol), ``import`` and ``export`` (line protocol and CSV, see
``influxpy._transfer`` and ``influxpy._export``), ``inspect`` (model
classes for an existing database), ``migrate`` (create what models
declare) and ``serve`` (InfluxDB 1.x's HTTP API on the embedded engine,
the ``serve`` extra, ``influxpy.cli.serve``). ``--url`` or the
environment (``INFLUX_DATABASE_URL``, then ``INFLUXDB_URL``) picks the
database; without either, the embedded engine in memory.
``influxpy.__main__`` is the entry point; it reports a missing extra.

Errors are one readable line and a non-zero exit code, with any password
of the URL hidden; ``influxpy --traceback`` adds the traceback.

The commands are module-level ``click`` commands, each importable and
runnable alone: ``influxpy.cli.admin`` (``demo``, ``ping``),
``influxpy.cli.query``, ``influxpy.cli.transfer`` (``import_``,
``export``) and ``influxpy.cli.schema`` (``inspect``, ``migrate``).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence

import click

from influxpy.cli import admin, query, schema, serve, transfer
from influxpy.cli._common import URLS_SEEN, Exit, Session
from influxpy.cli._output import scrub, url_secrets
from influxpy.exceptions import InfluxpyError

__all__ = ["cli", "main"]


@click.group(help="influxpy: time series for humans and robots.")
@click.version_option(package_name="influxpy-orm")
@click.option(
    "--traceback",
    "show_traceback",
    is_flag=True,
    help="On an error, print the Python traceback too (for bug reports).",
)
@click.pass_obj
def cli(run: Session, show_traceback: bool) -> None:
    """The ``influxpy`` group: its options apply to every command."""
    run.traceback = show_traceback


for _command in (
    admin.demo,
    admin.ping,
    query.query,
    transfer.import_,
    transfer.export,
    schema.inspect,
    schema.migrate,
    serve.serve,
):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``influxpy`` command line; return the exit code."""
    run = Session()
    error_console = run.error_console
    URLS_SEEN.clear()

    def fail(text: str, exc: BaseException | None = None) -> None:
        secrets = [t for url in URLS_SEEN for t in url_secrets(url)]
        if exc is not None and run.traceback:
            trace = "".join(traceback.format_exception(exc))
            error_console.file.write(scrub(trace, secrets))
        # One line, however long, never read as rich markup, with no secret.
        line = " ".join(scrub(text, secrets).splitlines())
        error_console.print(
            f"influxpy: {line}", markup=False, highlight=False, soft_wrap=True
        )

    try:
        cli.main(
            args=list(argv) if argv is not None else None,
            standalone_mode=False,
            obj=run,
        )
    except click.exceptions.Abort:
        return 130
    except Exit as exc:
        return exc.code
    except BrokenPipeError:
        # The reader went away (``influxpy export | head``): stop quietly.
        sys.stderr.close()
        return 1
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        fail(f"{exc.strerror or exc}{where}.", exc)
        return 1
    except click.ClickException as exc:
        fail(exc.format_message())
        return int(exc.exit_code)
    except (InfluxpyError, ValueError) as exc:
        # influxpy's errors, and values the standard library refuses.
        fail(str(exc), exc)
        return 1
    except Exception as exc:
        # A bug: one line, with the traceback only when asked for.
        hint = (
            "" if run.traceback else " Run influxpy --traceback <command> to see where."
        )
        fail(f"Unexpected {type(exc).__name__}: {exc}.{hint}", exc)
        return 1
    return 0
