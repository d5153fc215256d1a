"""chainrule's scalar autograd engine: Values, their computation graphs and the chain rule.

``import autograd`` imports none of graphviz, numpy, matplotlib, tqdm or torch: each is imported
by the first feature that needs it (graphviz by the first drawing).
"""

from typing import TYPE_CHECKING

from autograd import functional
from autograd._backend import backend
from autograd.check import GradcheckError, gradcheck
from autograd.draw import GraphvizError, draw_dot, render
from autograd.engine import backward, grad, topological_order
from autograd.explore import Explorer, explore
from autograd.mode import enable_grad, is_grad_enabled, no_grad, scope
from autograd.rules import RULES, Rule
from autograd.steps import render_steps
from autograd.tape import Tape, TraceError, trace
from autograd.value import Constant, Value

if TYPE_CHECKING:
    from autograd.draw import GraphvizNotFoundError

__all__ = [
    "RULES",
    "Constant",
    "Explorer",
    "GradcheckError",
    "GraphvizError",
    "GraphvizNotFoundError",
    "Rule",
    "Tape",
    "TraceError",
    "Value",
    "backend",
    "backward",
    "draw_dot",
    "enable_grad",
    "explore",
    "functional",
    "grad",
    "gradcheck",
    "is_grad_enabled",
    "no_grad",
    "render",
    "render_steps",
    "scope",
    "topological_order",
    "trace",
]


def __getattr__(name: str) -> object:
    # GraphvizNotFoundError is a graphviz.ExecutableNotFound, so it exists once graphviz does.
    if name == "GraphvizNotFoundError":
        from autograd import draw

        return draw.GraphvizNotFoundError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
