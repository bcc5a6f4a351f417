"""Expression nodes: F arithmetic, Now(), Q objects and where-nodes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import pytest

from influxpy import F, Now, Q, Raw, Value
from influxpy.durations import Hour, Minute, Second
from influxpy.expressions import Col, CombinedExpression, Star, WhereNode
from influxpy.functions import Count, Mean

# -- arithmetic ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (F("a") + 1, CombinedExpression(F("a"), "+", Value(1))),
        (F("a") - 1, CombinedExpression(F("a"), "-", Value(1))),
        (F("a") * 2.5, CombinedExpression(F("a"), "*", Value(2.5))),
        (F("a") / F("b"), CombinedExpression(F("a"), "/", F("b"))),
        (F("a") % 2, CombinedExpression(F("a"), "%", Value(2))),
        (1 + F("a"), CombinedExpression(Value(1), "+", F("a"))),
        (100 - F("a"), CombinedExpression(Value(100), "-", F("a"))),
        (2 * F("a"), CombinedExpression(Value(2), "*", F("a"))),
        (1 / F("a"), CombinedExpression(Value(1), "/", F("a"))),
        (7 % F("a"), CombinedExpression(Value(7), "%", F("a"))),
        (F("a").bitand(3), CombinedExpression(F("a"), "&", Value(3))),
        (F("a").bitor(F("b")), CombinedExpression(F("a"), "|", F("b"))),
        (F("a").bitxor(True), CombinedExpression(F("a"), "^", Value(True))),
        (Count("a").bitand(1), CombinedExpression(Count("a"), "&", Value(1))),
    ],
)
def test_arithmetic_builds_nodes(expression: Any, expected: CombinedExpression):
    """Operators build nodes with the operands in the order written."""
    assert expression == expected


def test_arithmetic_keeps_grouping():
    """``a * 100 / b`` groups to the left, as Python evaluates it."""
    expression = F("free_memory") * 100 / F("memory")
    assert expression == CombinedExpression(
        CombinedExpression(F("free_memory"), "*", Value(100)), "/", F("memory")
    )


def test_unknown_operator():
    """Only InfluxQL's arithmetic and bitwise operators build nodes."""
    msg = "Unknown arithmetic operator '**'; operators are: +, -, *, /, %, &, |, ^."
    with pytest.raises(ValueError, match=re.escape(msg)):
        CombinedExpression(F("a"), "**", Value(2))


@pytest.mark.parametrize(
    "combine",
    [
        lambda: F("a") & 3,
        lambda: 3 | F("a"),
        lambda: F("a") ^ F("b"),
        lambda: Count("a") & Q(a=1),
    ],
)
def test_python_bitwise_operators_point_to_the_methods(combine: Any):
    """``&`` and ``|`` combine ``Q`` objects; bitwise math has methods."""
    with pytest.raises(TypeError, match=r"\.bitand\(\), \.bitor\(\) and \.bitxor\(\)"):
        combine()


@pytest.mark.parametrize(
    ("expression", "alias"),
    [
        (F("cpu"), "cpu"),
        (F("cpu") * 2, "cpu"),
        (2 * F("cpu"), "cpu"),
        (F("a") + F("b"), "a_b"),
        (F("a").bitand(3), "a"),
        (F("a").bitxor(F("b")), "a_b"),
        (Mean("cpu") * 2, "mean"),
        (Mean("cpu") / Count("cpu"), "mean_count"),
        (Col("odd key"), "odd key"),
        (Value(1), None),
        (Star(), None),
    ],
)
def test_default_alias(expression: Any, alias: str | None):
    """Columns are named as InfluxQL names them (§3.8)."""
    assert expression.default_alias() == alias


def test_contains_aggregate():
    """A function anywhere in the tree makes the expression an aggregate."""
    assert not (F("a") * 2).contains_aggregate
    assert (Mean("a") * 2).contains_aggregate
    assert (1 + Mean("a") / 2).contains_aggregate


def test_nodes_are_frozen():
    """Expression nodes cannot be changed after they are built."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        F("a").name = "b"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Value(1).value = 2  # type: ignore[misc]


def test_raw_keeps_its_text():
    """Raw text is kept as given."""
    assert Raw("mean(*)").text == "mean(*)"


# -- Now() -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "offset"),
    [
        (Now(), 0),
        (Now() - Hour(1), -3_600 * 10**9),
        (Now() + Minute(5), 300 * 10**9),
        (Now() - dt.timedelta(seconds=1.5), -1_500_000_000),
        (Now() - Hour(1) + Second(1), -3_599 * 10**9),
        (Now() - -Hour(1), 3_600 * 10**9),
    ],
)
def test_now_shifts(expression: Now, offset: int):
    """Now() shifts by durations and timedeltas, to the nanosecond."""
    assert expression == Now(offset)


@pytest.mark.parametrize(
    ("other", "type_name"),
    [(5, "int"), ("1h", "str"), (F("a"), "F"), (None, "NoneType")],
)
def test_now_shifted_by_something_else(other: Any, type_name: str):
    """Only durations and timedeltas shift Now()."""
    msg = f"Now() can only be shifted by a Duration or a timedelta, not {type_name}."
    with pytest.raises(TypeError, match=re.escape(msg)):
        Now() - other
    with pytest.raises(TypeError, match=re.escape(msg)):
        Now() + other


# -- Q ---------------------------------------------------------------------------


def test_q_keywords_are_sorted():
    """Keyword conditions are kept in name order, so equal Qs compare equal."""
    assert Q(b=1, a=2).children == (("a", 2), ("b", 1))
    assert Q(b=1, a=2) == Q(a=2, b=1)
    assert hash(Q(b=1, a=2)) == hash(Q(a=2, b=1))


def test_q_operators():
    """``&``, ``|`` and ``~`` build new Q objects."""
    left, right = Q(a=1), Q(b=2)
    assert (left & right).connector == "AND"
    assert (left | right).connector == "OR"
    assert (left | right).children == (left, right)
    assert (~left).negated
    assert not left.negated
    assert ~left != left


def test_q_repr():
    """repr() shows the tree."""
    q = Q(name="a", region="b") | ~Q(cpu=1)
    assert repr(q) == (
        "<Q: (<Q: (('name', 'a') AND ('region', 'b'))> OR "
        "<Q: NOT (<Q: (('cpu', 1))>)>)>"
    )


@pytest.mark.parametrize(("other", "type_name"), [({"a": 1}, "dict"), (1, "int")])
def test_q_combines_only_with_q(other: Any, type_name: str):
    """Combining a Q with anything else is a TypeError."""
    msg = f"Q objects combine only with Q objects, not {type_name}."
    with pytest.raises(TypeError, match=re.escape(msg)):
        Q(a=1) & other
    with pytest.raises(TypeError, match=re.escape(msg)):
        Q(a=1) | other


def test_q_equality_with_other_types():
    """A Q is never equal to another type."""
    assert Q(a=1) != {"a": 1}
    assert Q(a=1) != ("a", 1)


def _build(key: str, value: Any) -> Any:
    """A stand-in lookup builder: lookups are (key, value, negated) tuples."""
    return _Cond(key, value)


@dataclasses.dataclass(frozen=True)
class _Cond:
    key: str
    value: Any
    negated: bool = False

    def negate(self) -> _Cond:
        return dataclasses.replace(self, negated=not self.negated)


def test_q_resolves_to_where_nodes():
    """resolve() builds one node per group, lookups from the builder."""
    node = (Q(a=1) | Q(b=2, c=3)).resolve(_build)
    assert node == WhereNode(
        "OR",
        (
            WhereNode("AND", (_Cond("a", 1),)),
            WhereNode("AND", (_Cond("b", 2), _Cond("c", 3))),
        ),
    )


def test_negation_is_pushed_down():
    """``~`` applies De Morgan's laws down to each lookup."""
    node = (~(Q(a=1) | Q(b=2))).resolve(_build)
    assert node == WhereNode(
        "OR",
        (
            WhereNode(
                "AND",
                (
                    WhereNode("OR", (_Cond("a", 1, negated=True),)),
                    WhereNode("OR", (_Cond("b", 2, negated=True),)),
                ),
            ),
        ),
    )
    assert list(node.walk()) == [
        _Cond("a", 1, negated=True),
        _Cond("b", 2, negated=True),
    ]


def test_empty_q_drops_out():
    """An empty Q matches everything and leaves no empty group behind."""
    assert Q().resolve(_build) == WhereNode("AND", ())
    assert Q(Q(), a=1).resolve(_build) == WhereNode("AND", (_Cond("a", 1),))
    assert (Q() | Q(a=1)).resolve(_build) == WhereNode(
        "OR", (WhereNode("AND", (_Cond("a", 1),)),)
    )


def test_has_or():
    """has_or() finds an OR of two or more branches at any depth."""
    assert not Q(a=1, b=2).resolve(_build).has_or()
    assert (Q(a=1) | Q(b=2)).resolve(_build).has_or()
    assert (Q(c=3) & (Q(a=1) | Q(b=2))).resolve(_build).has_or()
    assert not (~Q(a=1)).resolve(_build).has_or()


def test_where_nodes_combine_with_and():
    """``&`` on where-nodes nests them under AND."""
    left = WhereNode("AND", (_Cond("a", 1),))
    right = WhereNode("OR", (_Cond("b", 2), _Cond("c", 3)))
    assert (left & right) == WhereNode("AND", (left, right))
