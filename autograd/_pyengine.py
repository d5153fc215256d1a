"""The reference engine's graph algorithms, in pure Python: the order, backward and the sweep.

This module and ``autograd._pyvalue`` are the readable statement of the engine and the fallback
when the compiled core (``autograd._core``) is not built; the core does exactly what they do.
They work on nodes through the fields of ``_pyvalue.Value`` (``_a``, ``_b``, ``_data``,
``_grad``, ``op``) and import nothing from it. Nothing here recurses, so graphs of any depth
work (a chain of a million nodes included).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from autograd.rules import RULES

if TYPE_CHECKING:
    from autograd._pyvalue import Value

_VJP = {op: rule.vjp for op, rule in RULES.items()}

# The 0.0 that every new node's .grad holds: this very object, which backward sets again where it
# zeroes a .grad. A .grad that is still it needs no saving before backward overwrites it (a
# fresh graph's interior nodes all hold it); any other float, -0.0 or another 0.0, is saved.
FRESH = 0.0


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, each after all of its parents (``root`` last).

    A depth-first search that walks a node's first operand before its second: the compiled
    core walks in the same order, so both sum the chain rule's terms alike, bit for bit.
    """
    return _walk(root, None, None)


def _walk(
    root: Value,
    changed: list[tuple[Value, float]] | None,
    leaves: list[tuple[Value, float]] | None,
) -> list[Value]:
    """The topological order; given lists ``changed`` and ``leaves``, also what backward needs
    on the way (no second pass): every ``.grad`` set to ``FRESH``, each interior node whose
    ``.grad`` was something else in ``changed`` with it, and each leaf in ``leaves`` with its
    ``.grad`` from before."""
    order: list[Value] = []
    seen: set[Value] = set()
    # A node is pushed back beneath a None marker before its parents, so popping the marker
    # means all its parents are done and the node comes next.
    stack: list[Value | None] = [root]
    push, pop, emit, mark = stack.append, stack.pop, order.append, seen.add
    while stack:
        node = pop()
        if node is None:
            node = pop()
            emit(node)  # type: ignore[arg-type]
            if changed is not None and node._grad is not FRESH:  # type: ignore[union-attr]
                changed.append((node, node._grad))  # type: ignore[arg-type, union-attr]
                node._grad = FRESH  # type: ignore[union-attr]
            continue
        if node in seen:
            continue
        mark(node)
        a = node._a
        if a is None:
            emit(node)
            if leaves is not None:
                leaves.append((node, node._grad))
                node._grad = FRESH
            continue
        push(node)
        push(None)
        b = node._b
        if b is not None and b not in seen:
            push(b)
        if a not in seen:
            push(a)
    return order


def backward(root: Value, gradient: float) -> None:
    """Store d(root)/d(node) times ``gradient`` in ``.grad`` of every node reachable from
    ``root``; leaves add it to what they hold.

    Every sum is made in ``.grad`` from 0.0, with the values held before saved aside: a leaf
    then adds its finished sum once (a second call exactly doubles it), and a derivative that
    fails anywhere puts every ``.grad`` back as it was.
    """
    changed: list[tuple[Value, float]] = []
    leaves: list[tuple[Value, float]] = []
    order = _walk(root, changed, leaves)
    root._grad = gradient
    vjp = _VJP
    try:
        for node in reversed(order):
            a = node._a
            if a is None:
                continue
            b = node._b
            if b is None:
                a._grad += vjp[node._op](node._grad, node._data, a._data)[0]
            else:
                da, db = vjp[node._op](node._grad, node._data, a._data, b._data)
                a._grad += da
                b._grad += db
    except BaseException:
        for node in order:
            node._grad = FRESH
        for node, before in (*changed, *leaves):
            node._grad = before
        raise
    for leaf, before in leaves:
        leaf._grad += before


def sweep(
    order: Sequence[Any], grads: dict[Any, Any], lift: Callable[[Any], Any]
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The chain rule over ``order`` (root last), written once for ``grad`` and the step viewer.

    ``grads`` holds the seeded gradients (the root's, at least). In reverse topological order
    each node with a gradient passes it times its local derivatives to its parents: their
    entries start at the first such share and add the later ones. ``lift`` gives what the rules
    compute on: a node's data (floats) or the node itself (Values, which record a graph of the
    derivative). Yields each processed node's index and the shares it passed, in parent order.
    """
    for i in range(len(order) - 1, -1, -1):
        node = order[i]
        parents = node.parents
        if not parents or node not in grads:
            continue
        shares = _VJP[node.op](grads[node], lift(node), *map(lift, parents))
        for parent, share in zip(parents, shares, strict=True):
            total = grads.get(parent)
            grads[parent] = share if total is None else total + share
        yield i, shares


def data(node: Any) -> float:
    """A node's data: what ``sweep`` computes on for float gradients."""
    value: float = node.data
    return value


def gradients(output: Value, inputs: Sequence[Value]) -> list[float]:
    """d(output)/d(input) for each input as floats (0.0 where output does not depend on it)."""
    grads: dict[Any, Any] = {output: 1.0}
    for _ in sweep(topological_order(output), grads, data):
        pass
    return [float(grads.get(x, 0.0)) for x in inputs]
