"""SGD and Adam: each step against its update formula, and descent to the bottom of a bowl."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from nn import SGD, Adam
from nn.optim import Optimizer

CENTRE = [3.0, -2.0, 0.5]
CURVATURE = [1.0, 4.0, 0.25]


def bowl(params: list[Value]) -> Value:
    """f(p) = sum_i a_i (p_i - c_i)**2, smallest (0) at p = c."""
    total = Value(0.0)
    for p, a, c in zip(params, CURVATURE, CENTRE, strict=True):
        total = total + a * (p - c) ** 2
    return total


def descend(optimizer: Optimizer, steps: int) -> list[float]:
    """Run ``steps`` steps on the bowl; the values of f along the way."""
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        f = bowl(optimizer.params)
        f.backward()
        optimizer.step()
        history.append(f.data)
    return history


def start() -> list[Value]:
    return [Value(0.0), Value(0.0), Value(0.0)]


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: SGD(ps, lr=0.1),
        lambda ps: SGD(ps, lr=0.05, momentum=0.9),
        lambda ps: SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
        lambda ps: SGD(ps, lr=0.05, momentum=0.5, dampening=0.5),
        lambda ps: Adam(ps, lr=0.1),
    ],
)
def test_descends_to_the_bottom_of_a_quadratic_bowl(make: object) -> None:
    params = start()
    values = descend(make(params), 400)  # type: ignore[operator]
    assert values[-1] < 1e-8 * values[0]
    assert [p.data for p in params] == pytest.approx(CENTRE, abs=1e-4)


def test_weight_decay_moves_the_minimum_towards_zero() -> None:
    """With decay d the bottom is where 2 a (p - c) + d p = 0, i.e. p = 2 a c / (2 a + d)."""
    params = start()
    descend(SGD(params, lr=0.05, weight_decay=0.5), 2000)
    expected = [2 * a * c / (2 * a + 0.5) for a, c in zip(CURVATURE, CENTRE, strict=True)]
    assert [p.data for p in params] == pytest.approx(expected, rel=1e-6)
    params = start()
    descend(Adam(params, lr=0.01, weight_decay=0.5), 5000)
    assert [p.data for p in params] == pytest.approx(expected, rel=1e-3)


def test_momentum_reaches_the_bottom_in_fewer_steps_than_plain_sgd() -> None:
    def steps_to(optimizer: Optimizer) -> int:
        values = descend(optimizer, 2000)
        return next(k for k, v in enumerate(values) if v < 1e-6)

    assert steps_to(SGD(start(), lr=0.01, momentum=0.9)) < steps_to(SGD(start(), lr=0.01))


gradients = st.lists(st.floats(-5.0, 5.0), min_size=1, max_size=4)


def apply(optimizer: Optimizer, grads: list[float]) -> None:
    for p, g in zip(optimizer.params, grads, strict=True):
        p.grad = g
    optimizer.step()


@given(
    st.lists(gradients, min_size=3, max_size=3),
    st.floats(0.0, 1.0),
    st.floats(0.0, 0.99),
    st.floats(0.0, 0.9),
    st.floats(0.0, 0.1),
    st.booleans(),
)
def test_sgd_steps_follow_the_formula(
    steps: list[list[float]],
    lr: float,
    momentum: float,
    dampening: float,
    decay: float,
    nesterov: bool,
) -> None:
    """g = grad + d p; v = g at first, then m v + (1 - dampening) g; p -= lr (g + m v or v)."""
    nesterov = nesterov and momentum > 0
    dampening = 0.0 if nesterov else dampening
    n = min(len(g) for g in steps)
    data = [0.5 * (k + 1) for k in range(n)]
    params = [Value(x) for x in data]
    sgd = SGD(params, lr, momentum, dampening, decay, nesterov)
    velocity: list[float] | None = None
    for grads in steps:
        grads = grads[:n]
        apply(sgd, grads)
        g = [gi + decay * x for gi, x in zip(grads, data, strict=True)]
        if momentum:
            if velocity is None:
                velocity = list(g)
            else:
                velocity = [
                    momentum * v + (1 - dampening) * gi for v, gi in zip(velocity, g, strict=True)
                ]
            g = (
                [gi + momentum * v for gi, v in zip(g, velocity, strict=True)]
                if nesterov
                else velocity
            )
        data = [x - lr * gi for x, gi in zip(data, g, strict=True)]
        assert [p.data for p in params] == pytest.approx(data, rel=1e-12, abs=1e-12)


@given(
    st.lists(gradients, min_size=4, max_size=4),
    st.floats(1e-4, 1.0),
    st.floats(0.0, 0.99),
    st.floats(0.0, 0.9999),
    st.floats(0.0, 0.1),
)
def test_adam_steps_follow_the_formula(
    steps: list[list[float]], lr: float, beta1: float, beta2: float, decay: float
) -> None:
    """m, v: moving moments of g; p -= lr m / (1 - b1^t) / (sqrt(v / (1 - b2^t)) + eps)."""
    n = min(len(g) for g in steps)
    data = [0.5 * (k + 1) for k in range(n)]
    params = [Value(x) for x in data]
    adam = Adam(params, lr, (beta1, beta2), 1e-8, decay)
    m = [0.0] * n
    v = [0.0] * n
    for t, grads in enumerate(steps, start=1):
        grads = grads[:n]
        apply(adam, grads)
        for i in range(n):
            g = grads[i] + decay * data[i]
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            m_hat = m[i] / (1 - beta1**t)
            v_hat = v[i] / (1 - beta2**t)
            data[i] -= lr * m_hat / (math.sqrt(v_hat) + 1e-8)
        assert [p.data for p in params] == pytest.approx(data, rel=1e-12, abs=1e-12)


def test_the_first_adam_step_moves_each_parameter_by_lr() -> None:
    """Bias correction makes the first step lr * sign(g) (up to eps), whatever the size of g."""
    params = [Value(0.0), Value(0.0)]
    apply(Adam(params, lr=0.01), [1e-3, -500.0])
    assert [p.data for p in params] == pytest.approx([-0.01, 0.01], rel=1e-4)


def test_zero_grad_and_a_learning_rate_that_can_be_changed() -> None:
    params = start()
    sgd = SGD(params, lr=0.1)
    apply(sgd, [1.0, 1.0, 1.0])
    sgd.lr = 1.0
    apply(sgd, [1.0, 1.0, 1.0])
    assert [p.data for p in params] == pytest.approx([-1.1] * 3)
    sgd.zero_grad()
    assert all(p.grad == 0.0 for p in params)


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: SGD([], lr=0.1), ValueError, "SGD got an empty parameter list"),
        (lambda: SGD(Value(1.0), lr=0.1), TypeError, "got a single Value"),  # type: ignore[arg-type]
        (lambda: Adam(None), TypeError, "params must be an iterable of Values, got NoneType"),  # type: ignore[arg-type]
        (
            lambda: SGD([Value(1.0), 2.0], lr=0.1),  # type: ignore[list-item]
            TypeError,
            r"params\[1\] must be a Value, got float",
        ),
        (
            lambda: SGD([Value(1.0)], lr=-1.0),
            ValueError,
            "lr must be a finite number >= 0, got -1.0",
        ),
        (lambda: SGD([Value(1.0)], lr=math.nan), ValueError, "lr must be a finite number"),
        (lambda: SGD([Value(1.0)], lr="0.1"), TypeError, "lr must be a number, got str"),  # type: ignore[arg-type]
        (lambda: SGD([Value(1.0)], 0.1, momentum=-0.5), ValueError, "momentum"),
        (lambda: SGD([Value(1.0)], 0.1, nesterov=True), ValueError, "nesterov momentum needs"),
        (
            lambda: Adam([Value(1.0)], betas=(0.9, 1.0)),
            ValueError,
            r"betas\[1\] must lie in \[0, 1\)",
        ),
        (lambda: Adam([Value(1.0)], eps=-1.0), ValueError, "eps"),
        (lambda: Adam([Value(1.0)], eps=0.0), ValueError, "eps must be more than 0"),
        (lambda: Adam([Value(1.0)], eps=math.nan), ValueError, "eps must be a finite number"),
        (lambda: Adam([Value(1.0)], eps=math.inf), ValueError, "eps must be a finite number"),
        (lambda: Adam([Value(1.0)], eps="1e-8"), TypeError, "eps must be a number, got str"),  # type: ignore[arg-type]
        (lambda: Adam([Value(1.0)], betas=0.9), TypeError, "betas must be a pair"),  # type: ignore[arg-type]
        (lambda: Adam([Value(1.0)], betas=(0.9,)), TypeError, "betas must be a pair"),  # type: ignore[arg-type]
        (lambda: Adam([Value(1.0)], betas=(0.9, math.nan)), ValueError, r"betas\[1\]"),
        (lambda: Adam([Value(1.0)], weight_decay=-1.0), ValueError, "weight_decay"),
        (lambda: SGD([Value(1.0)], 0.1, dampening=math.inf), ValueError, "dampening"),
        (lambda: SGD([Value(1.0)], 0.1, momentum=0.9, nesterov=1), TypeError, "nesterov must be"),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments(build: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        build()  # type: ignore[operator]


def test_the_same_parameter_twice_is_refused() -> None:
    p = Value(1.0)
    with pytest.raises(ValueError, match="the same parameter more than once"):
        Adam([p, p])


# --- a step is all or nothing --------------------------------------------------------------------


def state(optimizer: SGD | Adam) -> tuple[object, ...]:
    """Everything a step may change: the parameters, and the optimizer's own state."""
    own = (
        (optimizer.steps, list(optimizer.m), list(optimizer.v))
        if isinstance(optimizer, Adam)
        else (None if optimizer.velocity is None else list(optimizer.velocity),)
    )
    return ([p.data for p in optimizer.params], *own)


OPTIMIZERS = [
    lambda ps: SGD(ps, lr=0.1),
    lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
    lambda ps: Adam(ps, lr=0.1),
    lambda ps: Adam(ps, lr=0.1, eps=1e-300, weight_decay=0.1),
]


@pytest.mark.parametrize("make", OPTIMIZERS)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_gradient_that_is_not_finite_stops_the_step_before_anything_changes(
    make: Callable[[list[Value]], SGD | Adam], bad: float
) -> None:
    params = [Value(1.0, "w0"), Value(2.0, "w1"), Value(3.0, "w2")]
    optimizer = make(params)
    for p in params:
        p.grad = 0.5
    optimizer.step()  # some state to keep
    before = state(optimizer)
    params[2].grad = bad  # the last one: a step applied in order would have changed the others
    with pytest.raises(FloatingPointError, match=rf"params\[2\] \(w2\) is {bad!r}; no parameter"):
        optimizer.step()
    assert state(optimizer) == before


@given(st.lists(st.sampled_from([0.0, -0.0, 1e-320, 1.0]), min_size=1, max_size=4))
def test_adam_with_zero_gradients_steps_to_finite_numbers(grads: list[float]) -> None:
    params = [Value(1.0) for _ in grads]
    optimizer = Adam(params, lr=0.1, eps=1e-300)
    for _ in range(3):
        for p, g in zip(params, grads, strict=True):
            p.grad = g
        optimizer.step()
    assert all(math.isfinite(p.data) for p in params)
    assert optimizer.steps == 3


@pytest.mark.parametrize(
    ("make", "attribute", "bad", "message"),
    [
        *((make, "lr", lr, "lr must be") for make in OPTIMIZERS for lr in (-0.1, math.nan, "1")),
        (lambda ps: Adam(ps, lr=0.1), "eps", 0.0, "eps must be more than 0"),
        (lambda ps: Adam(ps, lr=0.1), "eps", math.nan, "eps must be a finite number"),
        (lambda ps: Adam(ps, lr=0.1), "betas", (1.0, 0.999), r"betas\[0\] must lie in \[0, 1\)"),
        (lambda ps: Adam(ps, lr=0.1), "betas", (0.9, 1.0), r"betas\[1\] must lie in \[0, 1\)"),
        (lambda ps: Adam(ps, lr=0.1), "weight_decay", -1.0, "weight_decay must be a finite"),
        (lambda ps: SGD(ps, lr=0.1, momentum=0.9), "momentum", math.inf, "momentum must be"),
        (lambda ps: SGD(ps, lr=0.1, momentum=0.9), "dampening", -0.5, "dampening must be"),
        (lambda ps: SGD(ps, lr=0.1), "weight_decay", "0.1", "weight_decay must be a number"),
    ],
)
def test_any_setting_changed_to_something_unusable_stops_the_step_before_anything_changes(
    make: Callable[[list[Value]], SGD | Adam], attribute: str, bad: object, message: str
) -> None:
    # Adam(eps=0) is refused when it is made; eps = 0 set afterwards divided by zero halfway
    # through a step with a zero gradient.
    params = [Value(1.0), Value(2.0)]
    optimizer = make(params)
    for p in params:
        p.grad = 0.0
    before = state(optimizer)
    setattr(optimizer, attribute, bad)
    with pytest.raises((ValueError, TypeError), match=message):
        optimizer.step()
    assert state(optimizer) == before
    assert getattr(optimizer, "steps", 0) == 0


@pytest.mark.parametrize("make", OPTIMIZERS)
def test_a_step_that_would_overflow_a_parameter_changes_nothing(
    make: Callable[[list[Value]], SGD | Adam],
) -> None:
    params = [Value(1.0, "w0"), Value(-1.7e308, "w1")]
    optimizer = make(params)
    params[0].grad, params[1].grad = 0.5, 1.0
    optimizer.lr = 1e308  # w1 moves by about lr (Adam) or lr * 1.0 (SGD): to -inf
    before = state(optimizer)
    with pytest.raises(FloatingPointError, match=r"params\[1\] \(w1\).*no parameter was changed"):
        optimizer.step()
    assert state(optimizer) == before
