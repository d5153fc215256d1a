"""Random expression trees over every operation, evaluated by interchangeable backends.

A tree is a nested tuple: ``("var", i)``, ``("const", c)`` or ``(op, child, ...)``. The same tree
is evaluated on Values (the engine under test), on floats (for central differences) and on
PyTorch tensors (the cross-check), so all three compute exactly the same function.

Every operation is wrapped so that its input stays inside its domain whatever the children
compute: log and sqrt see ``e*e + 1``, division divides by ``e*e + 1``, powers take a positive
base or an integer exponent. The wrappers themselves use only the operations under test.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from autograd import Value

Tree = tuple[Any, ...]
UNARY = ("neg", "pos", "abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos")
BINARY = ("+", "-", "*", "/", "**", "**int", "rpow")
N_VARS = 3

# Explicit domains: variables and constants are drawn from these ranges.
variable_values = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)
constants = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)


def trees(max_leaves: int = 12) -> st.SearchStrategy[Tree]:
    """Expression trees over variables x0..x2 and constants, using every operation."""
    leaves = st.one_of(
        st.tuples(st.just("var"), st.integers(0, N_VARS - 1)),
        st.tuples(st.just("const"), constants),
    )

    def extend(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
        return st.one_of(
            st.tuples(st.sampled_from(UNARY), children),
            st.tuples(st.sampled_from(BINARY), children, children),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


def ops_in(tree: Tree) -> set[str]:
    """The operation names a tree uses."""
    if tree[0] in ("var", "const"):
        return set()
    return {tree[0]}.union(*(ops_in(child) for child in tree[1:]))


class Backend:
    """How to evaluate each operation on one kind of number."""

    def __init__(self, const: Callable[[float], Any], funcs: dict[str, Callable[[Any], Any]]):
        self.const = const
        self.funcs = funcs

    def evaluate(self, tree: Tree, xs: list[Any]) -> Any:
        kind = tree[0]
        if kind == "var":
            return xs[tree[1]]
        if kind == "const":
            return self.const(tree[1])
        args = [self.evaluate(child, xs) for child in tree[1:]]
        one = self.const(1.0)
        if kind in ("log", "sqrt"):
            return self.funcs[kind](args[0] * args[0] + one)
        if kind in UNARY:
            return self.funcs[kind](args[0])
        a, b = args
        if kind == "+":
            return a + b
        if kind == "-":
            return a - b
        if kind == "*":
            return a * b
        if kind == "/":
            return a / (b * b + one)
        if kind == "**":  # positive base, real exponent
            return (a * a + one) ** self.funcs["tanh"](b)
        if kind == "**int":  # any base, integer exponent
            return a ** self.const(3.0)
        if kind == "rpow":  # number ** Value
            return self.const(2.0) ** self.funcs["tanh"](b) * a
        raise AssertionError(kind)


def _relu(x: float) -> float:
    return x if x > 0 else 0.0


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


FLOATS = Backend(
    float,
    {
        "neg": lambda x: -x,
        "pos": lambda x: +x,
        "abs": abs,
        "exp": math.exp,
        "log": math.log,
        "sqrt": math.sqrt,
        "tanh": math.tanh,
        "sigmoid": _sigmoid,
        "relu": _relu,
        "sin": math.sin,
        "cos": math.cos,
    },
)


def values(kind: type[Any]) -> Backend:
    """Evaluation on the Value class ``kind`` (either engine's)."""

    def method(name: str) -> Callable[[Any], Any]:
        """Call the method ``name``; a subtree of constants is a float, so wrap it first."""
        return lambda x: getattr(x if isinstance(x, kind) else kind(x), name)()

    return Backend(
        float,  # constants stay plain numbers, so the engine turns them into Constant nodes
        {"neg": lambda x: -x, "pos": lambda x: +x, "abs": abs}
        | {name: method(name) for name in UNARY[3:]},
    )


VALUES = values(Value)


def kinks_nearby(root: Value, margin: float = 1e-3) -> bool:
    """Whether any relu or abs in the graph sees an input within ``margin`` of its kink at 0."""
    from autograd import topological_order

    return any(
        node.op in ("relu", "abs") and abs(node.parents[0].data) < margin
        for node in topological_order(root)
    )


def well_scaled(root: Value, bound: float = 1e4) -> bool:
    """Whether every intermediate value is finite and moderate (central differences stay exact)."""
    from autograd import topological_order

    return all(
        math.isfinite(node.data) and abs(node.data) < bound for node in topological_order(root)
    )
