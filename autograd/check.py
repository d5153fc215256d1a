"""``gradcheck``: reverse-mode gradients against central differences."""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable, Iterable, Sequence

from autograd.engine import grad
from autograd.value import Number, Value, as_float


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when an analytic gradient disagrees with the numeric one."""


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Number],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check d f / d input_i against (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for every i.

    Passes where |analytic - numeric| <= atol + rtol |numeric|; returns True or raises
    ``GradcheckError`` naming every input that disagrees, with both numbers.
    """
    if not callable(f):
        raise TypeError(f"gradcheck needs a callable, got {type(f).__name__}")
    eps = _tolerance(eps, "eps", positive=True)
    atol = _tolerance(atol, "atol")
    rtol = _tolerance(rtol, "rtol")
    if isinstance(inputs, str | bytes) or not isinstance(inputs, Iterable):
        raise TypeError(
            f"gradcheck inputs must be a sequence of numbers, got {type(inputs).__name__}"
        )
    point = [as_float(x, f"gradcheck input {i}") for i, x in enumerate(inputs)]
    names = _argument_names(f, len(point))
    for i, x in enumerate(point):
        # Not a gradient mismatch: at such a point the central difference measures nothing.
        if not math.isfinite(x):
            raise ValueError(
                f"gradcheck input {i} ({names[i]}) is {x!r}; gradients are checked at finite points"
            )
        if x + eps == x - eps:
            raise ValueError(
                f"gradcheck eps={eps!r} is too small to move input {i} ({names[i]} = {x!r}): "
                f"x + eps == x - eps in floating point; pass an eps of about {abs(x) * 1e-6:.1g}"
            )
    xs = [Value(x, label=name) for x, name in zip(point, names, strict=True)]
    analytic = grad(_evaluate(f, xs), xs)

    failures = []
    for i, (x, a) in enumerate(zip(point, analytic, strict=True)):
        # Evaluated with recording on: f may itself call grad (say, to check a Hessian).
        up = _evaluate(f, [Value(x + eps) if j == i else v for j, v in enumerate(xs)])
        down = _evaluate(f, [Value(x - eps) if j == i else v for j, v in enumerate(xs)])
        numeric = (up.data - down.data) / (2 * eps)
        if not abs(a - numeric) <= atol + rtol * abs(numeric):
            failures.append(
                f"  input {i} ({names[i]} = {x!r}): analytic {a!r}, numeric {numeric!r}"
            )
    if failures:
        raise GradcheckError("gradient mismatch:\n" + "\n".join(failures))
    return True


def _tolerance(x: object, name: str, positive: bool = False) -> float:
    """``x`` as a float when it is a finite number >= 0 (> 0 when ``positive``); otherwise a
    TypeError or ValueError naming the argument, not a report of a gradient mismatch."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"gradcheck {name} must be a number, got {type(x).__name__}")
    value = float(x)
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"gradcheck {name} must be a finite number {bound}, got {x!r}")
    return value


def _evaluate(f: Callable[..., Value], xs: list[Value]) -> Value:
    out = f(*xs)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    return out


def _argument_names(f: Callable[..., Value], n: int) -> list[str]:
    """The names of f's positional parameters where they can be read, else x0, x1, ..."""
    try:
        params = [
            p.name
            for p in inspect.signature(f).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    return [*params[:n], *(f"x{i}" for i in range(len(params), n))]
