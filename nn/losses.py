"""Loss functions on Values, each the mean over items of a per-item formula (as PyTorch's).

Predictions and targets are each a Value or a number, or equal-length sequences of them
(nested sequences, such as a batch of multi-output predictions, count every entry as an item).
The result is always a Value; ``nn.matrix`` mirrors every formula here in NumPy.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

from autograd import Value
from autograd.value import as_float
from nn import checks

# A log below this is replaced by the constant -100, as torch.nn.BCELoss does.
LOG_FLOOR = -100.0


def _log_threshold() -> float:
    """The largest float x with log x <= LOG_FLOOR (about e^-100), found with this platform's
    own math.log, so that ``x > LOG_THRESHOLD`` holds exactly when ``x > 0`` and
    ``log x > LOG_FLOOR`` do (log is monotonic)."""
    x = math.exp(LOG_FLOOR)
    while math.log(x) > LOG_FLOOR:
        x = math.nextafter(x, 0.0)
    while math.log(math.nextafter(x, math.inf)) <= LOG_FLOOR:
        x = math.nextafter(x, math.inf)
    return x


LOG_THRESHOLD = _log_threshold()

Item = Value | float


def mse_loss(predictions: object, targets: object) -> Value:
    """mean over items of (p - t)**2."""
    ps, ts = _pairs(predictions, targets, "mse_loss")
    return _mean([(p - t) ** 2 for p, t in zip(ps, ts, strict=True)])


def binary_cross_entropy(predictions: object, targets: object) -> Value:
    """mean over items of -(t log p + (1 - t) log(1 - p)), each log clamped at -100.

    Predictions are probabilities in [0, 1]. Where p <= e^-100 (or 1 - p is), the log is the
    constant -100 and passes no gradient, so p = 0 and p = 1 give finite losses.
    """
    ps, ts = _pairs(predictions, targets, "binary_cross_entropy")
    for i, (p, t) in enumerate(zip(ps, ts, strict=True)):
        _check_unit(p, "prediction", i)
        _check_unit(t, "target", i)
    return _mean(
        [
            -(t * _clamped_log(p) + (1.0 - t) * _clamped_log(1.0 - p))
            for p, t in zip(ps, ts, strict=True)
        ]
    )


def hinge_loss(predictions: object, targets: object) -> Value:
    """mean over items of relu(1 - t p), targets -1 or +1."""
    ps, ts = _pairs(predictions, targets, "hinge_loss")
    for i, t in enumerate(ts):
        if _data(t) not in (-1.0, 1.0):
            raise ValueError(f"hinge_loss: target {i} is {_data(t)!r}; targets must be -1 or +1")
    return _mean([(1.0 - t * p).relu() for p, t in zip(ps, ts, strict=True)])


def cross_entropy(logits: object, class_index: object) -> Value:
    """logsumexp(logits) - logits[class_index], averaged over a batch.

    ``logits`` is one sample's scores with an int ``class_index`` (a NumPy integer works too),
    or a sequence of samples with a sequence of class indices. The largest logit m is subtracted
    before ``exp`` and cancels exactly, so logits of +-1000 give finite losses and gradients,
    and logits of 1e16 the same loss as logits of 0.
    """
    if checks.is_int(class_index):
        rows: list[object] = [logits]
        indices: list[object] = [class_index]
    else:
        rows = _sequence(logits, "cross_entropy logits", "a sequence of rows, one per sample")
        indices = _sequence(
            class_index, "cross_entropy class_index", "an int or a sequence of ints"
        )
        if len(rows) != len(indices):
            raise ValueError(
                f"cross_entropy: {len(rows)} samples of logits but {len(indices)} class indices"
            )
        if not rows:
            raise ValueError("cross_entropy: no samples")
    losses = []
    for i, (row, index) in enumerate(zip(rows, indices, strict=True)):
        what = f"cross_entropy logits of sample {i}"
        scores = [_value(x, what) for x in _sequence(row, what, "a sequence of numbers or Values")]
        if not scores:
            raise ValueError(f"cross_entropy: sample {i} has no logits")
        if not checks.is_int(index):
            kind = type(index).__name__
            raise TypeError(f"cross_entropy: class index of sample {i} must be an int, got {kind}")
        c = int(index)
        if not 0 <= c < len(scores):
            raise ValueError(
                f"cross_entropy: class index {c} of sample {i} is out of range for "
                f"{len(scores)} logits"
            )
        for k, s in enumerate(scores):
            if not math.isfinite(s.data):
                raise ValueError(f"cross_entropy: logit {k} of sample {i} is {s.data!r}")
        losses.append(_cross_entropy(scores, c))
    return _mean(losses)


def _cross_entropy(scores: list[Value], c: int) -> Value:
    """log sum_k e^(s_k) - s_c, computed as log sum_k e^(s_k - m) - (s_c - m), m the largest score.

    m cancels exactly: adding it to the log and subtracting s_c afterwards would lose the log
    (log 2 + 1e16 is 1e16). m is a constant, since its gradient cancels too.
    """
    m = max(s.data for s in scores)
    total = _sum([(s - m).exp() for s in scores])
    return total.log() - (scores[c] - m)


def _clamped_log(x: Value) -> Value:
    """log x, or a leaf holding -100 where log x <= -100 (x <= e^-100), as torch.nn.BCELoss.

    The choice is a comparison of Values, not of ``.data``, so that a traced tape
    (``autograd.trace``) records it as a guard: a sample on the other side of the clamp than
    the traced one is refused with ``TraceError`` rather than computed on the wrong branch.
    """
    if x > LOG_THRESHOLD:
        return x.log()
    # A new leaf: no path leads back to x, so the gradient there is 0.
    return Value(LOG_FLOOR)


def _check_unit(x: Item, what: str, i: int) -> None:
    """A probability must lie in [0, 1] (NaN does not). A Value is compared as a Value, so
    that under a trace the check is a guard too, and holds for every replayed sample."""
    if not (x >= 0.0 and x <= 1.0):
        raise ValueError(f"binary_cross_entropy: {what} {i} is {_data(x)!r}, outside [0, 1]")


# --- shared plumbing ---------------------------------------------------------------------------


def _pairs(predictions: object, targets: object, name: str) -> tuple[list[Value], list[Item]]:
    """Predictions as Values and targets as Values or floats, flattened, of equal length."""
    ps = [_value(p, f"{name} prediction") for p in _flatten(predictions, f"{name} predictions")]
    ts = _flatten(targets, f"{name} targets")
    if len(ps) != len(ts):
        raise ValueError(f"{name}: {len(ps)} predictions but {len(ts)} targets")
    if not ps:
        raise ValueError(f"{name}: no predictions")
    return ps, ts


def _flatten(x: object, what: str) -> list[Item]:
    """The Values and numbers in ``x``, a Value, a number or (nested) sequences of them."""
    if isinstance(x, Value):
        return [x]
    if _is_number(x):
        return [as_float(x, what)]
    items: list[Item] = []
    for item in _sequence(x, what, "a Value, a number or a sequence"):
        items.extend(_flatten(item, what))
    return items


def _sequence(x: object, what: str, expected: str) -> list[object]:
    """``x`` as a list, when it is a sequence (a list, tuple, NumPy array ...) and not a string;
    otherwise TypeError saying that ``what`` must be ``expected``."""
    if isinstance(x, str | bytes) or not hasattr(x, "__len__"):
        raise TypeError(f"{what} must be {expected}, got {type(x).__name__}")
    return list(x)  # type: ignore[call-overload, no-any-return]


def _value(x: object, what: str) -> Value:
    """``x`` as a Value: predictions carry the gradient, so numbers become leaves."""
    if isinstance(x, Value):
        return x
    if not _is_number(x):
        raise TypeError(f"{what} must be a Value or a number, got {type(x).__name__}")
    return Value(as_float(x, what))


def _is_number(x: object) -> bool:
    return isinstance(x, numbers.Real)


def _data(x: Item) -> float:
    return x.data if isinstance(x, Value) else x


def _sum(terms: Sequence[Value]) -> Value:
    """terms[0] + terms[1] + ... as a chain of binary + nodes (no extra 0 node)."""
    return sum(terms[1:], terms[0])


def _mean(terms: Sequence[Value]) -> Value:
    """The sum of ``terms`` divided by their number."""
    return _sum(terms) / len(terms)
