"""The workloads' shared inputs: data and initial weights, identical for every engine.

The parent process builds them once with chainrule (``nn.datasets.make_moons`` and the weights of
``nn.MLP(2, [16, 16, 1], seed=0)``) and sends them to each engine's worker as JSON, so a worker
imports only the engine it measures.
"""

from __future__ import annotations

import random
from typing import TypedDict

MOONS_SAMPLES = 100
MOONS_SIZES = (2, 16, 16, 1)
CLASSIFIER_SAMPLES = 1000
CLASSIFIER_SIZES = (64, 32, 10)
L2 = 1e-4  # the weight of the L2 term, as in micrograd's demo: loss + L2 * sum(p * p)
SEED = 0


class LayerWeights(TypedDict):
    """One layer: ``W[j][i]`` is neuron j's weight on input i, ``b[j]`` its bias."""

    W: list[list[float]]
    b: list[float]


class MoonsSpec(TypedDict):
    """The moons step: 100 samples with labels in {-1, +1} and the MLP's initial weights."""

    X: list[list[float]]
    y: list[float]
    layers: list[LayerWeights]
    l2: float


class NeuronSpec(TypedDict):
    """One ReLU neuron: its weights, bias and one input vector."""

    w: list[float]
    b: float
    x: list[float]


class ClassifierSpec(TypedDict):
    """Where users outgrow micrograd: ``MLP(64, [32, 10])`` (ReLU), cross entropy, 1,000
    synthetic samples (Gaussian inputs, uniformly drawn classes)."""

    X: list[list[float]]
    y: list[int]
    layers: list[LayerWeights]


class Spec(TypedDict):
    """Everything a worker needs to build any workload."""

    moons: MoonsSpec
    neuron: NeuronSpec
    classifier: ClassifierSpec


def _layers(model: object) -> list[LayerWeights]:
    """An MLP's weights and biases as plain lists, layer by layer."""
    from nn import MLP, matrix

    assert isinstance(model, MLP)
    weights, biases = matrix.from_mlp(model)
    return [
        {"W": [[float(w) for w in row] for row in W], "b": [float(v) for v in b.reshape(-1)]}
        for W, b in zip(weights, biases, strict=True)
    ]


def classifier_spec() -> ClassifierSpec:
    """1,000 samples of 64 standard normal inputs with classes 0-9 drawn uniformly, and the
    weights of ``MLP(64, [32, 10], seed=0)``."""
    from nn import MLP

    nin, *sizes = CLASSIFIER_SIZES
    rng = random.Random(SEED + 2)
    X = [[rng.gauss(0.0, 1.0) for _ in range(nin)] for _ in range(CLASSIFIER_SAMPLES)]
    y = [rng.randrange(sizes[-1]) for _ in range(CLASSIFIER_SAMPLES)]
    return {"X": X, "y": y, "layers": _layers(MLP(nin, sizes, seed=SEED))}


def moons_spec() -> MoonsSpec:
    """``make_moons(100, noise=0.1)`` and the weights of ``MLP(2, [16, 16, 1], seed=0)``."""
    from nn import MLP, matrix
    from nn.datasets import make_moons

    X, y = make_moons(MOONS_SAMPLES, noise=0.1, seed=SEED)
    model = MLP(MOONS_SIZES[0], list(MOONS_SIZES[1:]), seed=SEED)
    weights, biases = matrix.from_mlp(model)
    layers: list[LayerWeights] = [
        {"W": [[float(w) for w in row] for row in W], "b": [float(v) for v in b.reshape(-1)]}
        for W, b in zip(weights, biases, strict=True)
    ]
    return {
        "X": [[float(v) for v in row] for row in X],
        "y": [float(v) for v in y],
        "layers": layers,
        "l2": L2,
    }


def neuron_spec(n: int) -> NeuronSpec:
    """The weights of ``nn.Neuron(n, seed=0)`` and a seeded input uniform in [-1, 1]."""
    from nn import Neuron

    neuron = Neuron(n, seed=SEED)
    named = dict(neuron.named_parameters())
    w = [named[f"w.{i}"].data for i in range(n)]
    rng = random.Random(SEED + 1)  # not SEED: the input would repeat the weights
    return {"w": w, "b": named["b"].data, "x": [rng.uniform(-1.0, 1.0) for _ in range(n)]}
