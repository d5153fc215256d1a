"""The source texts' matrix examples, with their numbers, through nn.matrix and the scalar graph."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from autograd import Value
from nn import matrix
from nn.losses import binary_cross_entropy, mse_loss

Matrix = np.ndarray[Any, np.dtype[np.float64]]


def scalar_gradients(
    weights: list[Matrix],
    biases: list[Matrix] | None,
    activations: tuple[str, str],
    X: Matrix,
    T: Matrix,
    loss: Any,
) -> tuple[list[Matrix], list[Matrix], list[Value]]:
    """The .grad of every weight and bias of the same network built as an nn.MLP of Values.

    ``loss`` is one of nn's losses, or a function of the flattened predictions and targets.
    Also returns the outputs, one Value per (sample, output).
    """
    model = matrix.to_mlp(weights, biases, *activations)
    outputs: list[Value] = []
    for s in range(X.shape[1]):
        out = model([float(v) for v in X[:, s]])
        outputs.extend([out] if isinstance(out, Value) else out)
    targets = [float(T[j, s]) for s in range(X.shape[1]) for j in range(T.shape[0])]
    loss(outputs, targets).backward()
    dW = [np.array([[w.grad for w in n.w] for n in layer.neurons]) for layer in model.layers]
    db = [np.array([[n.b.grad] for n in layer.neurons]) for layer in model.layers]
    return dW, db, outputs


def half_sse(predictions: list[Value], targets: list[float]) -> Value:
    """Raja's E = ½ Σ ‖x_L − t‖²."""
    return 0.5 * sum(((p - t) ** 2 for p, t in zip(predictions, targets, strict=True)), Value(0.0))


def sse(predictions: list[Value], targets: list[float]) -> Value:
    """E = Σ ‖x_L − t‖², without the ½."""
    return sum(((p - t) ** 2 for p, t in zip(predictions, targets, strict=True)), Value(0.0))


def assert_all_close(actual: list[Matrix], expected: list[Matrix]) -> None:
    """Every matrix entry for entry within 1e-10 relative (1e-13 absolute for exact zeros)."""
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected, strict=True):
        assert a.shape == e.shape
        np.testing.assert_allclose(a, e, rtol=1e-10, atol=1e-13)


def sigmoid(z: Matrix) -> Matrix:
    """σ(z) = 1 / (1 + e^-z), written out for the source texts' hand-made equations."""
    return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)


# --- the Stack Exchange question (000): one weight, as a 1×1 network ------------------------------

# w printed by the question's MATLAB loop (5 significant digits) after each of 20 steps.
TEXT_000_W = [
    -8.5948, -0.68736, 3.6233, 5.9732, 7.2542, 7.9525, 8.3332, 8.5408, 8.6539, 8.7156,
    8.7492, 8.7675, 8.7775, 8.7829, 8.7859, 8.7875, 8.7884, 8.7889, 8.7892, 8.7893,
]  # fmt: skip


def test_seed_000_the_single_weight_is_a_1x1_network() -> None:
    # a = 5.7, w = -23.1, target 50.1, C = (a w - target)², R = 0.007: mse_loss of one entry.
    W = [np.array([[-23.1]])]
    X, T = np.array([[5.7]]), np.array([[50.1]])
    printed = []
    for _ in range(20):
        cache = matrix.forward(W, None, X, "linear")
        dW, _, _ = matrix.backward(W, cache, T, mse_loss)
        W = [W[0] - 0.007 * dW[0]]
        printed.append(float(f"{W[0][0, 0]:.5g}"))
    assert printed == TEXT_000_W
    # The question's answer: a w = 50.099 ≈ the target.
    assert f"{matrix.forward(W, None, X, 'linear').output[0, 0]:.5g}" == "50.099"


def test_seed_002_the_representative_equation_is_two_1x1_layers() -> None:
    # r_o = w_o (w_h i), E = (t - r_o)² / 2: eqs. (2.4) and (3.4) are dW for the two layers.
    i, w_h, w_o, t = 1.5, -0.7, 2.0, 0.25
    W = [np.array([[w_h]]), np.array([[w_o]])]
    cache = matrix.forward(W, None, np.array([[i]]), "linear")
    dW, _, _ = matrix.backward(W, cache, np.array([[t]]), "half_sse")
    assert dW[1][0, 0] == pytest.approx(-(t - w_o * w_h * i) * (w_h * i), rel=1e-12)
    assert dW[0][0, 0] == pytest.approx(-(t - w_o * w_h * i) * (w_o * i), rel=1e-12)


# --- Raja's derivation (001): the derivation in matrix form ---------------------------------------

# W3 is 2×3, W2 is 3×5, W1 is 5×n (here n = 4); no biases; E = ½‖x3 − t‖².
TEXT_001_SHAPES = [(5, 4), (3, 5), (2, 3)]


def seed_001_network(seed: int) -> tuple[list[Matrix], Matrix, Matrix]:
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(-1, 1, shape) for shape in TEXT_001_SHAPES]
    return weights, rng.uniform(-1, 1, (4, 1)), rng.uniform(-1, 1, (2, 1))


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_seed_001_dimensions_check_out(hidden: str) -> None:
    # Raja's sanity check: δ3 is 2×1, δ2 3×1, δ1 5×1, and each ∂E/∂W_i has W_i's shape.
    weights, x0, t = seed_001_network(1)
    cache = matrix.forward(weights, None, x0, [hidden, hidden, "linear"])
    dW, _, deltas = matrix.backward(weights, cache, t, "half_sse")
    assert [d.shape for d in deltas] == [(5, 1), (3, 1), (2, 1)]
    assert [g.shape for g in dW] == TEXT_001_SHAPES
    assert [x.shape for x in cache.x] == [(4, 1), (5, 1), (3, 1), (2, 1)]


@pytest.mark.parametrize(
    "f", [("sigmoid", "sigmoid", "linear"), ("tanh", "tanh", "sigmoid"), ("relu", "relu", "tanh")]
)
def test_seed_001_equations_written_out_equal_the_scalar_graph(f: tuple[str, str, str]) -> None:
    weights, x0, t = seed_001_network(2)
    W1, W2, W3 = weights
    cache = matrix.forward(weights, None, x0, f)
    x1, x2, x3 = cache.x[1:]

    def f_prime(name: str, z: Matrix, x: Matrix) -> Matrix:
        return {
            "linear": np.ones_like(z),
            "relu": (z > 0).astype(np.float64),
            "tanh": 1.0 - np.tanh(z) ** 2,
            "sigmoid": x * (1.0 - x),
        }[name]

    # Raja's equations, layer by layer.
    delta3 = (x3 - t) * f_prime(f[2], W3 @ x2, x3)
    delta2 = (W3.T @ delta3) * f_prime(f[1], W2 @ x1, x2)
    delta1 = (W2.T @ delta2) * f_prime(f[0], W1 @ x0, x1)
    by_hand = [delta1 @ x0.T, delta2 @ x1.T, delta3 @ x2.T]

    dW, _, deltas = matrix.backward(weights, cache, t, "half_sse")
    assert_all_close(dW, by_hand)
    assert_all_close(deltas, [delta1, delta2, delta3])
    # The scalar graph has (zero) biases too; they do not change the weights' gradients.
    scalar_dW, _, _ = scalar_gradients(weights, None, (f[0], f[2]), x0, t, half_sse)
    assert_all_close(dW, scalar_dW)


def test_seed_001_the_batch_version_holds_too() -> None:
    # Batch E = ½ Σ_i ‖x3_i − t_i‖²: the batch's ∂E/∂W is the sum of the samples' (stochastic) ones.
    weights, _, _ = seed_001_network(3)
    rng = np.random.default_rng(4)
    X, T = rng.uniform(-1, 1, (4, 6)), rng.uniform(-1, 1, (2, 6))
    f = ["tanh", "tanh", "linear"]
    dW, _, _ = matrix.backward(weights, matrix.forward(weights, None, X, f), T, "half_sse")
    summed = [np.zeros(shape) for shape in TEXT_001_SHAPES]
    for s in range(6):
        one = matrix.forward(weights, None, X[:, [s]], f)
        one_dW, _, _ = matrix.backward(weights, one, T[:, [s]], "half_sse")
        for total, g in zip(summed, one_dW, strict=True):
            total += g
    assert_all_close(dW, summed)
    scalar_dW, _, _ = scalar_gradients(weights, None, ("tanh", "linear"), X, T, half_sse)
    assert_all_close(dW, scalar_dW)


def test_seed_001_delta_needs_the_half_in_the_loss() -> None:
    # Raja's summary writes E = ‖x_L − t‖² without the ½; δ_L = (x_L − t) ∘ f' is the
    # gradient of ½‖x_L − t‖², and the scalar graph of the ½-less E gives exactly twice it.
    weights, x0, t = seed_001_network(5)
    cache = matrix.forward(weights, None, x0, "sigmoid")
    dW, _, _ = matrix.backward(weights, cache, t, "half_sse")
    without_half, _, _ = scalar_gradients(weights, None, ("sigmoid", "sigmoid"), x0, t, sse)
    assert_all_close([2.0 * g for g in dW], without_half)
    # With its two outputs and one sample, mse_loss (the mean over 2 entries) is exactly ½‖·‖².
    mse_dW, _, _ = matrix.backward(weights, cache, t, mse_loss)
    assert_all_close(mse_dW, dW)


def test_seed_001_the_weight_update_descends() -> None:
    # W_i ← W_i − α ∂E/∂W_i lowers E for a small enough α.
    weights, x0, t = seed_001_network(6)
    f = ["tanh", "tanh", "linear"]
    cache = matrix.forward(weights, None, x0, f)
    before = matrix.loss_value(cache.output, t, "half_sse")
    dW, _, _ = matrix.backward(weights, cache, t, "half_sse")
    stepped = [w - 0.01 * g for w, g in zip(weights, dW, strict=True)]
    after = matrix.loss_value(matrix.forward(stepped, None, x0, f).output, t, "half_sse")
    assert before > 0 and after < before


# --- the notes on Make Your Own Neural Network (003) ----------------------------------------------


def test_seed_003_worked_update_of_w11() -> None:
    # w11 = 2.0 and w21 = 3.0 carry hidden outputs o = (0.4, 0.5) into a sigmoid output node
    # whose error e1 = t1 − o1 is 0.8; learning rate 0.1. The notes drop the 2 of
    # ∂/∂o (t − o)², so its numbers are the gradient of ½(t − o)²: "half_sse".
    W = [np.array([[2.0, 3.0]])]
    X = np.array([[0.4], [0.5]])
    cache = matrix.forward(W, None, X, "sigmoid")
    T = cache.output + 0.8
    assert cache.z[0][0, 0] == pytest.approx(2.3, rel=1e-15)  # (2.0 * 0.4) + 3.0 * 0.5
    assert round(cache.output[0, 0], 3) == 0.909
    dW, _, _ = matrix.backward(W, cache, T, "half_sse")
    sigma = cache.output[0, 0]
    assert round(sigma * (1 - sigma), 3) == 0.083
    assert round(dW[0][0, 0], 4) == -0.0265
    new_w11 = W[0][0, 0] - 0.1 * dW[0][0, 0]
    assert round(new_w11, 5) == 2.00265
    # The notes' ΔW = α E ∘ O(1 − O) · O_jᵀ is this same outer product, with E = t − o.
    error = T - cache.output
    np.testing.assert_allclose(0.1 * (error * sigma * (1 - sigma)) @ X.T, -0.1 * dW[0], rtol=1e-12)
    scalar_dW, _, _ = scalar_gradients(W, None, ("relu", "sigmoid"), X, T, half_sse)
    assert_all_close(dW, scalar_dW)


def test_seed_003_without_dropping_the_2_the_step_doubles() -> None:
    # Taken literally, E = Σ (t − o)² (mse_loss of one output) gives twice the gradient: 2.0053.
    W = [np.array([[2.0, 3.0]])]
    X = np.array([[0.4], [0.5]])
    cache = matrix.forward(W, None, X, "sigmoid")
    T = cache.output + 0.8
    dW, _, _ = matrix.backward(W, cache, T, mse_loss)
    assert round(W[0][0, 0] - 0.1 * dW[0][0, 0], 4) == 2.0053
    half, _, _ = matrix.backward(W, cache, T, "half_sse")
    np.testing.assert_allclose(dW[0], 2 * half[0], rtol=1e-15)


# The notes' hidden→output weights w_jk (hidden j, output k) as the matrix W[k, j]: the notes'
# w11 = 2.0 and w21 = 3.0 feed output 1; w12 = 1.0 and w22 = 1.0 (ours) feed output 2.
TEXT_003_W = np.array([[2.0, 3.0], [1.0, 1.0]])
TEXT_003_E = np.array([[0.8], [0.5]])  # e1 = 0.8 from the notes, e2 = 0.5 ours


def proportional_split(W: Matrix, e: Matrix) -> Matrix:
    """The book's first idea: hidden j gets w_jk / Σ_j' w_j'k of each output error e_k."""
    return np.asarray((W / W.sum(axis=1, keepdims=True)).T @ e, dtype=np.float64)


def hidden_output_gradient(W: Matrix, e: Matrix) -> Matrix:
    """∂E/∂o_hidden from the scalar graph, for E = ½ Σ e_k² with e = t − W o (linear outputs)."""
    hidden = [Value(0.3), Value(-0.6)]
    outputs = [sum((w * h for w, h in zip(row, hidden, strict=True)), Value(0.0)) for row in W]
    targets = [float(o.data + ek) for o, ek in zip(outputs, e[:, 0], strict=True)]
    half_sse(outputs, targets).backward()
    return np.array([[h.grad] for h in hidden])


def test_seed_003_hidden_errors_are_the_transpose_times_the_output_errors() -> None:
    # error_hidden = Wᵀ · error_output is exactly what the chain rule sends back: the scalar
    # graph's ∂E/∂o_hidden is −Wᵀ e (e = t − o, so ∂E/∂o_output = −e).
    gradient = hidden_output_gradient(TEXT_003_W, TEXT_003_E)
    np.testing.assert_allclose(gradient, -(TEXT_003_W.T @ TEXT_003_E), rtol=1e-12)
    # backward computes the same transpose product as the error δ reaching the hidden layer.
    cache = matrix.forward([np.eye(2), TEXT_003_W], None, np.array([[0.3], [-0.6]]), "linear")
    T = cache.output + TEXT_003_E
    _, _, deltas = matrix.backward([np.eye(2), TEXT_003_W], cache, T, "half_sse")
    np.testing.assert_allclose(deltas[0], gradient, rtol=1e-12)


def test_seed_003_the_proportional_split_is_not_the_gradient() -> None:
    # Normalising by Σ_j w_jk rescales each output's share differently, so the split is not
    # even a multiple of the gradient: the two vectors point in different directions.
    gradient = -hidden_output_gradient(TEXT_003_W, TEXT_003_E)
    split = proportional_split(TEXT_003_W, TEXT_003_E)
    cross = gradient[0, 0] * split[1, 0] - gradient[1, 0] * split[0, 0]
    assert abs(cross) > 0.1
    # And it cannot see a weight's size: doubling every weight into output 1 leaves the split
    # unchanged, while the error that output sends back doubles.
    doubled = TEXT_003_W * np.array([[2.0], [1.0]])
    np.testing.assert_allclose(proportional_split(doubled, TEXT_003_E), split, rtol=1e-15)
    moved = -hidden_output_gradient(doubled, TEXT_003_E) - gradient
    np.testing.assert_allclose(moved, TEXT_003_W[[0]].T * TEXT_003_E[0, 0], rtol=1e-12)


# --- the course notes (004): vectorised logistic regression and the two-layer network -------------


def classification_data(n: int, m: int, seed: int) -> tuple[Matrix, Matrix]:
    """m examples as columns of X (n × m) with labels Y (1 × m) in {0, 1}."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, m)), rng.integers(0, 2, (1, m)).astype(np.float64)


def test_seed_004_logistic_regression_vectorised() -> None:
    # Z = wᵀX + b, A = σ(Z), J the mean log loss; dZ = A − Y, dw = X dZᵀ / m, db = mean(dZ).
    # (nn.matrix stores w as a row, so dW = dZ Xᵀ / m is the course notes' dw transposed.)
    X, Y = classification_data(3, 8, 7)
    m = X.shape[1]
    w, b = np.array([[0.5, -1.0, 0.25]]), np.array([[0.1]])
    A = sigmoid(w @ X + b)
    J = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    dZ = A - Y
    dw, db_seed = X @ dZ.T / m, np.mean(dZ)

    cache = matrix.forward([w], [b], X, "sigmoid")
    dW, db, deltas = matrix.backward([w], cache, Y, binary_cross_entropy)
    np.testing.assert_allclose(deltas[0] * m, dZ, rtol=1e-10)
    np.testing.assert_allclose(dW[0], dw.T, rtol=1e-10)
    np.testing.assert_allclose(db[0], [[db_seed]], rtol=1e-10)
    assert matrix.loss_value(cache.output, Y, binary_cross_entropy) == pytest.approx(J, rel=1e-12)
    scalar_dW, scalar_db, _ = scalar_gradients(
        [w], [b], ("relu", "sigmoid"), X, Y, binary_cross_entropy
    )
    assert_all_close(dW + db, scalar_dW + scalar_db)


def test_seed_004_the_loop_over_examples_gives_the_vectorised_gradient() -> None:
    # The course notes' algorithm: for each example, dz = a − y, dw_j += x_j dz, db += dz; then / m.
    X, Y = classification_data(2, 5, 8)
    m = X.shape[1]
    w, b = np.array([[1.5, -0.5]]), np.array([[-0.2]])
    dw, db_loop = np.zeros(2), 0.0
    for i in range(m):
        z = w[0, 0] * X[0, i] + w[0, 1] * X[1, i] + b[0, 0]
        a = 1.0 / (1.0 + math.exp(-z))
        dz = a - Y[0, i]
        dw += X[:, i] * dz
        db_loop += dz
    dw, db_loop = dw / m, db_loop / m
    dW, db, _ = matrix.backward(
        [w], matrix.forward([w], [b], X, "sigmoid"), Y, "binary_cross_entropy"
    )
    np.testing.assert_allclose(dW[0][0], dw, rtol=1e-10)
    assert db[0][0, 0] == pytest.approx(db_loop, rel=1e-10)


def test_seed_004_two_layer_network() -> None:
    # Layer by layer: dZ2 = A2 − Y, dW2 = dZ2 A1ᵀ / m, db2 = Σ dZ2 / m, dA1 = W2ᵀ dZ2,
    # dZ1 = dA1 ∘ g'(Z1) with g = tanh, dW1 = dZ1 Xᵀ / m, db1 = Σ dZ1 / m.
    X, Y = classification_data(3, 10, 9)
    m = X.shape[1]
    rng = np.random.default_rng(10)
    W1, b1 = rng.normal(size=(4, 3)), rng.normal(size=(4, 1))
    W2, b2 = rng.normal(size=(1, 4)), rng.normal(size=(1, 1))
    Z1 = W1 @ X + b1
    A1 = np.tanh(Z1)
    A2 = sigmoid(W2 @ A1 + b2)
    dZ2 = A2 - Y
    dW2, db2 = dZ2 @ A1.T / m, np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = (W2.T @ dZ2) * (1 - A1**2)
    dW1, db1 = dZ1 @ X.T / m, np.sum(dZ1, axis=1, keepdims=True) / m

    weights, biases = [W1, W2], [b1, b2]
    cache = matrix.forward(weights, biases, X, ["tanh", "sigmoid"])
    dW, db, deltas = matrix.backward(weights, cache, Y, binary_cross_entropy)
    assert_all_close(dW + db, [dW1, dW2, db1, db2])
    assert_all_close([d * m for d in deltas], [dZ1, dZ2])
    scalar_dW, scalar_db, _ = scalar_gradients(
        weights, biases, ("tanh", "sigmoid"), X, Y, binary_cross_entropy
    )
    assert_all_close(dW + db, scalar_dW + scalar_db)


def test_seed_004_mlp_from_scratch_relu_and_mse() -> None:
    # The course notes' NumPy MLP: ReLU hidden layer, linear output, mean squared error over the
    # batch; db1 and db2 are np.sum over the batch of the layer's dZ.
    rng = np.random.default_rng(11)
    X, Y = rng.normal(size=(2, 7)), rng.normal(size=(1, 7))
    W1, b1 = rng.normal(size=(3, 2)), rng.normal(size=(3, 1))
    W2, b2 = rng.normal(size=(1, 3)), rng.normal(size=(1, 1))
    m = X.shape[1]
    Z1 = W1 @ X + b1
    A1 = np.maximum(Z1, 0)
    Y_hat = W2 @ A1 + b2
    dY_hat = 2 * (Y_hat - Y) / m
    dW2, db2 = dY_hat @ A1.T, np.sum(dY_hat, axis=1, keepdims=True)
    dZ1 = (W2.T @ dY_hat) * (Z1 > 0)
    dW1, db1 = dZ1 @ X.T, np.sum(dZ1, axis=1, keepdims=True)

    weights, biases = [W1, W2], [b1, b2]
    dW, db = matrix.gradients(matrix.to_mlp(weights, biases), X, Y, mse_loss)
    assert_all_close(dW + db, [dW1, dW2, db1, db2])
    scalar_dW, scalar_db, _ = scalar_gradients(weights, biases, ("relu", "linear"), X, Y, mse_loss)
    assert_all_close(dW + db, scalar_dW + scalar_db)
