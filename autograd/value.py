"""``Value``: a scalar that records every operation on it into a computation graph.

A node keeps only what backward needs: its data, the operation's name and its operands
(``parents``). There are no closures and no references from a node to its consumers, so graphs
hold no reference cycles and are freed by reference counting the moment the last reference goes.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import TYPE_CHECKING, Union

from autograd.mode import modes
from autograd.rules import RULES

if TYPE_CHECKING:
    from numpy import bool_ as _np_bool
    from numpy import floating as _np_floating
    from numpy import integer as _np_integer

    Number = Union[int, float, bool, _np_floating, _np_integer, _np_bool]  # noqa: UP007
else:
    Number = Union[int, float, bool]  # noqa: UP007

Operand = Union["Value", Number]  # noqa: UP007


def as_float(x: object, what: str = "Value data") -> float:
    """``x`` as a float when it is a real number (int, float, bool or a NumPy real scalar)."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real):
        return float(x)
    kind = type(x)
    if kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_"):
        return float(x)  # type: ignore[arg-type]
    raise TypeError(f"{what} must be a real number (int, float or bool), got {kind.__name__}")


class Value:
    """A scalar node of a computation graph: ``data``, ``grad`` and how it was made.

    ``op`` names the operation that produced the node ("" for a leaf) and ``parents`` holds its
    operands in order (``()`` for a leaf). Equality and hashing are by identity.
    """

    __slots__ = ("__weakref__", "data", "grad", "label", "op", "parents", "scope")

    # NumPy scalars on the left of an operator defer to our reflected methods.
    __array_ufunc__ = None

    data: float
    grad: float
    label: str
    op: str
    parents: tuple[Value, ...]
    scope: str

    def __init__(self, data: Number, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {type(label).__name__}")
        self.data = as_float(data)
        self.grad = 0.0
        self.label = label
        self.op = ""
        self.parents = ()
        self.scope = modes.scope()

    # --- inspection ----------------------------------------------------------------------------

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        return self.data

    def item(self) -> float:
        """The data as a Python float (as ``torch.Tensor.item``)."""
        return self.data

    @property
    def is_leaf(self) -> bool:
        """True for a node that no recorded operation produced."""
        return not self.parents

    def detach(self) -> Value:
        """A new leaf with the same data, outside any graph."""
        return Value(self.data)

    def __lt__(self, other: Operand) -> bool:
        return self.data < _data(other)

    def __le__(self, other: Operand) -> bool:
        return self.data <= _data(other)

    def __gt__(self, other: Operand) -> bool:
        return self.data > _data(other)

    def __ge__(self, other: Operand) -> bool:
        return self.data >= _data(other)

    # Identity semantics: Values live in sets and dicts as distinct nodes.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    # --- differentiation -----------------------------------------------------------------------

    def backward(self, gradient: float = 1.0) -> None:
        """Fill ``.grad`` of every node reachable from this one with d(self)/d(node).

        Leaves accumulate across calls (as in PyTorch); interior nodes are recomputed.
        """
        from autograd.engine import backward

        backward(self, gradient)

    # --- operations (their values and derivatives live in autograd.rules) ----------------------

    def __add__(self, other: Operand) -> Value:
        return _binary("+", self, other)

    def __radd__(self, other: Number) -> Value:
        return _binary("+", other, self)

    def __sub__(self, other: Operand) -> Value:
        return _binary("-", self, other)

    def __rsub__(self, other: Number) -> Value:
        return _binary("-", other, self)

    def __mul__(self, other: Operand) -> Value:
        return _binary("*", self, other)

    def __rmul__(self, other: Number) -> Value:
        return _binary("*", other, self)

    def __truediv__(self, other: Operand) -> Value:
        return _binary("/", self, other)

    def __rtruediv__(self, other: Number) -> Value:
        return _binary("/", other, self)

    def __pow__(self, other: Operand) -> Value:
        return _binary("**", self, other)

    def __rpow__(self, other: Number) -> Value:
        return _binary("**", other, self)

    def __neg__(self) -> Value:
        return _unary("neg", self)

    def __pos__(self) -> Value:
        return _unary("pos", self)

    def __abs__(self) -> Value:
        return _unary("abs", self)

    def exp(self) -> Value:
        """e ** self."""
        return _unary("exp", self)

    def log(self) -> Value:
        """Natural logarithm; ValueError for self <= 0."""
        return _unary("log", self)

    def sqrt(self) -> Value:
        """Square root; ValueError for self < 0."""
        return _unary("sqrt", self)

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        return _unary("tanh", self)

    def sigmoid(self) -> Value:
        """Logistic function 1 / (1 + e^-self)."""
        return _unary("sigmoid", self)

    def relu(self) -> Value:
        """max(self, 0), with derivative 0 at 0."""
        return _unary("relu", self)

    def sin(self) -> Value:
        """Sine."""
        return _unary("sin", self)

    def cos(self) -> Value:
        """Cosine."""
        return _unary("cos", self)


class Constant(Value):
    """A leaf made from a plain number that appeared in an expression (drawn as a constant)."""

    __slots__ = ()


_new = object.__new__
_VALUE: dict[str, Callable[..., float]] = {op: rule.value for op, rule in RULES.items()}


def _record(data: float, op: str, parents: tuple[Value, ...]) -> Value:
    """A new node holding ``data``, made by ``op`` from ``parents`` (a leaf under no_grad)."""
    node: Value = _new(Value)
    node.data = data
    node.grad = 0.0
    node.label = ""
    if modes.open and not modes.recording():
        node.op = ""
        node.parents = ()
    else:
        node.op = op
        node.parents = parents
    node.scope = modes.scope() if modes.open else ""
    return node


def constant(x: Number, what: str = "operand") -> Value:
    """A Constant leaf for a number used as an operand."""
    node: Value = _new(Constant)
    node.data = as_float(x, what)
    node.grad = 0.0
    node.label = ""
    node.op = ""
    node.parents = ()
    node.scope = modes.scope() if modes.open else ""
    return node


def _binary(op: str, a: Operand, b: Operand) -> Value:
    if not isinstance(a, Value):
        a = constant(a, f"operand of {op}")
    elif not isinstance(b, Value):
        b = constant(b, f"operand of {op}")
    return _record(_VALUE[op](a.data, b.data), op, (a, b))  # type: ignore[union-attr]


def _unary(op: str, a: Value) -> Value:
    return _record(_VALUE[op](a.data), op, (a,))


def _data(x: Operand) -> float:
    return x.data if isinstance(x, Value) else as_float(x, "comparison operand")
