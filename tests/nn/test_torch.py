"""nn's losses and optimizers against PyTorch's, in float64 (run with `make check-torch`)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from nn import MLP, SGD, Adam, binary_cross_entropy, cross_entropy, hinge_loss, mse_loss
from nn.datasets import make_moons

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


# --- the hand-off: MLP.to_torch and MLP.from_torch ------------------------------------------------

ACTIVATIONS = ["linear", "relu", "tanh", "sigmoid"]
activations = st.sampled_from(ACTIVATIONS)
layer_sizes = st.lists(st.integers(1, 5), min_size=1, max_size=3)


def outputs(model: MLP, x: list[float]) -> list[float]:
    out = model(x)
    return [out.data] if isinstance(out, Value) else [v.data for v in out]


@given(
    nin=st.integers(1, 4),
    nouts=layer_sizes,
    activation=activations,
    last=activations,
    seed=st.integers(0, 2**32),
    data=st.data(),
)
def test_to_torch_computes_the_same_function(
    torch: Any, nin: int, nouts: list[int], activation: str, last: str, seed: int, data: Any
) -> None:
    model = MLP(nin, nouts, activation=activation, output_activation=last, seed=seed)
    for k, p in enumerate(model.parameters()):
        p.data += 0.1 * (k % 3 - 1)  # non-zero biases too
    sequential = model.to_torch()
    batch = data.draw(
        st.lists(st.lists(st.floats(-3, 3), min_size=nin, max_size=nin), min_size=1, max_size=5)
    )
    theirs = sequential(torch.tensor(batch, dtype=torch.float64)).tolist()
    ours = [outputs(model, x) for x in batch]
    assert [v for row in ours for v in row] == pytest.approx(
        [v for row in theirs for v in row], rel=1e-12, abs=1e-12
    )


def test_to_torch_is_a_float64_sequential_with_pytorchs_own_keys(torch: Any) -> None:
    model = MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", seed=0)
    sequential = model.to_torch()
    assert [type(m).__name__ for m in sequential] == ["Linear", "Tanh", "Linear", "Sigmoid"]
    state = sequential.state_dict()
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert all(t.dtype == torch.float64 for t in state.values())
    for i, layer in zip((0, 2), model.layers, strict=True):
        assert state[f"{i}.weight"].shape == (layer.nout, layer.nin)
        for j, neuron in enumerate(layer.neurons):
            assert state[f"{i}.bias"][j].item() == neuron.b.data
            for k, w in enumerate(neuron.w):
                assert state[f"{i}.weight"][j, k].item() == w.data  # exactly: float64 both
    assert [type(m).__name__ for m in MLP(2, [3, 1]).to_torch()] == ["Linear", "ReLU", "Linear"]


def test_to_torch_leaves_torchs_random_numbers_alone(torch: Any) -> None:
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    MLP(2, [3, 1], seed=0).to_torch()
    assert torch.equal(torch.rand(3), expected)


@given(nin=st.integers(1, 4), nouts=layer_sizes, activation=activations, last=activations)
def test_a_round_trip_through_torch_is_exact(
    torch: Any, nin: int, nouts: list[int], activation: str, last: str
) -> None:
    model = MLP(nin, nouts, activation=activation, output_activation=last, seed=3)
    back = MLP.from_torch(model.to_torch())
    assert back.state_dict() == model.state_dict()
    if len(nouts) > 1:  # one layer has no hidden activation to carry
        assert repr(back) == repr(model)
    assert back.layers[-1].activation == last


def test_from_torch_reads_a_model_made_in_pytorch(torch: Any) -> None:
    torch.manual_seed(1)
    sequential = torch.nn.Sequential(
        torch.nn.Linear(2, 5), torch.nn.Tanh(), torch.nn.Linear(5, 1), torch.nn.Identity()
    )  # float32: read exactly as float64
    model = MLP.from_torch(sequential)
    assert repr(model) == "MLP(2, [5, 1], activation='tanh', output_activation='linear')"
    x = [0.25, -1.5]
    expected = sequential.double()(torch.tensor(x, dtype=torch.float64)).item()
    assert outputs(model, x) == pytest.approx([expected], rel=1e-12)


def train_ours(model: MLP, X: list[list[float]], y: list[float], steps: int, lr: float) -> None:
    optimizer = SGD(model.parameters(), lr=lr, momentum=0.9)
    for _ in range(steps):
        predictions = [model(x) for x in X]
        loss = mse_loss(predictions, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_ten_sgd_steps_on_each_side_give_the_same_parameters(torch: Any, activation: str) -> None:
    X, y = make_moons(20, noise=0.1, seed=0)
    model = MLP(2, [8, 8, 1], activation=activation, seed=5)
    sequential = model.to_torch()
    train_ours(model, X, [float(t) for t in y], steps=10, lr=0.05)

    optimizer = torch.optim.SGD(sequential.parameters(), lr=0.05, momentum=0.9)
    inputs = torch.tensor(X, dtype=torch.float64)
    targets = torch.tensor(y, dtype=torch.float64)
    for _ in range(10):
        loss = torch.nn.functional.mse_loss(sequential(inputs).squeeze(1), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    ours = MLP.from_torch(sequential).state_dict()
    assert list(ours) == list(model.state_dict())
    assert list(model.state_dict().values()) == pytest.approx(
        list(ours.values()), rel=1e-12, abs=1e-12
    )


def test_training_continues_in_torch_from_where_it_stopped(torch: Any) -> None:
    X, y = make_moons(30, noise=0.1, seed=1)
    model = MLP(2, [8, 1], seed=2)
    train_ours(model, X, [float(t) for t in y], steps=5, lr=0.05)
    sequential = model.to_torch()
    inputs = torch.tensor(X, dtype=torch.float64)
    assert sequential(inputs).squeeze(1).tolist() == pytest.approx(
        [outputs(model, x)[0] for x in X], rel=1e-12, abs=1e-12
    )


def refused(torch: Any, *layers: Any) -> str:
    with pytest.raises(ValueError) as caught:
        MLP.from_torch(torch.nn.Sequential(*layers))
    return str(caught.value)


@pytest.mark.parametrize(
    ("build", "named"),
    [
        (lambda nn: [nn.Linear(2, 3), nn.Dropout(0.5), nn.Linear(3, 1)], "layer 1 (Dropout(p=0.5"),
        (lambda nn: [nn.Linear(2, 3), nn.GELU()], "layer 1 (GELU("),
        (lambda nn: [nn.Linear(2, 3), nn.LayerNorm(3)], "layer 1 (LayerNorm("),
        (lambda nn: [nn.Linear(2, 3), nn.Softmax(dim=-1)], "layer 1 (Softmax("),
        (lambda nn: [nn.Conv1d(1, 1, 1)], "layer 0 (Conv1d("),
        (lambda nn: [nn.Sequential(nn.Linear(2, 1))], "layer 0 (Sequential("),
        (lambda nn: [nn.Linear(2, 3, bias=False)], "layer 0 (Linear(in_features=2"),
        (lambda nn: [nn.Linear(2, 3), nn.ReLU(), nn.Linear(4, 1)], "layer 2 (Linear(in_features=4"),
        (lambda nn: [nn.ReLU(), nn.Linear(2, 1)], "layer 0 (ReLU()"),
        (lambda nn: [nn.Linear(2, 0)], "layer 0 (Linear(in_features=2, out_features=0"),
        (lambda nn: [nn.Linear(0, 2)], "layer 0 (Linear(in_features=0, out_features=2"),
        (lambda nn: [nn.Linear(2, 3), nn.ReLU(), nn.Tanh()], "layer 2 (Tanh()"),
        (
            lambda nn: [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1)],
            "layer 2 (Linear(in_features=3, out_features=3",
        ),
        (
            lambda nn: [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.Linear(3, 1)],
            "layer 2 (Linear(in_features=3, out_features=3",
        ),
    ],
)
def test_from_torch_refuses_what_an_mlp_cannot_represent_naming_it(
    torch: Any, build: Any, named: str
) -> None:
    message = refused(torch, *build(torch.nn))
    assert named in message and "MLP.from_torch cannot represent" in message


def test_from_torch_refuses_non_finite_weights_and_what_is_not_a_sequential(torch: Any) -> None:
    linear = torch.nn.Linear(2, 1)
    with torch.no_grad():
        linear.bias[0] = float("nan")
    assert "0.bias: it holds NaN or infinity" in refused(torch, linear)
    assert "no Linear layer" in refused(torch)
    on_meta = torch.nn.Linear(2, 1, device="meta")  # shapes, but no numbers
    assert "0.weight: it is on the meta device, which holds no numbers" in refused(torch, on_meta)
    with pytest.raises(TypeError, match="takes a torch.nn.Sequential, got Linear"):
        MLP.from_torch(torch.nn.Linear(2, 1))


def test_the_readme_hand_off_runs_and_agrees(
    torch: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## When you outgrow chainrule", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    scope: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), scope)
    theirs, ours = (float(v) for v in capsys.readouterr().out.splitlines()[0].split())
    assert theirs == pytest.approx(ours, rel=1e-12)
    assert isinstance(scope["model"], MLP)
    assert scope["model"].state_dict() == MLP.from_torch(scope["net"]).state_dict()
