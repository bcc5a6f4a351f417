"""HTML for notebooks: the ``_repr_html_`` of QuerySets and results.

Every text that comes from a query, a model or a server (statements, names,
tag and field values, error messages) is escaped, so a stored value such as
``<script>`` shows as text and never becomes markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

__all__ = ["queryset_html", "result_html", "rows_table"]

#: Rows a notebook shows of a result or a QuerySet.
SHOWN_ROWS = 10


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def rows_table(rows: Sequence[Mapping[str, Any]], *, more: str = "") -> str:
    """An HTML table of dicts: one column per key, in first-seen order.

    *more* is a line below the table (how many rows are not shown).
    """
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    head = "".join(f"<th>{escape(str(name))}</th>" for name in columns)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{escape(_text(row.get(name)))}</td>" for name in columns)
        + "</tr>"
        for row in rows
    )
    parts = [
        '<table class="influxpy-rows">',
        f"<thead><tr>{head}</tr></thead>" if columns else "",
        f"<tbody>{body}</tbody>",
        "</table>",
    ]
    if not rows:
        parts.append('<p class="influxpy-empty">(no rows)</p>')
    if more:
        parts.append(f'<p class="influxpy-more">{escape(more)}</p>')
    return "".join(parts)


def _tags(tags: Mapping[str, str]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(tags.items()))


def result_html(
    name: str, tags: Mapping[str, str], points: Sequence[Mapping[str, Any]]
) -> str:
    """One series: its measurement and tags, then its first rows."""
    title = " ".join(part for part in (name, _tags(tags)) if part) or "result"
    shown = points[:SHOWN_ROWS]
    hidden = len(points) - len(shown)
    more = f"{hidden:,} more rows ({len(points):,} in all)" if hidden > 0 else ""
    return (
        '<div class="influxpy-result">'
        f"<p><strong>{escape(title)}</strong></p>"
        f"{rows_table(shown, more=more)}"
        "</div>"
    )


def queryset_html(
    model: str,
    influxql: str,
    *,
    sql: str | None = None,
    rows: Iterable[Mapping[str, Any]] = (),
    more: bool = False,
    error: str | None = None,
) -> str:
    """A QuerySet: its InfluxQL (and the engine's SQL), then its first rows.

    *more* says the query has rows beyond those shown; *error* replaces the
    rows when the query could not run.
    """
    parts = [
        '<div class="influxpy-queryset">',
        f"<p><strong>QuerySet {escape(model)}</strong></p>",
        f'<pre class="influxpy-influxql">{escape(influxql)}</pre>',
    ]
    if sql is not None:
        parts.append(
            "<details><summary>SQL run by the engine</summary>"
            f'<pre class="influxpy-sql">{escape(sql)}</pre></details>'
        )
    if error is not None:
        parts.append(f'<p class="influxpy-error">{escape(error)}</p>')
    else:
        shown = list(rows)
        hint = f"more rows: showing the first {len(shown)}" if more else ""
        parts.append(rows_table(shown, more=hint))
    parts.append("</div>")
    return "".join(parts)
