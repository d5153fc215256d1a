"""The random expression graphs against torch.autograd in float64 (run with `make check-torch`)."""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd import Value, grad, topological_order
from tests.autograd.expressions import N_VARS, UNARY, VALUES, Backend, Tree, kinks_nearby, trees

pytestmark = pytest.mark.torch

points = st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=N_VARS, max_size=N_VARS)


@pytest.fixture(scope="module")
def torch() -> ModuleType:
    import torch

    return torch


def torch_backend(torch: Any) -> Backend:
    def const(c: float) -> Any:
        return torch.tensor(c, dtype=torch.float64)

    funcs = {name: getattr(torch, name) for name in UNARY if name not in ("neg", "pos")}
    funcs |= {"neg": torch.neg, "pos": torch.positive}
    return Backend(const, funcs)


def torch_grads(torch: Any, out: Any, inputs: list[Any], create_graph: bool = False) -> list[Any]:
    """d out / d input for each input, zero where out does not depend on it (as grad() does)."""
    if not out.requires_grad:
        return [torch.tensor(0.0, dtype=torch.float64) for _ in inputs]
    grads = torch.autograd.grad(out, inputs, create_graph=create_graph, allow_unused=True)
    return [torch.tensor(0.0, dtype=torch.float64) if g is None else g for g in grads]


@settings(max_examples=300)
@given(tree=trees(), point=points)
def test_gradients_match_torch_autograd(torch: Any, tree: Tree, point: list[float]) -> None:
    xs = [Value(x) for x in point]
    out = VALUES.evaluate(tree, xs)
    assume(isinstance(out, Value) and math.isfinite(out.data) and not kinks_nearby(out, 1e-12))
    out.backward()

    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    t_out = torch_backend(torch).evaluate(tree, ts)
    assert out.data == pytest.approx(t_out.item(), rel=1e-12, abs=1e-12)
    expected = [g.item() for g in torch_grads(torch, t_out, ts)]
    assert [x.grad for x in xs] == pytest.approx(expected, rel=1e-10, abs=1e-12)


@settings(max_examples=150)
@given(tree=trees(max_leaves=6), point=points)
def test_second_derivatives_match_torch(torch: Any, tree: Tree, point: list[float]) -> None:
    xs = [Value(x) for x in point]
    out = VALUES.evaluate(tree, xs)
    assume(isinstance(out, Value) and math.isfinite(out.data) and not kinks_nearby(out, 1e-12))
    # At an exponent of exactly 0, PyTorch's pow backward masks the base's derivative with
    # where(exponent == 0, 0, ...), which drops its dependence on the exponent: a second
    # derivative there differs from the analytic one (tested in test_rules instead).
    assume(not any(n.op == "**" and n.parents[1].data == 0 for n in topological_order(out)))
    first = grad(out, xs, create_graph=True)
    assume(all(math.isfinite(g.data) for g in first))
    ours = grad(sum(first, Value(0.0)), xs)

    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    t_out = torch_backend(torch).evaluate(tree, ts)
    t_first = torch_grads(torch, t_out, ts, create_graph=True)
    total = sum(t_first, torch.tensor(0.0, dtype=torch.float64))
    expected = [g.item() for g in torch_grads(torch, total, ts)]
    assert ours == pytest.approx(expected, rel=1e-9, abs=1e-10)
