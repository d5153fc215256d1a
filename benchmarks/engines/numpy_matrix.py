"""Hand-written NumPy: the moons step as a few matrix equations (columns are samples)."""

from __future__ import annotations

import numpy as np

from benchmarks.engines import Check, Workload, entries, with_gradient_sums
from benchmarks.spec import ClassifierSpec, MoonsSpec


def moons(spec: MoonsSpec) -> Workload:
    """Forward, mean hinge loss plus L2, and the gradients of every weight and bias."""
    W1, W2, W3 = (np.array(layer["W"]) for layer in spec["layers"])
    b1, b2, b3 = (np.array(layer["b"])[:, None] for layer in spec["layers"])
    X = np.array(spec["X"]).T  # (2, n)
    y = np.array(spec["y"])[None, :]  # (1, n)
    n, alpha = X.shape[1], spec["l2"]
    grads: list[np.ndarray] = []

    def step() -> Check:
        z1 = W1 @ X + b1
        h1 = np.maximum(z1, 0.0)
        z2 = W2 @ h1 + b2
        h2 = np.maximum(z2, 0.0)
        s = W3 @ h2 + b3
        margin = 1.0 - y * s
        params = (W1, b1, W2, b2, W3, b3)
        loss = np.maximum(margin, 0.0).sum() / n + alpha * sum(float((p * p).sum()) for p in params)
        d3 = np.where(margin > 0.0, -y, 0.0) / n
        d2 = (W3.T @ d3) * (z2 > 0.0)
        d1 = (W2.T @ d2) * (z1 > 0.0)
        grads[:] = [
            d1 @ X.T + 2 * alpha * W1,
            d1.sum(axis=1, keepdims=True) + 2 * alpha * b1,
            d2 @ h1.T + 2 * alpha * W2,
            d2.sum(axis=1, keepdims=True) + 2 * alpha * b2,
            d3 @ h2.T + 2 * alpha * W3,
            d3.sum(axis=1, keepdims=True) + 2 * alpha * b3,
        ]
        return (loss,)

    return Workload(step, lambda result: with_gradient_sums(result, entries(grads)))


def classifier(spec: ClassifierSpec) -> Workload:
    """ReLU hidden layer, mean cross entropy over the samples (log-softmax shifted by the row's
    largest logit), and the gradients of every weight and bias."""
    W1, W2 = (np.array(layer["W"]) for layer in spec["layers"])
    b1, b2 = (np.array(layer["b"])[:, None] for layer in spec["layers"])
    X = np.array(spec["X"]).T  # (64, n)
    y = np.array(spec["y"])
    n = X.shape[1]
    columns = np.arange(n)
    grads: list[np.ndarray] = []

    def step() -> Check:
        z1 = W1 @ X + b1
        h = np.maximum(z1, 0.0)
        s = W2 @ h + b2
        shifted = s - s.max(axis=0, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=0, keepdims=True)
        loss = float((np.log(total) - shifted[y, columns]).sum()) / n
        d2 = e / total
        d2[y, columns] -= 1.0
        d2 /= n
        d1 = (W2.T @ d2) * (z1 > 0.0)
        grads[:] = [d1 @ X.T, d1.sum(axis=1), d2 @ h.T, d2.sum(axis=1)]
        return (loss,)

    return Workload(step, lambda result: with_gradient_sums(result, entries(grads)))
