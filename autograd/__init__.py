"""chainrule's scalar autograd engine: Values, their computation graphs and the chain rule."""

from autograd.check import GradcheckError, gradcheck
from autograd.draw import GraphvizError, GraphvizNotFoundError, draw_dot, render
from autograd.engine import backward, grad, topological_order
from autograd.mode import enable_grad, is_grad_enabled, no_grad, scope
from autograd.rules import RULES, Rule
from autograd.steps import render_steps
from autograd.value import Constant, Value

__all__ = [
    "RULES",
    "Constant",
    "GradcheckError",
    "GraphvizError",
    "GraphvizNotFoundError",
    "Rule",
    "Value",
    "backward",
    "draw_dot",
    "enable_grad",
    "grad",
    "gradcheck",
    "is_grad_enabled",
    "no_grad",
    "render",
    "render_steps",
    "scope",
    "topological_order",
]
