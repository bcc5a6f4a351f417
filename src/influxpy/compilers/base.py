"""The compiler base: ``visit_<name>`` dispatch and the ``Compiled`` result.

A compiler turns a dialect-free ``Query`` into text for one store. Nodes
never render themselves: each node class names its ``visit_name`` and the
compiler calls ``visit_<visit_name>``; a node without a method raises
``UnsupportedCompilation`` naming the dialect and the node.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar, NamedTuple

from influxpy.exceptions import UnsupportedCompilation

__all__ = ["Compiled", "Compiler", "Plan"]


@dataclasses.dataclass(frozen=True)
class Plan:
    """What a backend needs beyond a statement's text to run it.

    The InfluxQL compiler needs none; the embedded engine's compiler
    returns the plans of ``influxpy.compilers.duckdb.plan`` (what the
    statement does, and how to cut its rows into series).
    """


class Compiled(NamedTuple):
    """A compiled statement: its text, bound parameters, and whether it writes.

    ``plan`` carries what a backend needs to shape the rows into series
    (the embedded engine's group keys and column names), None when the text
    says it all. ``str(compiled)`` is the text alone; parameters are bound
    by the backend, never inlined.
    """

    text: str
    params: Mapping[str, Any] = {}
    writes: bool = False
    plan: Plan | None = None

    def __str__(self) -> str:
        return self.text


class Compiler:
    """Base class of dialect compilers (``visit_*`` dispatch)."""

    dialect: ClassVar[str] = "base"

    def compile(self, node: Any) -> Compiled:
        """Compile a statement node into ``Compiled``."""
        raise NotImplementedError

    def visit(self, node: Any) -> str:
        """Compile one node by calling ``visit_<node.visit_name>``."""
        name = getattr(node, "visit_name", None)
        method = getattr(self, f"visit_{name}", None) if name else None
        if method is None:
            return self.visit_unsupported(node)
        result: str = method(node)
        return result

    def visit_unsupported(self, node: Any) -> str:
        """Raise ``UnsupportedCompilation`` naming the dialect and the node."""
        node_name = type(node).__name__
        msg = f"The {self.dialect} compiler cannot express {node_name} nodes."
        raise UnsupportedCompilation(msg, dialect=self.dialect, node=node_name)
