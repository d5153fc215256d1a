"""Backpropagation in matrix form as the source texts write it, in NumPy, for nn.MLP's networks.

Orientation as in Sudeep Raja's derivation: ``W[i]`` has shape (outputs, inputs), ``b[i]`` shape
(outputs, 1), and a batch is a matrix whose columns are samples. Lists count layers from 0 where
Raja counts from 1: ``weights[i]``, ``z[i]`` and ``deltas[i]`` are his W_{i+1}, z_{i+1} and
δ_{i+1}, while ``x[i]`` is their x_i, so layer ``i`` reads ``x[i]`` and writes ``x[i + 1]``:

    forward:   z[i] = W[i] x[i] + b[i],        x[i + 1] = f_i(z[i])     (x[0] is the input)
    backward:  δ_L = ∂E/∂x_L ∘ f_L'(z_L),       δ_i = W_{i+1}ᵀ δ_{i+1} ∘ f_i'(z_i)
               ∂E/∂W_i = δ_i x_{i-1}ᵀ,          ∂E/∂b_i = Σ_columns δ_i

Every activation, derivative and loss mirrors the scalar engine's rule for rule (relu'(0) = 0,
tanh' = 1 − x², σ' = x(1 − x), log clamped at −100), so the numbers agree with the ``.grad`` of
the scalar graph to rounding error; ``tests/nn/test_matrix.py`` proves it.
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

LOSSES = ("mse_loss", "binary_cross_entropy", "hinge_loss", "half_sse")
"""The losses ``backward`` accepts: nn's loss functions (or their names) and Raja's E."""

_LOSS_FUNCTIONS: dict[Callable[..., Any], str] = {
    mse_loss: "mse_loss",
    binary_cross_entropy: "binary_cross_entropy",
    hinge_loss: "hinge_loss",
}


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


# --- activations f and their derivatives f' -----------------------------------------------------


def _sigmoid(z: Matrix) -> Matrix:
    """σ(z) = 1 / (1 + e^-z) for z >= 0 and e^z / (1 + e^z) below, the engine's two formulas."""
    # The same formulas as the engine's rule, so a saturated σ rounds to the same number.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _activate(name: str, z: Matrix) -> Matrix:
    """x = f(z) for the activation ``name``."""
    if name == "linear":
        return z
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "tanh":
        return np.tanh(z)
    return _sigmoid(z)


def _times_derivative(name: str, g: Matrix, z: Matrix, x: Matrix) -> Matrix:
    """g ∘ f'(z), with f' written, as in the engine's rules, in terms of the output x = f(z)."""
    if name == "linear":
        return g
    if name == "relu":
        return g * (z > 0)  # relu'(0) = 0
    if name == "tanh":
        return g * (1.0 - x * x)
    return g * (x * (1.0 - x))


# --- losses E and ∂E/∂x_L -------------------------------------------------------------------------


def _loss_kind(loss: object) -> str:
    """The name in LOSSES that ``loss`` (one of nn's loss functions, or a name) stands for."""
    if isinstance(loss, str):
        if loss in LOSSES:
            return loss
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


def _clamped_log(p: Matrix) -> tuple[Matrix, Matrix]:
    """(log p, 1/p) where log p > -100; (-100, 0) elsewhere, as nn's (and PyTorch's) BCE."""
    positive = p > 0.0
    log = np.log(np.where(positive, p, 1.0))
    live = positive & (log > LOG_FLOOR)
    return np.where(live, log, LOG_FLOOR), np.where(live, 1.0 / np.where(live, p, 1.0), 0.0)


def _check_domain(kind: str, p: Matrix, t: Matrix) -> None:
    """The values nn's losses accept: BCE probabilities in [0, 1], hinge targets -1 or +1."""
    if kind == "hinge_loss":
        wrong = np.abs(t) != 1.0
        if wrong.any():
            index = tuple(int(k) for k in np.argwhere(wrong)[0])
            raise ValueError(
                f"hinge_loss: target {index} is {float(t[index])!r}; targets must be -1 or +1"
            )
    elif kind == "binary_cross_entropy":
        for a, what in ((p, "prediction"), (t, "target")):
            outside = ~((a >= 0.0) & (a <= 1.0))  # NaN is outside too
            if outside.any():
                index = tuple(int(k) for k in np.argwhere(outside)[0])
                raise ValueError(
                    f"binary_cross_entropy: {what} {index} is {float(a[index])!r}, outside [0, 1]"
                )


def _loss(kind: str, p: Matrix, t: Matrix) -> float:
    """E for predictions ``p`` = x_L and targets ``t`` of the same shape."""
    if kind == "half_sse":
        d = p - t
        return 0.5 * float((d * d).sum())  # ½ Σ_batch ‖x_L − t‖²
    if kind == "mse_loss":
        d = p - t
        return float((d * d).sum()) / p.size  # mean (x_L − t)²
    if kind == "hinge_loss":
        return float(np.maximum(1.0 - t * p, 0.0).sum()) / p.size  # mean relu(1 − t x_L)
    # mean −(t log p + (1 − t) log(1 − p)), each log clamped at −100
    log_p, _ = _clamped_log(p)
    log_q, _ = _clamped_log(1.0 - p)
    return -float((t * log_p + (1.0 - t) * log_q).sum()) / p.size


def _loss_gradient(kind: str, p: Matrix, t: Matrix) -> Matrix:
    """∂E/∂x_L for predictions ``p`` = x_L and targets ``t`` of the same shape."""
    n = p.size
    if kind == "half_sse":
        return p - t
    if kind == "mse_loss":
        return (2.0 / n) * (p - t)
    if kind == "hinge_loss":
        # relu'(0) = 0: only a positive margin passes gradient.
        return np.where(1.0 - t * p > 0.0, t * (-1.0 / n), 0.0)
    # A clamped log is a constant: 1/p (or 1/(1 − p)) is replaced by 0 there.
    _, inv_p = _clamped_log(p)
    _, inv_q = _clamped_log(1.0 - p)
    return ((1.0 - t) * inv_q - t * inv_p) / n


# --- input checking -----------------------------------------------------------------------------


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


# --- the public functions -----------------------------------------------------------------------


def forward(
    weights: Sequence[ArrayLike],
    biases: Sequence[ArrayLike] | None,
    X: ArrayLike,
    activations: str | Sequence[str],
) -> ForwardCache:
    """z[i] = W[i] x[i] + b[i] and x[i + 1] = f_i(z[i]) for every layer, from x[0] = X.

    ``biases`` may be None for a network without biases (Raja's); ``activations`` is one
    name per layer, or one name for all.
    """
    ws = _check_weights(weights)
    bs = _check_biases(biases, ws)
    names = _check_activations(activations, len(ws))
    x = _columns(X, ws[0].shape[1], "X", "with one column per sample")
    zs: list[Matrix] = []
    xs: list[Matrix] = [x]
    for w, b, name in zip(ws, bs, names, strict=True):
        z = w @ x if b is None else w @ x + b
        x = _activate(name, z)
        zs.append(z)
        xs.append(x)
    return ForwardCache(tuple(zs), tuple(xs), names)


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
    ws, t, kind = _check_backward(weights, cache, T, loss)
    g = _loss_gradient(kind, cache.output, t)
    dW: list[Matrix] = []
    db: list[Matrix] = []
    deltas: list[Matrix] = []
    for i in reversed(range(len(ws))):
        delta = _times_derivative(cache.activations[i], g, cache.z[i], cache.x[i + 1])
        deltas.append(delta)
        dW.append(delta @ cache.x[i].T)
        db.append(delta.sum(axis=1, keepdims=True))
        if i:
            g = ws[i].T @ delta  # ∂E/∂x_i, the error sent back through the transpose
    return dW[::-1], db[::-1], deltas[::-1]


def loss_value(output: ArrayLike, T: ArrayLike, loss: Callable[..., Any] | str) -> float:
    """E for the outputs x_L and targets T (both (outputs, batch)), as ``backward`` defines it."""
    p = _matrix(output, "output")
    kind = _loss_kind(loss)
    t = _targets(T, p)
    _check_domain(kind, p, t)
    return _loss(kind, p, t)


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


def _check_backward(
    weights: Sequence[ArrayLike], cache: ForwardCache, T: ArrayLike, loss: object
) -> tuple[list[Matrix], Matrix, str]:
    """The weights, the targets and the loss's name, after checking they fit the cache."""
    if not isinstance(cache, ForwardCache):
        raise TypeError(f"cache must be what forward returned, got {type(cache).__name__}")
    kind = _loss_kind(loss)
    ws = _check_weights(weights)
    if len(ws) != len(cache.z):
        raise ValueError(f"got {len(ws)} weight matrices for a cache of {len(cache.z)} layers")
    for i, w in enumerate(ws):
        expected = (cache.z[i].shape[0], cache.x[i].shape[0])
        if w.shape != expected:
            raise ValueError(
                f"weights[{i}] has shape {w.shape} but the cache's layer {i} needs {expected}"
            )
    t = _targets(T, cache.output)
    _check_domain(kind, cache.output, t)
    return ws, t, kind
