"""The conditions DELETE and DROP SERIES refuse, as influxd 1.6.7 does.

influxd's series index reads a condition's key as a field when a
measurement the statement deletes from has a field of that name (a field of
another measurement only does not count), and ``key = 1`` (a number or a
boolean) of any key; the statement then fails with ``fields not supported
in WHERE clause during deletion`` (naming a shard first, ``shard 2: …``)
and deletes nothing. Without a measurement to delete
from, nothing is refused. Each test runs on the server and on the engine
(``conn``).
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy

REFUSED = "fields not supported in WHERE clause during deletion"
SERIES = [["cpu,h=a"], ["mem,x=1"], ["other"]]


@pytest.fixture
def three(conn: str) -> Any:
    backend = influxpy.get_connection(conn)
    backend.write_lines(
        ["cpu,h=a f=1 10", "mem,x=1 g=2 20", "other q=1 946684800000000000"]
    )
    return backend


def _series(backend: Any) -> list[list[Any]]:
    (result,) = list(backend.statements("SHOW SERIES"))
    return [list(row) for s in result.series for row in s.values]


@pytest.mark.parametrize(
    "statement",
    [
        'DROP SERIES WHERE "f" = 1',
        'DROP SERIES WHERE "f"::field = 1',
        'DROP SERIES FROM cpu WHERE "q" = 1',
        'DROP SERIES FROM other WHERE "f" = 1',
        'DROP SERIES FROM /o/ WHERE "f" = 1',
        'DELETE FROM mem WHERE "q" = 1',
        'DROP SERIES WHERE "nope" = 1',
        'DROP SERIES WHERE "h" = 1',
        'DROP SERIES WHERE "h"::tag = 1',
        'DROP SERIES WHERE "nope" = true',
        'DELETE FROM cpu WHERE "h" = 1',
    ],
)
def test_a_condition_on_a_field_of_the_database_is_refused(
    three: Any, statement: str
) -> None:
    (result,) = list(three.statements(statement))
    assert result.error is not None
    assert result.error.endswith(REFUSED), result.error
    assert _series(three) == SERIES


@pytest.mark.parametrize(
    "statement",
    [
        "DROP SERIES WHERE \"h\" = 'zz'",
        "DROP SERIES WHERE \"nope\" = 'zz'",
        "DROP SERIES WHERE \"f\"::tag = 'zz'",
        "DROP SERIES FROM cpu WHERE \"g\" = 'zz'",  # g: a field of mem only
        "DELETE FROM mem WHERE \"f\" = 'zz'",  # f: a field of cpu only
        'DROP SERIES FROM nope WHERE "f" = 1',
        'DROP SERIES FROM /zz/ WHERE "f" = 1',
        'DELETE FROM nope WHERE "f" = 1',
    ],
)
def test_a_condition_on_tags_or_with_nothing_to_delete_from_runs(
    three: Any, statement: str
) -> None:
    (result,) = list(three.statements(statement))
    assert result.error is None, result.error
    assert _series(three) == SERIES


def test_quirk_a_text_condition_on_a_field_of_one_shard(three: Any, conn: str) -> None:
    """``g`` is a field of mem, whose points are in one shard group of the
    two: influxd refuses ``g = 'zz'`` or runs it, as its walk of the shards
    happens to go (seen both ways on the same data); the engine refuses it,
    as it refuses ``f = 1``. Either way nothing is deleted."""
    (result,) = list(three.statements("DROP SERIES WHERE \"g\" = 'zz'"))
    if "duckdb" in conn:
        assert result.error is not None
        assert result.error.endswith(REFUSED), result.error
    elif result.error is not None:
        assert result.error.endswith(REFUSED), result.error
    assert _series(three) == SERIES


def test_a_field_under_or_is_refused(three: Any) -> None:
    """Refused as well; influxd has then deleted in some shards already
    (here every series but mem's), which the engine does not copy: which
    shards go first is the server's walk order."""
    (result,) = list(three.statements('DROP SERIES WHERE "h" = \'a\' OR "f" = 1'))
    assert result.error is not None
    assert result.error.endswith(REFUSED), result.error
