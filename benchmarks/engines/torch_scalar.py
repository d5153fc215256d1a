"""PyTorch with one 0-d tensor per scalar: the same scalar graph the scalar engines build.

PyTorch is limited to one thread: the other engines compute on one core, and with PyTorch's
default of a thread per core, a busy second core turned its millisecond step into tens of
milliseconds.
"""

from __future__ import annotations

from operator import mul
from typing import Any, cast

import torch

from benchmarks.engines import Check, Workload, with_gradient_sums
from benchmarks.spec import LayerWeights, MoonsSpec, NeuronSpec

torch.set_num_threads(1)

Tensor = torch.Tensor
Layer = tuple[list[list[Tensor]], list[Tensor]]


def _scalar(x: float) -> Tensor:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def _layers(spec: list[LayerWeights]) -> list[Layer]:
    return [
        ([[_scalar(w) for w in row] for row in lw["W"]], [_scalar(b) for b in lw["b"]])
        for lw in spec
    ]


def _grads(params: list[Tensor]) -> list[float]:
    """The parameters' gradients as floats (0 where none arrived)."""
    return [0.0 if p.grad is None else p.grad.item() for p in params]


def _neuron(w: list[Tensor], x: list[Any], b: Tensor) -> Tensor:
    """w_0 x_0 + w_1 x_1 + ... + b, node for node as ``nn.Neuron`` builds it."""
    products = map(mul, w, x)
    z: Tensor = next(products)
    for product in products:
        z = z + product
    return z + b


def _mlp(layers: list[Layer], x: list[float]) -> Tensor:
    """ReLU hidden layers and a linear output; each neuron is sum(w_i * x_i) + b."""
    last = len(layers) - 1
    h: list[Any] = x
    for index, (W, b) in enumerate(layers):
        out = []
        for row, bias in zip(W, b, strict=True):
            act = _neuron(row, h, bias)
            out.append(act if index == last else act.relu())
        h = out
    result: Tensor = h[0]
    return result


def moons(spec: MoonsSpec) -> Workload:
    """Mean hinge loss of the MLP over the samples plus L2 over all parameters, then backward."""
    layers = _layers(spec["layers"])
    params = [p for W, _ in layers for row in W for p in row] + [p for _, b in layers for p in b]
    X, y, alpha = spec["X"], spec["y"], spec["l2"]

    def step() -> Check:
        for p in params:
            p.grad = None
        scores = [_mlp(layers, x) for x in X]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores, strict=True)]
        data_loss = sum(losses) / len(losses)
        total_loss = cast(Tensor, data_loss + alpha * sum(p * p for p in params))
        total_loss.backward()  # type: ignore[no-untyped-call]
        return (total_loss.item(),)

    return Workload(step, lambda result: with_gradient_sums(result, _grads(params)))


def chain(n: int) -> Workload:
    """y = x + x + ... (n additions, n nodes deep), then backward."""

    def run() -> Check:
        x = _scalar(1.0)
        y = x
        for _ in range(n):
            y = y + x
        y.backward()  # type: ignore[no-untyped-call]
        assert x.grad is not None
        return (y.item(), x.grad.item())

    return Workload(run)


def neuron(spec: NeuronSpec) -> Workload:
    """relu(sum(w_i * x_i) + b) with 0-d tensor weights, then backward."""
    w = [_scalar(v) for v in spec["w"]]
    b = _scalar(spec["b"])
    x = spec["x"]
    params = [*w, b]

    def run() -> Check:
        for p in params:
            p.grad = None
        out = _neuron(w, x, b).relu()
        out.backward()  # type: ignore[no-untyped-call]
        return (out.item(),)

    return Workload(run, lambda result: with_gradient_sums(result, _grads(params)))
