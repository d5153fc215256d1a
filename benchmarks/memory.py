"""Bytes per retained node: tracemalloc around building a graph and differentiating it."""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Callable
from typing import TypeVar

Root = TypeVar("Root")


def bytes_per_node(
    build: Callable[[], Root], backward: Callable[[Root], None], count: Callable[[Root], int]
) -> dict[str, float]:
    """Bytes still allocated after ``build()`` and after ``backward``, per node ``count`` reports.

    Only allocations made after tracing starts count, so whatever existed before ``build`` (the
    model's parameters, the data) is excluded; ``count`` should count the nodes ``build`` made.
    """
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        root = build()
        gc.collect()
        after_forward = tracemalloc.get_traced_memory()[0] - base
        backward(root)
        gc.collect()
        # The int after_forward is the harness's own, allocated while tracing: not the graph's.
        harness = sys.getsizeof(after_forward)
        after_backward = tracemalloc.get_traced_memory()[0] - base - harness
    finally:
        tracemalloc.stop()
    nodes = count(root)
    return {
        "nodes": float(nodes),
        "bytes_forward": after_forward / nodes,
        "bytes_backward": after_backward / nodes,
    }
