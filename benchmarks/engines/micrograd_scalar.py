"""micrograd 0.1.0 from PyPI, used as its demo notebook uses it."""

from __future__ import annotations

from micrograd.engine import Value
from micrograd.nn import MLP, Neuron

from benchmarks.engines import (
    Check,
    Workload,
    chain_of_additions,
    chain_of_affine_steps,
    with_gradient_sums,
)
from benchmarks.memory import bytes_per_node
from benchmarks.spec import MoonsSpec, NeuronSpec


def _model(spec: MoonsSpec) -> MLP:
    """``micrograd.nn.MLP`` with the spec's initial weights."""
    sizes = [len(spec["layers"][0]["W"][0])] + [len(layer["b"]) for layer in spec["layers"]]
    model = MLP(sizes[0], sizes[1:])
    for layer, weights in zip(model.layers, spec["layers"], strict=True):
        for neuron, row, bias in zip(layer.neurons, weights["W"], weights["b"], strict=True):
            for p, w in zip(neuron.w, row, strict=True):
                p.data = w
            neuron.b.data = bias
    return model


def _forward(model: MLP, spec: MoonsSpec) -> Value:
    """The demo notebook's loss: mean hinge loss plus L2 over all parameters."""
    inputs = [list(map(Value, xrow)) for xrow in spec["X"]]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(spec["y"], scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = spec["l2"] * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def moons(spec: MoonsSpec) -> Workload:
    """The demo notebook's step: the loss of ``micrograd.nn.MLP``, zero_grad, backward."""
    model = _model(spec)
    params = model.parameters()

    def step() -> Check:
        total_loss = _forward(model, spec)
        model.zero_grad()
        total_loss.backward()
        return (total_loss.data,)

    return Workload(step, lambda result: with_gradient_sums(result, (p.grad for p in params)))


def chain(n: int) -> Workload:
    """y = x + x + ... (n additions, n nodes deep), then backward."""
    return chain_of_additions(Value, n)


def affine_chain(n: int) -> Workload:
    """y = y * 1.0001 + 0.001, n times, then backward."""
    return chain_of_affine_steps(Value, n)


def neuron(spec: NeuronSpec) -> Workload:
    """``micrograd.nn.Neuron`` (ReLU) on one input vector, then backward."""
    unit = Neuron(len(spec["w"]))
    for p, w in zip(unit.w, spec["w"], strict=True):
        p.data = w
    unit.b.data = spec["b"]
    x = spec["x"]
    params = unit.parameters()

    def run() -> Check:
        unit.zero_grad()
        out = unit(x)
        out.backward()
        return (out.data,)

    return Workload(run, lambda result: with_gradient_sums(result, (p.grad for p in params)))


def _count_new_nodes(root: Value, old: set[int]) -> int:
    """Nodes reachable from ``root`` (iteratively: micrograd's own sort recurses), not in old."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen - old)


def memory(spec: MoonsSpec) -> dict[str, float]:
    """Bytes per node of the moons step's graph, after forward and after backward."""
    model = _model(spec)
    old = {id(p) for p in model.parameters()}

    def backward(root: Value) -> None:
        model.zero_grad()
        root.backward()

    return bytes_per_node(
        lambda: _forward(model, spec), backward, lambda root: _count_new_nodes(root, old)
    )
