"""One module per engine; each builds the workloads it supports from the shared spec.

A builder does the set-up (untimed) and returns a ``Workload``: ``run`` is the timed unit (it
frees whatever graph it built before returning, as a training loop would), and ``check`` turns
what the last run left behind into a few numbers (the loss, sums of gradients) with which the
harness checks that every engine computed the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Check = tuple[float, ...]


@dataclass(frozen=True)
class Workload:
    """``run()`` once is one timed repetition; ``check(result)`` is computed untimed."""

    run: Callable[[], Check]
    check: Callable[[Check], Check] = lambda result: result


def with_gradient_sums(result: Check, gradients: Iterable[float]) -> Check:
    """A run's check values, then the sum of the gradients and the sum of their magnitudes."""
    values = list(gradients)
    return (*result, sum(values), sum(abs(g) for g in values))


def entries(arrays: Iterable[NDArray[np.float64]]) -> list[float]:
    """Every entry of every array, as floats."""
    return [x for a in arrays for x in a.ravel().tolist()]


def chain_of_affine_steps(leaf: Callable[[float], Any], n: int) -> Workload:
    """y = y * 1.0001 + 0.001, n times (4n nodes: two constants and two operations a step),
    then backward, on a scalar engine whose numbers on either side of an operator work."""

    def run() -> Check:
        x = leaf(1.0)
        y = x
        for _ in range(n):
            y = y * 1.0001 + 0.001
        y.backward()
        return (y.data, x.grad)

    return Workload(run)


def chain_of_additions(leaf: Callable[[float], Any], n: int) -> Workload:
    """y = x + x + ... (n additions, n nodes deep), then backward, on a scalar engine whose
    leaves ``leaf`` makes and whose nodes have ``data``, ``grad`` and ``backward()``."""

    def run() -> Check:
        x = leaf(1.0)
        y = x
        for _ in range(n):
            y = y + x
        y.backward()
        return (y.data, x.grad)

    return Workload(run)


@dataclass(frozen=True)
class Engine:
    """An engine as the table shows it: its worker module and how the worker runs it."""

    name: str
    module: str
    label: str
    collector: bool = True  # False: gc.disable() in the worker, garbage collected untimed
    backend: str = ""  # CHAINRULE_BACKEND for the worker: "native", "python" or "" (default)


ENGINES: dict[str, Engine] = {
    engine.name: engine
    for engine in (
        Engine("chainrule", "chainrule_scalar", "chainrule (compiled core)", backend="native"),
        # As nn.train runs each step: with the collector paused (chainrule's graphs hold no cycles).
        Engine(
            "chainrule-gc-off",
            "chainrule_scalar",
            "chainrule (compiled core), collector off",
            collector=False,
            backend="native",
        ),
        Engine("chainrule-python", "chainrule_scalar", "chainrule (pure Python)", backend="python"),
        Engine("micrograd", "micrograd_scalar", "micrograd"),
        Engine("micrograd-gc-off", "micrograd_scalar", "micrograd, collector off", collector=False),
        Engine("torch-0d", "torch_scalar", "PyTorch 0-d tensors"),
        Engine("floats", "floats", "Python floats (forward only)"),
        # The step as nn.train(compile=True) runs it: the per-sample loss from a traced tape.
        Engine("tape", "chainrule_tape", "chainrule tape, compiled replay", backend="native"),
        Engine(
            "tape-numpy",
            "chainrule_tape",
            "chainrule tape, NumPy replay (pure Python)",
            backend="python",
        ),
        Engine("nn.matrix", "chainrule_matrix", "nn.matrix"),
        Engine("numpy", "numpy_matrix", "hand-written NumPy"),
        Engine("torch-tensors", "torch_matrix", "PyTorch tensors"),
    )
}
