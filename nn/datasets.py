"""Toy 2-D classification data sets in pure Python, seeded: the same seed gives the same points.

Each returns ``(X, y)``: ``X`` a list of ``[x0, x1]`` points and ``y`` a list of int labels,
shuffled. Two-class sets label their classes with ``labels`` (micrograd's -1 and +1 unless
asked otherwise, e.g. ``labels=(0, 1)``); ``make_spiral`` gives class indices 0, 1, ...
"""

from __future__ import annotations

import math
import numbers
import random

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
    n, noise, rng, labels = _common(n, noise, seed, labels)
    n_upper = n // 2
    points = []
    for angle in _linspace(0.0, math.pi, n_upper):
        points.append(([math.cos(angle), math.sin(angle)], labels[0]))
    for angle in _linspace(0.0, math.pi, n - n_upper):
        points.append(([1.0 - math.cos(angle), 0.5 - math.sin(angle)], labels[1]))
    return _finish(points, noise, rng)


def make_circles(
    n: int = 100,
    noise: float = 0.05,
    factor: float = 0.5,
    seed: int | None = 0,
    labels: tuple[int, int] = (-1, 1),
) -> Dataset:
    """A circle of radius 1 (``labels[0]``) around one of radius ``factor`` (``labels[1]``)."""
    n, noise, rng, labels = _common(n, noise, seed, labels)
    if not isinstance(factor, numbers.Real) or not 0.0 < factor < 1.0:
        raise ValueError(f"factor must lie strictly between 0 and 1, got {factor!r}")
    n_outer = n // 2
    points = []
    for count, radius, label in ((n_outer, 1.0, labels[0]), (n - n_outer, factor, labels[1])):
        for k in range(count):
            angle = 2.0 * math.pi * k / count
            points.append(([radius * math.cos(angle), radius * math.sin(angle)], label))
    return _finish(points, noise, rng)


def make_xor(
    n: int = 100, noise: float = 0.2, seed: int | None = 0, labels: tuple[int, int] = (-1, 1)
) -> Dataset:
    """Four clusters at (+-1, +-1): ``labels[0]`` where the signs agree, ``labels[1]`` where
    they differ (exclusive or), an equal share of the points at each corner."""
    n, noise, rng, labels = _common(n, noise, seed, labels)
    corners = ((1.0, 1.0), (-1.0, -1.0), (1.0, -1.0), (-1.0, 1.0))
    points = []
    for k in range(n):
        a, b = corners[k % 4]
        points.append(([a, b], labels[0] if a == b else labels[1]))
    return _finish(points, noise, rng)


def make_spiral(
    n: int = 100, classes: int = 3, noise: float = 0.2, seed: int | None = 0
) -> Dataset:
    """``classes`` interleaved spiral arms (as in Stanford's CS231n), labelled 0, 1, ...

    Arm j has points at radius r in [0, 1] and angle 4 j + 4 r plus Gaussian noise of standard
    deviation ``noise`` (radians); the points are split between arms as evenly as possible.
    """
    n, noise, rng, _ = _common(n, noise, seed, (0, 1))
    if isinstance(classes, bool) or not isinstance(classes, numbers.Integral) or int(classes) < 1:
        raise ValueError(f"classes must be an int >= 1, got {classes!r}")
    points = []
    for j in range(classes):
        count = n // classes + (1 if j < n % classes else 0)
        for r in _linspace(0.0, 1.0, count):
            angle = 4.0 * j + 4.0 * r + rng.gauss(0.0, noise)
            points.append(([r * math.sin(angle), r * math.cos(angle)], j))
    return _finish(points, 0.0, rng)


def _common(
    n: object, noise: object, seed: object, labels: object
) -> tuple[int, float, random.Random, tuple[int, int]]:
    """The checked arguments every data set shares, and its random generator."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"n must be an int, got {type(n).__name__}")
    if int(n) < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise TypeError(f"noise must be a number, got {type(noise).__name__}")
    if not (math.isfinite(noise) and float(noise) >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__}")
    if (
        not isinstance(labels, tuple | list)
        or len(labels) != 2
        or not all(isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in labels)
        or labels[0] == labels[1]
    ):
        raise ValueError(f"labels must be two different ints, such as (-1, 1), got {labels!r}")
    rng = random.Random(None if seed is None else int(seed))
    return int(n), float(noise), rng, (int(labels[0]), int(labels[1]))


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
