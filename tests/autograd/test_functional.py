"""autograd.functional: jvp, vjp, jacobian, hessian, hvp and vhp against derivatives by hand."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, grad, no_grad, topological_order
from autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp
from tests.autograd.expressions import N_VARS, VALUES, Tree, kinks_nearby, trees

# Explicit domains: every point is drawn from [-2, 2].
coordinate = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)
pairs = st.tuples(coordinate, coordinate)
triples = st.tuples(coordinate, coordinate, coordinate)


class approx:
    """pytest.approx for numbers nested in lists and tuples (rows of a Jacobian or Hessian)."""

    def __init__(self, expected: Any, rel: float = 1e-12, abs: float = 1e-12) -> None:
        self.expected, self.rel, self.abs = expected, rel, abs

    def _close(self, actual: Any, expected: Any) -> bool:
        if isinstance(expected, (list, tuple)):
            return (
                isinstance(actual, (list, tuple))
                and len(actual) == len(expected)
                and all(self._close(a, e) for a, e in zip(actual, expected, strict=True))
            )
        return bool(actual == pytest.approx(expected, rel=self.rel, abs=self.abs))

    def __eq__(self, actual: object) -> bool:
        return self._close(actual, self.expected)

    def __repr__(self) -> str:
        return f"approx({self.expected!r}, rel={self.rel}, abs={self.abs})"


# --- functions with derivatives worked out by hand -----------------------------------------------


def product_sine(x: Value, y: Value) -> Value:
    """f = x y + sin x."""
    return x * y + x.sin()


def product_sine_gradient(x: float, y: float) -> list[float]:
    return [y + math.cos(x), x]


def product_sine_hessian(x: float, y: float) -> list[list[float]]:
    return [[-math.sin(x), 1.0], [1.0, 0.0]]


def exp_cube(x: Value, y: Value, z: Value) -> Value:
    """f = e^(x y) + z³."""
    return (x * y).exp() + z**3


def exp_cube_gradient(x: float, y: float, z: float) -> list[float]:
    e = math.exp(x * y)
    return [y * e, x * e, 3 * z * z]


def exp_cube_hessian(x: float, y: float, z: float) -> list[list[float]]:
    e = math.exp(x * y)
    return [
        [y * y * e, (1 + x * y) * e, 0.0],
        [(1 + x * y) * e, x * x * e, 0.0],
        [0.0, 0.0, 6 * z],
    ]


def tanh_log(x: Value, y: Value) -> Value:
    """f = tanh x · ln(1 + y²)."""
    return x.tanh() * (1 + y * y).log()


def tanh_log_hessian(x: float, y: float) -> list[list[float]]:
    t, q = math.tanh(x), 1 + y * y
    return [
        [-2 * t * (1 - t * t) * math.log(q), (1 - t * t) * 2 * y / q],
        [(1 - t * t) * 2 * y / q, t * 2 * (1 - y * y) / (q * q)],
    ]


def three_outputs(x: Value, y: Value) -> tuple[Value, Value, Value]:
    """F = (x y, sin x + y, e^y / (1 + x²))."""
    return x * y, x.sin() + y, y.exp() / (1 + x * x)


def three_outputs_jacobian(x: float, y: float) -> list[list[float]]:
    q = 1 + x * x
    return [
        [y, x],
        [math.cos(x), 1.0],
        [-2 * x * math.exp(y) / (q * q), math.exp(y) / q],
    ]


def curve(t: Value) -> tuple[Value, Value, Value]:
    """A curve in R³: (cos t, sin t, t²)."""
    return t.cos(), t.sin(), t * t


# --- first order against the hand derivations ----------------------------------------------------


@given(pairs)
def test_vjp_of_one_output_is_the_gradient(point: tuple[float, float]) -> None:
    output, vj = vjp(product_sine, list(point))
    x, y = point
    assert output == approx(x * y + math.sin(x))
    assert vj == approx(product_sine_gradient(x, y))


@given(triples, triples)
def test_jvp_is_the_directional_derivative(
    point: tuple[float, float, float], v: tuple[float, float, float]
) -> None:
    output, jv = jvp(exp_cube, list(point), list(v))
    assert output == approx(math.exp(point[0] * point[1]) + point[2] ** 3)
    gradient = exp_cube_gradient(*point)
    assert jv == pytest.approx(
        sum(g * t for g, t in zip(gradient, v, strict=True)), rel=1e-12, abs=1e-11
    )


@given(pairs, triples)
def test_vjp_of_several_outputs_weights_their_gradients(
    point: tuple[float, float], v: tuple[float, float, float]
) -> None:
    outputs, vj = vjp(three_outputs, list(point), list(v))
    assert isinstance(outputs, tuple) and len(outputs) == 3
    J = three_outputs_jacobian(*point)
    expected = [sum(v[k] * J[k][i] for k in range(3)) for i in range(2)]
    assert vj == pytest.approx(expected, rel=1e-12, abs=1e-11)


@given(pairs, pairs)
def test_jvp_of_several_outputs_is_a_tuple_of_directional_derivatives(
    point: tuple[float, float], v: tuple[float, float]
) -> None:
    outputs, jv = jvp(three_outputs, list(point), list(v))
    assert isinstance(outputs, tuple) and isinstance(jv, tuple) and len(jv) == 3
    J = three_outputs_jacobian(*point)
    assert list(jv) == pytest.approx(
        [J[k][0] * v[0] + J[k][1] * v[1] for k in range(3)], rel=1e-12, abs=1e-11
    )


@pytest.mark.parametrize("strategy", ["reverse-mode", "forward-mode"])
@given(point=pairs)
def test_jacobian_has_one_row_per_output(strategy: str, point: tuple[float, float]) -> None:
    assert jacobian(three_outputs, list(point), strategy=strategy) == approx(
        three_outputs_jacobian(*point)
    )


@pytest.mark.parametrize("strategy", ["reverse-mode", "forward-mode"])
def test_jacobian_of_one_output_is_one_row(strategy: str) -> None:
    assert jacobian(product_sine, [0.5, -1.5], strategy=strategy) == approx(
        [product_sine_gradient(0.5, -1.5)]
    )


@pytest.mark.parametrize("strategy", ["reverse-mode", "forward-mode"])
def test_jacobian_of_a_curve_is_its_velocity(strategy: str) -> None:
    t = 0.7
    assert jacobian(curve, [t], strategy=strategy) == approx(
        [[-math.sin(t)], [math.cos(t)], [2 * t]]
    )


def test_polar_coordinates_have_jacobian_determinant_r() -> None:
    # (x, y) = (r cos θ, r sin θ): J = [[cos θ, -r sin θ], [sin θ, r cos θ]], det J = r.
    def polar(r: Value, theta: Value) -> tuple[Value, Value]:
        return r * theta.cos(), r * theta.sin()

    r, theta = 2.0, math.pi / 6
    for strategy in ("reverse-mode", "forward-mode"):
        (a, b), (c, d) = jacobian(polar, [r, theta], strategy=strategy)
        assert [[a, b], [c, d]] == approx(
            [[math.cos(theta), -r * math.sin(theta)], [math.sin(theta), r * math.cos(theta)]]
        )
        assert a * d - b * c == pytest.approx(r, rel=1e-15)


def test_an_output_independent_of_an_input_has_zero_derivatives() -> None:
    def f(x: Value, y: Value) -> tuple[Value, Value]:
        return x * 2, Value(3.0)

    for strategy in ("reverse-mode", "forward-mode"):
        assert jacobian(f, [1.0, 5.0], strategy=strategy) == [[2.0, 0.0], [0.0, 0.0]]
    assert jvp(f, [1.0, 5.0], [0.0, 1.0])[1] == (0.0, 0.0)


def test_an_output_may_be_an_input_itself() -> None:
    assert jvp(lambda x, y: (y, x), [1.0, 2.0], [3.0, 4.0]) == ((2.0, 1.0), (4.0, 3.0))
    assert jacobian(lambda x, y: (y, x), [1.0, 2.0], strategy="forward-mode") == [
        [0.0, 1.0],
        [1.0, 0.0],
    ]


def test_a_repeated_operand_counts_both_partials() -> None:
    # x * x and x + x: both operands carry the same tangent.
    assert jvp(lambda x: x * x + (x + x), [3.0], [2.0])[1] == (2 * 3.0 + 2) * 2.0


def test_v_may_be_omitted_or_a_bare_number_for_one_input_or_output() -> None:
    assert jvp(lambda x: x**3, [2.0]) == (8.0, 12.0)
    assert jvp(lambda x: x**3, [2.0], 0.5) == (8.0, 6.0)
    assert vjp(lambda x, y: x * y, [2.0, 5.0]) == (10.0, [5.0, 2.0])
    assert vjp(lambda x, y: x * y, [2.0, 5.0], 3) == (10.0, [15.0, 6.0])
    assert hvp(lambda x: x**3, [2.0]) == (8.0, [12.0])


def test_inputs_may_be_ints_bools_tuples_or_numpy_arrays() -> None:
    import numpy as np

    assert vjp(product_sine, (1, True)) == vjp(product_sine, [1.0, 1.0])
    assert vjp(product_sine, np.array([1.0, 1.0]))[1] == approx(product_sine_gradient(1.0, 1.0))
    assert jvp(product_sine, [1.0, 1.0], np.array([1.0, 0.0]))[1] == approx(
        product_sine_gradient(1.0, 1.0)[0]
    )


def test_results_are_floats_when_every_input_is_a_number() -> None:
    output, jv = jvp(exp_cube, [0.1, 0.2, 0.3], [1.0, 1.0, 1.0])
    assert type(output) is float and type(jv) is float
    assert all(type(g) is float for g in vjp(exp_cube, [0.1, 0.2, 0.3])[1])
    rows = jacobian(three_outputs, [0.1, 0.2], strategy="forward-mode")
    assert all(type(d) is float for row in rows for d in row)
    assert all(type(d) is float for row in hessian(exp_cube, [0.1, 0.2, 0.3]) for d in row)


def test_no_grad_is_lifted_while_the_transform_runs_f() -> None:
    with no_grad():
        assert vjp(product_sine, [0.5, 1.5])[1] == approx(product_sine_gradient(0.5, 1.5))
        assert jvp(product_sine, [0.5, 1.5], [0.0, 1.0])[1] == approx(0.5)
        assert autograd.is_grad_enabled() is False


def test_no_dot_grad_is_touched() -> None:
    w = Value(3.0, "w")
    w.grad = 7.0

    def f(x: Value) -> Value:
        return w * x * x

    vjp(f, [2.0])
    jvp(f, [2.0], [1.0])
    hessian(f, [2.0])
    x = Value(2.0)
    vjp(f, [x])
    assert (w.grad, x.grad) == (7.0, 0.0)


# --- second order ---------------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["reverse-mode", "forward-mode"])
@given(point=triples)
def test_hessian_matches_the_hand_derivation(
    strategy: str, point: tuple[float, float, float]
) -> None:
    computed = hessian(exp_cube, list(point), outer_jacobian_strategy=strategy)
    assert computed == approx(exp_cube_hessian(*point), rel=1e-12, abs=1e-11)


@pytest.mark.parametrize("strategy", ["reverse-mode", "forward-mode"])
@given(point=pairs)
def test_hessian_of_tanh_log(strategy: str, point: tuple[float, float]) -> None:
    computed = hessian(tanh_log, list(point), outer_jacobian_strategy=strategy)
    assert computed == approx(tanh_log_hessian(*point), rel=1e-12, abs=1e-12)
    assert computed[0][1] == pytest.approx(computed[1][0], rel=1e-14, abs=1e-15)


def test_the_rosenbrock_hessian_at_its_minimum() -> None:
    # f = (1 - x)² + 100 (y - x²)²: H = [[2 - 400 (y - 3x²), -400 x], [-400 x, 200]],
    # which at the minimum (1, 1) is [[802, -400], [-400, 200]].
    def rosenbrock(x: Value, y: Value) -> Value:
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2

    for strategy in ("reverse-mode", "forward-mode"):
        assert hessian(rosenbrock, [1.0, 1.0], outer_jacobian_strategy=strategy) == [
            [802.0, -400.0],
            [-400.0, 200.0],
        ]
    assert hvp(rosenbrock, [1.0, 1.0], [1.0, 2.0]) == (0.0, [2.0, 0.0])
    assert vhp(rosenbrock, [1.0, 1.0], [1.0, 2.0]) == (0.0, [2.0, 0.0])


@given(pairs, pairs)
def test_hvp_and_vhp_are_the_hessian_times_v(
    point: tuple[float, float], v: tuple[float, float]
) -> None:
    H = product_sine_hessian(*point)
    expected = [H[i][0] * v[0] + H[i][1] * v[1] for i in range(2)]
    for product in (hvp, vhp):
        output, hv = product(product_sine, list(point), list(v))
        assert output == approx(point[0] * point[1] + math.sin(point[0]))
        assert hv == approx(expected)


# --- against the engine, on random expression graphs ---------------------------------------------


def _tree_function(tree: Tree) -> Callable[..., Value]:
    def f(*xs: Value) -> Value:
        out = VALUES.evaluate(tree, list(xs))
        return out if isinstance(out, Value) else Value(out)

    return f


points = st.lists(coordinate, min_size=N_VARS, max_size=N_VARS)


@settings(max_examples=150)
@given(trees(max_leaves=10), points, points)
def test_forward_and_reverse_mode_agree_with_the_engine(
    tree: Tree, point: list[float], v: list[float]
) -> None:
    f = _tree_function(tree)
    xs = [Value(x) for x in point]
    try:
        out = f(*xs)
        expected = grad(out, xs)
    except (ValueError, ArithmeticError):
        assume(False)
    assume(math.isfinite(out.data) and all(math.isfinite(g) for g in expected))
    assume(not kinks_nearby(out, 1e-9))
    assert vjp(f, point)[1] == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert jacobian(f, point) == approx([expected], rel=1e-9, abs=1e-9)
    assert jacobian(f, point, strategy="forward-mode") == approx([expected], rel=1e-9, abs=1e-9)
    directional = sum(g * t for g, t in zip(expected, v, strict=True))
    assert jvp(f, point, v)[1] == pytest.approx(directional, rel=1e-9, abs=1e-8)


@settings(max_examples=100)
@given(trees(max_leaves=6), points, points)
def test_every_route_to_second_order_agrees(tree: Tree, point: list[float], v: list[float]) -> None:
    f = _tree_function(tree)
    xs = [Value(x) for x in point]
    try:
        out = f(*xs)
        first = grad(out, xs, create_graph=True)
        expected = [grad(g, xs) for g in first]  # reverse over reverse, by hand
        reverse = hessian(f, point)
        forward = hessian(f, point, outer_jacobian_strategy="forward-mode")
        _, hv = hvp(f, point, v)
        _, vh = vhp(f, point, v)
    except (ValueError, ArithmeticError):
        assume(False)
    assume(all(math.isfinite(h) for row in expected for h in row))
    assume(not kinks_nearby(out, 1e-9))
    assert reverse == approx(expected, rel=1e-8, abs=1e-8)
    assert forward == approx(expected, rel=1e-8, abs=1e-8)
    Hv = [sum(h * t for h, t in zip(row, v, strict=True)) for row in expected]
    assert hv == pytest.approx(Hv, rel=1e-8, abs=1e-7)
    assert vh == pytest.approx(Hv, rel=1e-8, abs=1e-7)


# --- true forward mode ----------------------------------------------------------------------------


def test_forward_mode_sweeps_only_the_recorded_graph_once_per_input() -> None:
    # jacobian(strategy="forward-mode") calls f once, whatever the number of inputs.
    calls = []

    def f(*xs: Value) -> Value:
        calls.append(len(xs))
        return sum((x * x for x in xs), Value(0.0))

    assert jacobian(f, [1.0, 2.0, 3.0, 4.0], strategy="forward-mode") == [[2.0, 4.0, 6.0, 8.0]]
    assert calls == [4]


def test_the_tangents_of_forward_mode_are_recorded_with_create_graph() -> None:
    output, t = jvp(lambda x: x.sin() * x, [1.0], create_graph=True)
    assert isinstance(output, Value) and isinstance(t, Value)
    # t = cos x · x + sin x, a graph; so dt/dx = -sin x · x + 2 cos x.
    assert t.data == approx(math.cos(1.0) + math.sin(1.0))
    assert t.op != "" and len(topological_order(t)) > 1


# --- Values in, Values out, and nesting -----------------------------------------------------------


def test_value_inputs_give_values_connected_to_their_graphs() -> None:
    x = Value(2.0, "x")
    output, t = jvp(lambda u: u**3, [x])
    assert isinstance(output, Value) and isinstance(t, Value)
    assert (output.data, t.data) == (8.0, 12.0)
    assert grad(t, [x]) == [12.0]  # d/dx 3x² = 6x
    assert grad(output, [x]) == [12.0]
    (row,) = jacobian(lambda u, w: u * w, [x, x])
    assert [grad(d, [x])[0] for d in row] == [1.0, 1.0]


def test_a_value_in_v_gives_values() -> None:
    s = Value(3.0, "s")
    _, t = jvp(lambda u: u * u, [2.0], [s])
    assert isinstance(t, Value) and t.data == 12.0
    assert grad(t, [s]) == [4.0]


def test_the_classic_perturbation_confusion_check() -> None:
    # d/dx [x · d/dy (x + y)] at x = 1 is 1: the inner derivative is 1 whatever x is.
    # A forward mode that let the inner perturbation leak into the outer one would give 2.
    inner = {
        "jvp": lambda x: jvp(lambda y: x + y, [1.0])[1],
        "vjp": lambda x: vjp(lambda y: x + y, [1.0])[1][0],
        "jacobian reverse": lambda x: jacobian(lambda y: x + y, [1.0])[0][0],
        "jacobian forward": lambda x: jacobian(lambda y: x + y, [1.0], strategy="forward-mode")[0][
            0
        ],
    }
    for name, d_dy in inner.items():

        def g(x: Value, d_dy: Callable[[Value], Value] = d_dy) -> Value:
            return x * d_dy(x)

        assert jvp(g, [1.0])[1] == 1.0, name
        assert vjp(g, [1.0])[1] == [1.0], name
        assert jacobian(g, [1.0], strategy="forward-mode") == [[1.0]], name


def test_an_inner_derivative_that_depends_on_the_outer_variable() -> None:
    # d/dx [x · d/dy (x y)] = d/dx [x · x] = 2x: the inner result must stay a function of x.
    def g(x: Value) -> Value:
        inner: Value = jvp(lambda y: x * y, [5.0])[1]
        return x * inner

    assert jvp(g, [3.0]) == (9.0, 6.0)
    assert vjp(g, [3.0]) == (9.0, [6.0])


def test_forward_over_reverse_and_reverse_over_forward() -> None:
    # f = x³ sin x: f' = 3x² sin x + x³ cos x, f'' = 6x sin x + 6x² cos x - x³ sin x.
    def f(x: Value) -> Value:
        return x**3 * x.sin()

    x = 0.8
    second = 6 * x * math.sin(x) + 6 * x * x * math.cos(x) - x**3 * math.sin(x)
    forward_over_reverse = jvp(lambda u: vjp(f, [u])[1][0], [x])[1]
    reverse_over_forward = vjp(lambda u: jvp(f, [u])[1], [x])[1][0]
    forward_over_forward = jvp(lambda u: jvp(f, [u])[1], [x])[1]
    assert forward_over_reverse == approx(second)
    assert reverse_over_forward == approx(second)
    assert forward_over_forward == approx(second)
    # And a third derivative, three transforms deep.
    third = jvp(lambda u: vjp(lambda w: jvp(f, [w])[1], [u])[1][0], [x])[1]
    expected = 6 * math.sin(x) + 18 * x * math.cos(x) - 9 * x * x * math.sin(x) - x**3 * math.cos(x)
    assert third == approx(expected)


def test_a_hessian_inside_f_is_differentiated_again() -> None:
    # f = x⁴ y: d²f/dx² = 12 x² y, whose derivative in x is 24 x y.
    def curvature(x: Value, y: Value) -> Value:
        second: Value = hessian(lambda u, w: u**4 * w, [x, y])[0][0]
        return second

    assert vjp(curvature, [1.5, 2.0])[1] == approx([24 * 1.5 * 2.0, 12 * 1.5**2])


def test_create_graph_results_can_be_differentiated_again() -> None:
    (row,) = jacobian(lambda x: x**4, [2.0], create_graph=True)
    assert isinstance(row[0], Value) and row[0].data == 32.0
    H = hessian(lambda x, y: x * x * y, [2.0, 3.0], create_graph=True)
    assert all(isinstance(h, Value) for r in H for h in r)
    assert [[h.data for h in r] for r in H] == [[6.0, 4.0], [4.0, 0.0]]


# --- errors ---------------------------------------------------------------------------------------


def test_a_wrong_number_of_tangents_is_named() -> None:
    with pytest.raises(ValueError, match=r"jvp: v has 1 entry, but f has 2 inputs.*tangent"):
        jvp(product_sine, [1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match=r"jvp: v is missing; f has 2 inputs.*tangent"):
        jvp(product_sine, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"hvp: v has 3 entries, but f has 2 inputs"):
        hvp(product_sine, [1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"vhp: v is missing; f has 2 inputs"):
        vhp(product_sine, [1.0, 2.0])


def test_a_wrong_number_of_cotangents_is_named() -> None:
    with pytest.raises(ValueError, match=r"vjp: v has 2 entries, but f has 3 outputs.*cotangent"):
        vjp(three_outputs, [1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"vjp: v is missing; f has 3 outputs.*cotangent"):
        vjp(three_outputs, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"vjp: v has 2 entries, but f has 1 output;"):
        vjp(product_sine, [1.0, 2.0], [1.0, 1.0])


def test_v_that_is_not_a_sequence_of_numbers_is_named() -> None:
    with pytest.raises(TypeError, match=r"jvp: v must give one tangent per input.*got str"):
        jvp(product_sine, [1.0, 2.0], "12")
    with pytest.raises(TypeError, match=r"jvp: v\[1\] must be a number or a Value, got NoneType"):
        jvp(product_sine, [1.0, 2.0], [1.0, None])
    with pytest.raises(TypeError, match=r"vjp: v must give one cotangent.*got float"):
        vjp(three_outputs, [1.0, 2.0], 1.0)
    with pytest.raises(TypeError, match=r"jvp: v must give one tangent per input.*got dict"):
        jvp(product_sine, [1.0, 2.0], {0: 1.0, 1: 0.0})


@pytest.mark.parametrize("transform", [jvp, vjp, jacobian, hessian, hvp, vhp])
def test_an_output_that_is_not_a_value_is_named(transform: Callable[..., Any]) -> None:
    with pytest.raises(TypeError, match=r"f must return a Value.*float"):
        transform(lambda x: 2.0, [1.0])


def test_an_output_in_a_tuple_that_is_not_a_value_is_named() -> None:
    with pytest.raises(TypeError, match=r"jacobian: .*output 1 is int"):
        jacobian(lambda x: (x, 3), [1.0])


def test_an_unknown_strategy_is_named() -> None:
    with pytest.raises(ValueError, match=r"jacobian: strategy must be 'reverse-mode' or "):
        jacobian(product_sine, [1.0, 2.0], strategy="forward")
    with pytest.raises(ValueError, match=r"outer_jacobian_strategy must be .*got 'backward'"):
        hessian(product_sine, [1.0, 2.0], outer_jacobian_strategy="backward")


@pytest.mark.parametrize("transform", [hessian, hvp, vhp])
def test_second_order_of_several_outputs_is_refused(transform: Callable[..., Any]) -> None:
    arguments = [[1.0, 2.0]] if transform is hessian else [[1.0, 2.0], [1.0, 0.0]]
    with pytest.raises(ValueError, match=rf"{transform.__name__}: .*one output.*3 outputs"):
        transform(three_outputs, *arguments)


@pytest.mark.parametrize("transform", [jvp, vjp, jacobian, hessian, hvp, vhp])
def test_inputs_that_are_not_numbers_or_values_are_named(transform: Callable[..., Any]) -> None:
    name = transform.__name__
    with pytest.raises(TypeError, match=rf"{name}: input 1 must be a number or a Value, got str"):
        transform(product_sine, [1.0, "2"])
    with pytest.raises(TypeError, match=rf"{name}: inputs must be a sequence .*got float"):
        transform(product_sine, 1.0)
    with pytest.raises(TypeError, match=rf"{name}: inputs must be a sequence .*got Value"):
        transform(product_sine, Value(1.0))
    for unordered in ({1.0: 0, 2.0: 0}, {1.0, 2.0}):  # no order that says which input is which
        with pytest.raises(TypeError, match=rf"{name}: inputs must be a sequence .*got"):
            transform(product_sine, unordered)
    with pytest.raises(TypeError, match=rf"{name}: f must be callable, got int"):
        transform(3, [1.0])
    with pytest.raises(TypeError, match=rf"{name}: create_graph must be a bool, got str"):
        transform(product_sine, [1.0, 2.0], create_graph="yes")


def test_a_domain_error_inside_f_passes_through_with_its_message() -> None:
    with pytest.raises(ValueError, match="log of non-positive value 0.0"):
        jvp(lambda x: x.log(), [0.0])


def test_a_failing_f_leaves_nesting_as_it_was() -> None:
    with pytest.raises(ZeroDivisionError):
        jvp(lambda x: 1 / 0, [1.0])
    # Had the failure left a transform counted as running, this would come back as a Value.
    assert type(jvp(lambda x: x * x, [1.0])[1]) is float


# --- strict, as in PyTorch -----------------------------------------------------------------------


def test_strict_refuses_an_input_no_output_depends_on() -> None:
    def f(x: Value, y: Value) -> tuple[Value, Value]:
        return x * 2, x.sin()

    calls: list[Callable[[], Any]] = [
        lambda: jvp(f, [1.0, 2.0], [1.0, 1.0], strict=True),
        lambda: vjp(f, [1.0, 2.0], [1.0, 1.0], strict=True),
        lambda: jacobian(f, [1.0, 2.0], strict=True),
        lambda: jacobian(f, [1.0, 2.0], strategy="forward-mode", strict=True),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=r": no output of f depends on input 1, which strict"):
            call()
    # Without strict, that input's derivatives are zeros.
    assert jacobian(f, [1.0, 2.0]) == [[2.0, 0.0], [math.cos(1.0), 0.0]]


@pytest.mark.parametrize("transform", [hessian, hvp, vhp])
def test_strict_second_order_refuses_an_input_the_gradient_does_not_depend_on(
    transform: Callable[..., Any],
) -> None:
    # f = x² + 3y: the gradient (2x, 3) does not depend on y, so H has a zero row and column.
    def f(x: Value, y: Value) -> Value:
        return x * x + 3 * y

    arguments: list[Any] = [[1.0, 2.0]] if transform is hessian else [[1.0, 2.0], [1.0, 1.0]]
    name = transform.__name__
    with pytest.raises(ValueError, match=rf"{name}: the gradient of f does not depend on input 1"):
        transform(f, *arguments, strict=True)
    assert hessian(f, [1.0, 2.0]) == [[2.0, 0.0], [0.0, 0.0]]


def test_strict_passes_when_every_input_matters() -> None:
    assert jacobian(product_sine, [0.5, 1.0], strict=True) == approx(
        [product_sine_gradient(0.5, 1.0)]
    )
    assert hessian(product_sine, [0.5, 1.0], strict=True) == approx(product_sine_hessian(0.5, 1.0))
    with pytest.raises(TypeError, match=r"jvp: strict must be a bool, got int"):
        jvp(product_sine, [0.5, 1.0], [1.0, 0.0], strict=1)  # type: ignore[arg-type]


def test_forward_mode_never_runs_a_backward_sweep() -> None:
    # True forward mode: no double-vjp trick behind jvp or the forward-mode Jacobian, at any order.
    import autograd.functional

    with mock.patch.object(autograd.functional, "grad", side_effect=AssertionError("backward")):
        assert jvp(exp_cube, [0.1, 0.2, 0.3], [1.0, 0.0, 0.0])[1] == approx(
            exp_cube_gradient(0.1, 0.2, 0.3)[0]
        )
        assert jacobian(three_outputs, [0.4, 0.5], strategy="forward-mode") == approx(
            three_outputs_jacobian(0.4, 0.5)
        )
        # Forward over forward: a second derivative with no backward sweep at all.
        d2 = jvp(lambda x: jvp(lambda u: u**3, [x])[1], [2.0])[1]
        assert d2 == approx(12.0)
