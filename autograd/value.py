"""``Value``: a scalar that records every operation on it into a computation graph.

A node keeps only what backward needs: its data, the operation's name and its operands
(``parents``). There are no closures and no references from a node to its consumers, so graphs
hold no reference cycles and are freed by reference counting the moment the last reference goes.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import TYPE_CHECKING, Union

from autograd.mode import modes, record_comparison
from autograd.rules import RULES

if TYPE_CHECKING:
    from numpy import bool_ as _np_bool
    from numpy import floating as _np_floating
    from numpy import integer as _np_integer

    Number = Union[int, float, bool, _np_floating, _np_integer, _np_bool]  # noqa: UP007
else:
    Number = Union[int, float, bool]  # noqa: UP007

Operand = Union["Value", Number]


def as_float(x: object, what: str = "Value data") -> float:
    """``x`` as a float when it is a real number (int, float, bool or a NumPy real scalar)."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real):
        try:
            return float(x)
        except OverflowError:
            raise ValueError(
                f"{what} is too large for a float: {type(x).__name__} beyond ±1.8e308"
            ) from None
    kind = type(x)
    if kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_"):
        return float(x)  # type: ignore[arg-type]
    raise TypeError(f"{what} must be a real number (int, float or bool), got {kind.__name__}")


_new = object.__new__
_VALUE: dict[str, Callable[..., float]] = {op: rule.value for op, rule in RULES.items()}


def _tracked_out(out: Value) -> None:
    """Apply the thread's recording mode to a fresh node: a leaf under no_grad, and the scope."""
    state = modes.thread
    out.scope = state.scope
    if not state.recording:
        out.op = ""
        out._a = out._b = None


def _binary(op: str) -> tuple[Callable[[Value, Operand], Value], Callable[[Value, Number], Value]]:
    """``a <op> b`` and its reflected form ``number <op> a``, recording a node made by ``op``."""
    value = _VALUE[op]
    what = f"operand of {op}"

    def method(self: Value, other: Operand) -> Value:
        if other.__class__ is not Value and not isinstance(other, Value):
            other = constant(other, what)
        # Written out rather than delegated: this is the hot path of every graph.
        out = _new(Value)
        out.data = value(self.data, other.data)
        out.grad = 0.0
        out.label = ""
        out.op = op
        out._a = self
        out._b = other
        out.scope = ""
        if modes.open:
            _tracked_out(out)
        return out

    def reflected(self: Value, other: Number) -> Value:
        return method(constant(other, what), self)

    _document(method, op, f"self {op} other")
    _document(reflected, op, f"other {op} self")
    return method, reflected


def _unary(op: str) -> Callable[[Value], Value]:
    """``op(a)``, recording a node made by ``op``."""
    value = _VALUE[op]

    def method(self: Value) -> Value:
        out = _new(Value)
        out.data = value(self.data)
        out.grad = 0.0
        out.label = ""
        out.op = op
        out._a = self
        out._b = None
        out.scope = ""
        if modes.open:
            _tracked_out(out)
        return out

    _document(method, op, f"{op}(self)")
    return method


def _document(method: Callable[..., Value], op: str, expression: str) -> None:
    rule = RULES[op]
    method.__doc__ = f"{expression}, recorded as op {op!r}; local derivatives: {rule.formula}."


class Value:
    """A scalar node of a computation graph: ``data``, ``grad`` and how it was made.

    ``op`` names the operation that produced the node ("" for a leaf) and ``parents`` holds its
    operands in order (``()`` for a leaf). Equality and hashing are by identity.
    """

    # Operands live in two slots rather than a tuple: one tracked allocation per node instead of
    # two halves the work of the cyclic collector, which otherwise dominates building a graph.
    __slots__ = ("__weakref__", "_a", "_b", "data", "grad", "label", "op", "scope")

    # NumPy scalars on the left of an operator defer to our reflected methods.
    __array_ufunc__ = None

    data: float
    grad: float
    label: str
    op: str
    scope: str
    _a: Value | None  # first operand (None for a leaf)
    _b: Value | None  # second operand (None for a leaf or a unary operation)

    def __init__(self, data: Number, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {type(label).__name__}")
        self.data = as_float(data)
        self.grad = 0.0
        self.label = label
        self.op = ""
        self._a = self._b = None
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
    def parents(self) -> tuple[Value, ...]:
        """The operands of the operation that made this node, in order (``()`` for a leaf)."""
        a, b = self._a, self._b
        if a is None:
            return ()
        return (a,) if b is None else (a, b)

    @property
    def is_leaf(self) -> bool:
        """True for a node that no recorded operation produced."""
        return self._a is None

    def detach(self) -> Value:
        """A new leaf with the same data, outside any graph."""
        return Value(self.data)

    # Comparisons read data; while a trace is open they are recorded as the tape's guards
    # (record_comparison ignores them unless this thread is tracing).
    def __lt__(self, other: Operand) -> bool:
        outcome = self.data < _data(other)
        if modes.open:
            record_comparison("<", self, other, outcome)
        return outcome

    def __le__(self, other: Operand) -> bool:
        outcome = self.data <= _data(other)
        if modes.open:
            record_comparison("<=", self, other, outcome)
        return outcome

    def __gt__(self, other: Operand) -> bool:
        outcome = self.data > _data(other)
        if modes.open:
            record_comparison(">", self, other, outcome)
        return outcome

    def __ge__(self, other: Operand) -> bool:
        outcome = self.data >= _data(other)
        if modes.open:
            record_comparison(">=", self, other, outcome)
        return outcome

    # == and hash stay object's own (identity), so Values live in sets and dicts as distinct nodes.

    # --- differentiation -----------------------------------------------------------------------

    def backward(self, gradient: float = 1.0) -> None:
        """Fill ``.grad`` of every node reachable from this one with d(self)/d(node).

        Leaves accumulate across calls (as in PyTorch); interior nodes are recomputed.
        """
        from autograd.engine import backward

        backward(self, gradient)

    # --- operations: generated from the rule table in autograd.rules --------------------------

    __add__, __radd__ = _binary("+")
    __sub__, __rsub__ = _binary("-")
    __mul__, __rmul__ = _binary("*")
    __truediv__, __rtruediv__ = _binary("/")
    __pow__, __rpow__ = _binary("**")
    __neg__ = _unary("neg")
    __pos__ = _unary("pos")
    __abs__ = _unary("abs")
    exp = _unary("exp")
    log = _unary("log")
    sqrt = _unary("sqrt")
    tanh = _unary("tanh")
    sigmoid = _unary("sigmoid")
    relu = _unary("relu")
    sin = _unary("sin")
    cos = _unary("cos")


class Constant(Value):
    """A leaf made from a plain number that appeared in an expression (drawn as a constant)."""

    __slots__ = ()


def constant(x: Number, what: str = "operand") -> Value:
    """A Constant leaf for a number used as an operand."""
    node: Value = _new(Constant)
    node.data = as_float(x, what)
    node.grad = 0.0
    node.label = ""
    node.op = ""
    node._a = node._b = None
    node.scope = modes.scope() if modes.open else ""
    return node


def _data(x: Operand) -> float:
    return x.data if isinstance(x, Value) else as_float(x, "comparison operand")
