"""The table of InfluxQL functions (``influxpy.function_specs``) and its readers.

The function classes, the engine compiler and the README's support table
must agree with the table: one entry per function, one class per entry,
an engine implementation for every entry the engine runs, and a README row
per function. On a README mismatch the expected rows are printed, ready to
paste between the ``functions:begin`` and ``functions:end`` markers.
"""

from __future__ import annotations

import pathlib

import pytest

from influxpy import functions
from influxpy.compilers.duckdb import DuckDBCompiler
from influxpy.compilers.duckdb.context import _engine
from influxpy.function_specs import (
    ENGINE,
    FUNCTIONS,
    STORES,
    FunctionSpec,
    names_where,
)

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
BEGIN = "<!-- functions:begin -->"
END = "<!-- functions:end -->"

#: The implementations the DuckDB compiler dispatches on
#: (``FunctionSpec.engine``).
ENGINE_KEYS = frozenset(
    {
        "reduce",
        "integral",
        "distinct",
        "top_bottom",
        "sample",
        "math",
        "derivative",
        "difference",
        "elapsed",
        "moving_average",
        "cumulative_sum",
        "technical",
        "holt_winters",
    }
)

_KIND_WORDS = {
    "aggregate": "aggregate",
    "selector": "selector",
    "transform": "transformation",
}
_FAMILY_WORDS = {
    "math": "math",
    "technical": "technical analysis",
    "predictor": "predictor",
}
_HEADER = (
    "| Function | InfluxQL | Kind | InfluxDB 1.x | InfluxDB 2.x (v1 API) "
    "| InfluxDB 3.x (v1 API) | Embedded (DuckDB) |"
)


def _classes() -> dict[str, type[functions.Func]]:
    """InfluxQL name -> the public class declaring it."""
    found: dict[str, type[functions.Func]] = {}
    for name in functions.__all__:
        cls = getattr(functions, name)
        if isinstance(cls, type) and cls.__dict__.get("function"):
            assert cls.function not in found, f"two classes declare {cls.function}"
            found[cls.function] = cls
    return found


def _kind_text(spec: FunctionSpec) -> str:
    words = _FAMILY_WORDS[spec.family] if spec.family else _KIND_WORDS[spec.kind]
    return f"{words}, multi-row" if spec.multi_row else words


def expected_rows() -> list[str]:
    """The README's function rows, generated from the table."""
    classes = _classes()
    rows = [_HEADER, "|" + "---|" * 7]
    for spec in FUNCTIONS.values():
        support = ["yes" if store in spec.stores else "no" for store in STORES]
        cells = [
            f"`{classes[spec.name].__name__}`",
            f"`{spec.name.upper()}`",
            _kind_text(spec),
            *support,
        ]
        rows.append(f"| {' | '.join(cells)} |")
    return rows


def readme_rows() -> list[str]:
    """The rows between the README's function markers."""
    text = README.read_text(encoding="utf-8")
    assert BEGIN in text, f"README.md lacks {BEGIN}"
    assert END in text, f"README.md lacks {END}"
    block = text.split(BEGIN, 1)[1].split(END, 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_readme_lists_every_function_with_its_support() -> None:
    expected = expected_rows()
    found = readme_rows()
    if found != expected:
        print("\n".join(expected))
    assert found == expected, (
        "README.md's function table does not match influxpy.function_specs; "
        "the expected rows are printed above."
    )


def test_one_class_per_function() -> None:
    assert set(_classes()) == set(FUNCTIONS)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_class_reads_its_entry(name: str) -> None:
    cls = _classes()[name]
    spec = FUNCTIONS[name]
    assert cls.spec is spec
    assert (cls.kind, cls.min_args, cls.max_args, cls.numeric, cls.warmups) == (
        spec.kind,
        spec.min_args,
        spec.max_args,
        spec.numeric,
        spec.warmups,
    )
    if issubclass(cls, functions.Transform):
        assert cls.needs_group_by_time is spec.needs_group_by_time
    assert spec.column == name


def test_func_escape_hatch_has_no_entry() -> None:
    call = functions.Func("mean", "cpu")
    assert call.spec is None
    assert call.kind == ""


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_engine_implements_what_it_runs(name: str) -> None:
    spec = FUNCTIONS[name]
    assert ENGINE in spec.stores
    assert spec.engine in ENGINE_KEYS
    assert _engine(name) == spec.engine
    if spec.engine == "math":
        assert name in DuckDBCompiler.functions
    assert spec.stores <= set(STORES)


def test_math_table_of_the_engine_is_the_math_family() -> None:
    assert set(DuckDBCompiler.functions) == names_where(family="math")


def test_kinds_where_classes_and_engine_differ() -> None:
    """DISTINCT is an aggregate and TOP, BOTTOM, SAMPLE selectors to the
    classes; the engine compiles them as multi-row functions."""
    assert names_where(multi_row=True) == {"distinct", "top", "bottom", "sample"}
    assert functions.Distinct.kind == "aggregate"
    assert functions.Top.kind == functions.Sample.kind == "selector"
    assert names_where(multi_row=True) == DuckDBCompiler._MULTI_ROW
    assert "distinct" not in DuckDBCompiler._AGGREGATES
    assert not DuckDBCompiler._SELECTORS & {"top", "bottom", "sample"}


def test_subclass_naming_another_function_has_no_entry() -> None:
    class MyMean(functions.Mean):
        function = "my_mean"

    assert MyMean.spec is None
    assert MyMean("cpu").default_alias() == "my_mean"
