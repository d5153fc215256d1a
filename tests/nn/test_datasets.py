"""The toy data sets: sizes, seeds, labels, and their shapes with the noise switched off."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nn.datasets import Dataset, make_circles, make_moons, make_spiral, make_xor

BINARY = [make_moons, make_circles, make_xor]
ALL = [*BINARY, make_spiral]
counts = st.integers(1, 250)
seeds = st.integers(0, 2**32)


@pytest.mark.parametrize("make", ALL)
@given(n=counts, seed=seeds)
def test_sizes_types_and_seeds(make: Callable[..., Dataset], n: int, seed: int) -> None:
    X, y = make(n, seed=seed)
    assert len(X) == len(y) == n
    assert all(len(x) == 2 and all(type(v) is float for v in x) for x in X)
    assert all(type(label) is int for label in y)
    assert make(n, seed=seed) == (X, y)


@pytest.mark.parametrize("make", ALL)
def test_different_seeds_give_different_points(make: Callable[..., Dataset]) -> None:
    assert make(50, seed=0)[0] != make(50, seed=1)[0]
    assert make(50, seed=None)[0] != make(50, seed=None)[0]


@pytest.mark.parametrize("make", BINARY)
@given(n=counts)
def test_two_classes_labelled_minus_one_and_plus_one_and_balanced(
    make: Callable[..., Dataset], n: int
) -> None:
    _, y = make(n)
    counts = Counter(y)
    assert set(counts) <= {-1, 1}
    # make_xor deals the points to its four corners in turn, two corners per class.
    tolerance = 2 if make is make_xor else 1
    assert abs(counts[-1] - counts[1]) <= tolerance


@pytest.mark.parametrize("make", BINARY)
def test_labels_can_be_chosen(make: Callable[..., Dataset]) -> None:
    X, y = make(40, seed=3)
    X01, y01 = make(40, seed=3, labels=(0, 1))
    assert X01 == X
    assert y01 == [0 if label == -1 else 1 for label in y]


def test_moons_without_noise_lie_on_their_two_half_circles() -> None:
    X, y = make_moons(101, noise=0.0, seed=0)
    assert Counter(y) == {-1: 50, 1: 51}
    for (a, b), label in zip(X, y, strict=True):
        if label == -1:  # the upper moon: centre (0, 0), y >= 0
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:  # the lower moon: centre (1, 0.5), y <= 0.5
            assert math.hypot(a - 1, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12
    assert min(a for a, _ in X) == pytest.approx(-1.0)
    assert max(a for a, _ in X) == pytest.approx(2.0)


@given(noise=st.floats(0.01, 0.2))
def test_noise_is_gaussian_with_the_given_spread(noise: float) -> None:
    """Each moon point's distance from its circle, minus 1, has mean ~0 and std ~noise (the
    radial part of small 2-D Gaussian noise of standard deviation s has standard deviation s)."""
    X, y = make_moons(2000, noise=noise, seed=5)
    offsets = []
    for (a, b), label in zip(X, y, strict=True):
        cx, cy = (0.0, 0.0) if label == -1 else (1.0, 0.5)
        offsets.append(math.hypot(a - cx, b - cy) - 1.0)
    mean = sum(offsets) / len(offsets)
    spread = math.sqrt(sum((o - mean) ** 2 for o in offsets) / len(offsets))
    assert abs(mean) < 0.2 * noise
    assert spread == pytest.approx(noise, rel=0.15)


def test_circles_without_noise_have_radius_one_and_factor() -> None:
    X, y = make_circles(60, noise=0.0, factor=0.3, seed=0)
    for (a, b), label in zip(X, y, strict=True):
        assert math.hypot(a, b) == pytest.approx(1.0 if label == -1 else 0.3)


def test_xor_without_noise_sits_on_the_corners_labelled_by_exclusive_or() -> None:
    X, y = make_xor(40, noise=0.0, seed=0)
    assert Counter(map(tuple, X)) == {
        (1.0, 1.0): 10,
        (-1.0, -1.0): 10,
        (1.0, -1.0): 10,
        (-1.0, 1.0): 10,
    }
    for (a, b), label in zip(X, y, strict=True):
        assert label == (-1 if a * b > 0 else 1)


@given(n=counts, classes=st.integers(1, 5))
def test_spiral_arms_are_class_indices_of_nearly_equal_size(n: int, classes: int) -> None:
    X, y = make_spiral(n, classes=classes, seed=0)
    counts = Counter(y)
    assert set(counts) <= set(range(classes))
    assert max(counts.values()) - min(counts[j] for j in range(classes)) <= 1
    assert all(math.hypot(a, b) <= 1.0 + 1e-12 for a, b in X)


def test_spiral_without_noise_follows_its_arms() -> None:
    """Arm j's point at radius r has angle 4 j + 4 r: (r sin t, r cos t)."""
    X, y = make_spiral(90, classes=3, noise=0.0, seed=0)
    for (a, b), j in zip(X, y, strict=True):
        r = math.hypot(a, b)
        t = 4 * j + 4 * r
        assert (a, b) == pytest.approx((r * math.sin(t), r * math.cos(t)), abs=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: make_moons(0), ValueError, "n must be at least 1, got 0"),
        (lambda: make_moons(10.0), TypeError, "n must be an int, got float"),  # type: ignore[arg-type]
        (lambda: make_moons(10, noise=-0.1), ValueError, "noise must be a finite number >= 0"),
        (lambda: make_moons(10, noise=math.inf), ValueError, "noise must be a finite number"),
        (lambda: make_moons(10, seed=1.5), TypeError, "seed must be an int or None, got float"),  # type: ignore[arg-type]
        (lambda: make_moons(10, labels=(1, 1)), ValueError, "labels must be two different ints"),
        (lambda: make_xor(10, labels=(0, 1, 2)), ValueError, "labels must be two different ints"),  # type: ignore[arg-type]
        (lambda: make_circles(10, factor=0.0), ValueError, "factor must lie strictly between"),
        (
            lambda: make_circles(10, factor=1.0),
            ValueError,
            "factor must lie strictly between 0 and 1",
        ),
        (lambda: make_spiral(10, classes=0), ValueError, "classes must be at least 1, got 0"),
    ],
)
def test_bad_arguments(call: Callable[[], object], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()
