"""Forward and reverse mode as functions of functions: jvp, vjp, jacobian, hessian, hvp, vhp.

Named and called as in ``torch.autograd.functional``: ``f`` takes one Value per input
(``f(*inputs)``) and returns a Value or a tuple of Values.

- Reverse mode (``vjp``, and ``jacobian``'s default strategy) runs ``f`` once and then one
  backward sweep per output, through :func:`autograd.engine.grad`.
- Forward mode (``jvp``, and ``jacobian(..., strategy="forward-mode")``) runs ``f`` once and then
  one *tangent sweep* per input direction: in topological order, each node's tangent is the sum
  over its operands of (local derivative) × (operand's tangent). The local derivatives are the
  rule table's own: ``RULES[op].vjp(1, out, *operands)`` gives them all, and for one operand
  with tangent t, ``RULES[op].vjp(t, ...)`` gives t times its partial directly.
- Second order composes the two: ``hessian`` is the Jacobian of the gradient, ``hvp`` pushes a
  tangent forward through the gradient (forward over reverse), ``vhp`` pulls a cotangent back
  through it (reverse over reverse).

Results are floats, or Values (graphs that can be differentiated again) when
``create_graph=True``, when an input or an entry of ``v`` is a Value, or when the transform runs
inside another transform's ``f``. So transforms nest: each one differentiates with respect to
fresh nodes of its own, and the tangents and gradients it computes are ordinary recorded
operations that an outer transform differentiates in turn. No perturbation is ever confused
with another: d/dx [x · d/dy (x + y)] at x = 1 is 1.

Only the node protocol is used (``.op``, ``.parents``, ``.data``, ``RULES``,
``topological_order``, ``grad``), so both backends work.
"""

from __future__ import annotations

import numbers
import threading
from collections.abc import Callable, Iterator, Mapping, Set
from contextlib import contextmanager
from typing import Any, Protocol

from autograd._number import counted
from autograd.engine import grad, topological_order
from autograd.mode import enable_grad
from autograd.rules import RULES
from autograd.value import Value, as_float, constant

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]

STRATEGIES = ("reverse-mode", "forward-mode")
SECOND_ORDER = ("hessian", "hvp", "vhp")

# A float, or a Value while a graph is being recorded.
Num = Any


class Vector(Protocol):
    """Inputs or ``v``: a list, a tuple, a 1-D NumPy array, ... of numbers or Values."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Any]: ...


class _Depth(threading.local):
    """How many transforms are running their ``f`` in this thread right now."""

    def __init__(self) -> None:
        self.value = 0


_depth = _Depth()


@contextmanager
def _running_f() -> Iterator[None]:
    """While a transform calls ``f``: record (even under no_grad), and count the nesting."""
    _depth.value += 1
    try:
        with enable_grad():
            yield
    finally:
        _depth.value -= 1


# --- arguments -----------------------------------------------------------------------------------


class _Call:
    """One transform's call: its checked inputs, the fresh nodes ``f`` receives, and whether the
    results are Values recorded as graphs (``graph``) or floats."""

    def __init__(
        self, name: str, f: object, inputs: object, create_graph: object, strict: object = False
    ) -> None:
        if not callable(f):
            raise TypeError(f"{name}: f must be callable, got {type(f).__name__}")
        if not isinstance(create_graph, bool):
            kind = type(create_graph).__name__
            raise TypeError(f"{name}: create_graph must be a bool, got {kind}")
        if not isinstance(strict, bool):
            raise TypeError(f"{name}: strict must be a bool, got {type(strict).__name__}")
        self.strict = strict
        listed = _listed(inputs)
        if listed is None:
            raise TypeError(
                f"{name}: inputs must be a sequence of numbers or Values "
                f"(write [x] for one input), got {type(inputs).__name__}"
            )
        self.name = name
        self.f: Callable[..., object] = f
        self.graph = create_graph or _depth.value > 0
        self.xs: list[Value] = []
        with enable_grad():
            for i, x in enumerate(listed):
                if isinstance(x, Value):
                    self.graph = True
                    # A node of our own, so derivatives are taken with respect to it alone while
                    # the graph stays connected to x for an outer transform (torch's view_as).
                    self.xs.append(+x)
                else:
                    self.xs.append(Value(_number(x, f"{name}: input {i}")))

    def run(self) -> tuple[list[Value], bool]:
        """``f`` on the fresh inputs: its outputs as a list, and whether it returned a tuple."""
        with _running_f():
            result = self.f(*self.xs)
        several = isinstance(result, (tuple, list))
        returned: list[object] = list(result) if isinstance(result, (tuple, list)) else [result]
        outputs: list[Value] = []
        for k, out in enumerate(returned):
            if not isinstance(out, Value):
                which = f"output {k}" if several else "its output"
                raise TypeError(
                    f"{self.name}: f must return a Value or a tuple of Values; "
                    f"{which} is {type(out).__name__}"
                )
            outputs.append(out)
        if self.strict:
            self._check_dependence(outputs)
        return outputs, several

    def _check_dependence(self, outputs: list[Value]) -> None:
        """With strict=True, as in PyTorch: an input that no output depends on is an error."""
        reached = set(_joint_order(outputs))
        for i, x in enumerate(self.xs):
            if x not in reached:
                what = (
                    "the gradient of f does not depend"
                    if self.name in SECOND_ORDER
                    else "no output of f depends"
                )
                raise ValueError(
                    f"{self.name}: {what} on input {i}, which strict=True does not allow "
                    "(strict=False gives zeros)"
                )

    def vector(self, v: object, n: int, kind: str, per: str) -> list[Num]:
        """``v`` checked as ``n`` numbers or Values, one ``kind`` per input or output (``per``);
        a bare number or Value will do for one, and None means 1 then."""
        need = f"v must give one {kind} per {per} of f"
        if v is None:
            if n <= 1:
                return [1.0] * n
            raise ValueError(f"{self.name}: v is missing; f has {counted(n, per)}, and {need}")
        single = isinstance(v, (Value, numbers.Real))
        entries = [v] if single and n == 1 else _listed(v)
        if entries is None:
            raise TypeError(f"{self.name}: {need}, as a sequence; got {type(v).__name__}")
        if len(entries) != n:
            raise ValueError(
                f"{self.name}: v has {counted(len(entries), 'entry')}, but f has "
                f"{counted(n, per)}; {need}"
            )
        checked: list[Num] = []
        for i, entry in enumerate(entries):
            if isinstance(entry, Value):
                self.graph = True
                checked.append(entry)
            else:
                checked.append(_number(entry, f"{self.name}: v[{i}]"))
        return checked

    def result(self, x: Num) -> Num:
        """A result as the call hands it back: a Value when recording graphs, else a float."""
        if self.graph:
            return x if isinstance(x, Value) else constant(x)
        return float(x)


def _listed(x: object) -> list[Any] | None:
    """``x`` as a list when it is a sequence of entries (a list, a tuple, a 1-D NumPy array);
    not a mapping or a set, whose order does not say which entry is which input."""
    if isinstance(x, (Value, str, bytes, Mapping, Set)) or not hasattr(x, "__len__"):
        return None
    try:
        return list(x)  # type: ignore[call-overload, no-any-return]
    except TypeError:
        return None


def _number(x: object, what: str) -> float:
    try:
        return as_float(x, what)
    except TypeError:
        raise TypeError(f"{what} must be a number or a Value, got {type(x).__name__}") from None


def _shaped(values: list[Num], several: bool) -> Num:
    """Per-output results shaped as ``f`` returned its outputs: a tuple, or one result."""
    return tuple(values) if several else values[0]


# --- the two sweeps ------------------------------------------------------------------------------


def _joint_order(outputs: list[Value]) -> list[Value]:
    """One topological order covering every output, in a single walk of the graph."""
    if len(outputs) <= 1:
        return topological_order(outputs[0]) if outputs else []
    with enable_grad():
        # A sum of the outputs reaches all of them; it is walked, then dropped from the order.
        sums = [outputs[0] + outputs[1]]
        for out in outputs[2:]:
            sums.append(sums[-1] + out)
    dropped = set(sums)
    return [node for node in topological_order(sums[-1]) if node not in dropped]


def _scaled(d: Num, t: Num) -> Num:
    """d × t, without recording a product when d is exactly ±1."""
    if isinstance(d, float) and isinstance(t, Value):
        if d == 1.0:
            return t
        if d == -1.0:
            return -t
    return d * t


def tangent(node: Value, known: dict[Value, Num], graph: bool) -> Num | None:
    """The tangent of an operation's result: Σ (local derivative) × (operand's tangent), over the
    operands that have one in ``known`` (None when none has). On floats, or on Values when
    ``graph`` is true (so the tangent is itself a graph)."""
    parents = node.parents
    incoming = [known.get(p) for p in parents]
    present = [k for k, t in enumerate(incoming) if t is not None]
    if not present:
        return None
    vjp = RULES[node.op].vjp
    operands = parents if graph else [p.data for p in parents]
    out = node if graph else node.data
    if len(present) == 1:
        # vjp is linear in its first argument: the tangent times the one partial we need.
        (k,) = present
        return vjp(incoming[k], out, *operands)[k]
    if incoming[0] is incoming[1]:  # x * x and the like: one tangent, both partials
        da, db = vjp(incoming[0], out, *operands)
        return da + db
    da, db = vjp(1.0, out, *operands)  # the local partials themselves
    return _scaled(da, incoming[0]) + _scaled(db, incoming[1])


def tangents(order: list[Value], seeds: dict[Value, Num], graph: bool) -> dict[Value, Num]:
    """The forward-mode sweep over ``order`` (each node after its operands): every node's
    tangent, given the tangents of the inputs in ``seeds``. A node that depends on no seeded
    input is left out (its tangent is 0); a seeded node keeps its seed."""
    known = dict(seeds)
    for node in order:
        if node.parents and node not in known:
            t = tangent(node, known, graph)
            if t is not None:
                known[node] = t
    return known


def _forward(
    call: _Call, order: list[Value], outputs: list[Value], seeds: dict[Value, Num]
) -> list[Num]:
    """The tangents of ``outputs`` given the inputs' tangents (``seeds``; an input left out
    does not move)."""
    if call.graph:
        with enable_grad():
            known = tangents(order, seeds, graph=True)
    else:
        known = tangents(order, seeds, graph=False)
    return [call.result(known.get(out, 0.0)) for out in outputs]


def _backward(call: _Call, output: Value) -> list[Num]:
    """d output / d input for every input."""
    return [call.result(g) for g in grad(output, call.xs, create_graph=call.graph)]


def _weighted(outputs: list[Value], v: list[Num]) -> Value:
    """Σ v_k · output_k, the output whose gradient is the vector-Jacobian product."""
    if len(outputs) == 1 and isinstance(v[0], float) and v[0] == 1.0:
        return outputs[0]
    with enable_grad():
        total: Value = v[0] * outputs[0]
        for weight, out in zip(v[1:], outputs[1:], strict=True):
            total = total + weight * out
    return total


# --- first order ---------------------------------------------------------------------------------


def jvp(
    f: Callable[..., Any],
    inputs: Vector,
    v: Vector | float | Value | None = None,
    create_graph: bool = False,
    *,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(f(*inputs), J v)``: forward mode, one tangent sweep along ``v`` (one entry per input).

    The Jacobian-vector product has one entry per output: a tuple when ``f`` returns one, else a
    single result. ``v`` may be omitted when there is one input (it is then 1).
    """
    call = _Call("jvp", f, inputs, create_graph, strict)
    direction = call.vector(v, len(call.xs), "tangent", "input")
    outputs, several = call.run()
    order = _joint_order(outputs)
    jv = _forward(call, order, outputs, dict(zip(call.xs, direction, strict=True)))
    return _shaped([call.result(out) for out in outputs], several), _shaped(jv, several)


def vjp(
    f: Callable[..., Any],
    inputs: Vector,
    v: Vector | float | Value | None = None,
    create_graph: bool = False,
    *,
    strict: bool = False,
) -> tuple[Any, list[Any]]:
    """``(f(*inputs), vᵀ J)``: reverse mode, one backward sweep from ``v`` (one entry per output).

    The vector-Jacobian product is a list with one entry per input. ``v`` may be omitted when
    ``f`` returns a single Value (it is then 1).
    """
    call = _Call("vjp", f, inputs, create_graph, strict)
    outputs, several = call.run()
    weights = call.vector(v, len(outputs), "cotangent", "output")
    vj = _backward(call, _weighted(outputs, weights))
    return _shaped([call.result(out) for out in outputs], several), vj


def jacobian(
    f: Callable[..., Any],
    inputs: Vector,
    create_graph: bool = False,
    strategy: str = "reverse-mode",
    *,
    strict: bool = False,
) -> list[list[Any]]:
    """J[k][i] = d output_k / d input_i: one row per output (one row for a single output).

    ``"reverse-mode"`` computes it row by row, one backward sweep per output;
    ``"forward-mode"`` column by column, one tangent sweep per input. ``f`` runs once either way.
    """
    if strategy not in STRATEGIES:
        raise ValueError(
            f"jacobian: strategy must be {' or '.join(map(repr, STRATEGIES))}, got {strategy!r}"
        )
    call = _Call("jacobian", f, inputs, create_graph, strict)
    outputs, _ = call.run()
    return _jacobian(call, outputs, strategy)


def _jacobian(call: _Call, outputs: list[Value], strategy: str) -> list[list[Num]]:
    if strategy == "reverse-mode":
        return [_backward(call, out) for out in outputs]
    order = _joint_order(outputs)
    # Column i seeds input i alone: the others carry no tangent at all, so nothing is
    # multiplied by their zeros (and no graph is recorded for them).
    columns = [_forward(call, order, outputs, {x: 1.0}) for x in call.xs]
    return [list(row) for row in zip(*columns, strict=True)] or [[] for _ in outputs]


# --- second order --------------------------------------------------------------------------------


def _single(name: str, f: Callable[..., Any]) -> Callable[..., Value]:
    """``f`` checked, at each call, to return exactly one Value (a tuple of one is accepted)."""
    if not callable(f):
        raise TypeError(f"{name}: f must be callable, got {type(f).__name__}")

    def one(*xs: Value) -> Value:
        out = f(*xs)
        if isinstance(out, (tuple, list)):
            if len(out) != 1:
                raise ValueError(
                    f"{name}: f must return a single Value (one output), got {len(out)} outputs"
                )
            (out,) = out
        if not isinstance(out, Value):
            raise TypeError(f"{name}: f must return a Value, got {type(out).__name__}")
        return out

    return one


def _gradient_of(f: Callable[..., Value], value: list[Value]) -> Callable[..., tuple[Value, ...]]:
    """The function xs -> ∇f(xs), recorded as a graph; ``f``'s own output is kept in ``value``."""

    def gradient(*xs: Value) -> tuple[Value, ...]:
        out = f(*xs)
        value.append(out)
        return tuple(grad(out, list(xs), create_graph=True))

    return gradient


def hessian(
    f: Callable[..., Any],
    inputs: Vector,
    create_graph: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
    *,
    strict: bool = False,
) -> list[list[Any]]:
    """H[i][j] = d² f / d input_i d input_j, for ``f`` with one output.

    The Jacobian of the gradient: the gradient by reverse mode, then its Jacobian by
    ``outer_jacobian_strategy`` ("reverse-mode": reverse over reverse; "forward-mode": forward
    over reverse, one tangent sweep per input).
    """
    if outer_jacobian_strategy not in STRATEGIES:
        raise ValueError(
            f"hessian: outer_jacobian_strategy must be {' or '.join(map(repr, STRATEGIES))}, "
            f"got {outer_jacobian_strategy!r}"
        )
    gradient = _gradient_of(_single("hessian", f), [])
    call = _Call("hessian", gradient, inputs, create_graph, strict)
    outputs, _ = call.run()
    return _jacobian(call, outputs, outer_jacobian_strategy)


def hvp(
    f: Callable[..., Any],
    inputs: Vector,
    v: Vector | float | Value | None = None,
    create_graph: bool = False,
    *,
    strict: bool = False,
) -> tuple[Any, list[Any]]:
    """``(f(*inputs), H v)`` for ``f`` with one output: forward over reverse, one tangent sweep
    along ``v`` (one entry per input) through the recorded gradient."""
    return _hessian_product("hvp", f, inputs, v, create_graph, strict)


def vhp(
    f: Callable[..., Any],
    inputs: Vector,
    v: Vector | float | Value | None = None,
    create_graph: bool = False,
    *,
    strict: bool = False,
) -> tuple[Any, list[Any]]:
    """``(f(*inputs), vᵀ H)`` for ``f`` with one output: reverse over reverse, one backward sweep
    from ``v`` (one entry per input) through the recorded gradient. Equal to ``hvp``, H being
    symmetric."""
    return _hessian_product("vhp", f, inputs, v, create_graph, strict)


def _hessian_product(
    name: str, f: Callable[..., Any], inputs: Vector, v: object, create_graph: bool, strict: bool
) -> tuple[Any, list[Any]]:
    """hvp (a tangent sweep through the gradient) or vhp (a backward sweep through it)."""
    value: list[Value] = []
    call = _Call(name, _gradient_of(_single(name, f), value), inputs, create_graph, strict)
    direction = call.vector(v, len(call.xs), "direction entry", "input")
    gradient, _ = call.run()
    if name == "hvp":
        seeds = dict(zip(call.xs, direction, strict=True))
        product = _forward(call, _joint_order(gradient), gradient, seeds)
    else:
        product = _backward(call, _weighted(gradient, direction)) if gradient else []
    return call.result(value[0]), product
