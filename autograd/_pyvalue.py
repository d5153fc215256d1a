"""The reference ``Value``, in pure Python: a scalar that records every operation on it.

A node keeps only what backward needs: its data, the operation's name and its operands
(``parents``). There are no closures and no references from a node to its consumers, so graphs
hold no reference cycles and are freed by reference counting the moment the last reference goes.
The compiled core (``autograd._core``) is a transcription of this module and
``autograd._pyengine``; ``autograd.value`` chooses between them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Union

from autograd import _pyengine
from autograd._number import NO_PICKLE, Number, as_float, exact_str
from autograd._pyengine import FRESH
from autograd.mode import modes, record_comparison
from autograd.rules import RULES

Operand = Union["Value", Number]

_new = object.__new__
_VALUE: dict[str, Callable[..., float]] = {op: rule.value for op, rule in RULES.items()}


def _operation(op: str) -> Callable[..., Value]:
    """The method for ``op``: a new node holding the rule's value of the operands' data.

    This is where every operation's result is made, so its body is the one constructor of
    interior nodes (``_leaf`` fills leaves), written out here rather than called because it runs
    once per node. A unary operation is called without ``other``. The thread's recording mode
    applies as the node is made (``_apply_mode``). The names drawings show (``_label``,
    ``_scope``) are left unset: "" is read for an unset one.
    """
    value = _VALUE[op]
    unary = RULES[op].arity == 1
    what = f"operand of {op}"

    def method(self: Value, other: Operand | None = None) -> Value:
        if other.__class__ is Value:  # the common case, tested first
            data = value(self._data, other._data)
        elif other is None and unary:
            data = value(self._data)
        else:
            if not isinstance(other, Value):
                other = constant(other, what)  # type: ignore[arg-type]  # None: its TypeError
            data = value(self._data, other._data)
        out = _new(Value)
        out._data = data
        out._grad = FRESH
        out._op = op
        out._a = self
        out._b = other
        if modes.open:
            _apply_mode(out)
        return out

    return method


def _binary(op: str) -> tuple[Callable[[Value, Operand], Value], Callable[[Value, Number], Value]]:
    """``a <op> b`` and its reflected form ``number <op> a``, recording a node made by ``op``."""
    method = _operation(op)
    what = f"operand of {op}"

    def reflected(self: Value, other: Operand) -> Value:
        if not isinstance(other, Value):
            other = constant(other, what)
        return method(other, self)

    _document(method, op, f"self {op} other")
    _document(reflected, op, f"other {op} self")
    return method, reflected


def _unary(op: str) -> Callable[[Value], Value]:
    """``op(a)``, recording a node made by ``op``."""
    operation = _operation(op)

    # Its own signature, so that ``x.exp(2)`` is a TypeError and help() shows ``exp(self)``;
    # unary nodes are few beside + and *, so the extra call costs little.
    def method(self: Value) -> Value:
        return operation(self)

    _document(method, op, f"{op}(self)")
    return method


def _leaf(out: Value, data: float) -> Value:
    """Fill a fresh leaf: a node with ``data`` that no operation made."""
    out._data = data
    out._grad = FRESH
    out._op = ""
    out._a = out._b = None
    if modes.open:
        _apply_mode(out)
    return out


def _apply_mode(out: Value) -> None:
    """Apply the thread's recording mode to a fresh node: inside a ``scope`` it carries the
    scope's name, and under ``no_grad`` it is a leaf. Called only while some context is open."""
    state = modes.thread
    if state.scope:
        out._scope = state.scope
    if not state.recording:
        out._op = ""
        out._a = out._b = None


def _document(method: Callable[..., Value], op: str, expression: str) -> None:
    rule = RULES[op]
    method.__doc__ = f"{expression}, recorded as op {op!r}; local derivatives: {rule.formula}."


def _compared(left: Value, op: str, right: Operand, outcome: bool) -> bool:
    """``outcome`` of ``left <op> right``; while a trace is open it is recorded as a guard of
    the tape (record_comparison ignores it unless this thread is tracing)."""
    if modes.open:
        record_comparison(op, left, right, outcome)
    return outcome


class Value:
    """A scalar node of a computation graph: ``data``, ``grad`` and how it was made.

    ``op`` names the operation that produced the node ("" for a leaf) and ``parents`` holds its
    operands in order (``()`` for a leaf). Equality and hashing are by identity.
    """

    # Operands live in two slots rather than a tuple: one allocation per node instead of two.
    # No cycle can form through a node: _a and _b hold operands, made before the node and never
    # reassigned; _label and _scope hold plain str; the rest are numbers.
    __slots__ = ("__weakref__", "_a", "_b", "_data", "_grad", "_label", "_op", "_scope")

    # NumPy scalars on the left of an operator defer to our reflected methods.
    __array_ufunc__ = None

    _data: float
    _grad: float
    _label: str
    _op: str
    _scope: str
    _a: Value | None  # first operand (None for a leaf)
    _b: Value | None  # second operand (None for a leaf or a unary operation)

    def __init__(self, data: Number, label: str = "") -> None:
        text = exact_str(label, "label")
        _leaf(self, as_float(data))
        self._label = text

    # --- attributes: numbers are stored as float, names as str ---------------------------------

    @property
    def data(self) -> float:
        """The node's number, a float."""
        return self._data

    @data.setter
    def data(self, value: Number) -> None:
        self._data = as_float(value, "Value data")

    @property
    def grad(self) -> float:
        """d(output)/d(node) after backward (starts at 0.0)."""
        return self._grad

    @grad.setter
    def grad(self, value: Number) -> None:
        self._grad = as_float(value, "Value grad")

    @property
    def label(self) -> str:
        """A name for drawings ("" for none)."""
        return getattr(self, "_label", "")

    @label.setter
    def label(self, value: str) -> None:
        self._label = exact_str(value, "label")

    @property
    def scope(self) -> str:
        """The scope the node was made in ("" for none)."""
        return getattr(self, "_scope", "")

    @scope.setter
    def scope(self, value: str) -> None:
        # nn sets the scope of each neuron's output as it is made: a plain str skips the call.
        self._scope = value if value.__class__ is str else exact_str(value, "scope")

    @property
    def op(self) -> str:
        """The operation that made the node ("" for a leaf)."""
        return self._op

    # --- inspection ----------------------------------------------------------------------------

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self._data!r}, grad={self._grad!r}{label})"

    def __float__(self) -> float:
        return self._data

    def item(self) -> float:
        """The data as a Python float (as ``torch.Tensor.item``)."""
        return self._data

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
        return _leaf(_new(Value), self._data)

    def __lt__(self, other: Operand) -> bool:
        return _compared(self, "<", other, self._data < _data(other))

    def __le__(self, other: Operand) -> bool:
        return _compared(self, "<=", other, self._data <= _data(other))

    def __gt__(self, other: Operand) -> bool:
        return _compared(self, ">", other, self._data > _data(other))

    def __ge__(self, other: Operand) -> bool:
        return _compared(self, ">=", other, self._data >= _data(other))

    # == and hash stay object's own (identity), so Values live in sets and dicts as distinct nodes.

    def __reduce_ex__(self, protocol: object) -> tuple[object, ...]:
        raise TypeError(NO_PICKLE)

    # --- differentiation -----------------------------------------------------------------------

    def backward(self, gradient: Number = 1.0) -> None:
        """Fill ``.grad`` of every node reachable from this one with d(self)/d(node).

        Leaves accumulate across calls (as in PyTorch); interior nodes are recomputed.
        """
        _pyengine.backward(self, as_float(gradient, "backward's gradient"))

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


# The generated methods are named as they are called, so errors and help() read Value.exp.
for _name, _method in vars(Value).items():
    if getattr(_method, "__qualname__", "").startswith(("_binary.", "_unary.", "_operation.")):
        _method.__name__, _method.__qualname__ = _name, f"Value.{_name}"


class Constant(Value):
    """A leaf made from a plain number that appeared in an expression (drawn as a constant)."""

    __slots__ = ()


def constant(x: Number, what: str = "operand") -> Value:
    """A Constant leaf for a number used as an operand."""
    return _leaf(_new(Constant), as_float(x, what))


def _data(x: Operand) -> float:
    return x._data if isinstance(x, Value) else as_float(x, "comparison operand")
