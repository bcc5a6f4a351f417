"""InfluxQL syntax nodes as influxd writes them in its errors, and the
arithmetic of literals it folds in a call's arguments.

``go_text`` is influxql's ``String()`` of a node (``top(value, 1.500)``),
``go_type`` Go's ``%T`` of it (``*influxql.IntegerLiteral``), as influxd's
errors name them; ``go_quote`` Go's ``strconv.Quote`` of a text;
``folded`` computes a call argument's arithmetic of number literals
(``top(v, 5 + 1)`` is ``top(v, 6)``).
"""

from __future__ import annotations

from typing import Any

from influxpy.durations import duration_from_nanoseconds
from influxpy.influxql.canonical import quote_identifier
from influxpy.influxql.parser import Bin, Call, Lit, Paren, Ref, Rx, Wild

__all__ = ["folded", "format_duration", "go_quote", "go_text", "go_type"]

#: Go's ``%T`` of each parsed node, as influxd names it in its errors.
_GO_LITERALS = {
    "integer": "*influxql.IntegerLiteral",
    "number": "*influxql.NumberLiteral",
    "string": "*influxql.StringLiteral",
    "bool": "*influxql.BooleanLiteral",
    "duration": "*influxql.DurationLiteral",
}


def folded(node: Any) -> Any:
    """*node* with arithmetic of number literals computed, as influxd
    reduces a field before it compiles it (``top(v, 5 + 1)`` is
    ``top(v, 6)``); anything else as it is."""
    if isinstance(node, Paren):
        inner = folded(node.expr)
        return inner if isinstance(inner, Lit) else node
    if not isinstance(node, Bin):
        return node
    lhs, rhs = folded(node.lhs), folded(node.rhs)
    numbers = ("integer", "number")
    if not (
        isinstance(lhs, Lit)
        and isinstance(rhs, Lit)
        and lhs.kind in numbers
        and rhs.kind in numbers
        and node.op in ("+", "-", "*", "/")
    ):
        return node
    a, b = lhs.value, rhs.value
    if node.op == "/":
        if b == 0:
            return Lit("number", 0.0, lhs.pos)
        return Lit("number", a / b, lhs.pos)
    value = a + b if node.op == "+" else a - b if node.op == "-" else a * b
    kind = "integer" if lhs.kind == rhs.kind == "integer" else "number"
    return Lit(kind, value, lhs.pos)


def go_type(node: Any) -> str:
    """Go's ``%T`` of *node*, as influxd names a node's type in its errors."""
    if isinstance(node, Lit):
        return _GO_LITERALS.get(node.kind, "*influxql.Literal")
    if isinstance(node, Ref):
        return "*influxql.VarRef"
    if isinstance(node, Call):
        return "*influxql.Call"
    if isinstance(node, Bin):
        return "*influxql.BinaryExpr"
    if isinstance(node, Paren):
        return "*influxql.ParenExpr"
    if isinstance(node, Rx):
        return "*influxql.RegexLiteral"
    return "*influxql.Wildcard"


def go_text(node: Any) -> str:
    """*node* as influxd's ``String()`` writes it."""
    if isinstance(node, Lit):
        if node.kind == "number":
            return f"{node.value:.3f}"
        if node.kind == "string":
            escaped = str(node.value).replace("\\", "\\\\").replace("'", "\\'")
            return "'" + escaped.replace("\n", "\\n") + "'"
        if node.kind == "bool":
            return "true" if node.value else "false"
        if node.kind == "duration":
            return format_duration(node.value.nanoseconds)
        return str(node.value)
    if isinstance(node, Ref):
        cast = f"::{node.cast}" if node.cast else ""
        return quote_identifier(node.name) + cast
    if isinstance(node, Call):
        return f"{node.name}({', '.join(go_text(a) for a in node.args)})"
    if isinstance(node, Bin):
        return f"{go_text(node.lhs)} {node.op} {go_text(node.rhs)}"
    if isinstance(node, Paren):
        return f"({go_text(node.expr)})"
    if isinstance(node, Rx):
        return f"/{node.pattern}/"
    if isinstance(node, Wild):
        return "*"
    return str(node)


def format_duration(nanoseconds: int) -> str:
    """influxql's ``FormatDuration``: in the largest unit that divides it."""
    return str(duration_from_nanoseconds(nanoseconds)) if nanoseconds else "0s"


#: The escapes ``strconv.Quote`` writes for control characters it names.
_GO_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def go_quote(text: str, quote: str = '"') -> str:
    """*text* as Go's ``strconv.Quote`` writes it (with *quote* around it
    and escaped in it): printable characters as they are, the named
    control characters as ``\\n``..., others as ``\\x``, ``\\u`` or
    ``\\U`` escapes."""
    out = [quote]
    for char in text:
        code = ord(char)
        if char in (quote, "\\"):
            out.append("\\" + char)
        elif char.isprintable():
            out.append(char)
        elif char in _GO_ESCAPES:
            out.append(_GO_ESCAPES[char])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append(quote)
    return "".join(out)
