"""Argument checks shared by nn: each returns the checked value or raises naming the argument."""

from __future__ import annotations

import math
import numbers
from typing import TypeGuard

from autograd.value import as_float


def is_int(x: object) -> TypeGuard[numbers.Integral]:
    """An int (or NumPy integer), but not a bool."""
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def count(n: object, what: str, minimum: int = 1) -> int:
    """``n`` when it is an int >= ``minimum``."""
    if not is_int(n):
        raise TypeError(f"{what} must be an int, got {type(n).__name__}")
    if int(n) < minimum:
        raise ValueError(f"{what} must be at least {minimum}, got {n}")
    return int(n)


def non_negative(x: object, what: str) -> float:
    """``x`` as a float when it is a finite number >= 0."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a number, got {type(x).__name__}")
    value = as_float(x, what)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{what} must be a finite number >= 0, got {x!r}")
    return value


def seed(x: object) -> int | None:
    """``x`` when it is an int or None (a seed for random.Random)."""
    if x is None:
        return None
    if not is_int(x):
        raise TypeError(f"seed must be an int or None, got {type(x).__name__}")
    return int(x)
