"""chainrule's scalar engine: ``nn.MLP``, ``nn.hinge_loss`` and ``Value.backward``."""

from __future__ import annotations

from autograd import Value, scope, topological_order
from benchmarks.engines import (
    Check,
    Workload,
    chain_of_additions,
    chain_of_affine_steps,
    with_gradient_sums,
)
from benchmarks.memory import bytes_per_node
from benchmarks.spec import (
    CLASSIFIER_SIZES,
    MOONS_SIZES,
    SEED,
    ClassifierSpec,
    MoonsSpec,
    NeuronSpec,
)
from nn import MLP, Neuron, cross_entropy, hinge_loss


def _forward(model: MLP, spec: MoonsSpec) -> Value:
    """Mean hinge loss over the samples plus L2 over all parameters."""
    scores = [model(x) for x in spec["X"]]
    reg_loss = spec["l2"] * sum(p * p for p in model.parameters())
    return hinge_loss(scores, spec["y"]) + reg_loss


def moons(spec: MoonsSpec) -> Workload:
    """``MLP(2, [16, 16, 1], seed=0)``: zero_grad, the loss, backward."""
    model = MLP(MOONS_SIZES[0], list(MOONS_SIZES[1:]), seed=SEED)
    params = model.parameters()

    def step() -> Check:
        model.zero_grad()
        loss = _forward(model, spec)
        loss.backward()
        return (loss.data,)

    return Workload(step, lambda result: with_gradient_sums(result, (p.grad for p in params)))


def classifier(spec: ClassifierSpec) -> Workload:
    """``MLP(64, [32, 10], seed=0)``: zero_grad, the mean cross entropy, backward."""
    nin, *sizes = CLASSIFIER_SIZES
    model = MLP(nin, sizes, seed=SEED)
    params = model.parameters()

    def step() -> Check:
        model.zero_grad()
        loss = cross_entropy([model(x) for x in spec["X"]], spec["y"])
        loss.backward()
        return (loss.data,)

    return Workload(step, lambda result: with_gradient_sums(result, (p.grad for p in params)))


def chain(n: int) -> Workload:
    """y = x + x + ... (n additions, n nodes deep), then backward."""
    return chain_of_additions(Value, n)


def affine_chain(n: int) -> Workload:
    """y = y * 1.0001 + 0.001, n times, then backward."""
    return chain_of_affine_steps(Value, n)


def neuron(spec: NeuronSpec) -> Workload:
    """``nn.Neuron(n, seed=0)`` (ReLU) on one input vector, then backward."""
    unit = Neuron(len(spec["w"]), seed=SEED)
    x = spec["x"]
    params = unit.parameters()

    def run() -> Check:
        unit.zero_grad()
        out = unit(x)
        out.backward()
        return (out.data,)

    return Workload(run, lambda result: with_gradient_sums(result, (p.grad for p in params)))


def memory(spec: MoonsSpec) -> dict[str, float]:
    """Bytes per node of the moons step's graph, after forward and after backward."""
    model = MLP(MOONS_SIZES[0], list(MOONS_SIZES[1:]), seed=SEED)
    old = set(model.parameters())

    def count(root: Value) -> int:
        return sum(1 for node in topological_order(root) if node not in old)

    return bytes_per_node(lambda: _forward(model, spec), lambda root: root.backward(), count)


def _drawing_graph(values: int) -> Value:
    """A graph of ``values`` Values (a multiple of 5): relu(sum_i tanh(a_i * b_i)), each term
    in a scope of its own, so the drawing has a cluster per term as an MLP's has per neuron."""
    total: Value | None = None
    for i in range(values // 5):  # 2 leaves, a product, a tanh and a + (or the final relu)
        with scope(f"terms.{i}"):
            term = (Value(0.01 * i, f"a{i}") * Value(1.0 - 0.01 * i, f"b{i}")).tanh()
        total = term if total is None else total + term
    assert total is not None
    root = total.relu()
    root.backward()
    return root


def draw_dot(values: int) -> Workload:
    """``draw_dot`` of a graph with ``values`` Values: the Digraph (DOT source) only."""
    from autograd import draw_dot

    root = _drawing_graph(values)
    count = float(len(topological_order(root)))

    def run() -> Check:
        return (float(len(draw_dot(root).source)),)

    return Workload(run, lambda result: (count, *result))


def draw_svg(values: int) -> Workload:
    """``draw_dot`` of a graph with ``values`` Values, rendered to SVG by Graphviz's ``dot``."""
    from autograd import draw_dot

    root = _drawing_graph(values)
    count = float(len(topological_order(root)))

    def run() -> Check:
        return (float(len(draw_dot(root).pipe(format="svg"))),)

    return Workload(run, lambda result: (count, *result))
