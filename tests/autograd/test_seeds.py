"""The source texts' scalar chain-rule examples, with their own numbers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, grad

reals = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False)

# The Stack Exchange question (000): w printed by MATLAB (5 significant digits) after each step.
TEXT_000_W = [
    -8.5948, -0.68736, 3.6233, 5.9732, 7.2542, 7.9525, 8.3332, 8.5408, 8.6539, 8.7156,
    8.7492, 8.7675, 8.7775, 8.7829, 8.7859, 8.7875, 8.7884, 8.7889, 8.7892, 8.7893,
]  # fmt: skip


class TestSeed000SingleWeight:
    """a = 5.7, w = -23.1, target 50.1, C = (a w - target)^2, learning rate 0.007."""

    def test_twenty_gradient_steps_reproduce_the_printed_weights(self) -> None:
        a, target, rate = 5.7, 50.1, 0.007
        w = Value(-23.1, "w")
        printed = []
        for _ in range(20):
            cost = (a * w - target) ** 2
            w.grad = 0.0
            cost.backward()
            w = Value(w.data - rate * w.grad, "w")
            printed.append(float(f"{w.data:.5g}"))
        assert printed == TEXT_000_W
        assert f"{a * w.data:.5g}" == "50.099"

    @given(a=reals, w=reals, target=reals)
    def test_the_derivative_uses_the_previous_layer_activation(
        self, a: float, w: float, target: float
    ) -> None:
        # The question writes da/dW = a^(L); its own code (and the chain rule) uses a^(L-1).
        wv = Value(w)
        out = a * wv
        cost = (out - target) ** 2
        cost.backward()
        assert wv.grad == pytest.approx(a * 2 * (a * w - target), rel=1e-12, abs=1e-12)
        assert grad(out, [wv]) == [pytest.approx(a)]


class TestSeed002RepresentativeEquation:
    """r_o = w_o (w_h i), E = (t - r_o)^2 / 2: eqs. (2.4) and (3.4)."""

    @given(i=reals, w_h=reals, w_o=reals, t=reals)
    def test_both_weight_gradients(self, i: float, w_h: float, w_o: float, t: float) -> None:
        wh, wo = Value(w_h, "w_h"), Value(w_o, "w_o")
        r_o = wo * (wh * i)
        error = (t - r_o) ** 2 / 2
        error.backward()
        assert wo.grad == pytest.approx(-(t - w_o * w_h * i) * (w_h * i), rel=1e-12, abs=1e-12)
        assert wh.grad == pytest.approx(-(t - w_o * w_h * i) * (w_o * i), rel=1e-12, abs=1e-12)

    def test_one_update_moves_the_output_toward_the_target(self) -> None:
        i, t, rate = 1.5, 2.0, 0.1
        wh, wo = Value(0.8), Value(-0.4)
        error = (t - wo * (wh * i)) ** 2 / 2
        error.backward()
        new_wh, new_wo = wh.data - rate * wh.grad, wo.data - rate * wo.grad
        assert (t - new_wo * new_wh * i) ** 2 / 2 < error.data


class TestSeed004ComputationGraph:
    def test_j_equals_three_times_a_plus_bc(self) -> None:
        a, b, c = Value(5.0, "a"), Value(3.0, "b"), Value(2.0, "c")
        u = b * c
        v = a + u
        j = 3 * v
        j.backward()
        assert (u.data, v.data, j.data) == (6.0, 11.0, 33.0)
        assert (a.grad, b.grad, c.grad) == (3.0, 6.0, 9.0)
        assert (v.grad, u.grad) == (3.0, 3.0)

    @given(x1=reals, x2=reals, w1=reals, w2=reals, b=reals, y=st.sampled_from([0.0, 1.0]))
    def test_logistic_regression_dz_is_a_minus_y(
        self, x1: float, x2: float, w1: float, w2: float, b: float, y: float
    ) -> None:
        w1v, w2v, bv = Value(w1), Value(w2), Value(b)
        z = w1v * x1 + w2v * x2 + bv
        a = z.sigmoid()
        loss = -(y * a.log() + (1 - y) * (1 - a).log())
        loss.backward()
        dz = a.data - y
        assert z.grad == pytest.approx(dz, rel=1e-9, abs=1e-12)
        assert (w1v.grad, w2v.grad, bv.grad) == pytest.approx((x1 * dz, x2 * dz, dz), abs=1e-12)

    def test_logistic_regression_averages_over_examples(self) -> None:
        xs = [(1.0, 2.0), (-0.5, 0.3), (2.0, -1.0)]
        ys = [1.0, 0.0, 1.0]
        w1, w2, b = Value(0.1), Value(-0.2), Value(0.05)
        losses = []
        for (x1, x2), y in zip(xs, ys, strict=True):
            a = (w1 * x1 + w2 * x2 + b).sigmoid()
            losses.append(-(y * a.log() + (1 - y) * (1 - a).log()))
        cost = sum(losses, Value(0.0)) / len(xs)
        cost.backward()
        activations = [1 / (1 + math.exp(-(0.1 * x1 - 0.2 * x2 + 0.05))) for x1, x2 in xs]
        dz = [a - y for a, y in zip(activations, ys, strict=True)]
        m = len(xs)
        assert w1.grad == pytest.approx(sum(x[0] * d for x, d in zip(xs, dz, strict=True)) / m)
        assert w2.grad == pytest.approx(sum(x[1] * d for x, d in zip(xs, dz, strict=True)) / m)
        assert b.grad == pytest.approx(sum(dz) / m)
