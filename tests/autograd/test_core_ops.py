"""The compiled core against the rule table: every operation, bit for bit, errors included.

autograd/rules.py is the one statement of the math; autograd/_native/ops.h transcribes it. For
every operation of the table, over drawn inputs and the domain's edges, the core must give the
same value and the same vjp as the rule, to the last bit, or raise the same error with the same
message. (These tests import the core directly, so they run whichever engine is in use.)
"""

from __future__ import annotations

import math
import os
import struct
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograd import RULES
from tests.autograd.test_rules import APPLY

if os.environ.get("CHAINRULE_BACKEND") == "python":
    _core = pytest.importorskip("autograd._core")
else:  # the native run, or the default one: a missing core fails here, loudly
    from autograd import _core

# Edges of every domain: signed zeros, infinities, nan, integers (for **), values near the
# kinks and the overflow thresholds, the largest and smallest floats.
EDGES = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    2.0,
    -2.0,
    3.0,
    -3.0,
    0.5,
    -0.5,
    math.inf,
    -math.inf,
    math.nan,
    1e-300,
    -1e-300,
    5e-324,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    709.8,
    -745.2,
    1e16,
    2.0**53 + 2.0,
    -(2.0**53) - 1.0,
]
numbers = st.one_of(
    st.sampled_from(EDGES),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-8, 8).map(float),
)


def bits(x: float) -> bytes:
    """A float's bits: equal bits are the same float, -0.0 included. Every nan is one: IEEE
    754 leaves the sign of a nan result unspecified (a compiler may turn x * -1.0 into -x)."""
    return b"nan" if math.isnan(x) else struct.pack("<d", x)


def outcome(f: Callable[..., Any], *args: Any) -> tuple[str, Any]:
    """What f(*args) does: its result's bits, or its exception's type and message."""
    try:
        result = f(*args)
    except (ValueError, ZeroDivisionError) as error:
        return ("raises", (type(error), str(error)))
    if isinstance(result, tuple):
        return ("returns", tuple(bits(float(r)) for r in result))
    return ("returns", bits(result))


def test_the_core_has_every_operation_of_the_table() -> None:
    for op, rule in RULES.items():
        args = [1.5] * rule.arity
        assert outcome(_core._value, op, *args) == outcome(rule.value, *args), op
    with pytest.raises(KeyError, match="no operation 'erf'"):
        _core._value("erf", 1.0)


@pytest.mark.parametrize("op", list(RULES))
@settings(max_examples=400)
@given(data=st.data())
def test_values_are_bit_identical_and_errors_the_same(op: str, data: st.DataObject) -> None:
    args = data.draw(st.tuples(*[numbers] * RULES[op].arity))
    assert outcome(_core._value, op, *args) == outcome(RULES[op].value, *args)


@pytest.mark.parametrize("op", list(RULES))
@settings(max_examples=400)
@given(data=st.data())
def test_vjps_are_bit_identical_and_errors_the_same(op: str, data: st.DataObject) -> None:
    """The vjp at its own output (as backward calls it) and at an arbitrary one (.data can be
    changed after the forward pass), for any upstream gradient."""
    rule = RULES[op]
    args = data.draw(st.tuples(*[numbers] * rule.arity))
    g = data.draw(numbers)
    try:
        out = rule.value(*args)
    except ValueError:
        out = data.draw(numbers)
    if data.draw(st.booleans()):
        out = data.draw(numbers)
    expected = outcome(rule.vjp, g, out, *args)
    assert outcome(_core._vjp, op, g, out, *args) == expected


@pytest.mark.parametrize(
    ("op", "args"),
    [
        ("**", (-8.0, 1.0 / 3.0)),
        ("**", (0.0, -1.0)),
        ("**", (-0.0, -2.5)),
        ("**", (-2.0, math.inf)),
        ("**", (10.0, 400.0)),
        ("**", (-10.0, 401.0)),
        ("**", (1e-10, 31.5)),
        ("/", (1.0, 0.0)),
        ("/", (1.0, -0.0)),
        ("log", (0.0,)),
        ("log", (-0.0,)),
        ("sqrt", (-1e-300,)),
        ("sin", (math.inf,)),
        ("cos", (-math.inf,)),
        ("exp", (710.0,)),
        ("sigmoid", (-800.0,)),
    ],
)
def test_domain_edges(op: str, args: tuple[float, ...]) -> None:
    assert outcome(_core._value, op, *args) == outcome(RULES[op].value, *args)


@pytest.mark.parametrize(
    ("op", "args"),
    [
        ("**", (1.0, 8.0, 0.0, 0.5)),  # no finite derivative at base 0
        ("**", (1.0, 1.0, 0.0, 0.0)),  # a**0 is constant
        ("**", (1.0, 1.0, -2.0, 0.5)),  # .data changed: b a^(b-1) has no real value
        ("sqrt", (1.0, 0.0, 0.0)),
        ("log", (1.0, 0.0, 0.0)),  # g / a with a = 0: ZeroDivisionError, as in Python
        ("/", (1.0, 1.0, 1.0, 0.0)),
        ("sin", (1.0, 0.0, math.inf)),
        ("abs", (-1.0, 0.0, 0.0)),
        ("abs", (1.0, 0.0, math.nan)),
        ("relu", (2.0, 0.0, -0.0)),
    ],
)
def test_derivative_edges(op: str, args: tuple[float, ...]) -> None:
    assert outcome(_core._vjp, op, *args) == outcome(RULES[op].vjp, *args)


def test_arity_is_checked() -> None:
    with pytest.raises(TypeError, match="takes 1 inputs"):
        _core._value("exp", 1.0, 2.0)
    with pytest.raises(TypeError, match="must be a float"):
        _core._value("+", 1, 2.0)


@example(x=-0.0)
@given(x=numbers)
def test_recorded_nodes_compute_as_the_table(x: float) -> None:
    """Through the Value type itself: each operation records a node with the table's op name
    and value."""
    for op, rule in RULES.items():
        node = _core.Value(x)
        args = (node, _core.Value(0.75))[: rule.arity]
        try:
            expected = rule.value(*(float(a) for a in args))
        except ValueError as error:
            with pytest.raises(ValueError, match=f"^{_escaped(str(error))}$"):
                _apply(op, *args)
            continue
        out = _apply(op, *args)
        assert out.op == op
        assert out.parents == args
        assert bits(out.data) == bits(expected)


def _escaped(text: str) -> str:
    import re

    return re.escape(text)


def _apply(op: str, *args: Any) -> Any:
    return APPLY[op](*args)
