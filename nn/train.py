"""``train``: gradient descent on a model, epoch by epoch, with a progress bar and a history."""

from __future__ import annotations

import gc
import math
import numbers
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from autograd import Value
from autograd.value import as_float
from nn import checks
from nn.losses import hinge_loss
from nn.mlp import Module
from nn.optim import SGD, Optimizer

History = dict[str, list[float]]
Loss = Callable[[Any, Any], Value]
Schedule = Callable[[int], float]


def train(
    model: Module,
    X: Sequence[Sequence[Value | float]],
    y: Sequence[Any],
    loss: Loss = hinge_loss,
    optimizer: Optimizer | None = None,
    epochs: int = 100,
    progress: bool = True,
    *,
    l2: float = 0.0,
    lr_schedule: Schedule | None = None,
    batch_size: int | None = None,
    seed: int | None = 0,
) -> History:
    """Minimise ``loss(predictions, targets) + l2 * sum(p**2)`` over ``model``'s parameters.

    Each epoch runs the batches of ``X`` (all of it unless ``batch_size``; batches are drawn
    in an order shuffled by ``seed``) through forward, backward and ``optimizer.step()``
    (``SGD`` with lr 0.1 unless given). ``lr_schedule(epoch)`` sets the learning rate of each
    epoch (epochs count from 0). Returns the history: per epoch the mean ``"loss"``, the
    ``"lr"``, and the ``"accuracy"`` of the predictions made before each step when the targets
    are class labels (-1/+1, 0/1, or class indices for a model with several outputs).
    A loss that stops being finite raises FloatingPointError before any step is taken with it.
    """
    if len(X) != len(y):
        raise ValueError(f"train: {len(X)} inputs but {len(y)} targets")
    if not X:
        raise ValueError("train: no training data")
    epochs = checks.count(epochs, "epochs", minimum=0)
    size = len(X) if batch_size is None else checks.count(batch_size, "batch_size")
    l2 = checks.non_negative(l2, "l2")
    params = model.parameters()
    if optimizer is None:
        optimizer = SGD(params, lr=0.1)
    correct = _accuracy_rule(y)
    rng = random.Random(seed)
    order = list(range(len(X)))

    # tqdm.auto picks the notebook widget inside Jupyter (and warns there when ipywidgets is
    # missing), so it is imported only when a bar will be shown.
    if progress:
        from tqdm.auto import tqdm
    else:
        from tqdm import tqdm

    history: History = {"loss": [], "lr": []}
    if correct is not None:
        history["accuracy"] = []
    bar = tqdm(range(epochs), desc="training", unit="epoch", disable=not progress)
    try:
        for epoch in bar:
            if lr_schedule is not None:
                optimizer.lr = _learning_rate(lr_schedule, epoch)
            if size < len(X):
                rng.shuffle(order)
            total_loss = 0.0
            hits = 0
            for start in range(0, len(X), size):
                batch = order[start : start + size]
                inputs, targets = [X[i] for i in batch], [y[i] for i in batch]
                with _collector_paused():
                    batch_loss, batch_hits = _step(
                        model, inputs, targets, loss, optimizer, l2, params, correct, epoch
                    )
                total_loss += batch_loss * len(batch)
                hits += batch_hits
            history["loss"].append(total_loss / len(X))
            history["lr"].append(optimizer.lr)
            postfix = {"loss": f"{history['loss'][-1]:.4f}"}
            if correct is not None:
                history["accuracy"].append(hits / len(X))
                postfix["accuracy"] = f"{history['accuracy'][-1]:.1%}"
            bar.set_postfix(postfix, refresh=False)
    finally:
        bar.close()
    return history


def _step(
    model: Module,
    inputs: list[Sequence[Value | float]],
    targets: list[Any],
    loss: Loss,
    optimizer: Optimizer,
    l2: float,
    params: list[Value],
    correct: Callable[[Any, Any], bool] | None,
    epoch: int,
) -> tuple[float, int]:
    """One gradient step on a batch: its loss and how many predictions were right. The step's
    graph lives only in here, so it is freed when this returns."""
    predictions = [model(x) for x in inputs]
    objective = loss(predictions, targets)
    if l2:
        objective = objective + l2 * _sum_of_squares(params)
    if not math.isfinite(objective.data):
        raise FloatingPointError(
            f"train: the loss is {objective.data!r} in epoch {epoch}; the parameters "
            "hold the last finite step (try a smaller learning rate)"
        )
    optimizer.zero_grad()
    objective.backward()
    optimizer.step()
    hits = 0 if correct is None else sum(map(correct, predictions, targets))
    return objective.data, hits


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (restoring the caller's setting afterwards).

    A step's graph holds no reference cycles, so it is freed by reference counting alone, and
    the collector's passes over its tens of thousands of fresh nodes find nothing while costing
    about a third of the step. Anything cyclic the step's own code creates is collected after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def accuracy(model: Module, X: Sequence[Sequence[Value | float]], y: Sequence[Any]) -> float:
    """The fraction of ``X`` that ``model`` classifies as ``y`` says (labels as in ``train``)."""
    if len(X) != len(y) or not X:
        raise ValueError(f"accuracy: {len(X)} inputs and {len(y)} targets")
    correct = _accuracy_rule(y)
    if correct is None:
        raise ValueError("accuracy: the targets are not class labels (-1/+1, 0/1 or indices)")
    return sum(correct(model(x), t) for x, t in zip(X, y, strict=True)) / len(X)


def linear_schedule(start: float, end: float, epochs: int) -> Schedule:
    """lr(k) = start + (end - start) * k / epochs: micrograd's demo uses 1.0 to 0.1."""
    return lambda k: start + (end - start) * k / epochs


def _accuracy_rule(y: Sequence[Any]) -> Callable[[Any, Any], bool] | None:
    """How to tell a correct prediction, read from the kind of targets (None for regression)."""
    values = set()
    for t in y:
        if isinstance(t, bool) or not isinstance(t, numbers.Real):
            return None
        values.add(as_float(t, "a target"))
    if values <= {-1.0, 1.0}:
        return _same_sign
    if values <= {0.0, 1.0}:
        return _same_side_of_half
    if all(checks.is_int(t) and int(t) >= 0 for t in y):
        return _argmax_matches
    return None


def _same_sign(prediction: Any, target: Any) -> bool:
    """A score for labels -1/+1 is right when it has the label's sign."""
    if not isinstance(prediction, Value):
        return False
    return (prediction.data > 0) == bool(target > 0)


def _same_side_of_half(prediction: Any, target: Any) -> bool:
    """A prediction for labels 0/1 (a probability) is right on the label's side of 0.5; with
    several outputs (class scores) the largest must be the label's."""
    if isinstance(prediction, Value):
        return (prediction.data > 0.5) == bool(target > 0.5)
    return _argmax_matches(prediction, target)


def _argmax_matches(prediction: Any, target: Any) -> bool:
    """Class scores are right when the largest is the target class's."""
    if isinstance(prediction, Value):
        return False
    scores = [s.data for s in prediction]
    return max(range(len(scores)), key=scores.__getitem__) == int(target)


def _sum_of_squares(params: list[Value]) -> Value:
    """p_0 * p_0 + p_1 * p_1 + ..., the L2 penalty before its factor."""
    squares = (p * p for p in params)
    return sum(squares, next(squares))


def _learning_rate(schedule: Schedule, epoch: int) -> float:
    """The schedule's learning rate for ``epoch``, which must be a finite number >= 0."""
    return checks.non_negative(schedule(epoch), f"the learning rate lr_schedule({epoch})")
