"""The layer contract of the package (DESIGN.md §2), checked on the source.

Every module under src/influxpy is parsed with ``ast``. Module-level
imports and imports under ``if TYPE_CHECKING:`` must point down the layer
table (or within one layer); imports inside functions may point up only
where ``UPWARD_CALLS`` lists and justifies them. No module-level import
cycle (type-checking imports counted) may exist except among models,
manager and queryset, and no module may pass 1,000 lines.

Layers are matched by module prefix, so a new module of a package
(``influxpy.compilers.duckdb.windows``) falls into its package's layer.
"""

from __future__ import annotations

import ast
import pathlib
from collections.abc import Iterator

import pytest

SRC = pathlib.Path(__file__).resolve().parents[1] / "src"
PACKAGE = "influxpy"

#: Bottom to top. A module belongs to the layer of its longest matching
#: prefix (``influxpy.compilers.base`` before ``influxpy.compilers``);
#: ``influxpy`` alone is the package's ``__init__``.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "foundations",
        (
            "influxpy.exceptions",
            "influxpy.constants",
            "influxpy._types",
            "influxpy._utils",
            "influxpy._logging",
            "influxpy.durations",
            "influxpy.lineprotocol",
            "influxpy.urls",
            "influxpy.retention",
            "influxpy.function_specs",
            "influxpy._gomath",
        ),
    ),
    ("fields", ("influxpy.fields",)),
    ("models", ("influxpy.models", "influxpy.manager")),
    (
        "expressions",
        (
            "influxpy.expressions",
            "influxpy.lookups",
            "influxpy.filters",
            "influxpy.function_base",
            "influxpy.functions",
            "influxpy.aggregates",
        ),
    ),
    # The compilation contract (Compiled, Compiler) is what a Query is
    # compiled into, so it sits with the query, below the dialects.
    (
        "query",
        (
            "influxpy.query",
            "influxpy.statements",
            "influxpy.influxql",
            "influxpy.compilers.base",
            "influxpy.downsampling",
        ),
    ),
    ("compilers", ("influxpy.compilers",)),
    # Backends build result series and read DataFrames to write them.
    (
        "results",
        (
            "influxpy.results",
            "influxpy._dataframe",
            "influxpy._arrow",
            "influxpy._html",
            "influxpy._plot",
        ),
    ),
    ("backends", ("influxpy.backends",)),
    ("connection", ("influxpy.connection",)),
    ("writer", ("influxpy.writer", "influxpy._writer_base")),
    ("queryset", ("influxpy.queryset",)),
    ("schema", ("influxpy.schema", "influxpy.introspection")),
    # Copying data between stores reads models from introspection.
    (
        "transfer",
        (
            "influxpy._records",
            "influxpy._csv_reading",
            "influxpy._transfer",
            "influxpy._export",
        ),
    ),
    # The HTTP server sits beside the command line: it parses requests, calls
    # a backend and renders answers in InfluxDB's formats.
    (
        "entry points",
        (
            "influxpy.server",
            "influxpy.cli",
            "influxpy.__main__",
            "influxpy.mypy_plugin",
            "influxpy",
        ),
    ),
)

#: Modules that may import each other (a model's manager returns
#: QuerySets of the model).
CYCLE_ALLOWED = frozenset({"influxpy.models", "influxpy.manager", "influxpy.queryset"})

#: Imports inside functions that point up a layer: (importer prefix,
#: imported module) -> why.
UPWARD_CALLS: dict[tuple[str, str], str] = {
    ("influxpy.query", "influxpy.compilers.influxql"): (
        "str(query) shows the InfluxQL text, as Django's Query.__str__ does"
    ),
    ("influxpy.models", "influxpy.introspection"): (
        "Model.check_schema() is a shortcut for introspection.check_schema()"
    ),
    ("influxpy.queryset", "influxpy.schema"): (
        "QuerySet.ensure_schema() and continuous_query() are shortcuts into "
        "the schema layer"
    ),
}

#: No module may pass this; aim for 600.
MAX_LINES = 1_000


def _layer_index() -> dict[str, int]:
    return {
        prefix: index
        for index, (_name, prefixes) in enumerate(LAYERS)
        for prefix in prefixes
    }


def layer_of(module: str) -> int:
    """The index of *module*'s layer in ``LAYERS`` (longest prefix wins)."""
    index = _layer_index()
    if module == PACKAGE:
        return index[PACKAGE]
    parts = module.split(".")
    for end in range(len(parts), 1, -1):
        prefix = ".".join(parts[:end])
        if prefix in index:
            return index[prefix]
    msg = f"{module} is in no layer of tests/test_layers.py's LAYERS."
    raise AssertionError(msg)


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted((SRC / PACKAGE).rglob("*.py"))}


def _is_extension(name: str) -> bool:
    """Whether *name* is a compiled extension module (its stub is there)."""
    return (SRC / pathlib.Path(*name.split("."))).with_suffix(".pyi").exists()


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The influxpy modules an import statement loads."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if MODULES[module].name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, *([node.module] if node.module else [])])
        # ``from pkg import mod`` loads the module pkg.mod.
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
            for alias in node.names
        ]
    for name in names:
        if _is_extension(name):
            continue  # compiled, with a stub: it imports nothing of influxpy
        # ``import influxpy.a.b`` names the module itself or a package.
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name == PACKAGE or name.startswith(f"{PACKAGE}."):
            yield name


def _imports(module: str) -> Iterator[tuple[str, str, int]]:
    """Yield ``(imported module, where, line)``; where is top, typing or call."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))

    def walk(body: list[ast.stmt], where: str) -> Iterator[tuple[str, str, int]]:
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _targets(module, node):
                    yield target, where, node.lineno
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield from walk(node.body, "call")
            elif isinstance(node, ast.If):
                inner = "typing" if _is_type_checking(node.test) else where
                yield from walk(node.body, inner)
                yield from walk(node.orelse, where)
            else:
                for field in ("body", "orelse", "finalbody"):
                    yield from walk(getattr(node, field, []), where)
                for handler in getattr(node, "handlers", []):
                    yield from walk(handler.body, where)
                for case in getattr(node, "cases", []):
                    yield from walk(case.body, where)

    yield from walk(tree.body, "top")


IMPORTS = {module: list(_imports(module)) for module in MODULES}


def _allowed_upward(importer: str, imported: str) -> bool:
    return any(
        (importer == prefix or importer.startswith(f"{prefix}.")) and imported == target
        for prefix, target in UPWARD_CALLS
    )


def _in_cycle_group(module: str) -> bool:
    return any(module == m or module.startswith(f"{m}.") for m in CYCLE_ALLOWED)


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        layer_of(module)


def test_imports_point_down_the_layers() -> None:
    wrong = []
    for module, imports in IMPORTS.items():
        own = layer_of(module)
        for target, where, line in imports:
            if layer_of(target) <= own:
                continue
            if _in_cycle_group(module) and _in_cycle_group(target):
                continue
            if where == "call" and _allowed_upward(module, target):
                continue
            wrong.append(
                f"{module}:{line} ({LAYERS[own][0]}) imports {target} "
                f"({LAYERS[layer_of(target)][0]}) [{where}]"
            )
    assert not wrong, "Imports pointing up the layers:\n" + "\n".join(wrong)


def test_upward_allow_list_is_used() -> None:
    used = {
        (prefix, target)
        for module, imports in IMPORTS.items()
        for target, where, _line in imports
        for prefix, allowed in UPWARD_CALLS
        if where == "call"
        and allowed == target
        and (module == prefix or module.startswith(f"{prefix}."))
        and layer_of(target) > layer_of(module)
    }
    assert set(UPWARD_CALLS) == used, set(UPWARD_CALLS) - used


def _cycles() -> list[list[str]]:
    """Strongly connected components of the module-level import graph."""
    graph = {
        module: sorted(
            {t for t, where, _ in imports if where != "call" and t != module}
        )
        for module, imports in IMPORTS.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, []):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            connect(node)
    return found


def test_no_module_level_import_cycle() -> None:
    bad = [c for c in _cycles() if not all(_in_cycle_group(m) for m in c)]
    assert not bad, "Module-level import cycles (TYPE_CHECKING counted):\n" + (
        "\n".join(" <-> ".join(c) for c in bad)
    )


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_is_not_too_long(module: str) -> None:
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines (at most {MAX_LINES})."


def test_the_checks_see_imports() -> None:
    """The parser finds the imports the contract is about."""
    models = {t for t, where, _ in IMPORTS["influxpy.models"] if where == "top"}
    assert "influxpy.fields" in models
    typing_only = {
        t for t, where, _ in IMPORTS["influxpy.backends.base"] if where == "typing"
    }
    assert "influxpy.compilers.base" in typing_only
    assert layer_of("influxpy.compilers.duckdb.anything") == layer_of(
        "influxpy.compilers.influxql"
    )
