"""chainrule's traced tapes: each step as ``nn.train(compile=True)`` takes it.

The per-sample loss is traced once (``autograd.trace``) and replayed over the batch; the L2 term,
which is not per sample, is built and differentiated eagerly, as ``nn.train`` does. Cross
entropy's class index is a constant of a tape, so the classifier has one tape per class.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autograd import Tape, Value, trace
from benchmarks.engines import Check, Workload, with_gradient_sums
from benchmarks.spec import CLASSIFIER_SIZES, MOONS_SIZES, SEED, ClassifierSpec, MoonsSpec
from nn import MLP, cross_entropy, hinge_loss


def moons(spec: MoonsSpec) -> Workload:
    """``MLP(2, [16, 16, 1], seed=0)``: mean hinge loss from the tape, plus L2, and backward."""
    model = MLP(MOONS_SIZES[0], list(MOONS_SIZES[1:]), seed=SEED)
    params = model.parameters()
    X, y = np.array(spec["X"]), np.array(spec["y"])
    tape = trace(lambda x, t: hinge_loss(model(x), t), spec["X"][0], spec["y"][0])
    n, alpha = len(y), spec["l2"]
    weights = np.full(n, 1.0 / n)

    def step() -> Check:
        for p in params:  # as the optimizer's zero_grad, which nn.train calls
            p.grad = 0.0
        losses = tape(X, y)
        squares = (p * p for p in params)
        penalty = alpha * sum(squares, next(squares))
        loss = float(np.cumsum(losses)[-1]) / n + penalty.data
        tape.backward(weights)
        penalty.backward()
        return (loss,)

    return Workload(step, lambda result: with_gradient_sums(result, (p.grad for p in params)))


def classifier(spec: ClassifierSpec) -> Workload:
    """``MLP(64, [32, 10], seed=0)``: mean cross entropy from one tape per class, and backward."""
    nin, *sizes = CLASSIFIER_SIZES
    model = MLP(nin, sizes, seed=SEED)
    params = model.parameters()
    X, y = np.array(spec["X"]), np.array(spec["y"])
    n = len(y)
    tapes: list[tuple[Tape, np.ndarray, np.ndarray]] = []
    for c in range(sizes[-1]):
        rows = np.nonzero(y == c)[0]
        if rows.size:
            tape = trace(_class_loss(model, c), spec["X"][int(rows[0])])
            tapes.append((tape, rows, np.full(rows.size, 1.0 / n)))

    def step() -> Check:
        for p in params:  # as the optimizer's zero_grad, which nn.train calls
            p.grad = 0.0
        losses = np.empty(n)
        for tape, rows, _ in tapes:
            losses[rows] = tape(X[rows])
        for tape, _, weights in tapes:
            tape.backward(weights)
        return (float(np.cumsum(losses)[-1]) / n,)

    return Workload(step, lambda result: with_gradient_sums(result, (p.grad for p in params)))


def _class_loss(model: MLP, c: int) -> Callable[[list[Value]], Value]:
    def loss(x: list[Value]) -> Value:
        return cross_entropy(model(x), c)

    return loss
