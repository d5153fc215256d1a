"""train: it learns the moons, keeps an honest history, and refuses what it cannot do."""

from __future__ import annotations

import gc
import math
import re
import sys
from collections.abc import Callable
from typing import Any

import pytest

from autograd import TraceError, Value
from nn import (
    MLP,
    SGD,
    Adam,
    accuracy,
    binary_cross_entropy,
    cross_entropy,
    hinge_loss,
    linear_schedule,
    mse_loss,
    train,
)
from nn.datasets import make_moons, make_spiral
from nn.optim import Optimizer


def single(out: Value | list[Value]) -> Value:
    """The output of a model with one output unit."""
    assert isinstance(out, Value)
    return out


def several(out: Value | list[Value]) -> list[Value]:
    """The output of a model with several output units."""
    assert isinstance(out, list)
    return out


def test_a_short_run_classifies_the_moons() -> None:
    X, y = make_moons(60, noise=0.1, seed=0)
    model = MLP(2, [8, 1], activation="tanh", seed=0)
    history = train(
        model, X, y, hinge_loss, Adam(model.parameters(), lr=0.1), epochs=60, progress=False
    )
    assert accuracy(model, X, y) >= 0.95
    assert history["accuracy"][-1] >= 0.95
    assert history["loss"][-1] < 0.5 * history["loss"][0]


def test_micrograds_recipe_learns_too() -> None:
    """SGD on the hinge loss plus L2 with a falling learning rate, the demo's recipe, shortened."""
    X, y = make_moons(40, noise=0.1, seed=1)
    model = MLP(2, [8, 8, 1], seed=1)
    history = train(
        model,
        X,
        y,
        hinge_loss,
        SGD(model.parameters(), lr=1.0),
        epochs=40,
        progress=False,
        l2=1e-4,
        lr_schedule=linear_schedule(1.0, 0.1, 40),
    )
    assert history["lr"] == pytest.approx([1.0 - 0.9 * k / 40 for k in range(40)])
    assert accuracy(model, X, y) >= 0.9


def test_history_has_one_entry_per_epoch_and_the_same_seed_repeats_it() -> None:
    X, y = make_moons(20, seed=2)

    def run() -> dict[str, list[float]]:
        model = MLP(2, [4, 1], seed=5)
        return train(
            model, X, y, optimizer=SGD(model.parameters(), lr=0.05), epochs=7, progress=False
        )

    history = run()
    assert set(history) == {"loss", "lr", "accuracy"}
    assert all(len(values) == 7 for values in history.values())
    assert all(0.0 <= a <= 1.0 for a in history["accuracy"])
    assert history == run()


def test_the_history_records_the_loss_and_accuracy_before_each_step() -> None:
    """With lr 0 nothing moves, so every epoch repeats the loss and accuracy of the start."""
    X, y = make_moons(30, seed=3)
    model = MLP(2, [4, 1], seed=3)
    predictions = [single(model(x)) for x in X]
    expected_loss = hinge_loss(predictions, y).data + 0.01 * sum(
        p.data**2 for p in model.parameters()
    )
    expected_accuracy = sum(
        (p.data > 0) == (t > 0) for p, t in zip(predictions, y, strict=True)
    ) / len(y)
    history = train(
        model, X, y, optimizer=SGD(model.parameters(), lr=0.0), epochs=3, progress=False, l2=0.01
    )
    assert history["loss"] == pytest.approx([expected_loss] * 3, rel=1e-12)
    assert history["accuracy"] == [expected_accuracy] * 3


def test_batches_take_one_step_each_and_cover_every_sample() -> None:
    class Counting(SGD):
        steps = 0

        def step(self) -> None:
            Counting.steps += 1
            super().step()

    X, y = make_moons(25, seed=0)
    model = MLP(2, [3, 1], seed=0)
    history = train(
        model,
        X,
        y,
        optimizer=Counting(model.parameters(), lr=0.01),
        epochs=2,
        progress=False,
        batch_size=10,
    )
    assert Counting.steps == 2 * 3
    # Accuracy counts each sample once per epoch, so it is a multiple of 1/25.
    assert all(round(a * 25, 9).is_integer() for a in history["accuracy"])


def test_cross_entropy_on_three_spiral_arms_uses_argmax_accuracy() -> None:
    X, y = make_spiral(30, classes=3, seed=0)
    model = MLP(2, [8, 3], activation="tanh", seed=0)
    history = train(
        model, X, y, cross_entropy, Adam(model.parameters(), lr=0.05), epochs=30, progress=False
    )
    assert history["loss"][-1] < history["loss"][0]
    outputs = [several(model(x)) for x in X]
    argmax = [max(range(3), key=lambda k: o[k].data) for o in outputs]
    assert accuracy(model, X, y) == sum(a == t for a, t in zip(argmax, y, strict=True)) / len(y)


def test_probabilities_with_zero_one_labels() -> None:
    X, y = make_moons(30, seed=4, labels=(0, 1))
    model = MLP(2, [6, 1], activation="tanh", output_activation="sigmoid", seed=0)
    history = train(
        model,
        X,
        y,
        binary_cross_entropy,
        Adam(model.parameters(), lr=0.05),
        epochs=40,
        progress=False,
    )
    assert history["accuracy"][-1] >= 0.8
    assert accuracy(model, X, y) == sum(
        (single(model(x)).data > 0.5) == (t == 1) for x, t in zip(X, y, strict=True)
    ) / len(y)


def test_regression_has_no_accuracy() -> None:
    X = [[x / 10] for x in range(10)]
    y = [2.0 * x[0] + 0.5 for x in X]
    model = MLP(1, [1], seed=0)
    history = train(
        model, X, y, mse_loss, SGD(model.parameters(), lr=0.5), epochs=200, progress=False
    )
    assert "accuracy" not in history
    neuron = model.layers[0].neurons[0]
    assert (neuron.w[0].data, neuron.b.data) == pytest.approx((2.0, 0.5), abs=1e-3)


def test_the_progress_bar_shows_loss_and_accuracy_unless_switched_off(
    capsys: pytest.CaptureFixture[str],
) -> None:
    X, y = make_moons(10, seed=0)
    train(MLP(2, [2, 1], seed=0), X, y, epochs=2, progress=True)
    err = capsys.readouterr().err
    assert "2/2" in err and "loss=" in err and "accuracy=" in err
    train(MLP(2, [2, 1], seed=0), X, y, epochs=2, progress=False)
    assert capsys.readouterr() == ("", "")


def test_a_loss_that_blows_up_stops_training_before_it_spoils_the_parameters() -> None:
    X = [[1.0], [2.0]]
    y = [1.0, -1.0]
    model = MLP(1, [1], seed=0)
    with pytest.raises(FloatingPointError, match=r"the loss is (inf|nan) in epoch \d+"):
        train(model, X, y, mse_loss, SGD(model.parameters(), lr=1e3), epochs=500, progress=False)
    assert all(math.isfinite(p.data) for p in model.parameters())


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"y": [1]}, ValueError, "2 inputs but 1 targets"),
        ({"X": [], "y": []}, ValueError, "no training data"),
        ({"epochs": -1}, ValueError, "epochs must be at least 0, got -1"),
        ({"epochs": 2.5}, TypeError, "epochs must be an int, got float"),
        ({"batch_size": 0}, ValueError, "batch_size must be at least 1"),
        ({"l2": -1.0}, ValueError, "l2 must be a finite number >= 0"),
        (
            {"lr_schedule": lambda k: -0.1},
            ValueError,
            r"learning rate lr_schedule\(0\) must be a finite number >= 0, got -0.1",
        ),
        (
            {"lr_schedule": lambda k: math.nan},
            ValueError,
            r"learning rate lr_schedule\(0\) must be a finite number >= 0, got nan",
        ),
        (
            {"lr_schedule": lambda k: "0.1"},
            TypeError,
            r"lr_schedule\(0\) must be a number, got str",
        ),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], error: type, message: str) -> None:
    arguments: dict[str, object] = {"X": [[0.0, 1.0], [1.0, 0.0]], "y": [1, -1], "progress": False}
    model = MLP(2, [1], seed=0)
    with pytest.raises(error, match=message):
        train(model, **(arguments | kwargs))  # type: ignore[arg-type]


def test_accuracy_needs_class_labels() -> None:
    with pytest.raises(ValueError, match="not class labels"):
        accuracy(MLP(1, [1]), [[0.0]], [0.5])


def test_the_default_optimizer_is_sgd_on_the_models_parameters() -> None:
    X, y = make_moons(10, seed=0)
    model = MLP(2, [2, 1], seed=0)
    before = [p.data for p in model.parameters()]
    train(model, X, y, epochs=1, progress=False)
    model_after = [p.data for p in model.parameters()]
    reference = MLP(2, [2, 1], seed=0)
    optimizer: Optimizer = SGD(reference.parameters(), lr=0.1)
    hinge_loss([reference(x) for x in X], y).backward()
    optimizer.step()
    assert model_after == [p.data for p in reference.parameters()] != before
    assert isinstance(model(X[0]), Value)


@pytest.mark.parametrize("enabled", [True, False])
def test_each_step_runs_with_the_collector_paused_and_restores_it(enabled: bool) -> None:
    seen: list[bool] = []

    def watched_loss(predictions: object, targets: object) -> Value:
        seen.append(gc.isenabled())
        return mse_loss(predictions, targets)

    X, y = [[0.0], [1.0]], [0.0, 1.0]
    was_enabled = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        train(MLP(1, [1], seed=0), X, y, watched_loss, epochs=3, progress=False, batch_size=1)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was_enabled else gc.disable)()
    assert seen == [False] * 6


def test_a_failing_step_restores_the_collector() -> None:
    def failing_loss(predictions: object, targets: object) -> Value:
        raise RuntimeError("boom")

    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="boom"):
        train(MLP(1, [1], seed=0), [[0.0]], [0.0], failing_loss, epochs=1, progress=False)
    assert gc.isenabled()


# --- compile=True: the per-sample loss from a traced tape -------------------------------------

Case = tuple[
    Callable[[], MLP], list[Any], list[Any], Any, Callable[[MLP], Optimizer], dict[str, Any]
]


def _moons_case() -> Case:
    X, y = make_moons(40, noise=0.1, seed=3)
    return (
        lambda: MLP(2, [8, 8, 1], seed=4),
        X,
        y,
        hinge_loss,
        lambda m: SGD(m.parameters(), lr=1.0, momentum=0.5),
        {"l2": 1e-4},
    )


def _spiral_case() -> Case:
    X, y = make_spiral(45, 3, seed=0)
    return (
        lambda: MLP(2, [8, 3], activation="tanh", seed=1),
        X,
        y,
        cross_entropy,
        lambda m: Adam(m.parameters(), lr=0.05),
        {"batch_size": 16},
    )


def _probabilities_case() -> Case:
    X, y = make_moons(30, noise=0.1, seed=5, labels=(0, 1))
    return (
        lambda: MLP(2, [6, 1], output_activation="sigmoid", seed=2),
        X,
        y,
        binary_cross_entropy,
        lambda m: SGD(m.parameters(), lr=0.5),
        {"batch_size": 7, "l2": 1e-3},
    )


def _regression_case() -> Case:
    X = [[0.1 * i, 1.0 - 0.05 * i] for i in range(20)]
    y = [[math.sin(a) + b, a * b] for a, b in X]  # two outputs: each target is a pair
    return (
        lambda: MLP(2, [5, 2], activation="sigmoid", seed=3),
        X,
        y,
        mse_loss,
        lambda m: SGD(m.parameters(), lr=0.3),
        {},
    )


@pytest.mark.parametrize("case", [_moons_case, _spiral_case, _probabilities_case, _regression_case])
def test_compile_gives_the_eager_losses_and_parameters_step_for_step(
    case: Callable[[], Case],
) -> None:
    make_model, X, y, loss, make_optimizer, options = case()
    eager_model, taped_model = make_model(), make_model()
    eager_opt, taped_opt = make_optimizer(eager_model), make_optimizer(taped_model)
    for epoch in range(4):
        eager = train(eager_model, X, y, loss, eager_opt, 1, False, seed=epoch, **options)
        taped = train(
            taped_model, X, y, loss, taped_opt, 1, False, seed=epoch, compile=True, **options
        )
        assert taped["loss"] == pytest.approx(eager["loss"], rel=1e-12)
        assert taped.get("accuracy") == eager.get("accuracy")
        for (name, p), q in zip(
            eager_model.named_parameters(), taped_model.parameters(), strict=True
        ):
            assert q.data == pytest.approx(p.data, rel=1e-10, abs=1e-12), (epoch, name)
            assert q.grad == pytest.approx(p.grad, rel=1e-10, abs=1e-12), (epoch, name)


def test_compile_refuses_a_loss_that_is_not_a_mean_of_per_sample_losses() -> None:
    def summed(predictions: object, targets: object) -> Value:
        count = len(predictions) if isinstance(predictions, list) else 1
        return mse_loss(predictions, targets) * count

    X, y = [[0.0], [1.0], [2.0]], [0.0, 1.0, 0.5]
    model = MLP(1, [2, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=r"compile=True.*mean of its per-sample losses"):
        train(model, X, y, summed, epochs=2, progress=False, compile=True)
    assert [p.data for p in model.parameters()] == before


def test_compile_stops_before_a_step_with_a_loss_that_is_not_finite() -> None:
    model = MLP(1, [1], seed=0)
    with pytest.raises(FloatingPointError, match=r"the loss is (inf|nan) in epoch \d+"):
        train(
            model,
            [[1.0], [2.0]],
            [1.0, -1.0],
            mse_loss,
            SGD(model.parameters(), lr=1e3),
            epochs=500,
            progress=False,
            compile=True,
        )
    assert all(math.isfinite(p.data) for p in model.parameters())


def per_sample_mean(term: Callable[[Value, Any], Value]) -> Callable[[object, object], Value]:
    """The loss that is the mean of ``term(p, t)`` over the samples."""

    def loss(predictions: object, targets: object) -> Value:
        ps = predictions if isinstance(predictions, list) else [predictions]
        ts = targets if isinstance(targets, list) else [targets]
        terms: list[Value] = [term(p, t) for p, t in zip(ps, ts, strict=True)]
        total: Value = sum(terms[1:], terms[0])
        return total / len(terms)

    return loss


# A mean of per-sample losses that branches on a comparison of Values: d**2 above the target,
# 3 d**2 below it.
branching_loss = per_sample_mean(lambda p, t: (p - t) ** 2 if p - t > 0 else 3.0 * (p - t) ** 2)


def test_compile_stops_where_a_sample_branches_otherwise_with_the_last_step_kept() -> None:
    X, y = [[1.0], [2.0], [3.0]], [-3.0, -2.0, -1.7]  # each prediction starts above its target
    taped, eager = MLP(1, [1], seed=0), MLP(1, [1], seed=0)
    with pytest.raises(TraceError, match=r"in epoch (\d+), sample 2 of X .* f compared") as caught:
        train(
            taped, X, y, branching_loss, SGD(taped.parameters(), lr=0.05), 50, False, compile=True
        )
    assert caught.value.sample == 2
    assert "for this sample" in caught.value.comparison
    found = re.search(r"in epoch (\d+)", str(caught.value))
    assert found is not None
    epochs = int(found.group(1))
    assert epochs > 0  # it failed mid-training, not on the first step
    history = train(eager, X, y, branching_loss, SGD(eager.parameters(), lr=0.05), epochs, False)
    assert len(history["loss"]) == epochs
    for p, q in zip(eager.parameters(), taped.parameters(), strict=True):
        assert q.data == pytest.approx(p.data, rel=1e-12)  # every step whole, none half-taken
    assert single(taped(X[2])).data <= y[2]  # that sample did cross its target


@pytest.mark.parametrize(
    ("loss", "y", "bad", "message"),
    [
        (hinge_loss, [1.0, -1.0, 1.0, -1.0, 1.0, 0.0], 5, r"is 0.0; targets must be -1 or \+1"),
        (binary_cross_entropy, [1.0, 0.0, 1.0, 0.0, 2.0, 1.0], 4, r"is 2.0, outside \[0, 1\]"),
    ],
)
def test_compile_checks_every_target_as_the_loss_does_not_only_the_traced_ones(
    loss: Callable[[Any, Any], Value], y: list[float], bad: int, message: str
) -> None:
    X = [[0.1 * i, -0.2 * i] for i in range(6)]
    activation = "linear" if loss is hinge_loss else "sigmoid"
    model = MLP(2, [3, 1], output_activation=activation, seed=0)
    with pytest.raises(ValueError, match=rf"target \d {message}"):  # its place in its batch
        train(model, X, y, loss, epochs=2, progress=False, batch_size=2)
    model = MLP(2, [3, 1], output_activation=activation, seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=rf"on sample {bad} of X, before any step: .* {message}"):
        train(model, X, y, loss, epochs=2, progress=False, batch_size=2, compile=True)
    assert [p.data for p in model.parameters()] == before


def test_compile_names_the_sample_of_x_where_an_operation_is_undefined() -> None:
    X = [[-1.0], [-2.0], [3.0]]  # the model's prediction is negative on X[2] only
    model = MLP(1, [1], seed=0)
    before = [p.data for p in model.parameters()]
    log_loss = per_sample_mean(lambda p, t: -p.log())
    with pytest.raises(ValueError, match=r"^log of non-positive value -1.64"):
        train(model, X, [0.0] * 3, log_loss, epochs=1, progress=False, batch_size=2)
    with pytest.raises(
        ValueError, match=r"^train\(compile=True\): on sample 2 of X, before any step: log of"
    ):
        train(model, X, [0.0] * 3, log_loss, epochs=1, progress=False, batch_size=2, compile=True)
    assert [p.data for p in model.parameters()] == before


@pytest.mark.parametrize("batch_size", [None, 1])
def test_compile_names_the_sample_of_x_that_a_step_takes_out_of_the_domain(
    batch_size: int | None,
) -> None:
    X = [[-1.0], [-2.0]]
    model = MLP(1, [1], seed=0)
    too_far = per_sample_mean(lambda p, t: p.log())  # lr 1 steps over log's pole at 0
    with pytest.raises(
        ValueError, match=r"in epoch \d+, on sample \d of X: log of non-pos"
    ) as caught:
        train(
            model,
            X,
            [0.0] * 2,
            too_far,
            SGD(model.parameters(), lr=1.0),
            3,
            False,
            batch_size=batch_size,
            compile=True,
        )
    found = re.search(r"sample (\d) of X: log of non-positive value (\S+)$", str(caught.value))
    assert found is not None
    sample, value = int(found.group(1)), float(found.group(2))
    assert single(model(X[sample])).data == value  # the named sample is the one out of domain


def test_compile_keeps_the_last_steps_grads_when_a_derivative_is_undefined() -> None:
    X, y = [[1.0], [2.0], [0.0]], [0.5, 0.3, 0.0]  # on X[2], the model predicts its target
    root_loss = per_sample_mean(lambda p, t: ((p - t) * (p - t)).sqrt())
    model = MLP(1, [1], seed=0)
    with pytest.raises(ValueError, match=r"on sample 2 of X: sqrt has no finite derivative at"):
        train(
            model,
            X,
            y,
            root_loss,
            SGD(model.parameters(), lr=0.0),
            1,
            False,
            batch_size=1,
            compile=True,
        )
    # X[0] came first (the shuffled order is 0, 2, 1): its step's gradient is what .grad holds
    assert [p.grad for p in model.parameters()] == [-1.0, -1.0]


@pytest.mark.parametrize("compile", [False, True])
def test_train_and_accuracy_take_numpy_arrays(compile: bool) -> None:
    import numpy as np

    X, y = make_moons(30, noise=0.1, seed=0)
    lists_model, arrays_model = MLP(2, [4, 1], seed=0), MLP(2, [4, 1], seed=0)
    from_lists = train(lists_model, X, y, epochs=3, progress=False, compile=compile)
    from_arrays = train(
        arrays_model, np.array(X), np.array(y), epochs=3, progress=False, compile=compile
    )
    assert from_arrays == from_lists
    assert accuracy(arrays_model, np.array(X), np.array(y)) == accuracy(lists_model, X, y)
    with pytest.raises(ValueError, match="no training data"):
        train(arrays_model, np.zeros((0, 2)), np.zeros(0), progress=False)


def test_the_progress_bar_shows_by_default_only_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y = make_moons(10, seed=0)
    train(MLP(2, [2, 1], seed=0), X, y, epochs=2)
    assert "2/2" not in capsys.readouterr().err  # captured: not a terminal
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    train(MLP(2, [2, 1], seed=0), X, y, epochs=2)
    assert "2/2" in capsys.readouterr().err


@pytest.mark.parametrize("which", ["X", "y"])
def test_data_that_is_not_a_sequence_is_a_type_error_naming_it(which: str) -> None:
    X, y = [[0.0, 1.0], [1.0, 0.0]], [1.0, -1.0]
    data: dict[str, Any] = {"X": X, "y": y}
    data[which] = iter(data[which])
    with pytest.raises(TypeError, match=rf"train: {which} must be a sequence or an array"):
        train(MLP(2, [1], seed=0), data["X"], data["y"], epochs=1, progress=False)
    with pytest.raises(TypeError, match=rf"accuracy: {which} must be a sequence or an array"):
        accuracy(MLP(2, [1], seed=0), data["X"], data["y"])
