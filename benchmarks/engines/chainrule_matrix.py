"""chainrule's ``nn.matrix``: the moons step as the source texts' matrix equations, in NumPy."""

from __future__ import annotations

import numpy as np

from benchmarks.engines import Check, Workload, entries, with_gradient_sums
from benchmarks.spec import MOONS_SIZES, SEED, MoonsSpec
from nn import MLP, hinge_loss, matrix


def moons(spec: MoonsSpec) -> Workload:
    """``matrix.forward`` and ``matrix.backward`` with hinge loss, plus the L2 term's share."""
    model = MLP(MOONS_SIZES[0], list(MOONS_SIZES[1:]), seed=SEED)
    weights, biases = matrix.from_mlp(model)
    activations = matrix.layer_activations(model)
    X = np.array(spec["X"]).T  # (inputs, batch)
    T = np.array(spec["y"])[None, :]  # (outputs, batch)
    alpha = spec["l2"]
    params = [*weights, *biases]
    grads: list[np.ndarray] = []

    def step() -> Check:
        cache = matrix.forward(weights, biases, X, activations)
        dW, db, _ = matrix.backward(weights, cache, T, hinge_loss)
        loss = matrix.loss_value(cache.output, T, hinge_loss)
        loss += alpha * sum(float((p * p).sum()) for p in params)
        grads[:] = [g + 2 * alpha * p for g, p in zip([*dW, *db], params, strict=True)]
        return (loss,)

    return Workload(step, lambda result: with_gradient_sums(result, entries(grads)))
