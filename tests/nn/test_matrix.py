"""nn.matrix against the scalar graph: the source texts' matrix equations give the same numbers.

The scalar side is an ``nn.MLP`` run sample by sample on ``Value``s, with nn's own loss and
``backward()``; its ``.grad`` is the reference for every entry of ∂E/∂W, ∂E/∂b and δ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import nn
from autograd import Value
from nn import matrix
from nn.losses import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss

Matrix = np.ndarray[Any, np.dtype[np.float64]]

RTOL = 1e-10
# Absolute floor, relative to the largest entry being compared (at least 1). It covers rounding
# that no relative tolerance can: an entry that is an exact zero in one path can be residue of a
# cancellation (~1e-16 of the terms) in the other, and where tanh or σ saturates, NumPy's and
# libm's last bits differ, so f' = 1 − x² near 0 differs by ~1e-16 absolute, not relative.
FLOOR = 1e-12

ACTIVATIONS = ["linear", "relu", "tanh", "sigmoid"]
LOSSES: dict[str, Any] = {
    "mse_loss": mse_loss,
    "binary_cross_entropy": binary_cross_entropy,
    "hinge_loss": hinge_loss,
    "half_sse": "half_sse",
}


def assert_close(actual: Matrix, expected: Matrix, what: str) -> None:
    """Entry for entry within 1e-10 relative, with the absolute floor documented above."""
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=FLOOR * scale, err_msg=what)


# --- the scalar graph ---------------------------------------------------------------------------


@dataclass
class ScalarRun:
    """One backward pass of the scalar graph: the loss and, per layer, z and x as Values.

    ``z[i][j][s]`` is neuron j's pre-activation node in layer i for sample s; ``x`` likewise,
    with ``x[0]`` the inputs.
    """

    loss: Value
    z: list[list[list[Value]]]
    x: list[list[list[Any]]]


def half_sse(predictions: list[Value], targets: list[float]) -> Value:
    """Raja's E = ½ Σ (x_L − t)², summed over every entry."""
    return 0.5 * sum(((p - t) ** 2 for p, t in zip(predictions, targets, strict=True)), Value(0.0))


def pre_activation(node: Value, activation: str) -> Value:
    """The z node of a neuron's output: the output itself for linear, else its operand."""
    return node if activation == "linear" else node.parents[0]


def transpose(rows: list[list[Any]]) -> list[list[Any]]:
    """[sample][neuron] → [neuron][sample], the matrices' orientation (columns are samples)."""
    return [list(column) for column in zip(*rows, strict=True)]


def run_scalar(model: nn.MLP, X: Matrix, T: Matrix, loss_name: str) -> ScalarRun:
    """Forward every column of X through the MLP's layers, apply the loss, run backward."""
    model.zero_grad()
    zs: list[list[list[Value]]] = [[] for _ in model.layers]  # [layer][sample][neuron]
    xs: list[list[list[Value]]] = [[] for _ in model.layers]
    for column in X.T:
        signal: list[Any] = [float(v) for v in column]
        for i, layer in enumerate(model.layers):
            out = layer(signal)
            signal = [out] if isinstance(out, Value) else out
            zs[i].append([pre_activation(node, layer.activation) for node in signal])
            xs[i].append(signal)
    predictions = [node for sample in xs[-1] for node in sample]
    targets = [float(t) for t in T.T.reshape(-1)]  # the same (sample, output) order
    if loss_name == "half_sse":
        loss = half_sse(predictions, targets)
    else:
        loss = LOSSES[loss_name](predictions, targets)
    loss.backward()
    return ScalarRun(loss, [transpose(z) for z in zs], [X.tolist()] + [transpose(x) for x in xs])


def data(nodes: list[list[Any]]) -> Matrix:
    """A matrix of the .data of Values (or of numbers)."""
    return np.array([[float(v) for v in row] for row in nodes], dtype=np.float64)


def grads(nodes: list[list[Value]]) -> Matrix:
    """A matrix of the .grad of Values."""
    return np.array([[v.grad for v in row] for row in nodes], dtype=np.float64)


# --- the property: any MLP, any batch, any loss -------------------------------------------------

# Explicit domains: weights and biases in [-2, 2], inputs in [-3, 3], regression targets in
# [-2, 2], BCE targets in [0, 1] (soft labels allowed, as in PyTorch), hinge targets ±1.
WEIGHT = st.floats(-2.0, 2.0, allow_subnormal=False)
INPUT = st.floats(-3.0, 3.0, allow_subnormal=False)
TARGETS: dict[str, st.SearchStrategy[float]] = {
    "mse_loss": st.floats(-2.0, 2.0, allow_subnormal=False),
    "half_sse": st.floats(-2.0, 2.0, allow_subnormal=False),
    "binary_cross_entropy": st.floats(0.0, 1.0, allow_subnormal=False),
    "hinge_loss": st.sampled_from([-1.0, 1.0]),
}


@dataclass
class Problem:
    """A network, a batch and a loss."""

    weights: list[Matrix]
    biases: list[Matrix]
    hidden: str
    output: str
    X: Matrix
    T: Matrix
    loss: str


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    """Depth 1-4, layer sizes 1-5, batch 1-6, any activations, any loss (BCE on a sigmoid)."""
    depth = draw(st.integers(1, 4))
    sizes = draw(st.lists(st.integers(1, 5), min_size=depth + 1, max_size=depth + 1))
    batch = draw(st.integers(1, 6))
    loss = draw(st.sampled_from(sorted(LOSSES)))
    hidden = draw(st.sampled_from(ACTIVATIONS))
    output = "sigmoid" if loss == "binary_cross_entropy" else draw(st.sampled_from(ACTIVATIONS))
    weights = [draw(arrays(np.float64, (n, m), elements=WEIGHT)) for m, n in pairwise(sizes)]
    biases = [draw(arrays(np.float64, (n, 1), elements=WEIGHT)) for n in sizes[1:]]
    X = draw(arrays(np.float64, (sizes[0], batch), elements=INPUT))
    T = draw(arrays(np.float64, (sizes[-1], batch), elements=TARGETS[loss]))
    return Problem(weights, biases, hidden, output, X, T, loss)


def same_branches(problem: Problem, run: ScalarRun, cache: matrix.ForwardCache) -> bool:
    """Whether both paths took the same side of every kink (relu at 0, hinge at margin 0).

    Summation order differs between BLAS and the scalar graph, so a z that is zero up to
    rounding can land on different sides of a kink; there the derivative is a convention, not a
    number to compare.
    """
    for i, z in enumerate(cache.z):
        activation = problem.output if i == len(cache.z) - 1 else problem.hidden
        if activation == "relu" and np.any((z > 0) != (data(run.z[i]) > 0)):
            return False
    if problem.loss == "hinge_loss":
        scalar_output = data(run.x[-1])
        matrix_margin = 1.0 - problem.T * cache.output
        scalar_margin = 1.0 - problem.T * scalar_output
        if np.any((matrix_margin > 0) != (scalar_margin > 0)):
            return False
    return True


@settings(max_examples=150, deadline=None)
@given(problems())
def test_matrix_gradients_equal_the_scalar_graph(problem: Problem) -> None:
    model = matrix.to_mlp(problem.weights, problem.biases, problem.hidden, problem.output)
    run = run_scalar(model, problem.X, problem.T, problem.loss)
    loss = LOSSES[problem.loss]

    weights, biases = matrix.from_mlp(model)
    cache = matrix.forward(weights, biases, problem.X, matrix.layer_activations(model))
    assume(same_branches(problem, run, cache))
    dW, db, deltas = matrix.backward(weights, cache, problem.T, loss)

    for i, layer in enumerate(model.layers):
        assert_close(cache.z[i], data(run.z[i]), f"z[{i}]")
        assert_close(cache.x[i + 1], data(run.x[i + 1]), f"x[{i + 1}]")
        assert_close(dW[i], grads([n.w for n in layer.neurons]), f"dW[{i}]")
        assert_close(db[i], grads([[n.b] for n in layer.neurons]), f"db[{i}]")
        assert_close(deltas[i], grads(run.z[i]), f"deltas[{i}]")
    assert_close(
        np.array(matrix.loss_value(cache.output, problem.T, loss)),
        np.array(run.loss.data),
        "E",
    )
    # gradients() is forward then backward on the model's own numbers.
    dW2, db2 = matrix.gradients(model, problem.X, problem.T, loss)
    for i in range(len(dW)):
        np.testing.assert_array_equal(dW2[i], dW[i])
        np.testing.assert_array_equal(db2[i], db[i])


# --- worked cases -------------------------------------------------------------------------------


def random_network(
    sizes: list[int], seed: int, scale: float = 1.0
) -> tuple[list[Matrix], list[Matrix]]:
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(-scale, scale, (n, m)) for m, n in pairwise(sizes)]
    biases = [rng.uniform(-scale, scale, (n, 1)) for n in sizes[1:]]
    return weights, biases


@pytest.mark.parametrize("loss_name", sorted(LOSSES))
@pytest.mark.parametrize("hidden", ACTIVATIONS)
def test_gradients_match_central_differences(hidden: str, loss_name: str) -> None:
    # Independent of the scalar graph: perturb each parameter and difference E (loss_value).
    sizes = [3, 4, 3, 2]
    weights, biases = random_network(sizes, seed=7)
    output = "sigmoid" if loss_name == "binary_cross_entropy" else "tanh"
    activations = [hidden, hidden, output]
    rng = np.random.default_rng(8)
    X = rng.uniform(-2, 2, (3, 5))
    T = {
        "binary_cross_entropy": rng.uniform(0, 1, (2, 5)),
        "hinge_loss": rng.choice([-1.0, 1.0], (2, 5)),
    }.get(loss_name, rng.uniform(-1, 1, (2, 5)))
    loss = LOSSES[loss_name]

    def energy() -> float:
        out = matrix.forward(weights, biases, X, activations).output
        return matrix.loss_value(out, T, loss)

    dW, db, _ = matrix.backward(weights, matrix.forward(weights, biases, X, activations), T, loss)
    eps = 1e-6
    for params, analytic in [*zip(weights, dW, strict=True), *zip(biases, db, strict=True)]:
        numeric = np.zeros_like(params)
        for index in np.ndindex(params.shape):
            saved = params[index]
            params[index] = saved + eps
            up = energy()
            params[index] = saved - eps
            down = energy()
            params[index] = saved
            numeric[index] = (up - down) / (2 * eps)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def test_batch_gradient_is_the_sum_of_the_samples_gradients() -> None:
    # half_sse sums over the batch, so each column contributes its own stochastic gradient.
    weights, biases = random_network([2, 4, 3], seed=1)
    rng = np.random.default_rng(2)
    X, T = rng.normal(size=(2, 6)), rng.normal(size=(3, 6))
    cache = matrix.forward(weights, biases, X, ["tanh", "sigmoid"])
    dW, db, _ = matrix.backward(weights, cache, T, "half_sse")
    for i in range(2):
        total_w, total_b = np.zeros_like(dW[i]), np.zeros_like(db[i])
        for s in range(6):
            one = matrix.forward(weights, biases, X[:, s], ["tanh", "sigmoid"])
            w, b, _ = matrix.backward(weights, one, T[:, s], "half_sse")
            total_w += w[i]
            total_b += b[i]
        np.testing.assert_allclose(dW[i], total_w, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(db[i], total_b, rtol=1e-12, atol=1e-14)


def test_mse_averages_over_every_entry_of_the_batch() -> None:
    # mse_loss averages over outputs × batch entries: half_sse scaled by 2 / (outputs · batch).
    weights, biases = random_network([3, 2, 4], seed=3)
    rng = np.random.default_rng(4)
    X, T = rng.normal(size=(3, 5)), rng.normal(size=(4, 5))
    cache = matrix.forward(weights, biases, X, ["relu", "linear"])
    mse = matrix.backward(weights, cache, T, mse_loss)
    sse = matrix.backward(weights, cache, T, "half_sse")
    for a, b in zip(mse[0] + mse[1], sse[0] + sse[1], strict=True):
        np.testing.assert_allclose(a, b * 2.0 / 20, rtol=1e-12)


def test_the_losses_can_be_named() -> None:
    weights, biases = random_network([2, 2, 1], seed=5)
    cache = matrix.forward(weights, biases, np.ones((2, 3)), ["tanh", "sigmoid"])
    for name in ("mse_loss", "binary_cross_entropy", "hinge_loss"):
        T = np.array([[-1.0, 1.0, -1.0]]) if name == "hinge_loss" else np.array([[0.0, 1.0, 0.5]])
        by_name = matrix.backward(weights, cache, T, name)
        by_function = matrix.backward(weights, cache, T, LOSSES[name])
        for a, b in zip(by_name[0], by_function[0], strict=True):
            np.testing.assert_array_equal(a, b)


def test_deltas_follow_the_transpose_recursion() -> None:
    # δ_i = W_{i+1}ᵀ δ_{i+1} ∘ f_i'(z_i), checked for tanh with f' = 1 − tanh² written anew.
    weights, biases = random_network([2, 3, 3, 2], seed=6)
    X = np.random.default_rng(7).normal(size=(2, 4))
    cache = matrix.forward(weights, biases, X, "tanh")
    _, _, deltas = matrix.backward(weights, cache, np.zeros((2, 4)), "half_sse")
    for i in (0, 1):
        expected = (weights[i + 1].T @ deltas[i + 1]) / np.cosh(cache.z[i]) ** 2
        np.testing.assert_allclose(deltas[i], expected, rtol=1e-12, atol=1e-15)


def test_relu_derivative_at_zero_is_zero_as_in_the_engine() -> None:
    # z = 0 exactly: the engine's relu'(0) = 0, so no gradient reaches W[0].
    W = [np.array([[1.0, -1.0]]), np.array([[1.0]])]
    cache = matrix.forward(W, None, np.array([[2.0], [2.0]]), ["relu", "linear"])
    assert cache.z[0][0, 0] == 0.0
    dW, _, _ = matrix.backward(W, cache, np.array([[5.0]]), "half_sse")
    np.testing.assert_array_equal(dW[0], np.zeros((1, 2)))
    model = matrix.to_mlp(W, None, "relu", "linear")
    run = run_scalar(model, np.array([[2.0], [2.0]]), np.array([[5.0]]), "half_sse")
    assert [w.grad for w in model.layers[0].neurons[0].w] == [0.0, 0.0]
    assert run.loss.data == 12.5


def test_bce_clamps_the_log_at_minus_100_with_zero_gradient() -> None:
    # σ(-800) underflows to 0 and σ(-150) = e^-150 is positive but below e^-100: both logs are
    # the constant -100 and pass no gradient, as nn's binary_cross_entropy (and PyTorch's) does.
    # σ(-90) is above the floor, so its log and gradient are live; σ(800) = 1 clamps log(1 - p).
    W = [np.array([[1.0]])]
    X = np.array([[-800.0, -800.0, -150.0, -90.0, 800.0, 0.0]])
    T = np.array([[1.0, 0.0, 1.0, 1.0, 0.0, 1.0]])
    cache = matrix.forward(W, None, X, "sigmoid")
    assert cache.output[0, 0] == 0.0 < cache.output[0, 2] < math.exp(-100) < cache.output[0, 3]
    assert cache.output[0, 4] == 1.0
    expected = (100.0 + 0.0 + 100.0 - math.log(cache.output[0, 3]) + 100.0 + math.log(2.0)) / 6
    assert matrix.loss_value(cache.output, T, binary_cross_entropy) == pytest.approx(
        expected, rel=1e-12
    )
    dW, _, deltas = matrix.backward(W, cache, T, binary_cross_entropy)
    assert list(deltas[0][0, :5]) == [0.0, 0.0, 0.0, pytest.approx(-1 / 6, rel=1e-12), 0.0]

    model = matrix.to_mlp(W, None, output_activation="sigmoid")
    run = run_scalar(model, X, T, "binary_cross_entropy")
    assert_close(deltas[0], grads(run.z[0]), "deltas")
    assert_close(dW[0], grads([model.layers[0].neurons[0].w]), "dW")
    assert run.loss.data == pytest.approx(expected, rel=1e-12)


def test_hinge_at_the_margin_passes_no_gradient() -> None:
    # t·p = 1 exactly: relu(1 − t·p) sits at its kink, where relu'(0) = 0.
    W = [np.array([[0.5]])]
    X = np.array([[2.0, -2.0, 1.0]])
    T = np.array([[1.0, -1.0, 1.0]])
    cache = matrix.forward(W, None, X, "linear")
    _, _, deltas = matrix.backward(W, cache, T, hinge_loss)
    assert list(deltas[0][0]) == [0.0, 0.0, pytest.approx(-1 / 3, rel=1e-15)]
    run = run_scalar(matrix.to_mlp(W, None), X, T, "hinge_loss")
    assert_close(deltas[0], grads(run.z[0]), "deltas")


# --- from_mlp and to_mlp ------------------------------------------------------------------------


def test_from_mlp_reads_each_neuron_into_a_row() -> None:
    model = nn.MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", seed=11)
    weights, biases = matrix.from_mlp(model)
    assert [w.shape for w in weights] == [(4, 3), (2, 4)]
    assert [b.shape for b in biases] == [(4, 1), (2, 1)]
    for i, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            assert list(weights[i][j]) == [w.data for w in neuron.w]
            assert biases[i][j, 0] == neuron.b.data
    assert matrix.layer_activations(model) == ["tanh", "sigmoid"]


def test_to_mlp_round_trips_and_computes_what_forward_computes() -> None:
    weights, biases = random_network([3, 5, 2], seed=12)
    model = matrix.to_mlp(weights, biases, activation="tanh", output_activation="sigmoid")
    back_w, back_b = matrix.from_mlp(model)
    for a, b in zip(back_w + back_b, weights + biases, strict=True):
        np.testing.assert_array_equal(a, b)
    x = [0.5, -1.0, 2.0]
    out = model(x)
    assert isinstance(out, list)
    expected = matrix.forward(weights, biases, np.array(x), ["tanh", "sigmoid"]).output[:, 0]
    np.testing.assert_allclose(np.array([v.data for v in out]), expected, rtol=1e-12)


def test_to_mlp_without_biases_gives_zero_biases() -> None:
    model = matrix.to_mlp([np.ones((2, 3))], None)
    assert [n.b.data for n in model.layers[0].neurons] == [0.0, 0.0]


def test_to_mlp_rejects_an_unknown_activation() -> None:
    with pytest.raises(ValueError, match="softplus"):
        matrix.to_mlp([np.ones((2, 3))], None, activation="softplus")


# --- shapes and conventions ---------------------------------------------------------------------


def test_one_dimensional_biases_and_inputs_are_columns() -> None:
    weights, biases = random_network([3, 2], seed=13)
    x = np.array([0.1, 0.2, 0.3])
    flat = matrix.forward(weights, [b[:, 0] for b in biases], x, "tanh")
    column = matrix.forward(weights, biases, x.reshape(3, 1), "tanh")
    assert flat.output.shape == (2, 1)
    np.testing.assert_array_equal(flat.output, column.output)


def test_no_biases_means_zero_biases() -> None:
    weights, _ = random_network([3, 2, 2], seed=14)
    X = np.random.default_rng(0).normal(size=(3, 4))
    none = matrix.forward(weights, None, X, "sigmoid")
    zeros = matrix.forward(weights, [np.zeros((2, 1)), np.zeros((2, 1))], X, "sigmoid")
    np.testing.assert_array_equal(none.output, zeros.output)


def test_the_cache_holds_every_layer() -> None:
    weights, biases = random_network([3, 4, 2], seed=15)
    X = np.random.default_rng(1).normal(size=(3, 6))
    cache = matrix.forward(weights, biases, X, ["relu", "linear"])
    assert [z.shape for z in cache.z] == [(4, 6), (2, 6)]
    assert [x.shape for x in cache.x] == [(3, 6), (4, 6), (2, 6)]
    np.testing.assert_array_equal(cache.x[0], X)
    np.testing.assert_array_equal(cache.x[1], np.maximum(weights[0] @ X + biases[0], 0))
    assert cache.output is cache.x[-1]
    assert cache.activations == ("relu", "linear")


def test_targets_may_be_a_flat_row_for_one_output() -> None:
    weights, biases = random_network([2, 1], seed=16)
    X = np.random.default_rng(2).normal(size=(2, 5))
    cache = matrix.forward(weights, biases, X, "linear")
    t = np.linspace(-1, 1, 5)
    flat = matrix.backward(weights, cache, t, mse_loss)
    row = matrix.backward(weights, cache, t.reshape(1, 5), mse_loss)
    np.testing.assert_array_equal(flat[0][0], row[0][0])


# --- bad input ----------------------------------------------------------------------------------


def test_mismatched_weight_shapes_are_named() -> None:
    with pytest.raises(ValueError, match=r"weights\[1\] has shape \(2, 3\).*\(4, 5\)"):
        matrix.forward([np.ones((4, 5)), np.ones((2, 3))], None, np.ones((5, 1)), "relu")


def test_wrong_input_shape_is_named() -> None:
    with pytest.raises(ValueError, match=r"X has shape \(4, 3\); expected \(3, batch\)"):
        matrix.forward([np.ones((2, 3))], None, np.ones((4, 3)), "relu")


def test_samples_as_rows_get_a_hint_to_transpose() -> None:
    with pytest.raises(ValueError, match=r"X has shape \(5, 3\).*X\.T has that shape"):
        matrix.forward([np.ones((2, 3))], None, np.ones((5, 3)), "relu")


def test_wrong_bias_shape_is_named() -> None:
    with pytest.raises(ValueError, match=r"biases\[0\] has shape \(3, 1\)"):
        matrix.forward([np.ones((2, 3))], [np.ones((3, 1))], np.ones((3, 1)), "relu")


def test_wrong_number_of_activations() -> None:
    with pytest.raises(ValueError, match="1 activations for 2 layers"):
        matrix.forward([np.ones((2, 3)), np.ones((1, 2))], None, np.ones((3, 1)), ["relu"])


def test_unknown_activation_is_named() -> None:
    with pytest.raises(ValueError, match="'gelu'"):
        matrix.forward([np.ones((2, 3))], None, np.ones((3, 1)), "gelu")


def test_non_real_arrays_are_rejected() -> None:
    with pytest.raises(TypeError, match="complex"):
        matrix.forward([np.ones((2, 3), dtype=complex)], None, np.ones((3, 1)), "relu")
    with pytest.raises(TypeError, match="X must hold real numbers"):
        matrix.forward([np.ones((2, 3))], None, np.array([["a"], ["b"], ["c"]]), "relu")


def test_one_matrix_instead_of_a_list_is_rejected() -> None:
    with pytest.raises(TypeError, match="list of 2-D arrays"):
        matrix.forward(np.ones((2, 3)), None, np.ones((3, 1)), "relu")  # type: ignore[arg-type]


def test_wrong_target_shape_is_named() -> None:
    cache = matrix.forward([np.ones((2, 3))], None, np.ones((3, 4)), "relu")
    with pytest.raises(ValueError, match=r"T has shape \(4, 2\).*\(2, 4\)"):
        matrix.backward([np.ones((2, 3))], cache, np.ones((4, 2)), mse_loss)


def test_weights_that_do_not_fit_the_cache_are_named() -> None:
    cache = matrix.forward([np.ones((2, 3))], None, np.ones((3, 4)), "relu")
    with pytest.raises(ValueError, match=r"weights\[0\] has shape \(2, 2\)"):
        matrix.backward([np.ones((2, 2))], cache, np.ones((2, 4)), mse_loss)


def test_unsupported_losses_are_named() -> None:
    cache = matrix.forward([np.ones((2, 3))], None, np.ones((3, 4)), "sigmoid")
    T = np.ones((2, 4))
    with pytest.raises(ValueError, match="cross_entropy"):
        matrix.backward([np.ones((2, 3))], cache, T, cross_entropy)
    with pytest.raises(ValueError, match="'l1'"):
        matrix.backward([np.ones((2, 3))], cache, T, "l1")
    with pytest.raises(TypeError, match="float"):
        matrix.backward([np.ones((2, 3))], cache, T, 2.0)  # type: ignore[arg-type]


def test_bce_needs_probabilities() -> None:
    cache = matrix.forward([np.ones((1, 1))], None, np.array([[3.0]]), "linear")
    with pytest.raises(ValueError, match=r"prediction \(0, 0\) is 3\.0, outside \[0, 1\]"):
        matrix.backward([np.ones((1, 1))], cache, np.array([[1.0]]), binary_cross_entropy)


def test_hinge_needs_targets_of_minus_or_plus_one() -> None:
    cache = matrix.forward([np.ones((1, 1))], None, np.array([[3.0, 1.0]]), "linear")
    with pytest.raises(ValueError, match=r"target \(0, 1\) is 0\.0; targets must be -1 or \+1"):
        matrix.backward([np.ones((1, 1))], cache, np.array([[1.0, 0.0]]), hinge_loss)


def test_an_empty_batch_has_no_loss() -> None:
    cache = matrix.forward([np.ones((1, 2))], None, np.ones((2, 0)), "relu")
    assert cache.output.shape == (1, 0)
    with pytest.raises(ValueError, match=r"shape \(1, 0\): an empty batch"):
        matrix.backward([np.ones((1, 2))], cache, np.ones((1, 0)), mse_loss)


def test_a_cache_must_come_from_forward() -> None:
    with pytest.raises(TypeError, match="cache must be what forward returned, got dict"):
        matrix.backward([np.ones((1, 1))], {}, np.ones((1, 1)), mse_loss)  # type: ignore[arg-type]


def test_from_mlp_needs_a_model() -> None:
    with pytest.raises(TypeError, match="got list"):
        matrix.from_mlp([1, 2])  # type: ignore[arg-type]


def test_one_row_per_activation_of_nn_and_per_loss() -> None:
    from nn.mlp import ACTIVATIONS

    assert tuple(matrix.ACTIVATION_RULES) == ACTIVATIONS
    assert all(name == rule.name for name, rule in matrix.ACTIVATION_RULES.items())
    assert matrix.LOSSES == ("mse_loss", "binary_cross_entropy", "hinge_loss", "half_sse")
    assert all(name == rule.name for name, rule in matrix.LOSS_RULES.items())
