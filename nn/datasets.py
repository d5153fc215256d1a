"""Toy 2-D classification data sets in pure Python, seeded: the same seed gives the same points.

Each returns ``(X, y)``: ``X`` a list of ``[x0, x1]`` points and ``y`` a list of int labels,
shuffled. Two-class sets label their classes with ``labels`` (micrograd's -1 and +1 unless
asked otherwise, e.g. ``labels=(0, 1)``); ``make_spiral`` gives class indices 0, 1, ...
"""

from __future__ import annotations

import math
import random

from nn import checks

Points = list[list[float]]
Dataset = tuple[Points, list[int]]


def make_moons(
    n: int = 100, noise: float = 0.1, seed: int | None = 0, labels: tuple[int, int] = (-1, 1)
) -> Dataset:
    """Two interleaving half circles (as sklearn.datasets.make_moons).

    The upper moon (centre (0, 0), radius 1) gets ``labels[0]``, the lower one (centre
    (1, 0.5)) ``labels[1]``; ``noise`` is the standard deviation of Gaussian noise on each
    coordinate.
    """
    n, noise, rng = _common(n, noise, seed)
    first, second = _labels(labels)
    n_upper = n // 2
    points = []
    for angle in _linspace(0.0, math.pi, n_upper):
        points.append(([math.cos(angle), math.sin(angle)], first))
    for angle in _linspace(0.0, math.pi, n - n_upper):
        points.append(([1.0 - math.cos(angle), 0.5 - math.sin(angle)], second))
    return _finish(points, noise, rng)


def make_circles(
    n: int = 100,
    noise: float = 0.05,
    factor: float = 0.5,
    seed: int | None = 0,
    labels: tuple[int, int] = (-1, 1),
) -> Dataset:
    """A circle of radius 1 (``labels[0]``) around one of radius ``factor`` (``labels[1]``)."""
    n, noise, rng = _common(n, noise, seed)
    first, second = _labels(labels)
    if not 0.0 < checks.non_negative(factor, "factor") < 1.0:
        raise ValueError(f"factor must lie strictly between 0 and 1, got {factor!r}")
    n_outer = n // 2
    points = []
    for count, radius, label in ((n_outer, 1.0, first), (n - n_outer, factor, second)):
        for k in range(count):
            angle = 2.0 * math.pi * k / count
            points.append(([radius * math.cos(angle), radius * math.sin(angle)], label))
    return _finish(points, noise, rng)


def make_xor(
    n: int = 100, noise: float = 0.2, seed: int | None = 0, labels: tuple[int, int] = (-1, 1)
) -> Dataset:
    """Four clusters at (+-1, +-1): ``labels[0]`` where the signs agree, ``labels[1]`` where
    they differ (exclusive or), an equal share of the points at each corner."""
    n, noise, rng = _common(n, noise, seed)
    first, second = _labels(labels)
    corners = ((1.0, 1.0), (-1.0, -1.0), (1.0, -1.0), (-1.0, 1.0))
    points = []
    for k in range(n):
        a, b = corners[k % 4]
        points.append(([a, b], first if a == b else second))
    return _finish(points, noise, rng)


def make_spiral(
    n: int = 100, classes: int = 3, noise: float = 0.2, seed: int | None = 0
) -> Dataset:
    """``classes`` interleaved spiral arms (as in Stanford's CS231n), labelled 0, 1, ...

    Arm j has points at radius r in [0, 1] and angle 4 j + 4 r plus Gaussian noise of standard
    deviation ``noise`` (radians); the points are split between arms as evenly as possible.
    """
    n, noise, rng = _common(n, noise, seed)
    classes = checks.count(classes, "classes")
    points = []
    for j in range(classes):
        count = n // classes + (1 if j < n % classes else 0)
        for r in _linspace(0.0, 1.0, count):
            angle = 4.0 * j + 4.0 * r + rng.gauss(0.0, noise)
            points.append(([r * math.sin(angle), r * math.cos(angle)], j))
    return _finish(points, 0.0, rng)


def _common(n: object, noise: object, seed: object) -> tuple[int, float, random.Random]:
    """The checked size and noise every data set shares, and its random generator."""
    return (
        checks.count(n, "n"),
        checks.non_negative(noise, "noise"),
        random.Random(checks.seed(seed)),
    )


def _labels(labels: object) -> tuple[int, int]:
    """The two class labels of a two-class data set."""
    if (
        not isinstance(labels, tuple | list)
        or len(labels) != 2
        or not all(checks.is_int(x) for x in labels)
        or labels[0] == labels[1]
    ):
        raise ValueError(f"labels must be two different ints, such as (-1, 1), got {labels!r}")
    return int(labels[0]), int(labels[1])


def _linspace(start: float, stop: float, count: int) -> list[float]:
    """``count`` evenly spaced numbers from ``start`` to ``stop``, both included."""
    if count == 1:
        return [start]
    step = (stop - start) / (count - 1)
    return [start + k * step for k in range(count)]


def _finish(points: list[tuple[list[float], int]], noise: float, rng: random.Random) -> Dataset:
    """Add Gaussian noise to every coordinate, shuffle, and split into (X, y)."""
    if noise:
        for x, _ in points:
            x[0] += rng.gauss(0.0, noise)
            x[1] += rng.gauss(0.0, noise)
    rng.shuffle(points)
    return [x for x, _ in points], [label for _, label in points]
