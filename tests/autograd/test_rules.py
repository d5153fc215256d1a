"""Every operation against its analytic first and second derivatives, and central differences.

The analytic formulas below are written independently of autograd.rules; ANALYTIC must name
exactly the operations of the rule table, so a new operation cannot go untested.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd import RULES, Value, grad


def reals(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from_zero(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Reals with lo <= |x| <= hi, either sign."""
    return st.tuples(reals(lo, hi), st.booleans()).map(lambda t: -t[0] if t[1] else t[0])


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@dataclass(frozen=True)
class Analytic:
    """f, its gradient and its Hessian, over a domain of arguments."""

    f: Callable[..., float]
    d: Callable[..., tuple[float, ...]]
    d2: Callable[..., tuple[tuple[float, ...], ...]]
    domain: tuple[st.SearchStrategy[float], ...]


ANALYTIC: dict[str, Analytic] = {
    "+": Analytic(
        lambda a, b: a + b,
        lambda a, b: (1.0, 1.0),
        lambda a, b: ((0.0, 0.0), (0.0, 0.0)),
        (reals(-10, 10), reals(-10, 10)),
    ),
    "-": Analytic(
        lambda a, b: a - b,
        lambda a, b: (1.0, -1.0),
        lambda a, b: ((0.0, 0.0), (0.0, 0.0)),
        (reals(-10, 10), reals(-10, 10)),
    ),
    "*": Analytic(
        lambda a, b: a * b,
        lambda a, b: (b, a),
        lambda a, b: ((0.0, 1.0), (1.0, 0.0)),
        (reals(-10, 10), reals(-10, 10)),
    ),
    "/": Analytic(
        lambda a, b: a / b,
        lambda a, b: (1 / b, -a / b**2),
        lambda a, b: ((0.0, -1 / b**2), (-1 / b**2, 2 * a / b**3)),
        (reals(-10, 10), away_from_zero(0.2, 10)),
    ),
    "**": Analytic(
        lambda a, b: a**b,
        lambda a, b: (b * a ** (b - 1), a**b * math.log(a)),
        lambda a, b: (
            (b * (b - 1) * a ** (b - 2), a ** (b - 1) * (1 + b * math.log(a))),
            (a ** (b - 1) * (1 + b * math.log(a)), a**b * math.log(a) ** 2),
        ),
        (reals(0.2, 4), reals(-3, 3)),
    ),
    "neg": Analytic(lambda a: -a, lambda a: (-1.0,), lambda a: ((0.0,),), (reals(-10, 10),)),
    "pos": Analytic(lambda a: a, lambda a: (1.0,), lambda a: ((0.0,),), (reals(-10, 10),)),
    "abs": Analytic(
        abs,
        lambda a: (math.copysign(1.0, a),),
        lambda a: ((0.0,),),
        (away_from_zero(1e-3, 10),),
    ),
    "exp": Analytic(
        math.exp,
        lambda a: (math.exp(a),),
        lambda a: ((math.exp(a),),),
        (reals(-10, 10),),
    ),
    "log": Analytic(math.log, lambda a: (1 / a,), lambda a: ((-1 / a**2,),), (reals(0.05, 50),)),
    "sqrt": Analytic(
        math.sqrt,
        lambda a: (0.5 / math.sqrt(a),),
        lambda a: ((-0.25 * a**-1.5,),),
        (reals(0.05, 50),),
    ),
    "tanh": Analytic(
        math.tanh,
        lambda a: (1 - math.tanh(a) ** 2,),
        lambda a: ((-2 * math.tanh(a) * (1 - math.tanh(a) ** 2),),),
        (reals(-5, 5),),
    ),
    "sigmoid": Analytic(
        sigmoid,
        lambda a: (sigmoid(a) * (1 - sigmoid(a)),),
        lambda a: ((sigmoid(a) * (1 - sigmoid(a)) * (1 - 2 * sigmoid(a)),),),
        (reals(-10, 10),),
    ),
    "relu": Analytic(
        lambda a: max(a, 0.0),
        lambda a: (1.0 if a > 0 else 0.0,),
        lambda a: ((0.0,),),
        (away_from_zero(1e-3, 10),),
    ),
    "sin": Analytic(
        math.sin, lambda a: (math.cos(a),), lambda a: ((-math.sin(a),),), (reals(-10, 10),)
    ),
    "cos": Analytic(
        math.cos, lambda a: (-math.sin(a),), lambda a: ((-math.cos(a),),), (reals(-10, 10),)
    ),
}

APPLY: dict[str, Callable[..., Value]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
    "neg": lambda a: -a,
    "pos": lambda a: +a,
    "abs": abs,
}
for _op in ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos"):
    APPLY[_op] = (lambda name: lambda a: getattr(a, name)())(_op)


def close(a: float, b: float, rel: float = 1e-9, abs_: float = 1e-12) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def test_every_operation_of_the_table_is_tested_here() -> None:
    assert set(ANALYTIC) == set(RULES) == set(APPLY)


def test_arity_matches_the_table() -> None:
    for op, analytic in ANALYTIC.items():
        assert RULES[op].arity == len(analytic.domain), op


def arguments(op: str) -> st.SearchStrategy[tuple[float, ...]]:
    return st.tuples(*ANALYTIC[op].domain)


@pytest.mark.parametrize("op", sorted(ANALYTIC))
@given(data=st.data())
def test_value_and_first_derivatives(op: str, data: st.DataObject) -> None:
    args = data.draw(arguments(op))
    xs = [Value(x) for x in args]
    out = APPLY[op](*xs)
    assert out.op == op
    assert out.parents == tuple(xs)
    assert close(out.data, ANALYTIC[op].f(*args))
    assert close(RULES[op].value(*args), ANALYTIC[op].f(*args))
    out.backward()
    for x, expected in zip(xs, ANALYTIC[op].d(*args), strict=True):
        assert close(x.grad, expected, rel=1e-9, abs_=1e-9)


@pytest.mark.parametrize("op", sorted(ANALYTIC))
@given(data=st.data())
def test_first_derivatives_against_central_differences(op: str, data: st.DataObject) -> None:
    args = data.draw(arguments(op))
    xs = [Value(x) for x in args]
    derivatives = grad(APPLY[op](*xs), xs)
    eps = 1e-6
    for i, d in enumerate(derivatives):
        up = [x + eps if j == i else x for j, x in enumerate(args)]
        down = [x - eps if j == i else x for j, x in enumerate(args)]
        numeric = (APPLY[op](*map(Value, up)).data - APPLY[op](*map(Value, down)).data) / (2 * eps)
        assert math.isclose(d, numeric, rel_tol=1e-5, abs_tol=1e-5), (op, i, d, numeric)


@pytest.mark.parametrize("op", sorted(ANALYTIC))
@given(data=st.data())
def test_second_derivatives_through_create_graph(op: str, data: st.DataObject) -> None:
    args = data.draw(arguments(op))
    if op == "**":
        assume(abs(args[0] - 1) > 1e-3)  # keep a**b's Hessian well conditioned
    xs = [Value(x) for x in args]
    first = grad(APPLY[op](*xs), xs, create_graph=True)
    hessian = ANALYTIC[op].d2(*args)
    for i, d in enumerate(first):
        assert isinstance(d, Value)
        row = grad(d, xs)
        for j, expected in enumerate(hessian[i]):
            assert close(row[j], expected, rel=1e-8, abs_=1e-9), (op, i, j, row[j], expected)


@given(x=reals(0.1, 3))
def test_third_and_fourth_derivatives(x: float) -> None:
    v = Value(x)
    f = v.exp() * v.sin()
    d1 = grad(f, [v], create_graph=True)[0]
    d2 = grad(d1, [v], create_graph=True)[0]
    d3 = grad(d2, [v], create_graph=True)[0]
    d4 = grad(d3, [v])[0]
    # (e^x sin x)'''' = -4 e^x sin x
    assert close(d4, -4 * math.exp(x) * math.sin(x), rel=1e-9, abs_=1e-9)
    assert close(d2.data, 2 * math.exp(x) * math.cos(x), rel=1e-9, abs_=1e-12)


@given(a=reals(0.2, 4))
def test_mixed_second_derivative_of_pow_at_exponent_zero(a: float) -> None:
    # d²(a^b)/da db = a^(b-1) (1 + b ln a), which is 1/a at b = 0 (PyTorch returns 0 here).
    base, exponent = Value(a), Value(0.0)
    (d_base,) = grad(base**exponent, [base], create_graph=True)
    assert d_base.data == 0.0
    assert close(grad(d_base, [exponent])[0], 1 / a)


def test_api_example_of_higher_order() -> None:
    x = Value(1.7)
    assert grad(grad(x**3, [x], create_graph=True)[0], [x]) == [pytest.approx(6 * x.data)]


class TestConventionsAtKinks:
    def test_relu_derivative_at_zero_is_zero(self) -> None:
        x = Value(0.0)
        x.relu().backward()
        assert x.grad == 0.0

    def test_abs_derivative_at_zero_is_zero(self) -> None:
        x = Value(0.0)
        abs(x).backward()
        assert x.grad == 0.0

    def test_pow_exponent_derivative_at_zero_base_is_zero(self) -> None:
        base, exponent = Value(0.0), Value(2.0)
        (base**exponent).backward()
        assert (base.grad, exponent.grad) == (0.0, 0.0)

    def test_zeroth_power_has_zero_derivative_even_at_zero(self) -> None:
        x = Value(0.0)
        (x**0).backward()
        assert x.grad == 0.0

    def test_relu_keeps_nan(self) -> None:
        assert math.isnan(Value(math.nan).relu().data)


class TestDomainErrors:
    @pytest.mark.parametrize(
        ("make", "message"),
        [
            (lambda: Value(0.0).log(), "log of non-positive value 0.0"),
            (lambda: Value(-2.5).log(), "log of non-positive value -2.5"),
            (lambda: Value(-1.0).sqrt(), "sqrt of negative value -1.0"),
            (lambda: Value(-2.0) ** 0.5, "** of negative base to non-integer power -2.0, 0.5"),
            (lambda: Value(-2.0) ** Value(1.5), "** of negative base to non-integer power -2.0"),
            (lambda: Value(0.0) ** -1, "** of zero base to negative power 0.0, -1.0"),
            (lambda: Value(1.0) / 0, "division by zero: 1.0 / 0.0"),
            (lambda: 3 / Value(0.0), "division by zero: 3.0 / 0.0"),
            (lambda: Value(math.inf).sin(), "sin of infinite value inf"),
            (lambda: Value(-math.inf).cos(), "cos of infinite value -inf"),
        ],
    )
    def test_domain_error_names_operation_and_value(
        self, make: Callable[[], Value], message: str
    ) -> None:
        with pytest.raises(ValueError, match=message.replace("*", r"\*").replace("(", r"\(")):
            make()

    def test_negative_base_to_integer_power_is_real(self) -> None:
        x = Value(-2.0)
        y = x**3
        y.backward()
        assert (y.data, x.grad) == (-8.0, 12.0)

    def test_sqrt_at_zero_has_no_finite_derivative(self) -> None:
        x = Value(0.0)
        with pytest.raises(ValueError, match="sqrt has no finite derivative at 0.0"):
            x.sqrt().backward()

    def test_fractional_power_at_zero_has_no_finite_derivative(self) -> None:
        x = Value(0.0)
        with pytest.raises(ValueError, match=r"\*\* has no finite derivative at base 0.0"):
            (x**0.5).backward()

    def test_overflow_gives_infinity_not_an_exception(self) -> None:
        assert Value(1000.0).exp().data == math.inf
        assert (Value(10.0) ** 400).data == math.inf
        assert (Value(-10.0) ** 401).data == -math.inf

    def test_overflowing_derivative_is_infinite_like_the_forward_pass(self) -> None:
        x = Value(10.0)
        (x**400).backward()
        assert x.grad == math.inf

    def test_large_arguments_stay_finite(self) -> None:
        assert Value(-1000.0).sigmoid().data == 0.0
        assert Value(1000.0).sigmoid().data == 1.0
        assert Value(1000.0).tanh().data == 1.0
