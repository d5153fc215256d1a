"""The main demo: micrograd's two-moons classifier, trained on this engine, with its pictures.

100 moons, ``MLP(2, [16, 16, 1])``, hinge loss plus 1e-4 L2, full-batch SGD with the learning
rate falling linearly from 1.0 towards 0.1 (micrograd's schedule, 1.0 - 0.9 k / steps).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from autograd import Value, backend, explore, render
from autograd.draw import require_dot
from autograd.files import write_atomic
from nn.datasets import make_moons
from nn.losses import hinge_loss
from nn.mlp import MLP, Neuron
from nn.optim import SGD
from nn.train import History, accuracy, linear_schedule, train

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DATA_SEED = 0
MODEL_SEED = 1
STEPS = 100
L2 = 1e-4


@dataclass(frozen=True)
class DemoResult:
    """What the demo trained and wrote."""

    model: MLP
    history: History
    accuracy: float  # of the trained model on the training set
    files: list[Path]


def engine_line() -> str:
    """Which engine trains: the compiled core, or the pure-Python one with how to build the core."""
    if backend() == "native":
        return "engine: compiled core (autograd._core)"
    return (
        "engine: pure Python (slower; build the compiled core with `make setup` or "
        "`pip install .` where a C compiler is installed)"
    )


def run_demo(
    out: str | Path = "out",
    steps: int = STEPS,
    progress: bool | None = None,
    compile: bool = False,
) -> DemoResult:
    """Train the moons classifier for ``steps`` SGD steps and write its three pictures to ``out``.

    Writes ``decision_boundary.png``, ``loss.png``, ``neuron.svg`` (one first-layer neuron's
    graph on one input, with the gradients of its output) and ``explorer.html`` (the same graph,
    to step through). ``compile`` trains from a traced tape of the per-sample loss
    (``train(compile=True)``): the same numbers, faster. The progress bar shows by default only
    on a terminal.
    """
    directory = Path(out)
    # Checked before training, so that a bad --out fails before the work rather than after.
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(f"{str(directory)!r} exists and is not a directory")
    require_dot("neuron.svg")  # and so is Graphviz, which the neuron's drawing and page need
    directory.mkdir(parents=True, exist_ok=True)
    X, y = make_moons(100, noise=0.1, seed=DATA_SEED)
    model = MLP(2, [16, 16, 1], seed=MODEL_SEED)
    optimizer = SGD(model.parameters(), lr=1.0)
    history = train(
        model,
        X,
        y,
        loss=hinge_loss,
        optimizer=optimizer,
        epochs=steps,
        progress=progress,
        l2=L2,
        lr_schedule=linear_schedule(1.0, 0.1, steps),
        compile=compile,
    )
    final_accuracy = accuracy(model, X, y)
    # The picture that needs Graphviz first: if dot fails on it, nothing has been written.
    neuron = draw_neuron(model, X[0], directory / "neuron.svg", page=directory / "explorer.html")
    files = [
        plot_decision_boundary(model, X, y, directory / "decision_boundary.png", final_accuracy),
        plot_history(history, directory / "loss.png"),
        neuron,
        directory / "explorer.html",
    ]
    return DemoResult(model, history, final_accuracy, files)


def draw_neuron(model: MLP, x: Sequence[float], path: Path, page: Path | None = None) -> Path:
    """Render one first-layer neuron's graph on input ``x`` with d(out)/d(node) on every node,
    and with ``page``, write the explorer page for the same graph there too.

    The neuron is the first whose pre-activation is positive on ``x``, so that the gradient
    passes its ReLU and every node shows a non-zero derivative.
    """
    neurons = model.layers[0].neurons
    active = [n for n in neurons if _pre_activation(n, x) > 0]
    neuron = (active or neurons)[0]
    out = neuron([Value(xi, f"x.{k}") for k, xi in enumerate(x)])
    out.label = "out"
    if neuron.activation != "linear":  # a linear neuron's output is z itself
        out.parents[0].label = "z"
    # The drawing shows the gradients of this one backward pass: the parameters' .grad start at
    # 0 for it (backward adds to a leaf's .grad), and get back the model's own afterwards.
    saved = [w.grad for w in neuron.parameters()]
    try:
        for w in neuron.parameters():
            w.grad = 0.0
        out.backward()
        if page is not None:
            explore(out, page)
        return render(out, path)
    finally:
        for w, g in zip(neuron.parameters(), saved, strict=True):
            w.grad = g


def plot_decision_boundary(
    model: MLP, X: list[list[float]], y: list[int], path: Path, final_accuracy: float
) -> Path:
    """The sign of the model's score over the plane, with the training points on top."""
    import numpy as np  # here, so that the chainrule command starts without it
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    from nn import matrix

    xs = [p[0] for p in X]
    ys = [p[1] for p in X]
    gx, gy = np.meshgrid(
        np.linspace(min(xs) - 0.5, max(xs) + 0.5, 200),
        np.linspace(min(ys) - 0.5, max(ys) + 0.5, 160),
    )
    # Tens of thousands of grid points: the matrix form of the same network scores them at once.
    weights, biases = matrix.from_mlp(model)
    grid = np.vstack([gx.ravel(), gy.ravel()])
    activations = matrix.layer_activations(model)
    scores = matrix.forward(weights, biases, grid, activations).output.reshape(gx.shape)
    figure = Figure(figsize=(6, 5), layout="constrained")
    axes = figure.add_subplot()
    regions = ListedColormap(["#fecaca", "#bfdbfe"])
    axes.contourf(gx, gy, scores > 0, levels=[-0.5, 0.5, 1.5], cmap=regions)
    axes.contour(gx, gy, scores, levels=[0.0], colors="#374151", linewidths=1.0)
    for label, colour in ((-1, "#dc2626"), (1, "#2563eb")):
        points = [p for p, t in zip(X, y, strict=True) if t == label]
        axes.scatter(
            [p[0] for p in points],
            [p[1] for p in points],
            c=colour,
            edgecolors="white",
            linewidths=0.6,
            s=36,
            label=f"y = {label:+d}",
        )
    axes.set_xlabel("x0")
    axes.set_ylabel("x1")
    axes.set_title(f"{model!r}\ntraining accuracy {final_accuracy:.0%}", fontsize=9)
    axes.legend(loc="upper right", fontsize=8)
    return _save(figure, path)


def plot_history(history: History, path: Path) -> Path:
    """Loss (log scale) and accuracy against the training step."""
    from matplotlib.figure import Figure

    steps = range(1, len(history["loss"]) + 1)
    figure = Figure(figsize=(9, 3.5), layout="constrained")
    loss_axes, accuracy_axes = figure.subplots(1, 2)
    loss_axes.plot(steps, history["loss"], color="#2563eb")
    if all(v > 0 for v in history["loss"]):
        loss_axes.set_yscale("log")
    loss_axes.set_xlabel("step")
    loss_axes.set_ylabel("loss (hinge + L2)")
    loss_axes.set_title("loss")
    accuracy_axes.plot(steps, [100 * a for a in history.get("accuracy", [])], color="#16a34a")
    accuracy_axes.set_ylim(0, 102)
    accuracy_axes.set_xlabel("step")
    accuracy_axes.set_ylabel("training accuracy (%)")
    accuracy_axes.set_title("accuracy")
    for axes in (loss_axes, accuracy_axes):
        axes.grid(alpha=0.3)
    return _save(figure, path)


def _pre_activation(neuron: Neuron, x: Sequence[float]) -> float:
    """z = sum w_i x_i + b of ``neuron`` on ``x``, on plain floats."""
    return sum(w.data * xi for w, xi in zip(neuron.w, x, strict=True)) + neuron.b.data


def _save(figure: Figure, path: Path) -> Path:
    """Write a matplotlib Figure as PNG, atomically; no pyplot, so no GUI backend is touched."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=120)
    return write_atomic(path, buffer.getvalue())
