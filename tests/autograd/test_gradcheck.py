"""gradcheck against central differences."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import GradcheckError, Value, gradcheck
from autograd.value import constant


def test_passes_for_correct_gradients() -> None:
    assert gradcheck(lambda x, y: (x * y).tanh() + x.sin() / y.exp(), [0.3, -0.7]) is True


@given(x=st.floats(0.1, 5.0), y=st.floats(-2.0, 2.0))
def test_passes_over_a_domain(x: float, y: float) -> None:
    assert gradcheck(lambda a, b: a.log() * b.sigmoid() + a**b, [x, y])


@given(x=st.floats(-2.0, 2.0), y=st.floats(-2.0, 2.0))
def test_checks_functions_that_differentiate_inside(x: float, y: float) -> None:
    from autograd import grad

    def dfdx(a: Value, b: Value) -> Value:  # d/da of a^3 b + sin(ab)
        d: Value
        (d,) = grad(a**3 * b + (a * b).sin(), [a], create_graph=True)
        return d

    assert gradcheck(dfdx, [x, y])


def test_names_each_input_that_disagrees_with_both_numbers() -> None:
    def wrong_in_y(x: Value, y: Value) -> Value:
        # x * y, but the y-dependence hidden from the graph: dy comes out 0 instead of x.
        return x * constant(y.data)

    with pytest.raises(GradcheckError) as info:
        gradcheck(wrong_in_y, [2.0, 3.0])
    message = str(info.value)
    assert "input 1 (y = 3.0): analytic 0.0, numeric 2.0" in message
    assert "input 0" not in message


def test_argument_names_fall_back_to_positions() -> None:
    with pytest.raises(GradcheckError, match=r"input 0 \(x0 = 1.0\)"):
        gradcheck(lambda *xs: xs[0] * constant(xs[0].data), [1.0])


def test_f_must_return_a_value() -> None:
    with pytest.raises(TypeError, match="f must return a Value, got float"):
        gradcheck(lambda x: 1.0, [1.0])  # type: ignore[arg-type, return-value]


def test_inputs_must_be_numbers() -> None:
    with pytest.raises(TypeError, match="gradcheck input 1 must be a real number"):
        gradcheck(lambda x, y: x * y, [1.0, "2"])  # type: ignore[list-item]


def test_nan_gradient_is_reported() -> None:
    with pytest.raises(GradcheckError, match="numeric nan"):
        gradcheck(lambda x: x * math.nan, [1.0])


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"eps": 0.0}, ValueError, "eps must be a finite number > 0, got 0.0"),
        ({"eps": -1e-6}, ValueError, "eps must be a finite number > 0"),
        ({"eps": math.nan}, ValueError, "eps must be a finite number > 0, got nan"),
        ({"eps": math.inf}, ValueError, "eps must be a finite number > 0, got inf"),
        ({"eps": "1e-6"}, TypeError, "eps must be a number, got str"),
        ({"eps": None}, TypeError, "eps must be a number, got NoneType"),
        ({"atol": -1.0}, ValueError, "atol must be a finite number >= 0, got -1.0"),
        ({"atol": math.nan}, ValueError, "atol must be a finite number >= 0, got nan"),
        ({"rtol": -1e-3}, ValueError, "rtol must be a finite number >= 0"),
        ({"rtol": "0.1"}, TypeError, "rtol must be a number, got str"),
        ({"atol": True}, TypeError, "atol must be a number, got bool"),
    ],
)
def test_bad_options_are_argument_errors_not_gradient_mismatches(
    options: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message) as caught:
        gradcheck(lambda x: x * x, [1.0], **options)  # type: ignore[arg-type]
    assert not isinstance(caught.value, GradcheckError)


def test_zero_tolerances_are_allowed_and_numpy_numbers_work() -> None:
    np = pytest.importorskip("numpy")
    assert gradcheck(lambda x: x * 2.0, [np.float64(1.5)], eps=np.float64(0.5), atol=0, rtol=0)


@pytest.mark.parametrize("inputs", [1.0, "12", None])
def test_inputs_must_be_a_sequence(inputs: object) -> None:
    with pytest.raises(TypeError, match="inputs must be a sequence of numbers"):
        gradcheck(lambda x: x, inputs)  # type: ignore[arg-type]


@pytest.mark.parametrize("x", [math.nan, math.inf, -math.inf])
def test_an_input_that_is_not_finite_is_an_argument_error(x: float) -> None:
    with pytest.raises(ValueError, match=rf"gradcheck input 1 \(y\) is {x!r}") as caught:
        gradcheck(lambda x, y: x * y, [1.0, x])
    assert not isinstance(caught.value, GradcheckError)


@pytest.mark.parametrize(("x", "eps"), [(1e20, 1e-6), (1.0, 1e-17), (-3e10, 1e-7)])
def test_an_eps_too_small_to_move_an_input_is_an_argument_error(x: float, eps: float) -> None:
    # x + eps == x - eps: the central difference would be 0 and reported as a mismatch.
    with pytest.raises(ValueError, match=rf"eps={eps!r} is too small to move input 0") as caught:
        gradcheck(lambda x: x * x, [x], eps=eps)
    assert not isinstance(caught.value, GradcheckError)
