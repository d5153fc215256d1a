"""Which engine runs: the compiled core (``autograd._core``) or the pure-Python reference.

``CHAINRULE_BACKEND`` is read once, at import: ``python`` forces the reference engine,
``native`` requires the compiled core, and unset means the core when it was built.
"""

from __future__ import annotations

import os
from types import ModuleType

BUILD_HINT = "build it with `make setup` or `pip install .` (needs a C compiler)"


def _load() -> ModuleType | None:
    choice = os.environ.get("CHAINRULE_BACKEND", "")
    if choice not in ("", "native", "python"):
        raise ImportError(
            f"CHAINRULE_BACKEND must be 'native' or 'python' (or unset), got {choice!r}"
        )
    if choice == "python":
        return None
    try:
        from autograd import _core
    except ImportError as error:
        if choice == "native":
            raise ImportError(
                f"CHAINRULE_BACKEND=native, but the compiled core autograd._core is not "
                f"available ({error}); {BUILD_HINT}"
            ) from error
        return None
    return _core


core = _load()


def backend() -> str:
    """``"native"`` when the compiled core is in use, ``"python"`` for the reference engine."""
    return "python" if core is None else "native"
