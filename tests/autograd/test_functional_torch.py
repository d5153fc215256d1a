"""autograd.functional against torch.autograd.functional in float64 (run with `make check-torch`).

Each example is a random expression graph (one or two of them, for several outputs) evaluated on
Values and on PyTorch tensors; every transform must give PyTorch's numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd.functional as autograd_functional
from autograd import Value, topological_order
from autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp
from tests.autograd.expressions import N_VARS, VALUES, Tree, kinks_nearby, trees
from tests.autograd.test_torch import torch_backend

pytestmark = pytest.mark.torch

points = st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=N_VARS, max_size=N_VARS)


@pytest.fixture(scope="module")
def torch() -> ModuleType:
    import torch

    return torch


def ours(forest: list[Tree]) -> Callable[..., Any]:
    """The trees on Values: one output per tree (a tuple when there are several)."""

    def f(*xs: Value) -> Value | tuple[Value, ...]:
        outs = [VALUES.evaluate(tree, list(xs)) for tree in forest]
        outs = [out if isinstance(out, Value) else Value(out) for out in outs]
        return outs[0] if len(outs) == 1 else tuple(outs)

    return f


def theirs(torch: Any, forest: list[Tree]) -> Callable[..., Any]:
    """The same trees on float64 tensors."""
    backend = torch_backend(torch)

    def f(*ts: Any) -> Any:
        outs = [backend.evaluate(tree, list(ts)) for tree in forest]
        return outs[0] if len(outs) == 1 else tuple(outs)

    return f


def usable(f: Callable[..., Any], point: list[float], second_order: bool = False) -> bool:
    """Whether the graphs at ``point`` are finite, clear of kinks and inside every domain (and,
    for second order, free of a power with exponent exactly 0, where PyTorch's pow backward
    drops the exponent's dependence; see test_torch)."""
    try:
        out = f(*[Value(x) for x in point])
    except (ValueError, ArithmeticError):
        return False
    for root in out if isinstance(out, tuple) else (out,):
        order = topological_order(root)
        if not math.isfinite(root.data) or kinks_nearby(root, 1e-9):
            return False
        if second_order and any(n.op == "**" and n.parents[1].data == 0 for n in order):
            return False
    return True


def numbers(x: Any) -> Any:
    """Tensors (nested in tuples) as floats (nested in lists)."""
    if isinstance(x, (tuple, list)):
        return [numbers(item) for item in x]
    return x.item()


def flat(x: Any) -> list[float]:
    if isinstance(x, (tuple, list)):
        return [v for item in x for v in flat(item)]
    return [float(x)]


def tensors(torch: Any, values: list[float]) -> tuple[Any, ...]:
    return tuple(torch.tensor(v, dtype=torch.float64) for v in values)


@settings(max_examples=150)
@given(tree=trees(max_leaves=10), point=points, v=points)
def test_jvp_matches_torch(torch: Any, tree: Tree, point: list[float], v: list[float]) -> None:
    f = ours([tree])
    assume(usable(f, point))
    output, jv = jvp(f, point, v)
    t_output, t_jv = torch.autograd.functional.jvp(
        theirs(torch, [tree]), tensors(torch, point), tensors(torch, v)
    )
    assume(math.isfinite(t_jv.item()))
    assert output == pytest.approx(t_output.item(), rel=1e-12, abs=1e-12)
    assert jv == pytest.approx(t_jv.item(), rel=1e-9, abs=1e-10)


@settings(max_examples=150)
@given(
    forest=st.lists(trees(max_leaves=8), min_size=2, max_size=2),
    point=points,
    v=st.lists(st.floats(-2.0, 2.0), min_size=2, max_size=2),
)
def test_vjp_of_two_outputs_matches_torch(
    torch: Any, forest: list[Tree], point: list[float], v: list[float]
) -> None:
    f = ours(forest)
    assume(usable(f, point))
    _, vj = vjp(f, point, v)
    _, t_vj = torch.autograd.functional.vjp(
        theirs(torch, forest), tensors(torch, point), tensors(torch, v)
    )
    assume(all(math.isfinite(g) for g in numbers(t_vj)))
    assert vj == pytest.approx(numbers(t_vj), rel=1e-9, abs=1e-10)


@pytest.mark.parametrize("strategy", ["reverse-mode", "forward-mode"])
@settings(max_examples=100)
@given(forest=st.lists(trees(max_leaves=8), min_size=1, max_size=3), point=points)
def test_jacobian_matches_torch(
    torch: Any, strategy: str, forest: list[Tree], point: list[float]
) -> None:
    f = ours(forest)
    assume(usable(f, point))
    J = jacobian(f, point, strategy=strategy)
    # PyTorch's forward-mode Jacobian needs vectorize=True; both of its strategies are used.
    t_J = torch.autograd.functional.jacobian(
        theirs(torch, forest),
        tensors(torch, point),
        strategy=strategy,
        vectorize=strategy == "forward-mode",
    )
    expected = numbers(t_J) if len(forest) > 1 else [numbers(t_J)]
    assume(all(math.isfinite(d) for d in flat(expected)))
    assert len(J) == len(forest) and all(len(row) == N_VARS for row in J)
    assert flat(J) == pytest.approx(flat(expected), rel=1e-9, abs=1e-10)


@pytest.mark.parametrize("strategy", ["reverse-mode", "forward-mode"])
@settings(max_examples=100)
@given(tree=trees(max_leaves=6), point=points)
def test_hessian_matches_torch(torch: Any, strategy: str, tree: Tree, point: list[float]) -> None:
    f = ours([tree])
    assume(usable(f, point, second_order=True))
    try:
        H = hessian(f, point, outer_jacobian_strategy=strategy)
    except ValueError:  # a derivative that does not exist (sqrt at 0): not comparable
        assume(False)
    t_H = torch.autograd.functional.hessian(
        theirs(torch, [tree]),
        tensors(torch, point),
        outer_jacobian_strategy=strategy,
        vectorize=strategy == "forward-mode",
    )
    expected = numbers(t_H)
    assume(all(math.isfinite(d) for d in flat(expected)))
    assert flat(H) == pytest.approx(flat(expected), rel=1e-8, abs=1e-9)


@settings(max_examples=100)
@given(tree=trees(max_leaves=6), point=points, v=points)
def test_hvp_and_vhp_match_torch(
    torch: Any, tree: Tree, point: list[float], v: list[float]
) -> None:
    f = ours([tree])
    assume(usable(f, point, second_order=True))
    try:
        _, hv = hvp(f, point, v)
        _, vh = vhp(f, point, v)
    except ValueError:
        assume(False)
    g = theirs(torch, [tree])
    _, t_hv = torch.autograd.functional.hvp(g, tensors(torch, point), tensors(torch, v))
    _, t_vh = torch.autograd.functional.vhp(g, tensors(torch, point), tensors(torch, v))
    assume(all(math.isfinite(d) for d in numbers(t_hv) + numbers(t_vh)))
    assert hv == pytest.approx(numbers(t_hv), rel=1e-8, abs=1e-8)
    assert vh == pytest.approx(numbers(t_vh), rel=1e-8, abs=1e-8)


def test_the_nesting_check_matches_torch(torch: Any) -> None:
    # d/dx [x · d/dy (x + y)] at x = 1, and d/dx [x · d/dy (x y)] at x = 3, in both libraries.
    F = torch.autograd.functional

    def t_outer(inner: Callable[[Any, Any], Any], y0: float) -> Callable[[Any], Any]:
        def g(x: Any) -> Any:
            _, d = F.jvp(
                lambda y: inner(x, y),
                (torch.tensor(y0, dtype=torch.float64),),
                (torch.tensor(1.0, dtype=torch.float64),),
                create_graph=True,
            )
            return x * d

        return g

    for inner, y0, x0 in ((lambda x, y: x + y, 1.0, 1.0), (lambda x, y: x * y, 5.0, 3.0)):
        _, expected = F.jvp(
            t_outer(inner, y0),
            (torch.tensor(x0, dtype=torch.float64),),
            (torch.tensor(1.0, dtype=torch.float64),),
        )

        def g(x: Value, inner: Callable[[Any, Any], Any] = inner, y0: float = y0) -> Value:
            d: Value = jvp(lambda y: inner(x, y), [y0])[1]
            return x * d

        assert jvp(g, [x0])[1] == expected.item()


# The arguments after f for each transform: inputs, and v where it takes one.
STRICT_ARGUMENTS: dict[str, list[Any]] = {
    "jvp": [[1.0, 2.0], [1.0, 1.0]],
    "vjp": [[1.0, 2.0], 1.0],
    "jacobian": [[1.0, 2.0]],
    "hessian": [[1.0, 2.0]],
    "hvp": [[1.0, 2.0], [1.0, 1.0]],
    "vhp": [[1.0, 2.0], [1.0, 1.0]],
}


@pytest.mark.parametrize("transform", list(STRICT_ARGUMENTS))
def test_strict_refuses_what_torch_refuses(torch: Any, transform: str) -> None:
    def both(x: Any, y: Any) -> Any:  # depends on x and y; its gradient (2x, 3) on x alone
        return x * x + 3 * y

    def only_x(x: Any, y: Any) -> Any:
        return x * x

    arguments = STRICT_ARGUMENTS[transform]
    t_arguments = [
        tensors(torch, a) if isinstance(a, list) else torch.tensor(a, dtype=torch.float64)
        for a in arguments
    ]
    refused = []
    for f in (both, only_x):
        try:
            getattr(torch.autograd.functional, transform)(f, *t_arguments, strict=True)
        except RuntimeError:
            refused.append(f.__name__)
            with pytest.raises(ValueError, match="strict=True does not allow"):
                getattr(autograd_functional, transform)(f, *arguments, strict=True)
        else:
            getattr(autograd_functional, transform)(f, *arguments, strict=True)
    second_order = transform in ("hessian", "hvp", "vhp")
    assert refused == (["both", "only_x"] if second_order else ["only_x"])
