"""Optimizers that update Values in place from their ``.grad``, with PyTorch's update rules.

A step is all or nothing: every new value is computed before the first parameter changes, and a
gradient that is NaN or infinite, a setting (the learning rate, Adam's eps, ...) changed to
something unusable since the optimizer was made, or a new value that would overflow, stops the
step with an error before anything is changed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd import Value
from nn import checks


class Optimizer:
    """Holds the parameters and the learning rate ``lr`` (which a schedule may change)."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        if isinstance(params, Value) or not isinstance(params, Iterable):
            got = "a single Value" if isinstance(params, Value) else type(params).__name__
            raise TypeError(f"params must be an iterable of Values, got {got}")
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"params[{i}] must be a Value, got {type(p).__name__}")
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError(f"{type(self).__name__} got the same parameter more than once")
        self.lr = checks.non_negative(lr, "lr")

    def _check_settings(self) -> None:
        """Check the settings (each may have been changed since the optimizer was made)."""
        self.lr = checks.non_negative(self.lr, "lr")

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``.grad``, all of them or (on an error) none."""
        raise NotImplementedError(f"{type(self).__name__} does not define step")

    def _gradients(self) -> list[float]:
        """Every parameter's ``.grad``, once the settings and the gradients are checked."""
        self._check_settings()
        grads = [p.grad for p in self.params]
        self._check_finite(grads, "the gradient of params[{i}]{label} is {x!r}")
        return grads

    def _apply(self, data: list[float]) -> None:
        """Set every parameter's ``.data``, unless one of the new values is not finite (then
        nothing changes: the optimizer's own state is updated only after this)."""
        self._check_finite(data, "params[{i}]{label} would become {x!r}", " (try a smaller lr)")
        for p, d in zip(self.params, data, strict=True):
            p.data = d

    def _check_finite(self, numbers: list[float], problem: str, hint: str = "") -> None:
        """FloatingPointError at the first number that is not finite, saying what of which
        parameter (``problem`` is formatted with ``i``, ``label`` and ``x``)."""
        for i, x in enumerate(numbers):
            if not math.isfinite(x):
                label = f" ({self.params[i].label})" if self.params[i].label else ""
                raise FloatingPointError(
                    f"{type(self).__name__}.step: {problem.format(i=i, label=label, x=x)}; "
                    f"no parameter was changed{hint}"
                )


class SGD(Optimizer):
    """Stochastic gradient descent: p -= lr * v, with v = momentum * v + g (as torch.optim.SGD).

    g is ``p.grad + weight_decay * p``; with ``nesterov`` the step uses g + momentum * v.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.momentum, self.dampening, self.weight_decay = momentum, dampening, weight_decay
        self.nesterov = nesterov
        self._check_settings()
        self.velocity: list[float] | None = None

    def _check_settings(self) -> None:
        super()._check_settings()
        self.momentum = checks.non_negative(self.momentum, "momentum")
        self.dampening = checks.non_negative(self.dampening, "dampening")
        self.weight_decay = checks.non_negative(self.weight_decay, "weight_decay")
        if not isinstance(self.nesterov, bool):
            raise TypeError(f"nesterov must be True or False, got {type(self.nesterov).__name__}")
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("nesterov momentum needs momentum > 0 and dampening = 0")

    def step(self) -> None:
        """One update of every parameter (or, on an error, of none)."""
        grads = self._gradients()
        lr, momentum, decay = self.lr, self.momentum, self.weight_decay
        if decay:
            grads = [g + decay * p.data for g, p in zip(grads, self.params, strict=True)]
        velocity = self.velocity
        if momentum:
            if velocity is None:
                # PyTorch starts the velocity at the first gradient, undamped.
                velocity = list(grads)
            else:
                keep = 1.0 - self.dampening
                velocity = [momentum * v + keep * g for v, g in zip(velocity, grads, strict=True)]
            if self.nesterov:
                grads = [g + momentum * v for g, v in zip(grads, velocity, strict=True)]
            else:
                grads = velocity
        data = [p.data - lr * g for p, g in zip(self.params, grads, strict=True)]
        self._apply(data)
        self.velocity = velocity


class Adam(Optimizer):
    """Adam: p -= lr * m_hat / (sqrt(v_hat) + eps), from bias-corrected moments of the gradient.

    m = b1 m + (1 - b1) g and v = b2 v + (1 - b2) g**2 with g = p.grad + weight_decay * p;
    m_hat = m / (1 - b1**t), v_hat = v / (1 - b2**t) (as torch.optim.Adam).
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        self._check_settings()
        self.steps = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def _check_settings(self) -> None:
        super()._check_settings()
        betas = self.betas
        if isinstance(betas, str | bytes) or not hasattr(betas, "__len__") or len(betas) != 2:
            raise TypeError(f"betas must be a pair of numbers (beta1, beta2), got {betas!r}")
        beta1, beta2 = betas
        for i, beta in enumerate((beta1, beta2)):
            if not 0.0 <= checks.non_negative(beta, f"betas[{i}]") < 1.0:
                raise ValueError(f"betas[{i}] must lie in [0, 1), got {beta!r}")
        self.betas = (float(beta1), float(beta2))
        # eps keeps the denominator sqrt(v_hat) + eps from being 0 where a gradient is 0.
        self.eps = checks.non_negative(self.eps, "eps")
        if self.eps == 0.0:
            raise ValueError("eps must be more than 0 (it keeps Adam from dividing by 0), got 0")
        self.weight_decay = checks.non_negative(self.weight_decay, "weight_decay")

    def step(self) -> None:
        """One update of every parameter (or, on an error, of none)."""
        grads = self._gradients()
        beta1, beta2 = self.betas
        steps = self.steps + 1
        correction1 = 1.0 - beta1**steps
        correction2 = 1.0 - beta2**steps
        lr, eps, decay = self.lr, self.eps, self.weight_decay
        if decay:
            grads = [g + decay * p.data for g, p in zip(grads, self.params, strict=True)]
        m = [beta1 * m_i + (1.0 - beta1) * g for m_i, g in zip(self.m, grads, strict=True)]
        v = [beta2 * v_i + (1.0 - beta2) * g * g for v_i, g in zip(self.v, grads, strict=True)]
        data = [
            p.data - lr * (m_i / correction1) / (math.sqrt(v_i / correction2) + eps)
            for p, m_i, v_i in zip(self.params, m, v, strict=True)
        ]
        self._apply(data)
        self.steps, self.m, self.v = steps, m, v
