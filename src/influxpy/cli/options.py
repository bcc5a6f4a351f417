"""Options that several commands of ``influxpy`` take, and option parsers."""

from __future__ import annotations

import click

__all__ = [
    "database_option",
    "delimiter_option",
    "progress_option",
    "time_option",
    "url_option",
]

url_option = click.option(
    "--url",
    envvar=["INFLUX_DATABASE_URL", "INFLUXDB_URL"],
    help="Database URL (default: INFLUX_DATABASE_URL, else the embedded engine).",
)

database_option = click.option(
    "--database",
    "-d",
    help="Database to use (default: the one in the URL).",
)

progress_option = click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on stderr (default: when it is a terminal).",
)


def delimiter_option(
    _context: click.Context, _param: click.Parameter, value: str | None
) -> str | None:
    """``--delimiter``: one character; ``tab`` or ``\\t`` name a tab."""
    if value is None:
        return None
    value = "\t" if value in ("tab", "\\t") else value
    if len(value) != 1 or value in '"\r\n':
        msg = (
            f"{value!r} is not a delimiter: give one character other than a "
            "quote or a newline, such as ';', '|' or tab."
        )
        raise click.BadParameter(msg)
    return value


def time_option(option: str, value: str | None) -> int | None:
    """The time given to *option*: integer nanoseconds, or text ``to_ns`` reads."""
    from influxpy._utils import to_ns

    if value is None:
        return None
    try:
        return int(value) if value.lstrip("-").isdigit() else to_ns(value)
    except (TypeError, ValueError) as exc:
        msg = f"{exc}."
        raise click.BadParameter(msg, param_hint=option) from None
