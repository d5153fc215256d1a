"""Neurons, layers, MLPs, losses, optimizers and training on chainrule's scalar engine.

``import nn`` imports neither numpy nor torch: ``nn.matrix`` (NumPy) is imported when first used,
and PyTorch by the first ``to_torch`` or ``from_torch``.
"""

from typing import TYPE_CHECKING

from nn.losses import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss
from nn.mlp import MLP, Layer, Module, Neuron
from nn.optim import SGD, Adam, Optimizer
from nn.train import accuracy, linear_schedule, train

if TYPE_CHECKING:
    from nn import matrix

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "Layer",
    "Module",
    "Neuron",
    "Optimizer",
    "accuracy",
    "binary_cross_entropy",
    "cross_entropy",
    "hinge_loss",
    "linear_schedule",
    "matrix",
    "mse_loss",
    "train",
]


def __getattr__(name: str) -> object:
    if name == "matrix":  # `from nn import matrix` imports it too, without this
        import nn.matrix

        return nn.matrix
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
