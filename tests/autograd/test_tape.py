"""Traced tapes: replay equals the eager engine, guards catch other branches, errors name
samples."""

from __future__ import annotations

import math
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd.tape
from autograd import RULES, Tape, TraceError, Value, draw_dot, no_grad, trace
from autograd.mode import record_comparison
from autograd.tape import DERIVATIVE_DOMAINS, _array_values, _array_vjps, _domains
from nn import MLP, binary_cross_entropy, cross_entropy, hinge_loss, mse_loss
from tests.autograd.expressions import N_VARS, VALUES, Tree, kinks_nearby, trees, well_scaled

VALUE_RTOL = 1e-12
GRAD_RTOL = 1e-10

# Every test runs on each replay this build has: NumPy always, C when autograd._tape is built
# and the compiled backend is chosen.
REPLAYS = ["numpy"] + (["compiled"] if autograd.tape._compiled_module() is not None else [])


@pytest.fixture(autouse=True, params=REPLAYS)
def replay(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    name: str = request.param
    if name == "numpy":
        monkeypatch.setattr(autograd.tape, "_COMPILED", None)
    return name


def close(a: float, b: float, rtol: float) -> bool:
    """Equal to ``rtol``; NaN matches NaN (both engines give it, e.g. 0 * inf)."""
    if math.isnan(a) and math.isnan(b):
        return True
    return math.isclose(a, b, rel_tol=rtol, abs_tol=rtol * 1e-3)


def eager_batch(
    f: Callable[..., Value], batch: Sequence[Sequence[Any]], weights: Sequence[float]
) -> tuple[list[float], Value]:
    """Each sample's output from the eager engine, and sum_s weights[s] * out_s as one graph."""
    outs = [f(*sample) for sample in batch]
    total = sum((w * out for w, out in zip(weights, outs, strict=True)), Value(0.0))
    return [out.data for out in outs], total


# --- replay equals the eager engine --------------------------------------------------------------

activations = st.sampled_from(["linear", "relu", "tanh", "sigmoid"])


@st.composite
def models(draw: st.DrawFn) -> tuple[MLP, str]:
    """A random MLP and a loss that suits its outputs."""
    nin = draw(st.integers(1, 4))
    hidden = draw(st.lists(st.integers(1, 5), max_size=2))
    loss = draw(st.sampled_from(["mse", "hinge", "bce", "cross_entropy"]))
    nout = draw(st.integers(2, 4)) if loss == "cross_entropy" else 1
    output = "sigmoid" if loss == "bce" else draw(activations)
    model = MLP(nin, [*hidden, nout], draw(activations), output, seed=draw(st.integers(0, 99)))
    return model, loss


def per_sample_loss(model: MLP, loss: str) -> Callable[..., Value]:
    if loss == "cross_entropy":
        return lambda x, c: cross_entropy(model(x), int(c))
    function = {"mse": mse_loss, "hinge": hinge_loss, "bce": binary_cross_entropy}[loss]
    return lambda x, t: function(model(x), t)


@settings(max_examples=60)
@given(
    drawn=models(),
    data=st.data(),
    size=st.integers(1, 12),
)
def test_random_mlps_and_losses_replay_as_the_eager_engine(
    drawn: tuple[MLP, str], data: st.DataObject, size: int
) -> None:
    model, loss = drawn
    coordinate = st.floats(-3.0, 3.0, allow_nan=False)
    X = [
        data.draw(st.lists(coordinate, min_size=model.nin, max_size=model.nin)) for _ in range(size)
    ]
    if loss == "cross_entropy":
        targets: list[float] = [float(data.draw(st.integers(0, model.nouts[-1] - 1)))] * size
    elif loss == "hinge":
        targets = [data.draw(st.sampled_from([-1.0, 1.0])) for _ in range(size)]
    else:
        targets = [data.draw(st.floats(0.0, 1.0)) for _ in range(size)]
    weights = [data.draw(st.floats(-2.0, 2.0)) for _ in range(size)]
    f = per_sample_loss(model, loss)
    # A class index cannot be a Value: cross entropy is traced for one class, the others input.
    if loss == "cross_entropy":
        c = int(targets[0])
        tape = trace(lambda x: cross_entropy(model(x), c), X[0])
        values = tape(np.array(X))
    else:
        tape = trace(f, X[0], targets[0])
        values = tape(np.array(X), np.array(targets))
    expected, total = eager_batch(f, list(zip(X, targets, strict=True)), weights)
    assert values.shape == (size,)
    for s in range(size):
        assert close(float(values[s]), expected[s], VALUE_RTOL), (s, values[s], expected[s])
    model.zero_grad()
    tape.backward(np.array(weights))
    taped = [p.grad for p in model.parameters()]
    model.zero_grad()
    total.backward()
    for p, g in zip(model.parameters(), taped, strict=True):
        assert close(g, p.grad, GRAD_RTOL), (p.label, g, p.grad)


points = st.lists(
    st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=N_VARS, max_size=N_VARS),
    min_size=1,
    max_size=8,
)


@settings(max_examples=200)
@given(tree=trees(), batch=points)
def test_random_graphs_over_every_operation_replay_as_the_eager_engine(
    tree: Tree, batch: list[list[float]]
) -> None:
    """Expressions over every op of the table: values and input gradients, sample by sample."""
    w = Value(0.5, "w")  # a captured leaf, read by every sample

    def f(x: list[Value]) -> Value:
        out = VALUES.evaluate(tree, x)
        return (out if isinstance(out, Value) else Value(out)) * w

    for sample in batch:
        out = f([Value(v) for v in sample])
        assume(well_scaled(out) and not kinks_nearby(out))
    tape = trace(f, batch[0])
    values = tape(np.array(batch))
    expected, total = eager_batch(lambda *x: f(list(x)), batch, [1.0] * len(batch))
    for s, e in enumerate(expected):
        assert close(float(values[s]), e, VALUE_RTOL), (s, values[s], e)
    tape.backward()
    taped = w.grad
    w.grad = 0.0
    total.backward()
    assert close(taped, w.grad, GRAD_RTOL)


@settings(max_examples=100)
@given(op=st.sampled_from(list(RULES)), data=st.data())
def test_the_array_forms_agree_with_the_rule_table_element_by_element(
    op: str, data: st.DataObject
) -> None:
    """Values, domain predicates and local derivatives on arrays are the table's, sample by
    sample (bit for bit where NumPy and math compute the same IEEE operation)."""
    rule = RULES[op]
    number = st.floats(-5.0, 5.0, allow_nan=False) | st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0])
    columns = [data.draw(st.lists(number, min_size=1, max_size=6)) for _ in range(rule.arity)]
    n = min(len(c) for c in columns)
    operands = [np.array(c[:n]) for c in columns]
    domain = _domains().get(op)
    with np.errstate(all="ignore"):
        bad = domain(*operands) if domain else np.zeros(n, dtype=bool)
        values = np.broadcast_to(_array_values()[op](*operands), (n,))
    for s in range(n):
        args = [float(x[s]) for x in operands]
        try:
            expected = rule.value(*args)
        except ValueError:
            assert bad[s], (op, args)
            continue
        assert not bad[s], (op, args)
        assert close(float(values[s]), expected, 1e-15) or values[s] == expected, (op, args)
        g = data.draw(st.floats(-2.0, 2.0, allow_nan=False))
        out = np.array([expected])
        undefined = DERIVATIVE_DOMAINS.get(op)
        single = [np.array([a]) for a in args]
        try:
            local = rule.vjp(g, expected, *args)
        except ValueError:
            assert undefined is not None and undefined(out, *single)[0], (op, args)
            continue
        if undefined is not None:
            assert not undefined(out, *single)[0], (op, args)
        with np.errstate(all="ignore"):
            array_local = _array_vjps()[op](np.array([g]), out, *single)
        for mine, theirs in zip(array_local, local, strict=True):
            assert close(float(np.broadcast_to(mine, (1,))[0]), float(theirs), 1e-15), (op, args)


def test_kinks_replay_as_masks_with_the_engines_conventions() -> None:
    """relu and abs are not guards: each sample takes its own side, and relu'(0) = abs'(0) = 0."""
    w = Value(1.5, "w")
    tape = trace(lambda x: (x * w).relu() + abs(x * w), 1.0)
    assert tape.guards == []
    xs = [-2.0, -0.0, 0.0, 0.5, 3.0]
    values = tape(np.array(xs))
    expected, total = eager_batch(
        lambda x: (x * w).relu() + abs(x * w), [[x] for x in xs], [1.0] * 5
    )
    assert values.tolist() == expected
    tape.backward()
    taped, w.grad = w.grad, 0.0
    total.backward()
    # d/dw = x [xw > 0] + x sign(xw): 0 + 2 at x = -2, nothing at either zero, 1 at 0.5, 6 at 3.
    assert taped == w.grad == 9.0


def test_captured_leaves_are_read_at_every_call() -> None:
    w = Value(2.0, "w")
    tape = trace(lambda x: x * w, 1.0)
    assert tape.leaves == (w,)
    assert tape(np.array([3.0])).tolist() == [6.0]
    w.data = -1.0
    assert tape(np.array([3.0])).tolist() == [-3.0]
    tape.backward(np.array([2.0]))
    assert w.grad == 6.0
    tape.backward(np.array([2.0]))
    assert w.grad == 12.0  # leaves accumulate, as after backward()


def test_arguments_take_the_examples_shapes() -> None:
    seen: list[object] = []

    def f(x: list[Value], y: Value) -> Value:
        seen.append((type(x), len(x), type(y)))
        return x[0] * y + x[1]

    tape = trace(f, [1.0, 2.0], np.float64(3.0))
    assert seen == [(list, 2, Value)]
    assert tape(np.array([[1.0, 2.0], [3.0, 4.0]]), [10.0, 20.0]).tolist() == [12.0, 64.0]
    assert tape([[1, 2]], [True]).tolist() == [3.0]  # ints and bools are numbers


def test_the_output_may_be_an_input_or_a_leaf_and_repr_gives_the_size() -> None:
    w = Value(4.0, "w")
    assert trace(lambda x: x, 1.0)(np.array([5.0, 6.0])).tolist() == [5.0, 6.0]
    tape = trace(lambda x: w, 1.0)
    assert tape(np.array([5.0, 6.0])).tolist() == [4.0, 4.0]
    tape.backward()
    assert w.grad == 2.0
    tape = trace(lambda x: (x * w + 1.0).tanh(), 1.0)
    assert len(tape) == 3
    assert repr(tape) == "Tape(3 operations, 1 input, 1 captured leaf, 1 constant, 0 guards)"
    assert repr(trace(lambda x, y: x * y, 1.0, 2.0)).startswith("Tape(1 operation, 2 inputs,")


def test_draw_dot_draws_the_recorded_one_sample_graph() -> None:
    w = Value(4.0, "w")
    tape = trace(lambda x: (x * w).tanh(), 0.25)
    assert isinstance(tape.graph, Value) and tape.graph.op == "tanh"
    source = draw_dot(tape.graph).source
    assert "tanh" in source and "w" in source and "arg0" in source


def test_values_gives_any_recorded_nodes_values_from_the_last_call() -> None:
    nodes: list[Value] = []

    def f(x: Value) -> Value:
        z = x * 2.0
        nodes.append(z)
        return z + 1.0

    tape = trace(f, 1.0)
    with pytest.raises(RuntimeError, match="successful call"):
        tape.values(nodes[0])
    tape(np.array([1.0, 5.0]))
    assert tape.values(nodes[0]).tolist() == [2.0, 10.0]
    with pytest.raises(ValueError, match="not a node"):
        tape.values(Value(1.0))


def test_reading_data_inside_f_is_not_guarded_and_gives_the_documented_wrong_answer() -> None:
    """The docstring's and README's example: ``.data`` read while tracing is a constant."""
    tape = trace(lambda x: x * x.data, 2.0)
    assert tape(np.array([3.0])).tolist() == [6.0]  # the eager engine gives 9.0
    x = Value(3.0)
    assert (x * x.data).data == 9.0


def test_no_grad_inside_f_records_no_graph_and_gives_the_documented_wrong_answer() -> None:
    def f(x: Value) -> Value:
        with no_grad():
            return x * 2.0

    tape = trace(f, 1.0)
    assert len(tape) == 0
    assert len(tape.leaves) == 1  # the example's 2.0, a leaf that nothing updates
    assert tape(np.array([3.0, 4.0])).tolist() == [2.0, 2.0]  # the eager engine gives 6.0, 8.0


def test_tracing_records_a_graph_even_under_no_grad() -> None:
    with no_grad():
        tape = trace(lambda x: x * 3.0, 1.0)
    assert tape(np.array([2.0])).tolist() == [6.0]


# --- guards --------------------------------------------------------------------------------------


def test_guards_reported_through_record_comparison_are_checked_by_the_replay() -> None:
    """What every Value's comparison does while tracing, made by hand: on either backend."""

    def f(x: Value, y: Value) -> Value:
        z = x * y
        record_comparison(">", z, 1.0, z.data > 1.0)  # as `z > 1.0` reports it
        return z.log() if z.data > 1.0 else z

    tape = trace(f, 2.0, 3.0)
    assert len(tape.guards) == 1
    assert np.allclose(tape([1.0, 2.0], [2.0, 1.5]), [math.log(2.0), math.log(3.0)])
    with pytest.raises(TraceError, match=r"sample 1 .*the result of \* > 1.0") as caught:
        tape([1.0, 0.5, 0.1], [2.0, 1.0, 1.0])
    assert caught.value.sample == 1
    assert caught.value.comparison == (
        "f compared the result of * > 1.0, which was True when traced but is False for this "
        "sample (0.5 > 1.0)"
    )


def test_a_comparison_is_a_guard_and_a_sample_on_the_other_branch_is_named() -> None:
    tape = trace(lambda x: x.log() if x > 0 else -x, 2.0)
    assert len(tape.guards) == 1
    assert np.allclose(tape(np.array([1.0, 3.0])), [0.0, math.log(3.0)])
    with pytest.raises(TraceError, match=r"sample 2 takes another branch") as caught:
        tape(np.array([1.0, 3.0, -1.0, -2.0]))
    assert caught.value.sample == 2
    assert "argument 0 > 0.0" in str(caught.value)


@pytest.mark.parametrize(
    ("f", "inside", "outside"),
    [
        (lambda x, y: x if x < y else y, [1.0, 2.0], [3.0, 2.0]),
        (lambda x, y: x if x <= y else y, [2.0, 2.0], [2.5, 2.0]),
        (lambda x, y: x if x > y else y, [3.0, 2.0], [2.0, 2.0]),
        (lambda x, y: x if x >= y else y, [2.0, 2.0], [1.0, 2.0]),
        (lambda x, y: x if 1.0 < x else y, [3.0, 0.0], [1.0, 0.0]),  # noqa: SIM300 (reflected)
    ],
)
def test_every_comparison_is_a_guard_on_either_side(
    f: Callable[[Value, Value], Value], inside: list[float], outside: list[float]
) -> None:
    tape = trace(f, *inside)
    assert tape(*([v, v] for v in inside)).tolist() == [inside[0]] * 2
    batch = [[a, b] for a, b in zip(inside, outside, strict=True)]
    with pytest.raises(TraceError) as caught:
        tape(*batch)
    assert caught.value.sample == 1


def test_a_trace_inside_f_keeps_the_outer_traces_guards_apart() -> None:
    def f(x: Value) -> Value:
        inner = trace(lambda y: y * 2.0, 1.0)  # a tape made while tracing: no guards of its own
        assert inner.guards == []
        return x.log() if x > 0 else -x  # compared after the inner trace ended

    outer = trace(f, 2.0)
    assert len(outer.guards) == 1
    with pytest.raises(TraceError):
        outer([1.0, -1.0])


def test_a_guard_on_a_captured_leaf_sees_its_update() -> None:
    w = Value(1.0, "w")
    tape = trace(lambda x: x * w if w > 0 else x, 1.0)
    tape(np.array([1.0, 2.0]))
    w.data = -1.0
    with pytest.raises(TraceError, match="captured leaf 'w'") as caught:
        tape(np.array([1.0, 2.0]))
    assert caught.value.sample == 0


def test_a_guard_is_checked_before_the_branch_it_chose_is_computed() -> None:
    """The wrong branch's domain error does not hide the real problem."""
    tape = trace(lambda x: (x - 1.0).log() if x > 1.0 else x, 3.0)
    with pytest.raises(TraceError):
        tape(np.array([2.0, 0.5]))


def test_a_tape_of_binary_cross_entropy_refuses_samples_across_its_log_clamp() -> None:
    """BCE clamps log p at -100; a tape keeps the branch it traced, so crossing it is refused."""
    tape = trace(binary_cross_entropy, 0.5, 1.0)
    ps, ts = [0.3, 0.9, 1e-30], [1.0, 0.0, 1.0]
    expected = [binary_cross_entropy([p], [t]).data for p, t in zip(ps, ts, strict=True)]
    assert tape(ps, ts).tolist() == expected
    for p, t, on in [(0.0, 1.0, "argument 0 >"), (1.0, 0.0, "the result of - >")]:
        with pytest.raises(TraceError, match=f"sample 1 .*{on}") as caught:
            tape([0.3, p], [1.0, t])  # log p, or log(1 - p), is clamped here
        assert caught.value.sample == 1
    clamped = trace(binary_cross_entropy, 0.0, 1.0)
    assert clamped([0.0, 1e-50], [1.0, 1.0]).tolist() == [100.0, 100.0]
    with pytest.raises(TraceError) as caught:
        clamped([0.0, 0.5], [1.0, 1.0])
    assert caught.value.sample == 1


@pytest.mark.parametrize(("p", "t"), [(0.5, 2.0), (0.5, -0.5), (1.5, 1.0), (math.nan, 1.0)])
def test_a_tape_of_binary_cross_entropy_refuses_what_is_not_a_probability(
    p: float, t: float
) -> None:
    with pytest.raises(ValueError, match="outside"):
        binary_cross_entropy([p], [t])  # as the eager loss does
    tape = trace(binary_cross_entropy, 0.5, 1.0)
    with pytest.raises(TraceError) as caught:
        tape([0.5, p], [1.0, t])
    assert caught.value.sample == 1


def test_comparisons_in_another_thread_are_not_this_traces_guards() -> None:
    other = Value(1.0)
    started, release = threading.Event(), threading.Event()

    def compare_elsewhere() -> None:
        started.wait()
        for _ in range(100):
            assert other > 0
        release.set()

    thread = threading.Thread(target=compare_elsewhere)
    thread.start()

    def f(x: Value) -> Value:
        started.set()
        release.wait(10)
        return x * 2.0

    tape = trace(f, 1.0)
    thread.join()
    assert tape.guards == []


# --- bad input -----------------------------------------------------------------------------------


def test_a_domain_error_names_the_operation_the_value_and_the_sample() -> None:
    tape = trace(lambda x: x.log(), 2.0)
    with pytest.raises(ValueError, match=r"^log of non-positive value 0.0 \(sample 3\)$"):
        tape(np.array([1.0, 2.0, 3.0, 0.0, -1.0]))
    tape = trace(lambda x, y: x / y, 1.0, 1.0)
    with pytest.raises(ValueError, match=r"^division by zero: 2.0 / 0.0 \(sample 1\)$"):
        tape([1.0, 2.0], [1.0, 0.0])
    tape = trace(lambda x: x**0.5, 1.0)
    with pytest.raises(ValueError, match=r"negative base to non-integer power .*\(sample 0\)"):
        tape([-4.0])


def test_an_undefined_derivative_names_the_sample_and_changes_no_grad() -> None:
    w = Value(1.0, "w")
    w.grad = 0.25
    tape = trace(lambda x: (x * w).sqrt(), 1.0)
    tape(np.array([1.0, 4.0, 0.0]))
    with pytest.raises(ValueError, match=r"^sqrt has no finite derivative at 0.0 \(sample 2\)$"):
        tape.backward()
    assert w.grad == 0.25


def test_a_failed_call_changes_no_grad_and_leaves_no_call_to_differentiate() -> None:
    w = Value(1.0, "w")
    w.grad = 0.5
    tape = trace(lambda x: (x * w).log(), 1.0)
    tape(np.array([1.0]))
    with pytest.raises(ValueError, match="sample 1"):
        tape(np.array([1.0, -1.0]))
    assert w.grad == 0.5
    with pytest.raises(RuntimeError, match="successful call"):
        tape.backward()
    assert w.grad == 0.5


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        ((np.ones((4, 3)), np.ones(4)), r"argument 0 must have shape \(B, 2\).*got shape \(4, 3\)"),
        ((np.ones(4), np.ones(4)), r"argument 0 must have shape \(B, 2\).*got shape \(4,\)"),
        ((np.ones((4, 2)), np.ones((4, 1))), r"argument 1 must have shape \(B,\).*\(4, 1\)"),
        ((np.ones((4, 2)), np.ones(5)), r"argument 1 has 5 samples but argument 0 has 4"),
    ],
)
def test_a_wrong_batch_shape_names_the_expected_and_received_shapes(
    batch: tuple[Any, ...], message: str
) -> None:
    tape = trace(lambda x, y: x[0] * x[1] + y, [1.0, 2.0], 3.0)
    with pytest.raises(ValueError, match=message):
        tape(*batch)


def test_bad_arguments_are_named() -> None:
    tape = trace(lambda x: x * 2.0, 1.0)
    with pytest.raises(TypeError, match="takes 1 argument, as f did when traced; got 2"):
        tape([1.0], [2.0])
    with pytest.raises(TypeError, match="tape argument 0 must hold real numbers"):
        tape(["a"])
    tape([1.0, 2.0])
    with pytest.raises(ValueError, match=r"weights must have shape \(2,\).*got shape \(3,\)"):
        tape.backward([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="needs a callable"):
        trace(3.0, 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="at least one example"):
        trace(lambda: Value(1.0))
    with pytest.raises(TypeError, match="must return one Value, got list"):
        trace(lambda x: [x], 1.0)  # type: ignore[arg-type, return-value]
    with pytest.raises(TypeError, match="argument 0 must be a number or a flat sequence"):
        trace(lambda x: x, "12")
    with pytest.raises(TypeError, match=r"argument 0\[1\] must be a real number"):
        trace(lambda x: x[0], [1.0, [2.0]])
    for unordered in ({0: 1.0}, {1.0}):  # their order is not the sequence f would index
        with pytest.raises(TypeError, match=r"argument 0 must be a number or a flat sequence"):
            trace(lambda x: x[0], unordered)


@pytest.mark.parametrize("weight", [math.nan, math.inf, -math.inf])
def test_weights_that_are_not_finite_are_named_and_change_no_grad(weight: float) -> None:
    w = Value(1.0, "w")
    tape = trace(lambda x: x * w, 1.0)
    tape([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=rf"weights must be finite; weight 1 is {weight}"):
        tape.backward([1.0, weight, 1.0])
    assert w.grad == 0.0
    tape.backward([1.0, 1.0, 1.0])  # the call can still be differentiated
    assert w.grad == 6.0


def test_an_empty_batch_gives_an_empty_result_and_adds_nothing() -> None:
    w = Value(1.0)
    tape = trace(lambda x: x * w, 1.0)
    assert tape(np.array([])).shape == (0,)
    tape.backward()
    assert w.grad == 0.0


def test_tracing_imports_numpy_only_when_a_tape_is_called() -> None:
    code = (
        "import sys, autograd\n"
        "tape = autograd.trace(lambda x: x * 2.0, 1.0)\n"
        "assert 'numpy' not in sys.modules, 'numpy imported by tracing'\n"
        "print(tape([1.0, 2.0]).tolist())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[2.0, 4.0]"


def test_the_replay_in_use_is_the_one_chosen(replay: str) -> None:
    assert trace(lambda x: x * 2.0, 1.0).replay == replay


def test_the_compiled_replay_gives_the_eager_engines_bits(replay: str) -> None:
    """ops.h transcribes the rule table on doubles: replayed in C, a graph of every operation
    gives exactly the floats the eager engine gives (NumPy's own exp, tanh ... may differ by an
    ulp, within the tolerance of the tests above)."""
    if replay != "compiled":
        return
    w = Value(0.7, "w")

    def f(x: Value) -> Value:
        y = (x * w).tanh() + (x / 3.0).exp() + (x * x + 1.0).log() + (x * x).sqrt()
        return y.sigmoid() + y.sin() * y.cos() + abs(y - 1.0) + (y - 1.0).relu() + y**2.5

    xs = [-1.5, -0.25, 0.0, 0.3, 2.0]
    assert trace(f, 1.0)(np.array(xs)).tolist() == [f(Value(x)).data for x in xs]


def test_the_compiled_replay_writes_only_into_writable_buffers(replay: str) -> None:
    """autograd._tape checks what it is given: it never writes into read-only memory."""
    if replay != "numpy":  # once is enough: this calls the module directly
        return
    try:
        from autograd import _tape
    except ImportError:
        pytest.skip("the compiled core is not built")
    program = np.array([[autograd.tape.CODES["+"], 0, 1, 1]], dtype=np.int32)
    values = np.array([[1.0, 2.0], [3.0, 4.0], [0.0, 0.0]])
    values.flags.writeable = False
    with pytest.raises((BufferError, TypeError, ValueError), match="read-only|writ"):
        _tape.forward(program, 2, values, 2, 0, 1)
    assert values[2].tolist() == [0.0, 0.0]
    frozen = bytes(6 * 8)
    with pytest.raises((BufferError, TypeError, ValueError)):
        _tape.forward(program, 2, memoryview(frozen).cast("d"), 2, 0, 1)
    adjoints = np.zeros((3, 2))
    adjoints.flags.writeable = False
    with pytest.raises((BufferError, TypeError, ValueError), match="read-only|writ"):
        _tape.backward(program, 2, np.ones((3, 2)), adjoints, 2)
    writable = values.copy()
    assert _tape.forward(program, 2, writable, 2, 0, 1) is None
    assert writable[2].tolist() == [4.0, 6.0]


def test_calls_from_several_threads_take_turns() -> None:
    w = Value(0.5, "w")
    tape = trace(lambda x: (x * w).tanh() + x, 1.0)
    batches = [np.linspace(-1.0, 1.0, 300 + k) for k in range(4)]
    expected = [np.tanh(b * 0.5) + b for b in batches]
    wrong: list[int] = []

    def work(k: int) -> None:
        for _ in range(200):
            if not np.allclose(tape(batches[k]), expected[k], rtol=1e-12, atol=0.0):
                wrong.append(k)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


def test_many_calls_keep_memory_flat() -> None:
    """Calls and backwards free what they take: alternating batch sizes make fresh buffers at
    every call, so a buffer the replay failed to release would pile up."""
    import gc
    import tracemalloc

    w = Value(0.5, "w")
    tape = trace(lambda x: (x * w).tanh() * x + w, 1.0)

    def run(times: int) -> None:
        for k in range(times):
            tape(np.linspace(-1.0, 1.0, 50 + k % 2))
            tape.backward()

    run(50)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        run(2000)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 50_000, grown


def test_tape_is_exported() -> None:
    import autograd

    assert autograd.Tape is Tape and autograd.TraceError is TraceError
    assert issubclass(TraceError, RuntimeError)
