"""nn's losses and optimizers against PyTorch's, in float64 (run with `make check-torch`)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from nn import SGD, Adam, binary_cross_entropy, cross_entropy, hinge_loss, mse_loss

pytestmark = pytest.mark.torch


@pytest.fixture(scope="module")
def torch() -> ModuleType:
    import torch

    return torch


def ours(loss: Any, ps: list[float], ts: Any) -> tuple[float, list[float]]:
    values = [Value(p) for p in ps]
    out = loss(values, ts)
    out.backward()
    return out.data, [v.grad for v in values]


def theirs(torch: Any, loss: Any, ps: list[float], ts: Any) -> tuple[float, list[float]]:
    p = torch.tensor(ps, dtype=torch.float64, requires_grad=True)
    out = loss(p, ts)
    out.backward()
    return out.item(), p.grad.tolist()


def sized(element: st.SearchStrategy[float], target: st.SearchStrategy[float]) -> Any:
    return st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            st.lists(element, min_size=n, max_size=n), st.lists(target, min_size=n, max_size=n)
        )
    )


@given(sized(st.floats(-10, 10), st.floats(-10, 10)))
def test_mse_loss(torch: Any, case: tuple[list[float], list[float]]) -> None:
    ps, ts = case
    target = torch.tensor(ts, dtype=torch.float64)
    expected = theirs(torch, lambda p, t: torch.nn.functional.mse_loss(p, target), ps, ts)
    value, grads = ours(mse_loss, ps, ts)
    assert value == pytest.approx(expected[0], rel=1e-12, abs=1e-15)
    assert grads == pytest.approx(expected[1], rel=1e-12, abs=1e-15)


# PyTorch's BCE backward divides by max(p (1 - p), 1e-12) rather than clamping each log, so the
# gradients are compared away from the clamped edges (the values agree everywhere).
@given(sized(st.floats(1e-6, 1 - 1e-6), st.floats(0.0, 1.0)))
def test_binary_cross_entropy(torch: Any, case: tuple[list[float], list[float]]) -> None:
    ps, ts = case
    target = torch.tensor(ts, dtype=torch.float64)
    expected = theirs(
        torch, lambda p, t: torch.nn.functional.binary_cross_entropy(p, target), ps, ts
    )
    value, grads = ours(binary_cross_entropy, ps, ts)
    assert value == pytest.approx(expected[0], rel=1e-10, abs=1e-12)
    assert grads == pytest.approx(expected[1], rel=1e-8, abs=1e-12)


@given(sized(st.sampled_from([0.0, 1.0, 1e-300, 1 - 1e-16]), st.floats(0.0, 1.0)))
def test_binary_cross_entropy_values_at_the_edges(
    torch: Any, case: tuple[list[float], list[float]]
) -> None:
    ps, ts = case
    expected = torch.nn.functional.binary_cross_entropy(
        torch.tensor(ps, dtype=torch.float64), torch.tensor(ts, dtype=torch.float64)
    )
    assert ours(binary_cross_entropy, ps, ts)[0] == pytest.approx(
        expected.item(), rel=1e-12, abs=1e-12
    )


@given(sized(st.floats(-5, 5), st.sampled_from([-1.0, 1.0])))
def test_hinge_loss_as_torch_writes_it(torch: Any, case: tuple[list[float], list[float]]) -> None:
    ps, ts = case
    target = torch.tensor(ts, dtype=torch.float64)
    expected = theirs(torch, lambda p, t: torch.relu(1 - target * p).mean(), ps, ts)
    value, grads = ours(hinge_loss, ps, ts)
    assert value == pytest.approx(expected[0], rel=1e-12, abs=1e-15)
    assert grads == pytest.approx(expected[1], rel=1e-12, abs=1e-15)


logits = st.one_of(st.floats(-30, 30), st.sampled_from([-1000.0, 1000.0]))


@given(
    st.integers(1, 4).flatmap(
        lambda k: st.lists(st.lists(logits, min_size=k, max_size=k), min_size=1, max_size=4)
    ),
    st.data(),
)
def test_cross_entropy(torch: Any, rows: list[list[float]], data: st.DataObject) -> None:
    k = len(rows[0])
    classes = data.draw(st.lists(st.integers(0, k - 1), min_size=len(rows), max_size=len(rows)))
    scores = [[Value(v) for v in row] for row in rows]
    out = cross_entropy(scores, classes)
    out.backward()
    x = torch.tensor(rows, dtype=torch.float64, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(x, torch.tensor(classes))
    expected.backward()
    assert out.data == pytest.approx(expected.item(), rel=1e-10, abs=1e-12)
    got = [v.grad for row in scores for v in row]
    assert got == pytest.approx(x.grad.flatten().tolist(), rel=1e-9, abs=1e-12)


def trajectory_ours(make: Any, grads: list[list[float]], start: list[float]) -> list[list[float]]:
    params = [Value(x) for x in start]
    optimizer = make(params)
    path = []
    for step in grads:
        for p, g in zip(params, step, strict=True):
            p.grad = g
        optimizer.step()
        path.append([p.data for p in params])
    return path


def trajectory_theirs(
    torch: Any, make: Any, grads: list[list[float]], start: list[float]
) -> list[list[float]]:
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = make([p])
    path = []
    for step in grads:
        p.grad = torch.tensor(step, dtype=torch.float64)
        optimizer.step()
        path.append(p.detach().tolist())
    return path


def flat(path: list[list[float]]) -> list[float]:
    return [x for point in path for x in point]


steps = st.lists(st.lists(st.floats(-3, 3), min_size=3, max_size=3), min_size=1, max_size=6)
START = [0.5, -1.0, 2.0]


@pytest.mark.parametrize(
    "options",
    [
        {"lr": 0.1},
        {"lr": 0.05, "momentum": 0.9},
        {"lr": 0.05, "momentum": 0.9, "nesterov": True},
        {"lr": 0.05, "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.01},
    ],
)
@given(grads=steps)
def test_sgd_follows_torch(torch: Any, options: dict[str, Any], grads: list[list[float]]) -> None:
    expected = trajectory_theirs(torch, lambda ps: torch.optim.SGD(ps, **options), grads, START)
    got = trajectory_ours(lambda ps: SGD(ps, **options), grads, START)
    assert flat(got) == pytest.approx(flat(expected), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    "options",
    [
        {"lr": 1e-3},
        {"lr": 0.1, "betas": (0.8, 0.9)},
        {"lr": 0.01, "weight_decay": 0.1, "eps": 1e-6},
    ],
)
@given(grads=steps)
def test_adam_follows_torch(torch: Any, options: dict[str, Any], grads: list[list[float]]) -> None:
    expected = trajectory_theirs(torch, lambda ps: torch.optim.Adam(ps, **options), grads, START)
    got = trajectory_ours(lambda ps: Adam(ps, **options), grads, START)
    assert flat(got) == pytest.approx(flat(expected), rel=1e-10, abs=1e-12)
