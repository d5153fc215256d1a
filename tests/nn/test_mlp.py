"""Neuron, Layer and MLP: seeds, shapes, dotted names, the graph each neuron builds, scopes."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, scope, topological_order
from autograd.draw import drawn_scopes
from nn import MLP, SGD, Layer, Module, Neuron

ACTIVATIONS = ["linear", "relu", "tanh", "sigmoid"]
FLOAT: dict[str, Callable[[float], float]] = {
    "linear": lambda z: z,
    "relu": lambda z: max(z, 0.0),
    "tanh": math.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)),
}

activations = st.sampled_from(ACTIVATIONS)
seeds = st.integers(0, 2**32)
sizes = st.lists(st.integers(1, 5), min_size=1, max_size=3)
inputs = st.floats(-3.0, 3.0, allow_nan=False)


def reference_forward(model: MLP, x: list[float]) -> list[float]:
    """The MLP's output computed on plain floats from its parameters' data."""
    for layer in model.layers:
        x = [
            FLOAT[n.activation](sum(w.data * xi for w, xi in zip(n.w, x, strict=True)) + n.b.data)
            for n in layer.neurons
        ]
    return x


# --- seeds and shapes ----------------------------------------------------------------------------


@given(nin=st.integers(1, 4), nouts=sizes, seed=seeds)
def test_the_same_seed_gives_the_same_weights(nin: int, nouts: list[int], seed: int) -> None:
    assert MLP(nin, nouts, seed=seed).state_dict() == MLP(nin, nouts, seed=seed).state_dict()
    assert Layer(nin, 3, seed=seed).state_dict() == Layer(nin, 3, seed=seed).state_dict()
    assert Neuron(nin, seed=seed).state_dict() == Neuron(nin, seed=seed).state_dict()


def test_different_seeds_and_no_seed_give_different_weights() -> None:
    assert MLP(2, [4, 1], seed=0).state_dict() != MLP(2, [4, 1], seed=1).state_dict()
    assert MLP(2, [4, 1]).state_dict() != MLP(2, [4, 1]).state_dict()


def test_neurons_of_a_layer_differ_from_each_other() -> None:
    weights = [tuple(w.data for w in n.w) for n in Layer(3, 8, seed=0).neurons]
    assert len(set(weights)) == 8


@given(nin=st.integers(1, 4), nouts=sizes, seed=seeds)
def test_initial_weights_are_uniform_in_minus_one_one_and_biases_zero(
    nin: int, nouts: list[int], seed: int
) -> None:
    model = MLP(nin, nouts, seed=seed)
    for layer in model.layers:
        for neuron in layer.neurons:
            assert all(-1.0 <= w.data <= 1.0 for w in neuron.w)
            assert neuron.b.data == 0.0


@given(nin=st.integers(1, 4), nouts=sizes, activation=activations, last=activations)
def test_structure(nin: int, nouts: list[int], activation: str, last: str) -> None:
    model = MLP(nin, nouts, activation=activation, output_activation=last)
    assert [len(layer.neurons) for layer in model.layers] == nouts
    assert [len(layer.neurons[0].w) for layer in model.layers] == [nin, *nouts[:-1]]
    expected = [activation] * (len(nouts) - 1) + [last]
    assert [layer.activation for layer in model.layers] == expected
    for layer, act in zip(model.layers, expected, strict=True):
        assert all(n.activation == act and isinstance(n.b, Value) for n in layer.neurons)
    count = sum(
        (fan_in + 1) * fan_out for fan_in, fan_out in zip([nin, *nouts[:-1]], nouts, strict=True)
    )
    assert len(model.parameters()) == count


# --- parameter names -----------------------------------------------------------------------------


@given(nin=st.integers(1, 4), nouts=sizes)
def test_mlp_parameter_names_are_dotted_paths_to_the_parameters(nin: int, nouts: list[int]) -> None:
    model = MLP(nin, nouts, seed=0)
    named = model.named_parameters()
    expected = []
    for i, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            expected += [(f"layers.{i}.neurons.{j}.w.{k}", w) for k, w in enumerate(neuron.w)]
            expected.append((f"layers.{i}.neurons.{j}.b", neuron.b))
    assert [name for name, _ in named] == [name for name, _ in expected]
    assert all(p is q for (_, p), (_, q) in zip(named, expected, strict=True))
    assert model.parameters() == [p for _, p in named]


def test_names_of_a_neuron_and_a_layer_on_their_own() -> None:
    assert [name for name, _ in Neuron(2).named_parameters()] == ["w.0", "w.1", "b"]
    layer = Layer(2, 4, seed=0)
    names = dict(layer.named_parameters())
    assert names["neurons.3.w.1"] is layer.neurons[3].w[1]
    assert names["neurons.0.b"] is layer.neurons[0].b
    assert len(names) == 12
    assert MLP(2, [16, 16, 1]).state_dict().keys() >= {
        "layers.0.neurons.3.w.1",
        "layers.2.neurons.0.b",
    }


def test_zero_grad_clears_every_parameter() -> None:
    model = MLP(2, [3, 1], seed=0)
    out = model([1.0, -2.0])
    assert isinstance(out, Value)
    (out * out + 1).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


# --- forward -------------------------------------------------------------------------------------


@given(
    nin=st.integers(1, 4),
    nouts=sizes,
    activation=activations,
    last=activations,
    seed=seeds,
    data=st.data(),
)
def test_forward_matches_the_formula_on_floats(
    nin: int, nouts: list[int], activation: str, last: str, seed: int, data: st.DataObject
) -> None:
    model = MLP(nin, nouts, activation=activation, output_activation=last, seed=seed)
    x = data.draw(st.lists(inputs, min_size=nin, max_size=nin))
    out = model(x)
    got = [out.data] if isinstance(out, Value) else [v.data for v in out]
    assert got == pytest.approx(reference_forward(model, x), rel=1e-12, abs=1e-12)


def test_output_is_a_value_for_one_output_and_a_list_otherwise() -> None:
    assert isinstance(MLP(2, [3, 1])([0.5, 0.5]), Value)
    out = MLP(2, [3, 4])([0.5, 0.5])
    assert isinstance(out, list) and len(out) == 4 and all(isinstance(v, Value) for v in out)
    assert isinstance(Layer(2, 1)([0.5, 0.5]), Value)
    assert len(Layer(2, 3)([0.5, 0.5])) == 3  # type: ignore[arg-type]


@given(nin=st.integers(1, 6), activation=activations, x=st.lists(inputs, min_size=6, max_size=6))
def test_a_neuron_builds_micrograds_graph(nin: int, activation: str, x: list[float]) -> None:
    """micrograd's sum(w_i x_i, start=b): ((b + w0 x0) + w1 x1) + ..., then the activation."""
    neuron = Neuron(nin, activation, seed=0)
    xs = [Value(v) for v in x[:nin]]
    out = neuron(xs)
    ops = Counter(node.op for node in topological_order(out) if node.parents)
    expected = Counter({"*": nin, "+": nin})
    if activation != "linear":
        expected[activation] = 1
    assert ops == expected
    z = out if activation == "linear" else out.parents[0]
    assert out.op == (activation if activation != "linear" else "+")
    # Walk the chain down from z: each + adds the next product to the sum so far, b at the start.
    node = z
    for k in reversed(range(nin)):
        assert node.op == "+"
        total, product = node.parents
        assert product.op == "*"
        assert product.parents[0] is neuron.w[k] and product.parents[1] is xs[k]
        node = total
    assert node is neuron.b
    expected_z = neuron.b.data
    for w, xi in zip(neuron.w, x, strict=False):
        expected_z += w.data * xi  # the same operations in the same order: equal, not close
    assert z.data == expected_z


@given(nin=st.integers(1, 4), activation=activations, x=st.lists(inputs, min_size=4, max_size=4))
def test_gradients_reach_weights_bias_and_input_values(
    nin: int, activation: str, x: list[float]
) -> None:
    neuron = Neuron(nin, activation, seed=1)
    xs = [Value(v) for v in x[:nin]]
    out = neuron(xs)
    out.backward()
    z = sum(w.data * xi for w, xi in zip(neuron.w, x, strict=False)) + neuron.b.data
    y = FLOAT[activation](z)
    slope = {
        "linear": 1.0,
        "relu": 1.0 if z > 0 else 0.0,
        "tanh": 1.0 - y * y,
        "sigmoid": y * (1.0 - y),
    }[activation]
    assert neuron.b.grad == pytest.approx(slope)
    for w, xv in zip(neuron.w, xs, strict=True):
        assert w.grad == pytest.approx(slope * xv.data)
        assert xv.grad == pytest.approx(slope * w.data)


def test_inputs_may_be_tuples_numpy_arrays_ints_and_values() -> None:
    model = MLP(3, [2, 1], seed=0)
    expected = model([1.0, 2.0, 3.0]).data  # type: ignore[union-attr]
    for x in ((1, 2, 3), np.array([1.0, 2.0, 3.0]), [Value(1.0), 2, np.float32(3.0)]):
        assert model(x).data == pytest.approx(expected)  # type: ignore[union-attr, arg-type]


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("module", "nin"), [(Neuron(3), 3), (Layer(3, 2), 3), (MLP(3, [2, 1]), 3)])
@pytest.mark.parametrize("length", [0, 2, 4])
def test_a_wrong_input_length_names_both_lengths(module: Module, nin: int, length: int) -> None:
    with pytest.raises(ValueError, match=rf"expects {nin} inputs, got {length}$"):
        module([0.5] * length)


@pytest.mark.parametrize("x", ["ab", 1.5, Value(1.0), None])
def test_an_input_that_is_not_a_sequence_is_a_type_error(x: object) -> None:
    with pytest.raises(TypeError, match="sequence of 2 numbers or Values, got"):
        MLP(2, [1])(x)  # type: ignore[arg-type]


def test_an_input_element_that_is_not_a_number_is_named() -> None:
    with pytest.raises(TypeError, match="input 1 must be a number or a Value, got str"):
        MLP(2, [1])([1.0, "2"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="MLP input 1 is too large for a float"):
        MLP(2, [1])([1.0, 10**400])


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: Neuron(0), ValueError, "nin must be at least 1, got 0"),
        (lambda: Neuron(2.0), TypeError, "nin must be an int, got float"),  # type: ignore[arg-type]
        (lambda: Neuron(2, "gelu"), ValueError, "activation must be one of linear, relu"),
        (lambda: Layer(2, 0), ValueError, "nout must be at least 1"),
        (lambda: MLP(2, []), ValueError, "nouts must name at least one layer size"),
        (lambda: MLP(2, 3), TypeError, "nouts must be a sequence of layer sizes, got int"),  # type: ignore[arg-type]
        (lambda: MLP(2, [3, -1]), ValueError, r"nouts\[1\] must be at least 1, got -1"),
        (lambda: MLP(2, [1], output_activation="softmax"), ValueError, "output_activation"),
        (lambda: MLP(2, [1], seed="x"), TypeError, "seed must be an int or None, got str"),  # type: ignore[arg-type]
        (lambda: MLP(2, [1], seed=True), TypeError, "seed must be an int or None, got bool"),
    ],
)
def test_bad_constructor_arguments(build: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        build()  # type: ignore[operator]


# --- scopes --------------------------------------------------------------------------------------


def test_every_value_a_neuron_makes_is_drawn_in_its_scope() -> None:
    model = MLP(2, [3, 2, 1], seed=0)
    out = model([0.5, -1.0])
    assert isinstance(out, Value)
    order = topological_order(out)
    drawn = dict(zip(order, drawn_scopes(order), strict=True))
    # The two inputs become leaves that every first-layer neuron shares: drawn outside.
    inputs = [node for node in order if node.is_leaf and not node.scope]
    assert [node.data for node in inputs] == [0.5, -1.0]
    assert all(drawn[node] == "" for node in inputs)
    assert all(scope.startswith("layers.") for n, scope in drawn.items() if n not in inputs)
    for i, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            expected = f"layers.{i}.neurons.{j}"
            assert all(p.scope == expected for p in neuron.parameters())
    # The output neuron is linear: its output is z, and what z sums is drawn in its scope.
    assert out.scope == drawn[out.parents[0]] == "layers.2.neurons.0"
    assert all(n.scope == n.parents[0].scope for n in order if n.op == "relu")
    relu_scopes = {n.scope for n in order if n.op == "relu"}
    assert relu_scopes == {f"layers.{i}.neurons.{j}" for i, m in ((0, 3), (1, 2)) for j in range(m)}


def test_a_number_input_is_one_leaf_shared_by_the_neurons() -> None:
    layer = Layer(2, 3, seed=0)
    outputs = layer([0.5, -1.0])
    assert isinstance(outputs, list)
    # relu(z), z = (b + w.0 * x.0) + w.1 * x.1: the x.0 of w.0 * x.0 in each neuron
    shared = {id(out.parents[0].parents[0].parents[1].parents[1]) for out in outputs}
    assert len(shared) == 1  # w.0 * x.0 in each neuron multiplies the same x.0 leaf


def test_scopes_of_a_layer_alone_and_inside_an_outer_scope() -> None:
    layer = Layer(2, 2, seed=0)
    assert [n.scope for n in layer([1.0, 2.0])] == ["neurons.0", "neurons.1"]  # type: ignore[union-attr]
    with scope("model"):
        out = MLP(2, [1], seed=0)([1.0, 2.0])
        assert isinstance(out, Value)
    assert out.scope == "model.layers.0.neurons.0"
    assert Neuron(2)([1.0, 2.0]).scope == ""


def test_repr_shows_the_constructor() -> None:
    assert repr(Neuron(2, "tanh")) == "Neuron(2, activation='tanh')"
    assert repr(Layer(2, 3)) == "Layer(2, 3, activation='relu')"
    assert (
        repr(MLP(2, [16, 16, 1]))
        == "MLP(2, [16, 16, 1], activation='relu', output_activation='linear')"
    )


# --- modules register their parts, as torch.nn.Module does ---------------------------------------


class Affine(Module):
    """A module of the user's own: names, config and repr come from Module."""

    def __init__(self, n: int, scale: float = 1.0, seed: int | None = None) -> None:
        self.n = n
        self.scale = scale
        self.w = [Value(scale) for _ in range(n)]
        self.inner = Neuron(n, "tanh", seed)
        self.b = Value(0.0)
        self.note = "not a part"


def test_a_module_of_ones_own_gets_names_config_and_repr_from_its_parts() -> None:
    module = Affine(2, scale=0.5, seed=0)
    names = [name for name, _ in module.named_parameters()]
    assert names == ["w.0", "w.1", "inner.w.0", "inner.w.1", "inner.b", "b"]
    assert dict(module.named_parameters())["inner.b"] is module.inner.b
    assert module.config() == {"n": 2, "scale": 0.5}
    assert repr(module) == "Affine(2, scale=0.5)"
    module.b = 1.0  # type: ignore[assignment]  # no longer a Value: no longer a parameter
    assert "b" not in dict(module.named_parameters())
    module.extra = [Neuron(1, seed=0)]
    assert "extra.0.w.0" in dict(module.named_parameters())
    assert Module().named_parameters() == [] and repr(Module()) == "Module()"


def test_a_list_of_mixed_things_is_not_a_part() -> None:
    module = Affine(1)
    module.mixed = [Value(1.0), "text"]
    assert not any(name.startswith("mixed") for name, _ in module.named_parameters())


class Stack(Module):
    """A module that fills its list after assigning it, as one writes it in PyTorch too."""

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.layers: list[Layer] = []
        for _ in range(depth):
            self.layers.append(Layer(2, 2, seed=0))


def test_a_list_filled_after_it_was_assigned_is_a_part() -> None:
    module = Stack(2)
    names = [name for name, _ in module.named_parameters()]
    assert len(names) == 2 * 6 and names[0] == "layers.0.neurons.0.w.0"
    module.layers.append(Layer(2, 2, seed=1))
    assert len(module.parameters()) == 3 * 6
    losses: list[float] = []
    module.losses = losses  # filled with numbers, it is no part
    losses.append(0.5)
    assert len(module.parameters()) == 3 * 6


def test_a_number_put_in_place_of_a_parameter_is_named() -> None:
    model = MLP(2, [1], seed=0)
    model.layers[0].neurons[0].w[1] = 5.0  # type: ignore[call-overload]  # meant .data = 5.0
    with pytest.raises(TypeError, match=r"layers\.0\.neurons\.0\.w\.1 is a float, not a Value"):
        model.parameters()


def test_a_parameter_shared_by_two_parts_is_listed_once() -> None:
    # As torch.nn.Module.named_parameters does; an optimizer refuses a parameter given twice.
    module = Affine(1, seed=0)
    module.tied = module.b
    names = [name for name, _ in module.named_parameters()]
    assert names.count("b") == 1 and "tied" not in names
    SGD(module.parameters(), lr=0.1).step()


class Unstored(Module):
    """A module whose constructor argument is not kept under its own name."""

    def __init__(self, n: int) -> None:
        self.w = [Value(1.0) for _ in range(n)]


def test_repr_works_when_the_config_cannot_be_read_back() -> None:
    module = Unstored(3)
    assert repr(module) == "<Unstored: 3 parameters>"
    with pytest.raises(AttributeError, match=r"Unstored\.config: the constructor argument 'n'"):
        module.config()
