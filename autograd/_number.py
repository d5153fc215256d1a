"""Real numbers as floats (what both engines accept as a Value's data or an operand), and counts
in words for messages."""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from numpy import bool_ as _np_bool
    from numpy import floating as _np_floating
    from numpy import integer as _np_integer

    Number = Union[int, float, bool, _np_floating, _np_integer, _np_bool]  # noqa: UP007
else:
    Number = Union[int, float, bool]  # noqa: UP007


def as_float(x: object, what: str = "Value data") -> float:
    """``x`` as a float when it is a real number (int, float, bool or a NumPy real scalar)."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real):
        try:
            return float(x)
        except OverflowError:
            raise ValueError(
                f"{what} is too large for a float: {type(x).__name__} beyond ±1.8e308"
            ) from None
    kind = type(x)
    if kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_"):
        return float(x)  # type: ignore[arg-type]
    raise TypeError(f"{what} must be a real number (int, float or bool), got {kind.__name__}")


def exact_str(x: object, what: str) -> str:
    """``x`` as a plain str (a subclass is copied, so it can carry nothing), else TypeError."""
    if not isinstance(x, str):
        raise TypeError(f"{what} must be a str, got {type(x).__name__}")
    return x if type(x) is str else str.__str__(x)


NO_PICKLE = (
    "Value objects cannot be pickled or copied: use .detach() for a new leaf with the same "
    "data, and a model's save() to store its parameters as JSON"
)


def counted(n: int, thing: str, things: str = "") -> str:
    """``n`` and the noun, in the singular for one: "1 input", "3 entries", "2 captured leaves"
    (``things`` gives a plural that is not made with -s or -ies)."""
    if n == 1:
        return f"{n} {thing}"
    return f"{n} {things or (thing[:-1] + 'ies' if thing.endswith('y') else thing + 's')}"
