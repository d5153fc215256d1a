"""Reverse-mode differentiation: the chain rule applied in reverse topological order.

Nothing here recurses, so graphs of any depth work (a chain of a million nodes included).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Literal, overload

from autograd.mode import enable_grad
from autograd.rules import RULES
from autograd.value import Value, as_float, constant

_VJP = {op: rule.vjp for op, rule in RULES.items()}


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, each after all of its parents (``root`` last)."""
    return _walk(root, None)


def _walk(root: Value, leaves: list[Value] | None) -> list[Value]:
    """The topological order; given a ``leaves`` list, also collect the leaves into it and zero
    the interior nodes' ``.grad`` on the way (what backward needs, without a second pass)."""
    order: list[Value] = []
    seen: set[Value] = set()
    # Iterative depth-first search. A node is pushed back beneath a None marker before its
    # parents, so popping the marker means all its parents are done and the node comes next.
    stack: list[Value | None] = [root]
    push, pop, emit, mark = stack.append, stack.pop, order.append, seen.add
    while stack:
        node = pop()
        if node is None:
            node = pop()
            if leaves is not None:
                node.grad = 0.0  # type: ignore[union-attr]
            emit(node)  # type: ignore[arg-type]
            continue
        if node in seen:
            continue
        mark(node)
        a = node._a
        if a is None:
            emit(node)
            if leaves is not None:
                leaves.append(node)
            continue
        push(node)
        push(None)
        b = node._b
        if b is not None and b not in seen:
            push(b)
        if a not in seen:
            push(a)
    return order


def backward(root: Value, gradient: float = 1.0) -> None:
    """Store d(root)/d(node) in ``.grad`` of every node reachable from ``root``.

    Leaves accumulate (a second call doubles their ``.grad``); interior nodes are recomputed.
    If a derivative is undefined somewhere, the ValueError leaves every ``.grad`` as it was.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward needs a Value, got {type(root).__name__}")
    gradient = as_float(gradient, "backward's gradient")
    leaves: list[Value] = []
    order = _walk(root, leaves)
    saved = [leaf.grad for leaf in leaves]
    root.grad += gradient
    vjp = _VJP
    try:
        for node in reversed(order):
            a = node._a
            if a is None:
                continue
            b = node._b
            if b is None:
                a.grad += vjp[node.op](node.grad, node.data, a.data)[0]
            else:
                da, db = vjp[node.op](node.grad, node.data, a.data, b.data)
                a.grad += da
                b.grad += db
    except BaseException:
        for leaf, before in zip(leaves, saved, strict=True):
            leaf.grad = before
        raise


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
    order = topological_order(output)
    if not create_graph:
        grads = _sweep(order, 1.0, _data)
        return [float(grads.get(x, 0.0)) for x in wanted]
    with enable_grad():
        grads = _sweep(order, constant(1.0), _self)
        results = [grads.get(x, 0.0) for x in wanted]
        return [g if isinstance(g, Value) else constant(g) for g in results]


def _data(node: Value) -> float:
    return node.data


def _self(node: Value) -> Value:
    return node


def _sweep(order: list[Value], seed: Any, lift: Callable[[Value], Any]) -> dict[Value, Any]:
    """Gradients of ``order[-1]`` in a dict; ``lift`` picks floats (data) or Values (nodes)."""
    grads: dict[Value, Any] = {order[-1]: seed}
    for node in reversed(order):
        parents = node.parents
        if not parents or node not in grads:
            continue
        local = _VJP[node.op](grads[node], lift(node), *map(lift, parents))
        for parent, d in zip(parents, local, strict=True):
            grads[parent] = grads[parent] + d if parent in grads else d
    return grads
