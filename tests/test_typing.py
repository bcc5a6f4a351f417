"""What mypy sees in user code: a script checked with ``mypy --strict``.

The script below is written to a temporary directory and checked with the
``influxpy.mypy_plugin`` plugin enabled. A line ending in ``# reveal: T``
must reveal exactly ``T`` (module prefixes of builtins, ``QuerySet`` and
``InfluxResult`` left out) and a line ending in ``# error: code`` must be
reported with that error code; every other line must be clean.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys
import textwrap
from typing import Any

import pytest

import influxpy
from _models import ServerMeasurement
from influxpy.queryset import QuerySet
from influxpy.results import InfluxResult

SCRIPT = """\
import datetime as dt
from typing import Any

from influxpy import F, fields, models
from influxpy.functions import Mean


class Host(models.InfluxMeasurement):
    class Meta:
        abstract = True

    host = fields.InfluxTag()


class Cpu(Host):
    cpu = fields.FloatField()
    cores = fields.IntegerField(null=False)
    busy = fields.BooleanField()
    note = fields.StringField()
    region = fields.InfluxTag(null=True)
    anything = fields.InfluxField()



class Celsius(fields.Field[float]):
    def _convert(self, value: Any) -> float:
        return float(value)


class Weather(models.Model):
    temperature = Celsius()


class Labelled(models.Model):
    x = fields.FloatField()

    def __init__(self, *, label: str, **values: Any) -> None:
        super().__init__(**values)
        self.label = label


qs = Cpu.series.filter(host="a")
reveal_type(Cpu.series)  # reveal: QuerySet[user.Cpu, InfluxResult, user.Cpu]
reveal_type(qs.get())  # reveal: user.Cpu
reveal_type(qs.first())  # reveal: user.Cpu | None
reveal_type(qs.last())  # reveal: user.Cpu | None
reveal_type(qs.latest())  # reveal: user.Cpu
reveal_type(qs.earliest("cpu"))  # reveal: user.Cpu
reveal_type(qs[0])  # reveal: InfluxResult
reveal_type(qs[1:3])  # reveal: QuerySet[user.Cpu, InfluxResult, user.Cpu]
for result in qs:
    reveal_type(result)  # reveal: InfluxResult
for row in qs.points():
    reveal_type(row)  # reveal: dict[str, Any]
for chunk_item in qs.points().iterator(chunk_size=100):
    reveal_type(chunk_item)  # reveal: dict[str, Any]
reveal_type(qs.points().first())  # reveal: dict[str, Any] | None
reveal_type(list(qs.instances()))  # reveal: list[user.Cpu]
reveal_type(qs.instances().order_by("-time").get())  # reveal: user.Cpu
reveal_type(qs.annotate(m=Mean("cpu")).first())  # reveal: dict[str, Any] | None
reveal_type(qs.annotate(d=F("cpu") * 2).get())  # reveal: dict[str, Any]
reveal_type(qs.instances().annotate(d=F("cpu") * 2).get())  # reveal: user.Cpu
reveal_type(qs.values_list("n").annotate(Mean("cpu")).get())  # reveal: tuple[Any, ...]
reveal_type(qs.values("time", "cpu").get())  # reveal: dict[str, Any]
reveal_type(list(qs.values_list("time", "cpu")))  # reveal: list[tuple[Any, ...]]
reveal_type(qs.values_list("cpu", flat=True).first())  # reveal: Any | None
reveal_type(qs.count())  # reveal: builtins.int
reveal_type(Cpu.series.create(cpu=1.0, host="a"))  # reveal: user.Cpu

point = Cpu(time=dt.datetime(2024, 1, 1, tzinfo=dt.UTC), cpu=1, cores=4, host="a")
Cpu(time=1_700_000_000_000_000_000, busy=True, note="n", region=None, anything="x")
Cpu(time="2024-01-01T00:00:00Z", anything=1.5)
reveal_type(point.cpu)  # reveal: builtins.float | None
reveal_type(point.cores)  # reveal: builtins.int | None
reveal_type(point.host)  # reveal: builtins.str | None
reveal_type(point.time)  # reveal: datetime.datetime | None
reveal_type(Cpu.cpu)  # reveal: influxpy.fields.FloatField
reveal_type(Weather.series.get().temperature)  # reveal: float | None
Weather(temperature=21.5)

Cpu(cpu="oops")  # error: arg-type
Cpu(cores=1.5)  # error: arg-type
Cpu(cores=None)  # error: arg-type
Cpu(host=None)  # error: arg-type
Cpu(busy="yes")  # error: arg-type
Cpu(time=dt.date(2024, 1, 1))  # error: arg-type
Cpu(memory=1)  # error: call-arg
Weather(temperature="warm")  # error: arg-type
Labelled(label="kept", x="its own constructor")
Labelled(x=1.0)  # error: call-arg
Cpu.series.create(cpu="oops")  # error: arg-type
Cpu.series.using("other").create(memory=1)  # error: call-arg
Cpu(1.0)  # error: call-arg
wrong: str = qs.get().cpu  # error: assignment
maybe: Cpu = qs.first()  # error: assignment
qs.get().nope  # error: attr-defined
rows: list[Cpu] = list(qs)  # error: arg-type


async def main() -> None:
    reveal_type(await qs.aget())  # reveal: user.Cpu
    reveal_type(await qs.afirst())  # reveal: user.Cpu | None
    reveal_type(await qs.alatest())  # reveal: user.Cpu
    await Cpu.series.acreate(cores="4")  # error: arg-type
    reveal_type(await qs.points().alist())  # reveal: list[dict[str, Any]]
    async for item in qs.instances():
        reveal_type(item)  # reveal: user.Cpu
    async for series in qs.aiterator():
        reveal_type(series)  # reveal: InfluxResult
"""

_MARK = re.compile(r"#\s*(reveal|error):\s*(.+?)\s*$")
_REPORT = re.compile(r"^user\.py:(\d+): (note|error): (.*?)(?:  \[([a-z-]+)\])?$")


def _expected(script: str) -> dict[int, tuple[str, str]]:
    marks = {}
    for number, line in enumerate(script.splitlines(), start=1):
        found = _MARK.search(line)
        if found:
            marks[number] = (found.group(1), found.group(2))
    return marks


def _normalise(revealed: str) -> str:
    """Without module prefixes: mypy writes ``builtins.`` only at times."""
    for prefix in ("builtins.", "influxpy.queryset.", "influxpy.results."):
        revealed = revealed.replace(prefix, "")
    return revealed


@pytest.fixture(scope="module")
def mypy_report(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """mypy --strict's report on the script, with the plugin enabled."""
    folder = tmp_path_factory.mktemp("typing")
    (folder / "user.py").write_text(SCRIPT)
    (folder / "mypy.ini").write_text(
        textwrap.dedent(
            """\
            [mypy]
            plugins = influxpy.mypy_plugin
            """
        )
    )
    source = pathlib.Path(influxpy.__file__).resolve().parents[1]
    env = {**os.environ, "MYPYPATH": str(source)}
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--config-file",
        "mypy.ini",
        "--cache-dir",
        str(folder / "cache"),
        "--show-error-codes",
        "--no-pretty",
        "--no-error-summary",
        "user.py",
    ]
    done = subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, check=False
    )
    assert not done.stderr.strip(), done.stderr
    return done.stdout.splitlines()


def test_every_marked_line_is_reported_as_marked(mypy_report: list[str]) -> None:
    """Each ``# reveal:`` line reveals that type, each ``# error:`` fails so."""
    got: dict[int, list[tuple[str, str]]] = {}
    for line in mypy_report:
        found = _REPORT.match(line)
        assert found, f"unexpected mypy output: {line}"
        number, level, text, code = found.groups()
        if level == "note" and text.startswith("Revealed type is "):
            got.setdefault(int(number), []).append(
                ("reveal", _normalise(text.removeprefix("Revealed type is ")[1:-1]))
            )
        elif level == "error":
            got.setdefault(int(number), []).append(("error", code or ""))
    expected = _expected(SCRIPT)
    wrong = []
    for number, (kind, what) in sorted(expected.items()):
        want = (kind, _normalise(what))
        if want not in got.get(number, []):
            line = SCRIPT.splitlines()[number - 1].strip()
            wrong.append(f"line {number}: {line!r}: mypy said {got.get(number)}")
    unexpected = sorted(set(got) - set(expected))
    for number in unexpected:
        line = SCRIPT.splitlines()[number - 1].strip()
        wrong.append(f"line {number}: {line!r}: unexpected {got[number]}")
    assert not wrong, "\n".join(wrong)


def test_the_report_has_every_kind_of_line(mypy_report: list[str]) -> None:
    """The check above proves something: reveals and errors both came back."""
    assert sum("Revealed type is" in line for line in mypy_report) >= 30
    assert sum(": error: " in line for line in mypy_report) >= 10


def test_a_queryset_type_can_be_written_at_run_time() -> None:
    """``QuerySet[Model]`` works in annotations evaluated at run time too."""
    model = ServerMeasurement
    row = dict[str, Any]
    assert QuerySet[model] == QuerySet[model, InfluxResult, model]
    assert QuerySet[model, row] == QuerySet[model, row, model]
    assert QuerySet[model, row, row].__args__ == (model, row, row)
