"""Optimizers that update Values in place from their ``.grad``, with PyTorch's update rules."""

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

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``.grad``."""
        raise NotImplementedError(f"{type(self).__name__} does not define step")


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
        self.momentum = checks.non_negative(momentum, "momentum")
        self.dampening = checks.non_negative(dampening, "dampening")
        self.weight_decay = checks.non_negative(weight_decay, "weight_decay")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("nesterov momentum needs momentum > 0 and dampening = 0")
        self.nesterov = bool(nesterov)
        self.velocity: list[float] | None = None

    def step(self) -> None:
        """One update of every parameter."""
        lr, momentum, decay = self.lr, self.momentum, self.weight_decay
        if decay:
            grads = [p.grad + decay * p.data for p in self.params]
        else:
            grads = [p.grad for p in self.params]
        if momentum:
            if self.velocity is None:
                # PyTorch starts the velocity at the first gradient, undamped.
                self.velocity = list(grads)
            else:
                keep = 1.0 - self.dampening
                self.velocity = [
                    momentum * v + keep * g for v, g in zip(self.velocity, grads, strict=True)
                ]
            if self.nesterov:
                grads = [g + momentum * v for g, v in zip(grads, self.velocity, strict=True)]
            else:
                grads = self.velocity
        for p, g in zip(self.params, grads, strict=True):
            p.data -= lr * g


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
        beta1, beta2 = betas
        for i, beta in enumerate((beta1, beta2)):
            if not 0.0 <= checks.non_negative(beta, f"betas[{i}]") < 1.0:
                raise ValueError(f"betas[{i}] must lie in [0, 1), got {beta!r}")
        self.betas = (float(beta1), float(beta2))
        self.eps = checks.non_negative(eps, "eps")
        self.weight_decay = checks.non_negative(weight_decay, "weight_decay")
        self.steps = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        """One update of every parameter."""
        beta1, beta2 = self.betas
        self.steps += 1
        correction1 = 1.0 - beta1**self.steps
        correction2 = 1.0 - beta2**self.steps
        lr, eps, decay = self.lr, self.eps, self.weight_decay
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            g = p.grad + decay * p.data if decay else p.grad
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            p.data -= lr * (m[i] / correction1) / (math.sqrt(v[i] / correction2) + eps)
