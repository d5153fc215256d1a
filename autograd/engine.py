"""Reverse-mode differentiation: the chain rule applied in reverse topological order.

``topological_order`` and the float sweeps of ``backward`` and ``grad`` come from the engine in
use (``autograd.backend()``); ``grad(..., create_graph=True)`` runs the rule table on Values
with ``autograd._pyengine.sweep`` on either engine. Nothing recurses, so graphs of any depth
work (a chain of a million nodes included).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from autograd import _pyengine
from autograd._backend import core
from autograd._pyengine import sweep
from autograd.mode import enable_grad
from autograd.value import Value, constant

if TYPE_CHECKING or core is None:
    _order: Callable[[Value], list[Value]] = _pyengine.topological_order
    _gradients: Callable[[Value, Sequence[Value]], list[float]] = _pyengine.gradients
else:
    _order = core.topological_order
    _gradients = core.gradients

__all__ = ["backward", "grad", "sweep", "topological_order"]


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, each after all of its parents (``root`` last)."""
    if not isinstance(root, Value):
        raise TypeError(f"topological_order needs a Value, got {type(root).__name__}")
    return _order(root)


def backward(root: Value, gradient: float = 1.0) -> None:
    """Store d(root)/d(node) in ``.grad`` of every node reachable from ``root``.

    Leaves accumulate (a second call exactly doubles their ``.grad``); interior nodes are
    recomputed. If a derivative is undefined somewhere, the ValueError leaves every ``.grad``
    as it was.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward needs a Value, got {type(root).__name__}")
    root.backward(gradient)


@overload
def grad(
    output: Value, inputs: Value | Iterable[Value], create_graph: Literal[False] = False
) -> list[float]: ...


@overload
def grad(
    output: Value, inputs: Value | Iterable[Value], create_graph: Literal[True]
) -> list[Value]: ...


@overload
def grad(output: Value, inputs: Value | Iterable[Value], create_graph: bool) -> list[Any]: ...


def grad(output: Value, inputs: Value | Iterable[Value], create_graph: bool = False) -> list[Any]:
    """d(output)/d(input) for each input, leaving every ``.grad`` untouched.

    An input that ``output`` does not depend on gets 0. With ``create_graph=True`` the results
    are Values recorded as graphs of their own, so they can be differentiated again.
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad needs a Value as output, got {type(output).__name__}")
    wanted = [inputs] if isinstance(inputs, Value) else list(inputs)
    for i, x in enumerate(wanted):
        if not isinstance(x, Value):
            raise TypeError(f"grad inputs must be Values, input {i} is {type(x).__name__}")
    if not create_graph:
        return _gradients(output, wanted)
    order = topological_order(output)
    with enable_grad():
        grads: dict[Value, Any] = {output: constant(1.0)}
        for _ in sweep(order, grads, _self):
            pass
        results = [grads.get(x, 0.0) for x in wanted]
        return [g if isinstance(g, Value) else constant(g) for g in results]


def _self(node: Value) -> Value:
    return node
