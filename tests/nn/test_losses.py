"""Every loss against its formula: the value and the gradient of each prediction."""

from __future__ import annotations

import decimal
import math
from collections.abc import Callable

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd import Value
from nn import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss
from nn.losses import LOG_FLOOR, LOG_THRESHOLD

real = st.floats(-10.0, 10.0, allow_nan=False)
# Probabilities, with the edges where BCE's logs are clamped drawn often.
EDGES = [0.0, 1.0, 1e-300, math.exp(-100), math.exp(-99.9), 1e-44, 1 - 1e-16, 0.5]
EDGES += [LOG_THRESHOLD, math.nextafter(LOG_THRESHOLD, 1.0), math.nextafter(LOG_THRESHOLD, 0.0)]
probability = st.one_of(st.sampled_from(EDGES), st.floats(0.0, 1.0))
sign = st.sampled_from([-1.0, 1.0])
logit = st.one_of(
    st.floats(-30.0, 30.0),
    st.sampled_from([-1000.0, 1000.0, 0.0, 999.0, 1e12, 1e16, -1e16, 1e300]),
    st.floats(-1e300, 1e300),
)


def pairs(element: st.SearchStrategy[float], target: st.SearchStrategy[float]) -> st.SearchStrategy:
    return st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            st.lists(element, min_size=n, max_size=n), st.lists(target, min_size=n, max_size=n)
        )
    )


def run(
    loss: Callable[[object, object], Value], ps: list[float], ts: object
) -> tuple[float, list[float]]:
    """The loss's value and d loss / d prediction for each prediction."""
    values = [Value(p) for p in ps]
    out = loss(values, ts)
    out.backward()
    return out.data, [v.grad for v in values]


def clamped_log(x: float) -> float:
    return max(math.log(x), -100.0) if x > 0 else -100.0


# --- the formulas --------------------------------------------------------------------------------


@given(pairs(real, real))
def test_mse_loss(case: tuple[list[float], list[float]]) -> None:
    ps, ts = case
    n = len(ps)
    value, grads = run(mse_loss, ps, ts)
    assert value == pytest.approx(
        sum((p - t) ** 2 for p, t in zip(ps, ts, strict=True)) / n, rel=1e-12
    )
    for g, p, t in zip(grads, ps, ts, strict=True):
        assert g == pytest.approx(2 * (p - t) / n, rel=1e-12, abs=1e-15)


@given(pairs(probability, probability))
def test_binary_cross_entropy(case: tuple[list[float], list[float]]) -> None:
    ps, ts = case
    n = len(ps)
    value, grads = run(binary_cross_entropy, ps, ts)
    expected = sum(
        -(t * clamped_log(p) + (1 - t) * clamped_log(1 - p)) for p, t in zip(ps, ts, strict=True)
    )
    assert value == pytest.approx(expected / n, rel=1e-12, abs=1e-15)
    for g, p, t in zip(grads, ps, ts, strict=True):
        # Each log passes its gradient only where it is not clamped.
        d = (-t / p if clamped_log(p) > -100 else 0.0) + (
            (1 - t) / (1 - p) if clamped_log(1 - p) > -100 else 0.0
        )
        assert math.isfinite(g)
        assert g == pytest.approx(d / n, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("p", "t", "loss", "grad"),
    [
        (0.0, 0.0, 0.0, 1.0),
        (0.0, 1.0, 100.0, 0.0),  # log 0 is clamped at -100 and passes no gradient
        (1.0, 1.0, 0.0, -1.0),
        (1.0, 0.0, 100.0, 0.0),
        (1e-50, 1.0, 100.0, 0.0),  # log(1e-50) = -115.1 is clamped
        (1e-40, 1.0, 40 * math.log(10), -1e40),  # log(1e-40) = -92.1 is not
        (0.5, 1.0, math.log(2), -2.0),
    ],
)
def test_binary_cross_entropy_at_the_edges(p: float, t: float, loss: float, grad: float) -> None:
    value, (g,) = run(binary_cross_entropy, [p], [t])
    assert value == pytest.approx(loss, rel=1e-12, abs=1e-12)
    assert g == pytest.approx(grad, rel=1e-12)


def logged(x: float) -> bool:
    """Whether BCE takes log x rather than the clamp, decided on floats as the clamp is meant."""
    return x > 0.0 and math.log(x) > LOG_FLOOR


def test_the_clamps_threshold_is_the_float_where_the_log_passes_minus_100() -> None:
    assert not logged(LOG_THRESHOLD)
    assert logged(math.nextafter(LOG_THRESHOLD, 1.0))
    below = above = LOG_THRESHOLD
    for _ in range(5000):  # every float near the boundary, on both sides
        below, above = math.nextafter(below, 0.0), math.nextafter(above, 1.0)
        assert not logged(below)
        assert logged(above)


@given(st.one_of(st.floats(allow_nan=True), st.sampled_from(EDGES)))
def test_comparing_with_the_threshold_decides_as_the_log_does(x: float) -> None:
    assert (x > LOG_THRESHOLD) == logged(x)


def float_bce(ps: list[float], ts: list[float]) -> tuple[float, list[float]]:
    """BCE with the clamp decided on floats, as binary_cross_entropy computes it otherwise."""

    def log(x: Value) -> Value:
        return x.log() if logged(x.data) else Value(LOG_FLOOR)

    values = [Value(p) for p in ps]
    terms = [-(t * log(p) + (1.0 - t) * log(1.0 - p)) for p, t in zip(values, ts, strict=True)]
    out = sum(terms[1:], terms[0]) / len(terms)
    out.backward()
    return out.data, [v.grad for v in values]


@given(pairs(probability, probability))
def test_binary_cross_entropy_gives_the_bits_of_the_clamp_decided_on_floats(
    case: tuple[list[float], list[float]],
) -> None:
    ps, ts = case
    assert run(binary_cross_entropy, ps, ts) == float_bce(ps, ts)


@given(pairs(real, sign))
def test_hinge_loss(case: tuple[list[float], list[float]]) -> None:
    ps, ts = case
    n = len(ps)
    value, grads = run(hinge_loss, ps, ts)
    assert value == pytest.approx(sum(max(0.0, 1 - t * p) for p, t in zip(ps, ts, strict=True)) / n)
    for g, p, t in zip(grads, ps, ts, strict=True):
        assert g == pytest.approx(-t / n if 1 - t * p > 0 else 0.0)


def naive_cross_entropy(logits: list[float], c: int) -> tuple[float, list[float]]:
    """log sum e^l - l_c and its gradient softmax - onehot, in 60-digit decimal arithmetic."""
    with decimal.localcontext(decimal.Context(prec=60, Emin=-(10**9), Emax=10**9)):
        ls = [decimal.Decimal(v) for v in logits]  # exactly the floats given
        m = max(ls)
        exps = [(v - m).exp() for v in ls]
        total = sum(exps, decimal.Decimal(0))
        softmax = [e / total for e in exps]
        loss = total.ln() - (ls[c] - m)
        return float(loss), [float(s - (k == c)) for k, s in enumerate(softmax)]


@given(st.lists(st.floats(-30.0, 30.0), min_size=1, max_size=6), st.data())
def test_cross_entropy_against_the_textbook_formula(
    logits: list[float], data: st.DataObject
) -> None:
    c = data.draw(st.integers(0, len(logits) - 1))
    value, grads = run(cross_entropy, logits, c)
    textbook = math.log(math.fsum(math.exp(v) for v in logits)) - logits[c]
    assert value == pytest.approx(textbook, rel=1e-9, abs=1e-12)
    _, expected = naive_cross_entropy(logits, c)
    assert grads == pytest.approx(expected, rel=1e-9, abs=1e-12)


@given(st.lists(logit, min_size=1, max_size=6), st.data())
def test_cross_entropy_is_finite_for_huge_logits(logits: list[float], data: st.DataObject) -> None:
    c = data.draw(st.integers(0, len(logits) - 1))
    value, grads = run(cross_entropy, logits, c)
    expected_value, expected_grads = naive_cross_entropy(logits, c)
    assert math.isfinite(value) and all(math.isfinite(g) for g in grads)
    assert value == pytest.approx(expected_value, rel=1e-9, abs=1e-9)
    assert grads == pytest.approx(expected_grads, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("logits", "c", "loss", "grads"),
    [
        ([1000.0, -1000.0], 0, 0.0, [0.0, 0.0]),
        ([1000.0, -1000.0], 1, 2000.0, [1.0, -1.0]),
        ([1000.0, 1000.0], 0, math.log(2), [-0.5, 0.5]),
        ([-1000.0, -1000.0, -1000.0], 2, math.log(3), [1 / 3, 1 / 3, -2 / 3]),
        ([1e12, 1e12], 0, math.log(2), [-0.5, 0.5]),
        ([1e16, 1e16], 0, math.log(2), [-0.5, 0.5]),
        ([1e300, 1e300, 1e300], 1, math.log(3), [1 / 3, -2 / 3, 1 / 3]),
        ([-1e16, -1e16], 1, math.log(2), [0.5, -0.5]),
    ],
)
def test_cross_entropy_at_huge_logits(
    logits: list[float], c: int, loss: float, grads: list[float]
) -> None:
    value, got = run(cross_entropy, logits, c)
    assert value == pytest.approx(loss, rel=1e-15, abs=1e-300)
    assert got == pytest.approx(grads, abs=1e-12)


@given(st.lists(st.integers(-50, 50), min_size=1, max_size=6), st.integers(0, 60), st.data())
def test_cross_entropy_does_not_change_when_every_logit_shifts_by_the_same_amount(
    logits: list[int], power: int, data: st.DataObject
) -> None:
    c = data.draw(st.integers(0, len(logits) - 1))
    shift = 2.0**power  # every logit + shift is exactly a float up to 2**53
    assume(max(abs(v) for v in logits) + shift < 2.0**53)
    plain = cross_entropy([float(v) for v in logits], c).data
    assert cross_entropy([v + shift for v in logits], c).data == pytest.approx(plain, rel=1e-12)
    assert cross_entropy([v - shift for v in logits], c).data == pytest.approx(plain, rel=1e-12)


def test_cross_entropy_takes_a_numpy_integer_class_index() -> None:
    np = pytest.importorskip("numpy")
    assert cross_entropy([1.0, 2.0], np.int64(1)).data == cross_entropy([1.0, 2.0], 1).data
    batch = cross_entropy([[1.0, 2.0], [3.0, 0.0]], np.array([1, 0]))
    assert batch.data == pytest.approx(cross_entropy([[1.0, 2.0], [3.0, 0.0]], [1, 0]).data)


@given(st.lists(st.lists(logit, min_size=3, max_size=3), min_size=1, max_size=4), st.data())
def test_cross_entropy_of_a_batch_is_the_mean(rows: list[list[float]], data: st.DataObject) -> None:
    classes = data.draw(st.lists(st.integers(0, 2), min_size=len(rows), max_size=len(rows)))
    batch = cross_entropy(rows, classes)
    singles = [cross_entropy(row, c).data for row, c in zip(rows, classes, strict=True)]
    assert batch.data == pytest.approx(sum(singles) / len(rows), rel=1e-12, abs=1e-12)


# --- the accepted forms --------------------------------------------------------------------------

LOSSES = [mse_loss, binary_cross_entropy, hinge_loss]


@pytest.mark.parametrize("loss", LOSSES)
def test_numbers_and_values_on_either_side_give_a_value(loss: Callable[..., Value]) -> None:
    expected = loss([Value(0.25)], [1.0]).data
    for p, t in ((0.25, 1), (Value(0.25), 1.0), (0.25, Value(1.0)), ([0.25], (1,))):
        out = loss(p, t)
        assert isinstance(out, Value)
        assert out.data == pytest.approx(expected)


def test_targets_that_are_values_receive_gradients() -> None:
    t = Value(3.0)
    mse_loss([Value(1.0)], [t]).backward()
    assert t.grad == pytest.approx(4.0)


def test_mse_of_a_batch_of_vectors_averages_every_entry() -> None:
    ps = [[Value(1.0), Value(2.0)], [Value(3.0), Value(5.0)]]
    out = mse_loss(ps, [[0.0, 0.0], [0.0, 0.0]])
    assert out.data == pytest.approx((1 + 4 + 9 + 25) / 4)
    out.backward()
    assert ps[1][1].grad == pytest.approx(2 * 5 / 4)


@pytest.mark.parametrize("loss", LOSSES)
def test_a_length_mismatch_names_both_lengths(loss: Callable[..., Value]) -> None:
    with pytest.raises(ValueError, match="3 predictions but 2 targets"):
        loss([0.5, 0.5, 0.5], [1, 1])


@pytest.mark.parametrize("loss", LOSSES)
def test_empty_inputs_and_wrong_types(loss: Callable[..., Value]) -> None:
    with pytest.raises(ValueError, match="no predictions"):
        loss([], [])
    with pytest.raises(TypeError, match="got str"):
        loss("0.5", 1)
    with pytest.raises(TypeError, match="got NoneType"):
        loss([None], [1])


@pytest.mark.parametrize(
    ("p", "t", "what"),
    [
        (1.5, 1, "prediction 0 is 1.5"),
        (0.5, -0.1, "target 0 is -0.1"),
        (math.nan, 1, "prediction 0 is nan"),
    ],
)
def test_binary_cross_entropy_needs_probabilities(p: float, t: float, what: str) -> None:
    with pytest.raises(ValueError, match=rf"{what}, outside \[0, 1\]"):
        binary_cross_entropy([p], [t])


def test_hinge_loss_needs_targets_of_plus_or_minus_one() -> None:
    with pytest.raises(ValueError, match="target 1 is 0.0; targets must be -1 or \\+1"):
        hinge_loss([0.5, 0.5], [1, 0])


@pytest.mark.parametrize(
    ("logits", "c", "error", "message"),
    [
        ([1.0, 2.0], 2, ValueError, "class index 2 of sample 0 is out of range for 2 logits"),
        ([1.0, 2.0], -1, ValueError, "class index -1 of sample 0 is out of range"),
        ([[1.0, 2.0]], [True], TypeError, "class index of sample 0 must be an int, got bool"),
        ([[1.0, 2.0], [0.0, 1.0]], [0], ValueError, "2 samples of logits but 1 class indices"),
        ([], 0, ValueError, "sample 0 has no logits"),
        ([1.0, math.inf], 0, ValueError, "logit 1 of sample 0 is inf"),
        ([math.nan], 0, ValueError, "logit 0 of sample 0 is nan"),
        ("ab", 0, TypeError, "got str"),
        ([1.0, 2.0], 1.5, TypeError, "class_index must be an int or a sequence of ints, got float"),
        (5, 0, TypeError, "logits of sample 0 must be a sequence of numbers or Values, got int"),
    ],
)
def test_cross_entropy_errors(logits: object, c: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        cross_entropy(logits, c)
