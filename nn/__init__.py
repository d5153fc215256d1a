"""Neurons, layers, MLPs, losses, optimizers and training on chainrule's scalar engine."""

from nn import matrix
from nn.losses import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss
from nn.mlp import MLP, Layer, Module, Neuron
from nn.optim import SGD, Adam, Optimizer
from nn.train import accuracy, linear_schedule, train

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
