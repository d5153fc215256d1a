"""The table of derivative rules: for every operation, its value and its local derivatives.

Each rule is written once and serves three callers:

- the forward pass calls ``value`` on floats (it raises ``ValueError`` outside the domain);
- ``backward`` calls ``vjp`` on floats (the upstream gradient, the output and the inputs);
- ``grad(..., create_graph=True)`` calls the same ``vjp`` on Values, so the derivative is itself
  recorded as a graph and can be differentiated again.

``vjp(g, out, *inputs)`` returns ``g`` times the local derivative of ``out`` with respect to each
input (a vector-Jacobian product). Rules use only arithmetic, comparisons and the helpers below,
which work on floats and on Values alike.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Operands of a rule are floats on the fast path and Values when a graph is being recorded.
Num = Any


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of the table: an operation's value and its local derivatives."""

    op: str
    arity: int
    value: Callable[..., float]
    vjp: Callable[..., tuple[Num, ...]]
    formula: str  # the local derivatives, for documentation and drawings


def _domain(op: str, problem: str, *values: float) -> ValueError:
    """A ValueError that names the operation and the offending value(s)."""
    return ValueError(f"{op} of {problem} {', '.join(repr(v) for v in values)}")


# --- helpers that accept a float or a Value ----------------------------------------------------


def _call(x: Num, name: str, fn: Callable[[float], float]) -> Num:
    """fn(x) on a float, or the method of the same name on a Value (which records a node)."""
    return fn(x) if isinstance(x, float) else getattr(x, name)()


def cos(x: Num) -> Num:
    """cos x, on a float or a Value."""
    return _call(x, "cos", math.cos)


def sin(x: Num) -> Num:
    """sin x, on a float or a Value."""
    return _call(x, "sin", math.sin)


def log(x: Num) -> Num:
    """ln x, on a float or a Value."""
    return _call(x, "log", math.log)


def power(a: Num, b: Num) -> Num:
    """a ** b, on floats (overflow gives inf, as in the forward pass) or on Values."""
    return _pow(a, b) if isinstance(a, float) else a**b


def sign(x: Num) -> float:
    """sign x as a float constant: -1.0, 0.0 or 1.0 (so abs'(0) = 0)."""
    return 1.0 if x > 0 else -1.0 if x < 0 else 0.0


# --- forward values on floats, with the domain checks of the API -------------------------------


def _div(a: float, b: float) -> float:
    """a / b; division by zero is a ValueError."""
    if b == 0:
        raise ValueError(f"division by zero: {a!r} / {b!r}")
    return a / b


def _pow(a: float, b: float) -> float:
    """a ** b for real results only; overflow gives an infinity, as IEEE arithmetic does."""
    if a == 0 and b < 0:
        raise _domain("**", "zero base to negative power", a, b)
    if a < 0 and not b.is_integer():
        raise _domain("**", "negative base to non-integer power", a, b)
    try:
        result: float = a**b
    except OverflowError:
        negative = a < 0 and b % 2 == 1
        return -math.inf if negative else math.inf
    return result


def _exp(a: float) -> float:
    """e ** a; overflow gives inf."""
    try:
        return math.exp(a)
    except OverflowError:
        return math.inf


def _log(a: float) -> float:
    """ln a for a > 0."""
    if a <= 0:
        raise _domain("log", "non-positive value", a)
    return math.log(a)


def _sqrt(a: float) -> float:
    """sqrt a for a >= 0."""
    if a < 0:
        raise _domain("sqrt", "negative value", a)
    return math.sqrt(a)


def _periodic(op: str, fn: Callable[[float], float]) -> Callable[[float], float]:
    """sin or cos, with a named error for an infinite argument."""

    def value(a: float) -> float:
        if math.isinf(a):
            raise _domain(op, "infinite value", a)
        return fn(a)

    value.__name__ = value.__qualname__ = f"_{op}"
    value.__doc__ = f"{op} a for finite a."
    return value


def _sigmoid(a: float) -> float:
    """1 / (1 + e^-a), computed without overflow for large |a|."""
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _relu(a: float) -> float:
    """max(a, 0); NaN stays NaN."""
    return 0.0 if a <= 0 else a


# --- local derivatives (vector-Jacobian products) ----------------------------------------------


# Tests of a value's number use float(): on Values, == is identity, as the API promises.


def _pow_vjp(g: Num, out: Num, a: Num, b: Num) -> tuple[Num, Num]:
    """d(a**b)/da = b a^(b-1); d(a**b)/db = a^b ln a (taken as 0 where a <= 0)."""
    base, exponent = float(a), float(b)
    if base == 0 and exponent < 1:
        if exponent != 0:
            raise ValueError(
                f"** has no finite derivative at base {base!r} with exponent {exponent!r}"
            )
        da: Num = 0.0  # a**0 is constant, even at a = 0
    else:
        da = g * b * power(a, b - 1)
    db = g * out * log(a) if base > 0 else 0.0
    return da, db


def _sqrt_vjp(g: Num, out: Num, a: Num) -> tuple[Num]:
    """d(sqrt a)/da = 1 / (2 sqrt a)."""
    if float(out) == 0:
        raise ValueError(f"sqrt has no finite derivative at {float(a)!r}")
    return (g / (2.0 * out),)


RULES: dict[str, Rule] = {
    rule.op: rule
    for rule in (
        Rule("+", 2, operator.add, lambda g, out, a, b: (g, g), "1, 1"),
        Rule("-", 2, operator.sub, lambda g, out, a, b: (g, -g), "1, -1"),
        Rule("*", 2, operator.mul, lambda g, out, a, b: (g * b, g * a), "b, a"),
        Rule("/", 2, _div, lambda g, out, a, b: (g / b, -g * out / b), "1/b, -a/b²"),
        Rule("**", 2, _pow, _pow_vjp, "b·a^(b-1), a^b·ln a"),
        Rule("neg", 1, operator.neg, lambda g, out, a: (-g,), "-1"),
        Rule("pos", 1, operator.pos, lambda g, out, a: (g,), "1"),
        Rule("abs", 1, abs, lambda g, out, a: (g * sign(a),), "sign a (0 at 0)"),
        Rule("exp", 1, _exp, lambda g, out, a: (g * out,), "e^a"),
        Rule("log", 1, _log, lambda g, out, a: (g / a,), "1/a"),
        Rule("sqrt", 1, _sqrt, _sqrt_vjp, "1/(2√a)"),
        Rule("tanh", 1, math.tanh, lambda g, out, a: (g * (1.0 - out * out),), "1 - tanh²a"),
        Rule("sigmoid", 1, _sigmoid, lambda g, out, a: (g * out * (1.0 - out),), "σ(a)(1 - σ(a))"),
        Rule("relu", 1, _relu, lambda g, out, a: (g if a > 0 else 0.0,), "1 if a > 0 else 0"),
        Rule("sin", 1, _periodic("sin", math.sin), lambda g, out, a: (g * cos(a),), "cos a"),
        Rule("cos", 1, _periodic("cos", math.cos), lambda g, out, a: (-g * sin(a),), "-sin a"),
    )
}
