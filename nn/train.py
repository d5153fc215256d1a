"""``train``: gradient descent on a model, epoch by epoch, with a progress bar and a history."""

from __future__ import annotations

import gc
import math
import numbers
import random
import sys
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from autograd import Tape, TraceError, Value, no_grad, trace
from autograd.value import as_float
from nn import checks
from nn.losses import hinge_loss
from nn.mlp import Module
from nn.optim import SGD, Optimizer

# Inputs and targets: any sequences, NumPy arrays included (numpy is imported only for typing).
if TYPE_CHECKING:
    from numpy.typing import NDArray

    Inputs = Sequence[Sequence[Value | float]] | NDArray[Any]
    Targets = Sequence[Any] | NDArray[Any]
else:
    Inputs = Targets = Sequence
History = dict[str, list[float]]
Loss = Callable[[Any, Any], Value]
Schedule = Callable[[int], float]


def train(
    model: Module,
    X: Inputs,
    y: Targets,
    loss: Loss = hinge_loss,
    optimizer: Optimizer | None = None,
    epochs: int = 100,
    progress: bool | None = None,
    *,
    l2: float = 0.0,
    lr_schedule: Schedule | None = None,
    batch_size: int | None = None,
    seed: int | None = 0,
    compile: bool = False,
) -> History:
    """Minimise ``loss(predictions, targets) + l2 * sum(p**2)`` over ``model``'s parameters.

    Each epoch runs the batches of ``X`` (all of it unless ``batch_size``; batches are drawn
    in an order shuffled by ``seed``) through forward, backward and ``optimizer.step()``
    (``SGD`` with lr 0.1 unless given). ``lr_schedule(epoch)`` sets the learning rate of each
    epoch (epochs count from 0). Returns the history: per epoch the mean ``"loss"``, the
    ``"lr"``, and the ``"accuracy"`` of the predictions made before each step when the targets
    are class labels (-1/+1, 0/1, or class indices for a model with several outputs).
    A loss that stops being finite raises FloatingPointError before any step is taken with it.
    ``X`` and ``y`` may be any sequences or arrays. The progress bar shows when ``progress`` is
    true, and by default only when standard error is a terminal (a log gets no bar).

    With ``compile=True`` the per-sample loss ``loss(model(x), t)`` is traced once
    (``autograd.trace``) and replayed over each batch, and the L2 term stays eager: the same
    losses and parameters as without, much faster. It needs a loss that is the mean of its
    per-sample losses (as every loss in ``nn.losses``), computed with Values rather than read
    from ``.data``; the first batch is checked against the eager loss to make sure, and before
    any step the per-sample loss runs eagerly on every sample once, so that the loss's own
    checks of its arguments (which a tape makes on the traced sample only) see them all. A sample
    on which the loss or the model would branch otherwise than on the traced one (a comparison
    of Values, such as the clamp of ``binary_cross_entropy``) stops training with
    ``autograd.TraceError`` naming the epoch and the sample's index in ``X``, and so does a
    domain error (a ``ValueError``); no step is taken with its batch, so the parameters and
    their ``.grad`` hold the last step's values.
    """
    _check_sequences(X, y, "train")
    if len(X) != len(y):
        raise ValueError(f"train: {len(X)} inputs but {len(y)} targets")
    if len(X) == 0:
        raise ValueError("train: no training data")
    if progress is None:
        progress = sys.stderr.isatty()
    epochs = checks.count(epochs, "epochs", minimum=0)
    size = len(X) if batch_size is None else checks.count(batch_size, "batch_size")
    l2 = checks.non_negative(l2, "l2")
    params = model.parameters()
    if optimizer is None:
        optimizer = SGD(params, lr=0.1)
    correct = _accuracy_rule(y)
    rng = random.Random(seed)
    order = list(range(len(X)))
    compiled = _CompiledLoss(model, loss, X, y) if compile else None

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
                with _collector_paused():
                    if compiled is not None:
                        batch_loss, batch_hits = compiled.step(
                            batch, optimizer, l2, params, correct, epoch
                        )
                    else:
                        inputs, targets = [X[i] for i in batch], [y[i] for i in batch]
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
    _check_finite(objective.data, epoch)
    optimizer.zero_grad()
    objective.backward()
    optimizer.step()
    hits = 0 if correct is None else sum(map(correct, map(_scores, predictions), targets))
    return objective.data, hits


def _check_finite(loss: float, epoch: int) -> None:
    if not math.isfinite(loss):
        raise FloatingPointError(
            f"train: the loss is {loss!r} in epoch {epoch}; the parameters "
            "hold the last finite step (try a smaller learning rate)"
        )


class _CompiledLoss:
    """The per-sample loss ``loss(model(x), t)`` as traced tapes, replayed over each batch.

    A target the loss takes as a Value (a number or a sequence of numbers) is an argument of
    one tape. A target it cannot take as a Value (cross entropy's class index) is a constant:
    then there is one tape per distinct target, each replayed over the samples with that target.
    """

    def __init__(self, model: Module, loss: Loss, X: Inputs, y: Targets) -> None:
        import numpy as np

        self.model, self.loss = model, loss
        self.X = np.asarray(X, dtype=np.float64)
        self.y = y
        self.targets: Any = None  # the targets as an array, when they are a tape argument
        self.tapes: dict[Hashable, tuple[Tape, list[Value]]] = {}
        self.checked = False
        try:
            self.shared: tuple[Tape, list[Value]] | None = self._trace(self.X[0], y[0], True)
            self.targets = np.asarray(y, dtype=np.float64)
        except TypeError:
            self.shared = None
        self._check_every_sample()

    def _check_every_sample(self) -> None:
        """The per-sample loss, eagerly on every sample once, before any step: the loss's own
        checks of its arguments (hinge_loss's -1/+1 targets, ...) may read .data, which a tape
        checks on the sample it was traced on only."""
        with no_grad():
            for i, (x, target) in enumerate(zip(self.X.tolist(), self.y, strict=True)):
                try:
                    self.loss(self.model(x), target)
                except (ArithmeticError, ValueError) as error:
                    where = f"train(compile=True): on sample {i} of X, before any step"
                    raise type(error)(f"{where}: {error}") from error

    def _trace(self, x: Any, target: Any, as_argument: bool) -> tuple[Tape, list[Value]]:
        """A tape of the per-sample loss, and the prediction nodes it recorded."""
        predictions: list[Value] = []

        def per_sample(x: list[Value], *t: Any) -> Value:
            prediction = self.model(x)
            predictions.extend([prediction] if isinstance(prediction, Value) else prediction)
            return self.loss(prediction, t[0] if as_argument else target)

        example = (x.tolist(), target) if as_argument else (x.tolist(),)
        return trace(per_sample, *example), predictions

    def step(
        self,
        batch: list[int],
        optimizer: Optimizer,
        l2: float,
        params: list[Value],
        correct: Callable[[Any, Any], bool] | None,
        epoch: int,
    ) -> tuple[float, int]:
        """One gradient step on the samples ``batch``, as ``_step`` takes it eagerly."""
        import numpy as np

        size = len(batch)
        rows = np.asarray(batch)
        losses = np.empty(size)
        calls: list[tuple[Tape, Any]] = []
        if self.shared is not None:
            groups = [(self.shared, np.arange(size))]
        else:
            positions: dict[Hashable, list[int]] = {}
            for k, i in enumerate(batch):
                target = self.y[i]
                key = target if isinstance(target, Hashable) else tuple(target)
                if key not in self.tapes:  # traced on the first sample with this target
                    self.tapes[key] = self._trace(self.X[i], target, False)
                positions.setdefault(key, []).append(k)
            groups = [(self.tapes[key], np.asarray(ks)) for key, ks in positions.items()]
        scores = np.empty((size, len(groups[0][0][1])))  # one column per output unit
        for (tape, predictions), ks in groups:
            arguments = [self.X[rows[ks]]]
            if self.shared is not None:
                arguments.append(self.targets[rows[ks]])
            with _samples_named(batch, ks, epoch):
                losses[ks] = tape(*arguments)
            scores[ks] = np.stack([tape.values(p) for p in predictions], axis=1)
            calls.append((tape, ks))
        # Summed left to right and divided, as the eager losses' mean is.
        objective = float(np.cumsum(losses)[-1]) / size
        if not self.checked:
            self._check_against_eager(batch, objective)
        penalty = l2 * _sum_of_squares(params) if l2 else None
        if penalty is not None:
            objective = objective + penalty.data
        _check_finite(objective, epoch)
        before = [p.grad for p in params]
        optimizer.zero_grad()
        weight = 1.0 / size
        try:
            for tape, ks in calls:
                with _samples_named(batch, ks, epoch):
                    tape.backward(np.full(len(ks), weight))
            if penalty is not None:
                penalty.backward()
        except BaseException:  # an earlier tape's gradient is not left half-summed
            for p, g in zip(params, before, strict=True):
                p.grad = g
            raise
        optimizer.step()
        if correct is None:
            return objective, 0
        rows_of_scores = scores.tolist()
        hits = sum(correct(s, self.y[i]) for s, i in zip(rows_of_scores, batch, strict=True))
        return objective, hits

    def _check_against_eager(self, batch: list[int], traced: float) -> None:
        """The first batch's loss, traced and eager, must agree (else compile cannot be used)."""
        with no_grad():
            predictions = [self.model(self.X[i].tolist()) for i in batch]
            eager = self.loss(predictions, [self.y[i] for i in batch]).data
        if not math.isclose(traced, eager, rel_tol=1e-9, abs_tol=1e-12):
            raise ValueError(
                f"train(compile=True): the traced loss is {traced!r} on the first batch but "
                f"the loss itself gives {eager!r}; compile needs a loss that is the mean of its "
                "per-sample losses, computed with Values (not read from .data)"
            )
        self.checked = True


@contextmanager
def _samples_named(batch: list[int], ks: Any, epoch: int) -> Iterator[None]:
    """A tape's errors, said of the training data: the sample ``s`` of a call over the samples
    ``ks`` of ``batch`` is sample ``batch[ks[s]]`` of X."""
    try:
        yield
    except TraceError as error:
        raise _branch_error(error, batch[int(ks[error.sample])], epoch) from error
    except (ArithmeticError, ValueError) as error:
        sample, reason = getattr(error, "sample", None), getattr(error, "reason", None)
        if sample is None or reason is None:
            raise
        index = batch[int(ks[sample])]
        where = f"train(compile=True): in epoch {epoch}, on sample {index} of X"
        raise type(error)(f"{where}: {reason}") from error


def _branch_error(error: TraceError, sample: int, epoch: int) -> TraceError:
    """The tape's TraceError, said of the training data: which sample of X, in which epoch."""
    return TraceError(
        f"train(compile=True): in epoch {epoch}, sample {sample} of X takes another branch of "
        f"the loss or the model than the sample they were traced on: {error.comparison}. No "
        "step was taken with its batch, so the parameters hold the last step's values; train "
        "without compile=True to follow every branch.",
        sample,
        error.comparison,
    )


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


def accuracy(model: Module, X: Inputs, y: Targets) -> float:
    """The fraction of ``X`` that ``model`` classifies as ``y`` says (labels as in ``train``)."""
    _check_sequences(X, y, "accuracy")
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(f"accuracy: {len(X)} inputs and {len(y)} targets")
    correct = _accuracy_rule(y)
    if correct is None:
        raise ValueError("accuracy: the targets are not class labels (-1/+1, 0/1 or indices)")
    return sum(correct(_scores(model(x)), t) for x, t in zip(X, y, strict=True)) / len(X)


def _check_sequences(X: object, y: object, caller: str) -> None:
    """TypeError naming X or y when it cannot be measured and indexed (an iterator, say)."""
    for name, data in (("X", X), ("y", y)):
        if not (hasattr(data, "__len__") and hasattr(data, "__getitem__")):
            raise TypeError(
                f"{caller}: {name} must be a sequence or an array, got {type(data).__name__} "
                "(make it a list first)"
            )


def linear_schedule(start: float, end: float, epochs: int) -> Schedule:
    """lr(k) = start + (end - start) * k / epochs: micrograd's demo uses 1.0 to 0.1."""
    return lambda k: start + (end - start) * k / epochs


def _accuracy_rule(y: Targets) -> Callable[[Any, Any], bool] | None:
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


def _scores(prediction: Value | list[Value]) -> list[float]:
    """A model's output as numbers, one per output unit."""
    if isinstance(prediction, Value):
        return [prediction.data]
    return [s.data for s in prediction]


# Each rule judges a prediction by its scores, one number per output unit.


def _same_sign(scores: list[float], target: Any) -> bool:
    """A score for labels -1/+1 is right when it has the label's sign."""
    if len(scores) != 1:
        return False
    return (scores[0] > 0) == bool(target > 0)


def _same_side_of_half(scores: list[float], target: Any) -> bool:
    """A prediction for labels 0/1 (a probability) is right on the label's side of 0.5; with
    several outputs (class scores) the largest must be the label's."""
    if len(scores) == 1:
        return (scores[0] > 0.5) == bool(target > 0.5)
    return _argmax_matches(scores, target)


def _argmax_matches(scores: list[float], target: Any) -> bool:
    """Class scores are right when the largest is the target class's."""
    if len(scores) == 1:
        return False
    return max(range(len(scores)), key=scores.__getitem__) == int(target)


def _sum_of_squares(params: list[Value]) -> Value:
    """p_0 * p_0 + p_1 * p_1 + ..., the L2 penalty before its factor."""
    squares = (p * p for p in params)
    return sum(squares, next(squares))


def _learning_rate(schedule: Schedule, epoch: int) -> float:
    """The schedule's learning rate for ``epoch``, which must be a finite number >= 0."""
    return checks.non_negative(schedule(epoch), f"the learning rate lr_schedule({epoch})")
