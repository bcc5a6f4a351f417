"""Notebook display: ``_repr_html_()`` of QuerySets and results.

The HTML is parsed with ``html.parser``: the statement, the table's header
and cells are read back as text, and a stored value that looks like markup
(``<script>``) must come back as text, never as a tag. Runs on the real
InfluxDB and on the engine (the ``conn`` fixture).
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from conformance._common import Reading, at
from influxpy.aggregates import Mean
from influxpy.durations import Minute

EVIL = '<script>alert("x")</script>&amp;'


class Page(HTMLParser):
    """The tags, the text of each ``pre``, and the table rows of a page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.pre: list[str] = []
        self.rows: list[list[str]] = []
        self.paragraphs: list[str] = []
        self._cell: list[str] | None = None
        self._in: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("pre", "p"):
            self._in = tag
            (self.pre if tag == "pre" else self.paragraphs).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None
        elif tag in ("pre", "p"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._in == "pre":
            self.pre[-1] += data
        elif self._in == "p":
            self.paragraphs[-1] += data


def seed(conn: str, count: int = 3) -> Any:
    qs = Reading.series.using(conn)
    qs.bulk_create(
        Reading(time=at(k), v=float(k), s=EVIL, host=EVIL if k == 0 else "b")
        for k in range(count)
    )
    return qs


def test_queryset_shows_its_influxql_and_first_rows(conn: str) -> None:
    qs = seed(conn).filter(v__gte=0.0)
    page = Page(qs._repr_html_())
    assert "script" not in page.tags
    assert page.pre[0] == str(qs.query)
    header, *rows = page.rows
    assert header == ["time", "host", "s", "v"]
    assert len(rows) == 3
    assert rows[0][header.index("host")] == EVIL
    assert rows[0][header.index("s")] == EVIL
    assert rows[2][header.index("v")] == "2.0"
    assert rows[0][0] == "2020-01-01T00:00:00+00:00"
    assert not any("more rows" in p for p in page.paragraphs)


def test_engine_also_shows_its_sql(conn: str) -> None:
    qs = seed(conn)
    page = Page(qs._repr_html_())
    if conn.endswith("duckdb"):
        assert len(page.pre) == 2
        assert str(qs.compile()) == page.pre[1]
    else:
        assert len(page.pre) == 1


def test_more_rows_hint(conn: str) -> None:
    qs = seed(conn, count=12)
    page = Page(qs._repr_html_())
    assert len(page.rows) == 1 + 10
    assert any("more rows" in p for p in page.paragraphs)
    # Exactly the rows shown: no hint.
    page = Page(qs[:10]._repr_html_())
    assert len(page.rows) == 1 + 10
    assert not any("more rows" in p for p in page.paragraphs)


def test_aggregate_and_empty_querysets(conn: str) -> None:
    qs = seed(conn)
    page = Page(qs.annotate(Mean("v")).group_by("host")._repr_html_())
    header, *rows = page.rows
    assert header == ["time", "mean", "host"]
    assert sorted(r[2] for r in rows) == [EVIL, "b"]
    empty = Page(qs.none()._repr_html_())
    assert "(no rows)" in empty.paragraphs


def test_repr_stays_lazy(conn: str) -> None:
    # No query runs for repr(): a backend that is not reachable is not asked.
    qs = Reading.series.using("no-such-alias")
    assert repr(qs).startswith("<QuerySet Reading series: SELECT")
    page = Page(qs._repr_html_())
    assert page.pre == [str(qs.query)]
    assert any("could not run" in p for p in page.paragraphs)


def test_a_query_that_cannot_compile_is_shown_as_such() -> None:
    qs = Reading.series.resolution(Minute(1))
    page = Page(qs._repr_html_())
    assert any("Cannot compile: resolution()" in p for p in page.paragraphs)


def test_result_html(conn: str) -> None:
    qs = seed(conn, count=12)
    results = list(qs.group_by("host"))
    assert [r.tags["host"] for r in results] == [EVIL, "b"]
    page = Page(results[0]._repr_html_())
    assert "script" not in page.tags
    assert page.paragraphs[0] == f"conformance host={EVIL}"
    assert page.rows[1][page.rows[0].index("s")] == EVIL
    long = Page(results[1]._repr_html_())
    assert len(long.rows) == 1 + 10
    assert "1 more rows (11 in all)" in long.paragraphs


@pytest.mark.parametrize("value", [EVIL, "a & b", "'quoted'"])
def test_rows_table_escapes_keys_and_values(value: str) -> None:
    from influxpy._html import rows_table

    page = Page(rows_table([{value: value}]))
    assert page.rows == [[value], [value]]
    assert page.tags == ["table", "thead", "tr", "th", "tbody", "tr", "td"]
