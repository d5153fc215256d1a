"""PyTorch tensors: the moons step with ``torch.nn.functional`` on matrices (rows are samples).

PyTorch is limited to one thread: the other engines compute on one core, and with PyTorch's
default of a thread per core, a busy second core turned its millisecond step into tens of
milliseconds.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from benchmarks.engines import Check, Workload
from benchmarks.spec import ClassifierSpec, MoonsSpec

torch.set_num_threads(1)


def _parameter(data: object) -> torch.Tensor:
    return torch.tensor(data, dtype=torch.float64, requires_grad=True)


def _with_gradient_sums(result: Check, params: list[torch.Tensor]) -> Check:
    """A run's check values, then the sum of the gradients and the sum of their magnitudes."""
    grads = [p.grad for p in params if p.grad is not None]
    return (*result, sum(g.sum().item() for g in grads), sum(g.abs().sum().item() for g in grads))


def moons(spec: MoonsSpec) -> Workload:
    """Forward, mean hinge loss plus L2 over all parameters, backward (float64, as elsewhere)."""

    (W1, b1), (W2, b2), (W3, b3) = (
        (_parameter(lw["W"]), _parameter(lw["b"])) for lw in spec["layers"]
    )
    params = [W1, b1, W2, b2, W3, b3]
    X = torch.tensor(spec["X"], dtype=torch.float64)  # (n, 2)
    y = torch.tensor(spec["y"], dtype=torch.float64)
    alpha = spec["l2"]

    def step() -> Check:
        for p in params:
            p.grad = None
        h = F.relu(F.linear(X, W1, b1))
        h = F.relu(F.linear(h, W2, b2))
        scores = F.linear(h, W3, b3).squeeze(1)
        loss = F.relu(1.0 - y * scores).mean() + alpha * sum((p * p).sum() for p in params)
        loss.backward()  # type: ignore[no-untyped-call]
        return (loss.item(),)

    return Workload(step, lambda result: _with_gradient_sums(result, params))


def classifier(spec: ClassifierSpec) -> Workload:
    """ReLU hidden layer and ``F.cross_entropy`` (the mean over samples), backward."""

    (W1, b1), (W2, b2) = ((_parameter(lw["W"]), _parameter(lw["b"])) for lw in spec["layers"])
    params = [W1, b1, W2, b2]
    X = torch.tensor(spec["X"], dtype=torch.float64)  # (n, 64)
    y = torch.tensor(spec["y"], dtype=torch.int64)

    def step() -> Check:
        for p in params:
            p.grad = None
        loss = F.cross_entropy(F.linear(F.relu(F.linear(X, W1, b1)), W2, b2), y)
        loss.backward()  # type: ignore[no-untyped-call]
        return (loss.item(),)

    return Workload(step, lambda result: _with_gradient_sums(result, params))
