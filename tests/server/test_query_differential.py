"""Differential test on whole ``/query`` requests: ``influxpy serve``
against influxd 1.6.7.

Where ``test_differential_text`` draws one statement and compares the
JSON answer, this draws a request: one to three statements separated by
``;`` (SELECTs and subqueries from that module's generator, SHOW statements
with ``FROM``, ``WHERE``, ``WITH KEY`` in all its forms, ``LIMIT`` and
``OFFSET``, cardinalities, statements with ``$name`` placeholders, and text
cut short so that it does not parse), with bound ``params``, ``epoch``,
``chunked`` with ``chunk_size``, ``pretty``, and a JSON, CSV or msgpack
``Accept``, sent by GET (URL parameters) or POST (form body). Status,
content type and body must be equal: JSON documents parsed (one per line
when chunked), msgpack decoded, CSV byte for byte. The message of a
parse error (``error parsing query: found X, expected Y at line 1, char
N``) must be influxd's exactly; a statement's own error only has to be
there on both sides (the engine words some of its own).

The number of examples and the seed are ``test_differential_text``'s
(``INFLUXPY_DIFF_TEXT_EXAMPLES``, ``INFLUXPY_DIFF_TEXT_SEED``; ``-s``
prints the seed).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import msgpack
import orjson
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from test_differential_text import EXAMPLES, SEED, endpoints, selects, subqueries

__all__ = ["endpoints"]  # the fixture, shared with test_differential_text

SHOW_SOURCES = ["", " FROM cpu", " FROM cpu, mem", " FROM /d|n/", " FROM nope"]
SHOW_WHERES = [
    "",
    " WHERE host = 'a'",
    " WHERE host != 'a'",
    " WHERE region =~ /x|y/",
    " WHERE dev = 'sda' OR host = 'c'",
    " WHERE host = 'a' AND region = 'y'",
    " WHERE v = 'tagged'",
]
KEYS = [
    "= host",
    "!= host",
    "=~ /o|e/",
    "!~ /o/",
    "IN (host, region)",
    'IN ("dev", v, nope)',
    "= core",
]

#: (condition, the params that may be bound to it; None binds nothing).
PLACEHOLDERS: list[tuple[str, list[Any]]] = [
    ("host = $h", [{"h": "a"}, {"h": "b"}, {"h": 1}, None]),
    ("v > $x", [{"x": 2}, {"x": 2.5}, {"x": "2"}, {"x": True}]),
    ("time >= $t", [{"t": "1970-01-01T00:00:00.00000002Z"}, {"t": 20}]),
    ("host =~ $r", [{"r": {"regex": "a|c"}}, {"r": "a"}]),
]


def _limits(draw: st.DrawFn) -> str:
    text = ""
    if draw(st.booleans()):
        text += f" LIMIT {draw(st.integers(1, 3))}"
    if draw(st.booleans()):
        text += f" OFFSET {draw(st.integers(1, 4))}"
    return text


@st.composite
def shows(draw: st.DrawFn) -> str:
    """One SHOW statement with its optional clauses."""
    source = draw(st.sampled_from(SHOW_SOURCES))
    where = draw(st.sampled_from(SHOW_WHERES))
    kind = draw(
        st.sampled_from(
            ["measurements", "tag keys", "field keys", "tag values", "series", "card"]
        )
    )
    if kind == "measurements":
        pattern = draw(
            st.sampled_from(
                ["", " WITH MEASUREMENT =~ /m|u/", " WITH MEASUREMENT = cpu"]
            )
        )
        return f"SHOW MEASUREMENTS{pattern}{where}{_limits(draw)}"
    if kind == "tag keys":
        return f"SHOW TAG KEYS{source}{where}{_limits(draw)}"
    if kind == "field keys":
        # SHOW FIELD KEYS takes no WHERE (a parse error on both).
        return f"SHOW FIELD KEYS{source}{_limits(draw)}"
    if kind == "tag values":
        key = draw(st.sampled_from(KEYS))
        return f"SHOW TAG VALUES{source} WITH KEY {key}{where}{_limits(draw)}"
    if kind == "series":
        return f"SHOW SERIES{source}{where}{_limits(draw)}"
    return draw(
        st.sampled_from(
            [
                f"SHOW SERIES EXACT CARDINALITY{source}{where}",
                f"SHOW MEASUREMENT EXACT CARDINALITY{where}",
                f"SHOW TAG KEY EXACT CARDINALITY{source}",
                f"SHOW FIELD KEY EXACT CARDINALITY{source}",
                f"SHOW TAG VALUES EXACT CARDINALITY{source} WITH KEY = host{where}",
            ]
        )
    )


@st.composite
def placeholders(draw: st.DrawFn) -> tuple[str, dict[str, Any] | None]:
    """A SELECT with a ``$name`` condition and the params bound to it."""
    condition, options = draw(st.sampled_from(PLACEHOLDERS))
    column = draw(st.sampled_from(["v", "*", "count(v)", "max(w), host"]))
    group = draw(st.sampled_from(["", " GROUP BY host"]))
    return f"SELECT {column} FROM cpu WHERE {condition}{group}", draw(
        st.sampled_from(options)
    )


@st.composite
def broken(draw: st.DrawFn) -> str:
    """A statement cut short or with a word in the wrong place."""
    text = draw(st.one_of(selects(), shows()))
    if draw(st.booleans()):
        return text[: draw(st.integers(1, len(text) - 1))]
    words = text.split(" ")
    at = draw(st.integers(1, len(words)))
    word = draw(st.sampled_from(["FROM", ",", "(", "'x", "1.5", "=", "LIMIT", "::"]))
    return " ".join([*words[:at], word, *words[at:]])


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    """One ``/query`` request: its statements and parameters."""
    count = draw(st.integers(1, 3))
    texts: list[str] = []
    params: dict[str, Any] = {}
    for _ in range(count):
        kind = draw(st.sampled_from(["select", "subquery", "show", "params", "bad"]))
        if kind == "select":
            texts.append(draw(selects()))
        elif kind == "subquery":
            texts.append(draw(subqueries()))
        elif kind == "show":
            texts.append(draw(shows()))
        elif kind == "params":
            text, bound = draw(placeholders())
            texts.append(text)
            params.update(bound or {})
        elif draw(st.integers(0, 3)) == 0:  # rarer: the whole request fails
            texts.append(draw(broken()))
    if not texts:
        texts.append(draw(shows()))
    ordered = not any(t.startswith("SELECT m FROM (") for t in texts)
    accept = draw(
        st.sampled_from([None, "application/csv", "text/csv", "application/x-msgpack"])
    )
    if not ordered:
        # Rows whose order the server leaves undefined: see
        # test_serve_answers_text_as_influxd, sorted in parsed JSON only.
        accept = None
    request: dict[str, Any] = {
        "q": "; ".join(texts),
        "method": draw(st.sampled_from(["GET", "POST"])),
        "accept": accept,
        "ordered": ordered,
        "form": {},
    }
    form = request["form"]
    if params or draw(st.integers(0, 5)) == 0:
        form["params"] = json.dumps(params)
    epoch = draw(st.sampled_from([None, "ns", "n", "u", "µ", "ms", "s", "m", "h", "x"]))
    if epoch is not None:
        form["epoch"] = epoch
    if ordered and draw(st.booleans()):
        form["chunked"] = "true"
        if draw(st.booleans()):
            form["chunk_size"] = str(draw(st.sampled_from([1, 2, 3, 7, 0])))
    request["pretty"] = accept is None and draw(st.integers(0, 4)) == 0
    return request


def _send(client: httpx.Client, url: str, db: str, request: dict[str, Any]) -> Any:
    form = {"q": request["q"], "db": db, **request["form"]}
    headers = {"Accept": request["accept"]} if request["accept"] else {}
    url_params = {"pretty": "true"} if request["pretty"] else {}
    if request["method"] == "GET":
        response = client.get(
            f"{url}/query", params={**form, **url_params}, headers=headers
        )
    else:
        response = client.post(
            f"{url}/query", params=url_params, data=form, headers=headers
        )
    return response


def _json(body: bytes, ordered: bool) -> list[Any]:
    documents = [orjson.loads(line) for line in body.splitlines() if line.strip()]
    for document in documents:
        for result in document.get("results", []):
            if "error" in result:
                result["error"] = True
            if not ordered:
                for series in result.get("series", []):
                    series["values"].sort(key=repr)
    return documents


def _msgpack(body: bytes) -> list[Any]:
    unpacker = msgpack.Unpacker(
        ext_hook=lambda code, data: (code, data), strict_map_key=False
    )
    unpacker.feed(body)
    documents = list(unpacker)
    for document in documents:
        for result in document.get("results", []):
            if "error" in result:
                result["error"] = True
    return documents


def _comparable(response: httpx.Response, request: dict[str, Any]) -> Any:
    content_type = response.headers.get("content-type")
    shape = [response.status_code, content_type]
    body = response.content
    if response.status_code == 400 or content_type is None:
        # A whole request refused: influxd's message exactly.
        return [*shape, body]
    if content_type == "application/x-msgpack":
        return [*shape, _msgpack(body)]
    if content_type == "application/json":
        if request["pretty"]:
            # Pretty documents span lines; compare them parsed whole.
            return [*shape, body.count(b"\n    "), _pretty(body, request)]
        return [*shape, _json(body, request["ordered"])]
    return [*shape, body]


def _pretty(body: bytes, request: dict[str, Any]) -> Any:
    """The documents of a pretty (indented) body, parsed."""
    decoder = json.JSONDecoder()
    text = body.decode()
    out = []
    at = 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        document, at = decoder.raw_decode(text, at)
        out.append(document)
    return _json(b"\n".join(orjson.dumps(d) for d in out), request["ordered"])


def _statement_errors(
    client: httpx.Client, url: str, db: str, request: dict[str, Any]
) -> list[Any]:
    """The JSON answer to *request*, to see which statements failed."""
    again = {**request, "accept": None, "pretty": False}
    return _json(_send(client, url, db, again).content, request["ordered"])


@seed(SEED)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    print_blob=True,
)
@given(request=requests())
def test_serve_answers_requests_as_influxd(
    endpoints: tuple[str, str, str], request: dict[str, Any]
) -> None:
    """Every generated request gets the same answer from both."""
    server, engine, db = endpoints
    with httpx.Client(timeout=60.0) as client:
        expected = _comparable(_send(client, server, db, request), request)
        got = _comparable(_send(client, engine, db, request), request)
        if got != expected and request["accept"] in ("application/csv", "text/csv"):
            # CSV words a statement's error inline: where the JSON answers
            # agree that statements failed, the wording is the engine's.
            agreed = _statement_errors(client, server, db, request)
            if agreed == _statement_errors(client, engine, db, request) and any(
                "error" in r for d in agreed for r in d.get("results", [])
            ):
                return
    assert got == expected, request


@pytest.mark.parametrize("size", ["", "1", "2"])
@pytest.mark.parametrize(
    "text",
    [
        "SHOW TAG KEYS",
        "SHOW TAG VALUES WITH KEY =~ /./",
        "SHOW FIELD KEYS",
        "SHOW SERIES",
        "SHOW TAG KEYS; SHOW SERIES FROM cpu; SHOW FIELD KEYS FROM mem",
        "SHOW MEASUREMENTS; SELECT v FROM cpu GROUP BY host",
    ],
)
def test_chunked_show_answers_as_influxd(
    endpoints: tuple[str, str, str], text: str, size: str
) -> None:
    """Chunked, influxd sends SHOW TAG KEYS and TAG VALUES one measurement
    per result and never ``partial``; SHOW FIELD KEYS and SERIES in pieces of
    ``chunk_size`` rows, as a SELECT's."""
    server, engine, db = endpoints
    form = {"q": text, "db": db, "chunked": "true", "chunk_size": size}
    with httpx.Client(timeout=60.0) as client:
        expected, got = (
            client.post(f"{url}/query", data=form) for url in (server, engine)
        )
    assert got.content == expected.content
