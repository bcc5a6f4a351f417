"""The InfluxQL compiler: quoting rules, operator and function tables.

Every identifier is double-quoted and every literal is escaped inline, as
the reference's §3.2-3.3 describe. InfluxDB 1.x servers can bind only plain
literals as parameters (no regexes, durations or identifiers), so the text
is complete and ``params`` stays empty for this dialect.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from influxpy._utils import format_rfc3339
from influxpy.compilers.base import Compiled, Compiler
from influxpy.durations import Duration, duration_from_nanoseconds
from influxpy.exceptions import CompileError
from influxpy.lookups import regex_escape
from influxpy.query import Source

if TYPE_CHECKING:
    from influxpy.expressions import (
        Col,
        ColumnPattern,
        CombinedExpression,
        F,
        Now,
        Raw,
        Star,
        TimeValue,
        Value,
        WhereNode,
    )
    from influxpy.functions import Func
    from influxpy.lookups import ExpressionLookup, Lookup
    from influxpy.query import Delete, Query, SelectItem
    from influxpy.retention import RetentionPolicy

__all__ = ["InfluxQLCompiler"]

_INT64_MAX = 2**63 - 1
_IDENTIFIER_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n"})
_STRING_ESCAPES = str.maketrans({"\\": "\\\\", "'": "\\'", "\n": "\\n"})
#: Inside ``/…/`` only ``/`` needs escaping; a raw newline is refused.
_REGEX_ESCAPES = {"/": "\\/", "\n": "\\n"}


class InfluxQLCompiler(Compiler):
    """Compile queries and management statements to InfluxQL 1.x."""

    dialect: ClassVar[str] = "InfluxQL"

    #: ``lookup_name`` -> (operator, operator when negated). Text lookups
    #: are regexes prepared by the lookup itself.
    operators: ClassVar[dict[str, tuple[str, str]]] = {
        "exact": ("=", "!="),
        "ne": ("!=", "="),
        "gt": (">", "<="),
        "gte": (">=", "<"),
        "lt": ("<", ">="),
        "lte": ("<=", ">"),
        "regex": ("=~", "!~"),
        "iregex": ("=~", "!~"),
        "startswith": ("=~", "!~"),
        "istartswith": ("=~", "!~"),
        "endswith": ("=~", "!~"),
        "iendswith": ("=~", "!~"),
        "contains": ("=~", "!~"),
        "icontains": ("=~", "!~"),
        "iexact": ("=~", "!~"),
    }
    #: Function class name -> InfluxQL spelling; missing entries use
    #: ``Func.function`` as is, which is already InfluxQL's name.
    functions: ClassVar[dict[str, str]] = {}
    #: ``fill()`` spellings.
    fills: ClassVar[dict[str, str]] = {
        "null": "null",
        "none": "none",
        "previous": "previous",
        "linear": "linear",
    }

    def compile(self, node: Any) -> Compiled:
        """Compile a ``Query`` or ``Delete`` into one InfluxQL statement."""
        text = self.visit(node)
        writes = getattr(node, "into", None) is not None or node.visit_name == "delete"
        return Compiled(text, writes=writes)

    # -- statements -------------------------------------------------------

    def visit_query(self, query: Query) -> str:
        """``SELECT … [INTO …] FROM … [WHERE …] [GROUP BY …] …``."""
        select = ", ".join(self.visit_select_item(i) for i in query.select) or "*"
        parts = [f"SELECT {select}"]
        if query.into is not None:
            parts.append(f"INTO {self.visit_source(query.into)}")
        sources = ", ".join(
            self.visit_source(source)
            if isinstance(source, Source)
            else f"({self.visit_query(source)})"
            for source in query.sources
        )
        parts.append(f"FROM {sources}")
        if query.where is not None:
            condition = self.visit_where(query.where)
            if condition:
                parts.append(f"WHERE {condition}")
        dimensions = []
        if query.group_by_time is not None:
            interval = self.visit_duration(query.group_by_time.interval)
            offset = query.group_by_time.offset
            if getattr(offset, "offset_ns", 0):
                # The parser takes a duration or a bare now() there (§3.5).
                shown = self.visit(offset)
                msg = (
                    "InfluxQL takes now() as a GROUP BY time offset only as it is, "
                    f"not shifted ({shown}); use a duration offset instead."
                )
                raise CompileError(msg)
            if offset is not None:
                interval += ", " + self.visit(offset)
            dimensions.append(f"time({interval})")
        dimensions.extend(
            "*" if tag == "*" else self.quote_identifier(tag) for tag in query.group_by
        )
        dimensions.extend(self.quote_regex(p) for p in query.group_by_patterns)
        if dimensions:
            parts.append("GROUP BY " + ", ".join(dimensions))
        if query.fill is not None:
            parts.append(f"fill({self.visit_fill(query.fill.mode, query.fill.value)})")
        if query.descending:
            parts.append("ORDER BY time DESC")
        for keyword, value in (("LIMIT", query.limit), ("SLIMIT", query.series_limit)):
            if value == 0:
                # InfluxQL parses LIMIT 0 and SLIMIT 0 as "no limit" (§3.6).
                msg = (
                    f"InfluxQL reads {keyword} 0 as no limit at all, so a query for "
                    "zero rows or series cannot be expressed; use QuerySet.none()."
                )
                raise CompileError(msg)
        limit, series_limit = query.limit, query.series_limit
        # 1.6.7 answers OFFSET without LIMIT with the one row at the offset,
        # and SOFFSET without SLIMIT with nothing: spell "no limit" out, short
        # of the largest int64 so that offset + limit cannot overflow.
        if query.offset and limit is None:
            limit = _INT64_MAX - query.offset
        if query.series_offset and series_limit is None:
            series_limit = _INT64_MAX - query.series_offset
        for keyword, value in (
            ("LIMIT", limit),
            ("OFFSET", query.offset),
            ("SLIMIT", series_limit),
            ("SOFFSET", query.series_offset),
        ):
            if value is not None:
                parts.append(f"{keyword} {int(value)}")
        if query.timezone is not None:
            parts.append(f"tz({self.quote_string(query.timezone)})")
        return " ".join(parts)

    def visit_delete(self, delete: Delete) -> str:
        """``DELETE FROM "m" [WHERE …]`` (``FROM /re/`` for a regex source)."""
        source = delete.source
        name = (
            self.quote_regex(source.measurement)
            if source.regex
            else self.quote_identifier(source.measurement)
        )
        text = f"DELETE FROM {name}"
        if delete.where is not None:
            condition = self.visit_where(delete.where)
            if condition:
                text += f" WHERE {condition}"
        return text

    def visit_source(self, source: Source) -> str:
        """``"db"."rp"."m"``, ``"rp"."m"`` or ``"m"``; ``/re/`` for a regex
        source and ``:MEASUREMENT`` for a target without a name."""
        if source.regex:
            name = self.quote_regex(source.measurement)
        elif not source.measurement:
            name = ":MEASUREMENT"
        else:
            name = self.quote_identifier(source.measurement)
        names = []
        if source.retention_policy or source.database:
            names.append(self.quote_identifier(source.retention_policy or ""))
            if not source.retention_policy:
                names[-1] = ""
        if source.database:
            names.insert(0, self.quote_identifier(source.database))
        if name == ":MEASUREMENT" and names:
            return ".".join(names) + "." + name
        return ".".join([*names, name])

    def visit_select_item(self, item: SelectItem) -> str:
        """An expression with its ``AS`` alias."""
        text = self.visit(item.expression)
        if item.alias is not None:
            text += f" AS {self.quote_identifier(item.alias)}"
        return text

    def visit_fill(self, mode: str, value: Any) -> str:
        """The argument of ``fill()``."""
        if mode == "value":
            return self.visit_number(value)
        return self.fills[mode]

    # -- conditions -------------------------------------------------------

    def visit_where(self, node: WhereNode) -> str:
        """Conditions joined by AND/OR, parenthesised where precedence needs it.

        Empty groups (``Q()``) vanish, and a group of one condition is that
        condition, so ``~(Q(a) & Q(b)) & Q(c)`` keeps its parentheses.
        """
        return self._where(node)[0]

    def _where(self, node: WhereNode) -> tuple[str, str | None]:
        """Return the text and the connector joining it at the top, if any."""
        parts: list[tuple[str, str | None]] = []
        for child in node.children:
            if hasattr(child, "connector"):
                text, connector = self._where(child)
                if text:
                    parts.append((text, connector))
            else:
                parts.append((self.visit_lookup(child), None))
        if len(parts) == 1:
            return parts[0]
        joined = f" {node.connector} ".join(
            f"({text})" if connector not in (None, node.connector) else text
            for text, connector in parts
        )
        return joined, (node.connector if parts else None)

    def visit_lookup(self, lookup: Lookup | ExpressionLookup) -> str:
        """``lhs op rhs`` for one lookup (``in`` and ``isnull`` expand); the
        left side of an ``ExpressionLookup`` is arithmetic or a literal."""
        lhs = self.visit(lookup.lhs)
        name = lookup.lookup_name
        if name == "isnull":
            absent = lookup.rhs != lookup.negated
            return f"{lhs} {'=' if absent else '!='} ''"
        if name == "in":
            if not lookup.rhs:
                msg = (
                    f"{getattr(lookup.lhs, 'key', lhs)}__in got an empty list, "
                    "which matches nothing; "
                    "use QuerySet.none() for an empty result."
                )
                raise CompileError(msg)
            op = "!=" if lookup.negated else "="
            joiner = " AND " if lookup.negated else " OR "
            terms = [self._compare(lhs, op, v) for v in lookup.rhs]
            return terms[0] if len(terms) == 1 else "(" + joiner.join(terms) + ")"
        try:
            positive, negative = self.operators[name]
        except KeyError:
            return self.visit_unsupported(lookup)
        op = negative if lookup.negated else positive
        if op in ("=~", "!~"):
            return f"{lhs} {op} {self.quote_regex(lookup.rhs)}"
        return self._compare(lhs, op, lookup.rhs)

    def visit_expression_lookup(self, lookup: ExpressionLookup) -> str:
        """A comparison over arithmetic or literals (``f + 1 > 4``)."""
        return self.visit_lookup(lookup)

    def _compare(self, lhs: str, op: str, value: Any) -> str:
        """``lhs op literal``; text InfluxQL cannot quote becomes a regex.

        A string literal cannot hold NUL or a carriage return (the server
        answers BADSTRING), but a regex can spell them, so ``=`` and ``!=``
        become an anchored ``=~`` and ``!~`` with the text escaped.
        """
        if (
            isinstance(value, str)
            and op in ("=", "!=")
            and ("\x00" in value or "\r" in value)
        ):
            pattern = "^" + regex_escape(value) + "$"
            return f"{lhs} {'=~' if op == '=' else '!~'} {self.quote_regex(pattern)}"
        return f"{lhs} {op} {self.visit_literal(value)}"

    # -- expressions ------------------------------------------------------

    def visit_col(self, col: Col) -> str:
        """A column; ``time`` stays bare, as InfluxQL spells it."""
        if col.role == "time":
            return "time"
        if col.cast is not None:
            return f"{self.quote_identifier(col.key)}::{col.cast}"
        return self.quote_identifier(col.key)

    def visit_f(self, node: F) -> str:
        """An unresolved name (only in hand-built queries)."""
        if node.cast is not None:
            return f"{self.quote_identifier(node.name)}::{node.cast}"
        return self.quote_identifier(node.name)

    def visit_star(self, node: Star) -> str:
        """``*``, ``*::field`` or ``*::tag``."""
        return "*" if node.cast is None else f"*::{node.cast}"

    def visit_column_pattern(self, node: ColumnPattern) -> str:
        """``/re/``: the fields and tags a regex matches."""
        return self.quote_regex(node.pattern)

    def visit_raw(self, node: Raw) -> str:
        """Raw text, unchanged."""
        return node.text

    def visit_value(self, node: Value) -> str:
        """A literal."""
        return self.visit_literal(node.value)

    def visit_time_value(self, node: TimeValue) -> str:
        """An RFC 3339 time literal with nanoseconds."""
        return self.quote_string(format_rfc3339(node.ns))

    def visit_now(self, node: Now) -> str:
        """``now()`` shifted by a duration."""
        if not node.offset_ns:
            return "now()"
        sign = "-" if node.offset_ns < 0 else "+"
        delta = self.visit_duration(duration_from_nanoseconds(abs(node.offset_ns)))
        return f"now() {sign} {delta}"

    def visit_duration(self, node: Duration) -> str:
        """``5m``, ``1h``, ``-30s``."""
        return f"{node.value}{node.unit}"

    def visit_combined(self, node: CombinedExpression) -> str:
        """Arithmetic, parenthesised when an operand is arithmetic too."""
        left = self.visit(node.lhs)
        right = self.visit(node.rhs)
        if node.lhs.visit_name == "combined":
            left = f"({left})"
        if node.rhs.visit_name == "combined":
            right = f"({right})"
        return f"{left} {node.op} {right}"

    def visit_func(self, node: Func) -> str:
        """``name(arg, params…)``."""
        name = self.functions.get(type(node).__name__, node.name)
        args = [self.visit(node.source)] if node.source is not None else []
        args.extend(self.visit_param(p) for p in node.params)
        return f"{name}({', '.join(args)})"

    def visit_param(self, value: Any) -> str:
        """A function parameter: duration, number, tag name or expression."""
        if isinstance(value, Duration):
            return self.visit_duration(value)
        if isinstance(value, str):
            return self.quote_identifier(value)
        if hasattr(value, "visit_name"):
            return self.visit(value)
        return self.visit_number(value)

    def visit_literal(self, value: Any) -> str:
        """A value on the right of a comparison."""
        if hasattr(value, "visit_name"):
            return self.visit(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return self.quote_string(value)
        return self.visit_number(value)

    @staticmethod
    def visit_number(value: Any) -> str:
        """An int or a float (``repr`` keeps every digit)."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            msg = f"Expected a number, got {value!r}."
            raise CompileError(msg)
        if isinstance(value, float) and not math.isfinite(value):
            msg = f"InfluxQL has no literal for {value!r}; use a finite number."
            raise CompileError(msg)
        return repr(value) if isinstance(value, float) else str(value)

    @staticmethod
    def quote_identifier(name: str) -> str:
        r"""Double-quote an identifier, escaping ``\`` and ``"`` (InfluxQL §3.2)."""
        return '"' + name.translate(_IDENTIFIER_ESCAPES) + '"'

    @staticmethod
    def quote_string(value: str) -> str:
        r"""Single-quote a string literal, escaping ``\`` and ``'`` (§3.3)."""
        return "'" + value.translate(_STRING_ESCAPES) + "'"

    @staticmethod
    def quote_regex(pattern: str) -> str:
        r"""Write a regex literal ``/…/``, escaping ``/`` as ``\/`` (§3.3).

        Other backslash pairs pass through to RE2 unchanged, so ``\/`` given
        by the user stays one escaped slash; a newline, which the scanner
        refuses, becomes RE2's ``\n``, and a final escaped backslash becomes
        ``\x5c``.
        """
        out = []
        chars = iter(pattern)
        for char in chars:
            if char == "\\":
                escaped = next(chars, None)
                if escaped is None:
                    msg = (
                        f"The regex {pattern!r} ends with a lone backslash, which "
                        "is not a valid RE2 pattern."
                    )
                    raise CompileError(msg)
                out.append(_REGEX_ESCAPES.get(escaped, "\\" + escaped))
            else:
                out.append(_REGEX_ESCAPES.get(char, char))
        if out and out[-1] == "\\\\":
            # The scanner would read a final ``\\/`` as an escaped slash and
            # never find the end of the literal; RE2's \x5c is the same byte.
            out[-1] = "\\x5c"
        return "/" + "".join(out) + "/"

    def create_database(self, name: str) -> Compiled:
        """``CREATE DATABASE "name"`` (idempotent on the server)."""
        return Compiled(f"CREATE DATABASE {self.quote_identifier(name)}", writes=True)

    def drop_database(self, name: str) -> Compiled:
        """``DROP DATABASE "name"``."""
        return Compiled(f"DROP DATABASE {self.quote_identifier(name)}", writes=True)

    def show_databases(self) -> Compiled:
        """``SHOW DATABASES``."""
        return Compiled("SHOW DATABASES")

    # -- schema and management statements (reference §4) --------------------

    def _policy_options(self, policy: RetentionPolicy) -> str:
        duration = policy.duration
        text = "DURATION " + (
            "INF" if duration is None else self.visit_duration(duration)
        )
        text += f" REPLICATION {int(policy.replication)}"
        if policy.shard_duration is not None:
            text += f" SHARD DURATION {self.visit_duration(policy.shard_duration)}"
        if policy.default:
            text += " DEFAULT"
        return text

    def create_retention_policy(
        self, database: str, policy: RetentionPolicy
    ) -> Compiled:
        """``CREATE RETENTION POLICY "rp" ON "db" DURATION … REPLICATION …``."""
        name = self.quote_identifier(policy.name)
        on = self.quote_identifier(database)
        options = self._policy_options(policy)
        text = f"CREATE RETENTION POLICY {name} ON {on} {options}"
        return Compiled(text, writes=True)

    def alter_retention_policy(
        self, database: str, policy: RetentionPolicy
    ) -> Compiled:
        """``ALTER RETENTION POLICY "rp" ON "db" …`` with every option given."""
        name = self.quote_identifier(policy.name)
        on = self.quote_identifier(database)
        options = self._policy_options(policy)
        return Compiled(f"ALTER RETENTION POLICY {name} ON {on} {options}", writes=True)

    def drop_retention_policy(self, database: str, name: str) -> Compiled:
        """``DROP RETENTION POLICY "rp" ON "db"`` (idempotent on the server)."""
        rp = self.quote_identifier(name)
        on = self.quote_identifier(database)
        return Compiled(f"DROP RETENTION POLICY {rp} ON {on}", writes=True)

    def show_retention_policies(self, database: str) -> Compiled:
        """``SHOW RETENTION POLICIES ON "db"``."""
        return Compiled(f"SHOW RETENTION POLICIES ON {self.quote_identifier(database)}")

    def create_continuous_query(
        self,
        database: str,
        name: str,
        query: Query,
        *,
        resample_every: Duration | None = None,
        resample_for: Duration | None = None,
    ) -> Compiled:
        """``CREATE CONTINUOUS QUERY "cq" ON "db" [RESAMPLE …] BEGIN … END``.

        The query needs INTO, and GROUP BY time when it calls a function
        (reference §4.3; influxd keeps a raw one, and never runs it).
        """
        if query.into is None or (query.group_by_time is None and query.is_aggregate):
            msg = (
                f"The continuous query {name!r} needs into(target) and "
                "resolution(...): InfluxDB requires INTO and GROUP BY time()."
            )
            raise CompileError(msg)
        query.check()
        text = (
            f"CREATE CONTINUOUS QUERY {self.quote_identifier(name)} "
            f"ON {self.quote_identifier(database)}"
        )
        if resample_every is not None or resample_for is not None:
            text += " RESAMPLE"
            if resample_every is not None:
                text += f" EVERY {self.visit_duration(resample_every)}"
            if resample_for is not None:
                text += f" FOR {self.visit_duration(resample_for)}"
        text += f" BEGIN {self.visit_query(query)} END"
        return Compiled(text, writes=True)

    def drop_continuous_query(self, database: str, name: str) -> Compiled:
        """``DROP CONTINUOUS QUERY "cq" ON "db"`` (idempotent on the server)."""
        cq = self.quote_identifier(name)
        on = self.quote_identifier(database)
        return Compiled(f"DROP CONTINUOUS QUERY {cq} ON {on}", writes=True)

    def show_continuous_queries(self) -> Compiled:
        """``SHOW CONTINUOUS QUERIES`` (one series per database)."""
        return Compiled("SHOW CONTINUOUS QUERIES")

    def show_measurements(self, database: str) -> Compiled:
        """``SHOW MEASUREMENTS ON "db"``."""
        return Compiled(f"SHOW MEASUREMENTS ON {self.quote_identifier(database)}")

    def _on_from(self, database: str, source: Source | None) -> str:
        text = f"ON {self.quote_identifier(database)}"
        if source is not None:
            text += f" FROM {self.visit_source(source)}"
        return text

    def show_tag_keys(self, database: str, measurement: str | None = None) -> Compiled:
        """``SHOW TAG KEYS ON "db" [FROM "m"]``."""
        source = None if measurement is None else Source(measurement)
        return Compiled(f"SHOW TAG KEYS {self._on_from(database, source)}")

    def show_tag_values(self, database: str, measurement: str, key: str) -> Compiled:
        """``SHOW TAG VALUES ON "db" FROM "m" WITH KEY = "k"``."""
        on_from = self._on_from(database, Source(measurement))
        with_key = f"WITH KEY = {self.quote_identifier(key)}"
        return Compiled(f"SHOW TAG VALUES {on_from} {with_key}")

    def show_field_keys(
        self,
        database: str,
        measurement: str | None = None,
        retention_policy: str | None = None,
    ) -> Compiled:
        """``SHOW FIELD KEYS ON "db" [FROM ["rp".]"m"]`` (types differ by policy)."""
        source = (
            None if measurement is None else Source(measurement, None, retention_policy)
        )
        return Compiled(f"SHOW FIELD KEYS {self._on_from(database, source)}")

    def show_series(
        self,
        database: str,
        measurement: str | None = None,
        *,
        without_tag: str | None = None,
    ) -> Compiled:
        """``SHOW SERIES ON "db" [FROM "m"] [WHERE "k" = '']``.

        One row per series key, across every retention policy (``SHOW
        SERIES EXACT CARDINALITY`` counts the default policy only);
        *without_tag* keeps the series that lack that tag.
        """
        source = None if measurement is None else Source(measurement)
        text = f"SHOW SERIES {self._on_from(database, source)}"
        if without_tag is not None:
            text += f" WHERE {self.quote_identifier(without_tag)} = ''"
        return Compiled(text)

    def drop_measurement(self, measurement: str) -> Compiled:
        """``DROP MEASUREMENT "m"`` (every policy; idempotent on the server)."""
        return Compiled(
            f"DROP MEASUREMENT {self.quote_identifier(measurement)}", writes=True
        )

    def drop_series(self, source: Source, where: WhereNode | None = None) -> Compiled:
        """``DROP SERIES FROM "m" [WHERE …]`` (tag conditions only)."""
        text = f"DROP SERIES FROM {self.quote_identifier(source.measurement)}"
        if where is not None:
            condition = self.visit_where(where)
            if condition:
                text += f" WHERE {condition}"
        return Compiled(text, writes=True)
