"""``Value``: a scalar that records every operation on it into a computation graph.

The class comes from the engine in use (``autograd.backend()``): the compiled core
``autograd._core`` or its pure-Python reference ``autograd._pyvalue``. Both keep the same
promises with the same messages and give bit-identical data and gradients.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from autograd._backend import core
from autograd._number import Number, as_float

# The type checker reads the reference, which states the types; the core matches it.
if TYPE_CHECKING or core is None:
    from autograd._pyvalue import Constant, Operand, Value, constant
else:
    from autograd._pyvalue import Operand

    Value = core.Value
    Constant = core.Constant
    constant = core.constant

__all__ = ["Constant", "Number", "Operand", "Value", "as_float", "constant"]
