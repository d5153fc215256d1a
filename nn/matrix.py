"""Backpropagation in matrix form, in NumPy, for the same networks as ``nn.MLP``.

The equations are those of Sudeep Raja's article "A Derivation of Backpropagation in Matrix
Form", in its orientation: ``W[i]`` has shape (outputs, inputs), ``b[i]`` shape (outputs, 1),
and a batch is a matrix whose columns are samples. Lists count layers from 0 where the article
counts from 1: ``weights[i]``, ``z[i]`` and ``deltas[i]`` are its W_{i+1}, z_{i+1} and
δ_{i+1}, while ``x[i]`` is its x_i, so layer ``i`` reads ``x[i]`` and writes ``x[i + 1]``:

    forward:   z[i] = W[i] x[i] + b[i],        x[i + 1] = f_i(z[i])     (x[0] is the input)
    backward:  δ_L = ∂E/∂x_L ∘ f_L'(z_L),       δ_i = W_{i+1}ᵀ δ_{i+1} ∘ f_i'(z_i)
               ∂E/∂W_i = δ_i x_{i-1}ᵀ,          ∂E/∂b_i = Σ_columns δ_i

Each activation and each loss is one row of a table (``ACTIVATION_RULES``, ``LOSS_RULES``), as
each operation is in ``autograd.rules``, and mirrors the scalar engine's rule for rule
(relu'(0) = 0, tanh' = 1 − x², σ' = x(1 − x), log clamped at −100), so the numbers agree with the
``.grad`` of the scalar graph to rounding error; ``tests/nn/test_matrix.py`` proves it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nn.losses import LOG_FLOOR, binary_cross_entropy, hinge_loss, mse_loss
from nn.mlp import ACTIVATIONS, MLP, Layer

Matrix = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class ForwardCache:
    """What ``forward`` computed: ``z[i] = W[i] x[i] + b[i]`` and ``x[i + 1] = f_i(z[i])``.

    ``x`` has one more entry than ``z``: ``x[0]`` is the input batch and ``x[-1]`` the output.
    ``activations[i]`` names ``f_i``.
    """

    z: tuple[Matrix, ...]
    x: tuple[Matrix, ...]
    activations: tuple[str, ...]

    @property
    def output(self) -> Matrix:
        """x_L, the network's output: one column per sample."""
        return self.x[-1]


# --- the tables: one row per activation f and per loss E, as autograd/rules.py has per operation -


@dataclass(frozen=True, slots=True)
class Activation:
    """An activation f: its value, and g ∘ f'(z) written, as the engine's rules write f', in
    terms of z and of the output x = f(z)."""

    name: str
    value: Callable[[Matrix], Matrix]  # x = f(z)
    times_derivative: Callable[[Matrix, Matrix, Matrix], Matrix]  # (g, z, x) -> g ∘ f'(z)


@dataclass(frozen=True, slots=True)
class Loss:
    """A loss E over predictions p = x_L and targets t of the same shape: its value, its gradient
    ∂E/∂x_L, and the check that p and t lie where nn's loss function accepts them."""

    name: str
    value: Callable[[Matrix, Matrix], float]
    gradient: Callable[[Matrix, Matrix], Matrix]
    check: Callable[[Matrix, Matrix], None]


def _sigmoid(z: Matrix) -> Matrix:
    """σ(z) = 1 / (1 + e^-z) for z >= 0 and e^z / (1 + e^z) below, the engine's two formulas."""
    # The same formulas as the engine's rule, so a saturated σ rounds to the same number.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


ACTIVATION_RULES: dict[str, Activation] = {
    rule.name: rule
    for rule in (
        Activation("linear", lambda z: z, lambda g, z, x: g),
        Activation("relu", lambda z: np.maximum(z, 0.0), lambda g, z, x: g * (z > 0)),  # f'(0) = 0
        Activation("tanh", np.tanh, lambda g, z, x: g * (1.0 - x * x)),
        Activation("sigmoid", _sigmoid, lambda g, z, x: g * (x * (1.0 - x))),
    )
}


def _clamped_log(p: Matrix) -> tuple[Matrix, Matrix]:
    """(log p, 1/p) where log p > -100; (-100, 0) elsewhere, as nn's (and PyTorch's) BCE."""
    positive = p > 0.0
    log = np.log(np.where(positive, p, 1.0))
    live = positive & (log > LOG_FLOOR)
    return np.where(live, log, LOG_FLOOR), np.where(live, 1.0 / np.where(live, p, 1.0), 0.0)


def _bce(p: Matrix, t: Matrix) -> float:
    """mean −(t log p + (1 − t) log(1 − p)), each log clamped at −100."""
    log_p, _ = _clamped_log(p)
    log_q, _ = _clamped_log(1.0 - p)
    return -float((t * log_p + (1.0 - t) * log_q).sum()) / p.size


def _bce_gradient(p: Matrix, t: Matrix) -> Matrix:
    """((1 − t)/(1 − p) − t/p) / n, where a clamped log is a constant whose 1/p is 0."""
    _, inv_p = _clamped_log(p)
    _, inv_q = _clamped_log(1.0 - p)
    return ((1.0 - t) * inv_q - t * inv_p) / p.size


def _first(wrong: NDArray[np.bool_]) -> tuple[int, ...] | None:
    """The index of the first True entry, or None."""
    return tuple(int(k) for k in np.argwhere(wrong)[0]) if wrong.any() else None


def _probabilities(p: Matrix, t: Matrix) -> None:
    """BCE's domain: predictions and targets in [0, 1]."""
    for a, what in ((p, "prediction"), (t, "target")):
        index = _first(~((a >= 0.0) & (a <= 1.0)))  # NaN is outside too
        if index is not None:
            raise ValueError(
                f"binary_cross_entropy: {what} {index} is {float(a[index])!r}, outside [0, 1]"
            )


def _signs(p: Matrix, t: Matrix) -> None:
    """hinge's domain: targets -1 or +1."""
    index = _first(np.abs(t) != 1.0)
    if index is not None:
        raise ValueError(
            f"hinge_loss: target {index} is {float(t[index])!r}; targets must be -1 or +1"
        )


def _anything(p: Matrix, t: Matrix) -> None:
    """No domain to check."""


LOSS_RULES: dict[str, Loss] = {
    rule.name: rule
    for rule in (
        Loss(  # mean (x_L − t)²
            "mse_loss",
            lambda p, t: float(((p - t) * (p - t)).sum()) / p.size,
            lambda p, t: (2.0 / p.size) * (p - t),
            _anything,
        ),
        Loss("binary_cross_entropy", _bce, _bce_gradient, _probabilities),
        Loss(  # mean relu(1 − t x_L); relu'(0) = 0, so only a positive margin passes gradient
            "hinge_loss",
            lambda p, t: float(np.maximum(1.0 - t * p, 0.0).sum()) / p.size,
            lambda p, t: np.where(1.0 - t * p > 0.0, t * (-1.0 / p.size), 0.0),
            _signs,
        ),
        Loss(  # the article's E = ½ Σ_batch ‖x_L − t‖²
            "half_sse",
            lambda p, t: 0.5 * float(((p - t) * (p - t)).sum()),
            lambda p, t: p - t,
            _anything,
        ),
    )
}

LOSSES = tuple(LOSS_RULES)
"""The losses ``backward`` accepts: nn's loss functions (or their names) and the article's E."""

# nn's loss functions, each with the row that is its matrix form.
_LOSS_FUNCTIONS: dict[Callable[..., Any], Loss] = {
    mse_loss: LOSS_RULES["mse_loss"],
    binary_cross_entropy: LOSS_RULES["binary_cross_entropy"],
    hinge_loss: LOSS_RULES["hinge_loss"],
}


def _loss_rule(loss: object) -> Loss:
    """The row of LOSS_RULES that ``loss`` (one of nn's loss functions, or a name) stands for."""
    if isinstance(loss, str):
        if loss in LOSS_RULES:
            return LOSS_RULES[loss]
        raise ValueError(f"unknown loss {loss!r}; nn.matrix supports {', '.join(LOSSES)}")
    if callable(loss):
        try:
            return _LOSS_FUNCTIONS[loss]
        except (KeyError, TypeError):
            name = getattr(loss, "__name__", type(loss).__name__)
            raise ValueError(
                f"nn.matrix has no matrix form of the loss {name}; it supports {', '.join(LOSSES)}"
            ) from None
    raise TypeError(
        f"loss must be one of nn's loss functions or a name in {LOSSES}, got {type(loss).__name__}"
    )


# --- the public functions -----------------------------------------------------------------------


def forward(
    weights: Sequence[ArrayLike],
    biases: Sequence[ArrayLike] | None,
    X: ArrayLike,
    activations: str | Sequence[str],
) -> ForwardCache:
    """z[i] = W[i] x[i] + b[i] and x[i + 1] = f_i(z[i]) for every layer, from x[0] = X.

    ``biases`` may be None for a network without biases (as in the article); ``activations`` is
    one name per layer, or one name for all.
    """
    W, b, f, X = _forward_arguments(weights, biases, X, activations)
    z: list[Matrix] = []
    x: list[Matrix] = [X]
    for i in range(len(W)):
        z.append(W[i] @ x[i] + b[i])
        x.append(f[i].value(z[i]))
    return ForwardCache(tuple(z), tuple(x), tuple(rule.name for rule in f))


def backward(
    weights: Sequence[ArrayLike],
    cache: ForwardCache,
    T: ArrayLike,
    loss: Callable[..., Any] | str,
) -> tuple[list[Matrix], list[Matrix], list[Matrix]]:
    """(∂E/∂W_i = δ_i x_{i-1}ᵀ, ∂E/∂b_i = Σ_columns δ_i, δ_i) for every layer, from x_L back.

    ``T`` holds the targets, shaped like the output (outputs, batch); ``loss`` is nn's
    ``mse_loss``, ``binary_cross_entropy`` or ``hinge_loss`` (averaged over every entry of the
    batch, as those functions average over their items) or ``"half_sse"``. ``deltas[i]`` is
    ∂E/∂z[i]; ``db[i]`` has shape (outputs, 1).
    """
    W, t, E = _backward_arguments(weights, cache, T, loss)
    z, x = cache.z, cache.x
    f = [ACTIVATION_RULES[name] for name in cache.activations]
    g = E.gradient(x[-1], t)  # ∂E/∂x_L
    delta: list[Matrix] = []
    for i in reversed(range(len(W))):
        delta.insert(0, f[i].times_derivative(g, z[i], x[i + 1]))  # δ_i = ∂E/∂x ∘ f_i'(z_i)
        g = W[i].T @ delta[0]  # the error sent back through the transpose, to the layer below
    dW = [d @ xi.T for d, xi in zip(delta, x, strict=False)]
    db = [d.sum(axis=1, keepdims=True) for d in delta]
    return dW, db, delta


def loss_value(output: ArrayLike, T: ArrayLike, loss: Callable[..., Any] | str) -> float:
    """E for the outputs x_L and targets T (both (outputs, batch)), as ``backward`` defines it."""
    p = _matrix(output, "output")
    E = _loss_rule(loss)
    t = _targets(T, p)
    E.check(p, t)
    return E.value(p, t)


def gradients(
    model: MLP | Layer, X: ArrayLike, T: ArrayLike, loss: Callable[..., Any] | str
) -> tuple[list[Matrix], list[Matrix]]:
    """(∂E/∂W_i, ∂E/∂b_i) of an MLP for the batch X (inputs, batch) and targets T (outputs, batch).

    These equal, entry for entry, the ``.grad`` that the scalar graph gives each parameter.
    """
    weights, biases = from_mlp(model)
    cache = forward(weights, biases, X, layer_activations(model))
    dW, db, _ = backward(weights, cache, T, loss)
    return dW, db


def from_mlp(model: MLP | Layer) -> tuple[list[Matrix], list[Matrix]]:
    """(weights, biases) of an MLP (or a Layer): W[i][j, k] is w[k] of neuron j in layer i."""
    weights: list[Matrix] = []
    biases: list[Matrix] = []
    for layer in _layers(model):
        neurons = layer.neurons
        weights.append(np.array([[w.data for w in n.w] for n in neurons], dtype=np.float64))
        biases.append(np.array([[n.b.data] for n in neurons], dtype=np.float64))
    return weights, biases


def layer_activations(model: MLP | Layer) -> list[str]:
    """The activation name of every layer of an MLP (or a single Layer), for ``forward``."""
    return [layer.activation for layer in _layers(model)]


def to_mlp(
    weights: Sequence[ArrayLike],
    biases: Sequence[ArrayLike] | None,
    activation: str = "relu",
    output_activation: str = "linear",
) -> MLP:
    """An ``nn.MLP`` whose parameters hold these numbers (biases None means zero biases)."""
    ws = _check_weights(weights)
    bs = _check_biases(biases, ws)
    model = MLP(ws[0].shape[1], [w.shape[0] for w in ws], activation, output_activation)
    for layer, w, b in zip(model.layers, ws, bs, strict=True):
        for j, neuron in enumerate(layer.neurons):
            for k, value in enumerate(neuron.w):
                value.data = float(w[j, k])
            neuron.b.data = 0.0 if b is None else float(b[j, 0])
    return model


# --- argument checks -----------------------------------------------------------------------------


def _matrix(a: ArrayLike, what: str, index: int | None = None) -> Matrix:
    """``a`` as a float64 array; a TypeError naming ``what[index]`` unless it holds real numbers."""
    if type(a) is np.ndarray and a.dtype == np.float64:
        return a  # the common case, kept cheap: no copy, no conversion
    array = np.asarray(a)
    if array.dtype.kind not in "biuf":
        name = what if index is None else f"{what}[{index}]"
        raise TypeError(f"{name} must hold real numbers, got an array of dtype {array.dtype}")
    return array.astype(np.float64, copy=False)


def _check_weights(weights: Sequence[ArrayLike]) -> list[Matrix]:
    """The weight matrices, each 2-D, each taking as many inputs as the previous one gives."""
    if isinstance(weights, np.ndarray) or not isinstance(weights, Sequence):
        raise TypeError(
            f"weights must be a list of 2-D arrays (one per layer), got {type(weights).__name__}"
        )
    if len(weights) == 0:
        raise ValueError("weights is empty: a network needs at least one layer")
    ws: list[Matrix] = []
    for i, w in enumerate(weights):
        m = _matrix(w, "weights", i)
        if m.ndim != 2:
            raise ValueError(f"weights[{i}] must be 2-D (outputs, inputs), got shape {m.shape}")
        if ws and m.shape[1] != ws[-1].shape[0]:
            raise ValueError(
                f"weights[{i}] has shape {m.shape}, so it takes {m.shape[1]} inputs, but "
                f"weights[{i - 1}] has shape {ws[-1].shape} and gives {ws[-1].shape[0]} outputs"
            )
        ws.append(m)
    return ws


def _check_biases(biases: Sequence[ArrayLike] | None, ws: list[Matrix]) -> list[Matrix | None]:
    """The biases as (outputs, 1) columns, or None per layer when ``biases`` is None."""
    if biases is None:
        return [None] * len(ws)
    if isinstance(biases, np.ndarray) or not isinstance(biases, Sequence):
        raise TypeError(
            f"biases must be a list of arrays (one per layer) or None, got {type(biases).__name__}"
        )
    if len(biases) != len(ws):
        raise ValueError(f"got {len(biases)} bias vectors for {len(ws)} weight matrices")
    bs: list[Matrix | None] = []
    for i, (b, w) in enumerate(zip(biases, ws, strict=True)):
        v = _matrix(b, "biases", i)
        rows = w.shape[0]
        if v.shape != (rows, 1):
            if v.shape != (rows,):
                raise ValueError(
                    f"biases[{i}] has shape {v.shape}, but weights[{i}] has shape {w.shape}: "
                    f"expected ({rows}, 1) or ({rows},)"
                )
            v = v.reshape(rows, 1)
        bs.append(v)
    return bs


def _check_activations(activations: str | Sequence[str], layers: int) -> tuple[str, ...]:
    """One activation name per layer (a single name applies to every layer)."""
    names = (activations,) * layers if isinstance(activations, str) else tuple(activations)
    if len(names) != layers:
        raise ValueError(f"got {len(names)} activations for {layers} layers")
    for name in names:
        if name not in ACTIVATIONS:
            raise ValueError(f"unknown activation {name!r}; expected one of {ACTIVATIONS}")
    return names


def _columns(a: ArrayLike, rows: int, what: str, hint: str) -> Matrix:
    """``a`` as a (rows, batch) matrix; a 1-D array of length ``rows`` is one sample."""
    m = _matrix(a, what)
    if m.ndim == 1 and m.shape[0] == rows:
        m = m.reshape(rows, 1)
    if m.ndim != 2 or m.shape[0] != rows:
        if m.ndim == 2 and m.shape[1] == rows:
            hint += f"; {what}.T has that shape (samples are columns here, not rows)"
        raise ValueError(f"{what} has shape {m.shape}; expected ({rows}, batch) {hint}")
    return m


# --- helpers for the public functions -----------------------------------------------------------


def _layers(model: MLP | Layer) -> list[Layer]:
    """The layers of an MLP, or [layer] for a single Layer."""
    if isinstance(model, MLP):
        return list(model.layers)
    if isinstance(model, Layer):
        return [model]
    raise TypeError(f"expected an nn.MLP or nn.Layer, got {type(model).__name__}")


def _targets(T: ArrayLike, output: Matrix) -> Matrix:
    """T shaped like the output; a 1-D T fits a single output row or a single sample column."""
    if output.size == 0:
        raise ValueError(f"the output has shape {output.shape}: an empty batch has no loss")
    t = _matrix(T, "T")
    if t.shape == output.shape:
        return t
    if t.ndim == 1 and t.size == output.size and 1 in output.shape:
        return t.reshape(output.shape)
    raise ValueError(
        f"T has shape {t.shape} but the output has shape {output.shape} (outputs, batch)"
    )


def _forward_arguments(
    weights: Sequence[ArrayLike],
    biases: Sequence[ArrayLike] | None,
    X: ArrayLike,
    activations: str | Sequence[str],
) -> tuple[list[Matrix], list[Matrix], list[Activation], Matrix]:
    """``forward``'s arguments checked: the weights, the biases (zeros for None), the activation
    of each layer and the input batch."""
    W = _check_weights(weights)
    b = [
        np.zeros((w.shape[0], 1)) if v is None else v
        for v, w in zip(_check_biases(biases, W), W, strict=True)
    ]
    f = [ACTIVATION_RULES[name] for name in _check_activations(activations, len(W))]
    x = _columns(X, W[0].shape[1], "X", "with one column per sample")
    return W, b, f, x


def _backward_arguments(
    weights: Sequence[ArrayLike], cache: ForwardCache, T: ArrayLike, loss: object
) -> tuple[list[Matrix], Matrix, Loss]:
    """``backward``'s arguments checked: the weights, the targets and the loss, after checking
    that they fit the cache."""
    if not isinstance(cache, ForwardCache):
        raise TypeError(f"cache must be what forward returned, got {type(cache).__name__}")
    E = _loss_rule(loss)
    W = _check_weights(weights)
    if len(W) != len(cache.z):
        raise ValueError(f"got {len(W)} weight matrices for a cache of {len(cache.z)} layers")
    for i, w in enumerate(W):
        expected = (cache.z[i].shape[0], cache.x[i].shape[0])
        if w.shape != expected:
            raise ValueError(
                f"weights[{i}] has shape {w.shape} but the cache's layer {i} needs {expected}"
            )
    t = _targets(T, cache.output)
    E.check(cache.output, t)
    return W, t, E
