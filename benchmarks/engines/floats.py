"""Plain Python floats: the same forward pass, each neuron written as ``nn.Neuron`` writes it.

A neuron is ``map(operator.mul, w, x)`` summed left to right, then ``+ b``: the same additions
in the same order as chainrule's graph. No graph is recorded, so this is the floor CPython sets
for the forward pass (forward only).
"""

from __future__ import annotations

from operator import mul

from benchmarks.engines import Check, Workload
from benchmarks.spec import LayerWeights, MoonsSpec, NeuronSpec


def _mlp(layers: list[LayerWeights], x: list[float]) -> float:
    """ReLU hidden layers and a linear output; each neuron is sum(w_i * x_i) + b."""
    last = len(layers) - 1
    for index, layer in enumerate(layers):
        out = []
        for row, bias in zip(layer["W"], layer["b"], strict=True):
            act = sum(map(mul, row, x)) + bias
            out.append(act if index == last or act > 0.0 else 0.0)
        x = out
    return x[0]


def moons(spec: MoonsSpec) -> Workload:
    """Mean hinge loss of the MLP over the samples plus L2 over all parameters."""
    layers, X, y, alpha = spec["layers"], spec["X"], spec["y"], spec["l2"]
    params = [p for layer in layers for row in layer["W"] for p in row]
    params += [p for layer in layers for p in layer["b"]]

    def forward() -> Check:
        scores = [_mlp(layers, x) for x in X]
        losses = [max(1.0 - yi * si, 0.0) for yi, si in zip(y, scores, strict=True)]
        data_loss = sum(losses) / len(losses)
        return (data_loss + alpha * sum(p * p for p in params),)

    return Workload(forward)


def chain(n: int) -> Workload:
    """y = x + x + ... (n additions)."""

    def run() -> Check:
        x = 1.0
        y = x
        for _ in range(n):
            y = y + x
        return (y,)

    return Workload(run)


def affine_chain(n: int) -> Workload:
    """y = y * 1.0001 + 0.001, n times."""

    def run() -> Check:
        y = 1.0
        for _ in range(n):
            y = y * 1.0001 + 0.001
        return (y,)

    return Workload(run)


def neuron(spec: NeuronSpec) -> Workload:
    """relu(sum(w_i * x_i) + b)."""
    w, b, x = spec["w"], spec["b"], spec["x"]

    def run() -> Check:
        act = sum(map(mul, w, x)) + b
        return (act if act > 0.0 else 0.0,)

    return Workload(run)
