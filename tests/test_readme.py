"""Every code block of README.md runs, on both backends, and prints what it shows.

Python blocks run in order in one namespace; a ``text`` block right after a
Python block is the exact output that block must print.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

import influxpy

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)


def readme_blocks() -> list[tuple[str, str | None]]:
    """Python blocks, each with the text block that follows it (or None)."""
    found = [(m.group(1), m.group(2)) for m in _BLOCK.finditer(README.read_text())]
    pairs = []
    for index, (lang, body) in enumerate(found):
        if lang != "python":
            continue
        following = found[index + 1] if index + 1 < len(found) else None
        expected = following[1] if following and following[0] == "text" else None
        pairs.append((body, expected))
    return pairs


def test_readme_has_examples():
    """README.md shows runnable examples with their output."""
    blocks = readme_blocks()
    assert len(blocks) >= 6
    assert sum(expected is not None for _, expected in blocks) >= 5


@pytest.fixture(params=["duckdb", "influxdb"])
def default_connection(request):
    influxpy.connections.close_all()
    if request.param == "duckdb":
        backend = influxpy.connect("duckdb://:memory:")
    else:
        backend = influxpy.connect(request.getfixturevalue("influx_url"))
    yield backend
    influxpy.connections.close_all()


def test_readme_examples_run(default_connection):
    """Each README block runs and prints exactly the output shown after it."""
    namespace: dict[str, object] = {"__name__": "readme"}
    for number, (code, expected) in enumerate(readme_blocks(), start=1):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"README.md block {number}", "exec"), namespace)
        if expected is not None:
            assert out.getvalue() == expected, f"README.md block {number}"
