"""Modules built from Values: ``Neuron``, ``Layer`` and ``MLP``, with dotted parameter names.

A neuron computes ``z = Σ w_i x_i + b`` with binary ``+`` and ``*`` nodes and then one
activation node, exactly the graph micrograd builds, so that ``out.parents[0]`` is ``z``.
A neuron's parameters, z and output carry its scope (``layers.0.neurons.3``), and drawings
cluster everything between them under it.
"""

from __future__ import annotations

import math
import numbers
import operator
import os
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Self

from autograd import Value, scope
from autograd.value import as_float
from nn import checks
from nn.serialization import read_json, write_json_atomic

ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid")

# The activation node a neuron puts on top of z; "linear" adds none, so its output is z itself.
_NONLINEARITY: dict[str, Callable[[Value], Value] | None] = {
    "linear": None,
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
}

FILE_FORMAT = "chainrule.nn"
FILE_VERSION = 1

Input = Value | float


class Module:
    """Base class of everything with parameters: call it on an input, list its parameters."""

    def __call__(self, x: Iterable[Value | float]) -> Value | list[Value]:
        return self.forward(x)

    def forward(self, x: Iterable[Value | float]) -> Value | list[Value]:
        """The output for input ``x`` (what calling the module returns)."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward")

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Every parameter with its dotted name, such as ``layers.0.neurons.3.w.1``."""
        raise NotImplementedError(f"{type(self).__name__} does not define named_parameters")

    def parameters(self) -> list[Value]:
        """Every parameter, in the order of ``named_parameters``."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0."""
        for p in self.parameters():
            p.grad = 0.0

    def config(self) -> dict[str, Any]:
        """The constructor arguments (without the seed) that rebuild this module's shape."""
        raise NotImplementedError(f"{type(self).__name__} does not define config")

    # --- state and files -----------------------------------------------------------------------

    def state_dict(self) -> dict[str, float]:
        """Each parameter's name and value."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """Set every parameter from ``state``; its names must match exactly (as in PyTorch).

        Nothing changes unless every entry is present and a finite number.
        """
        own = self.named_parameters()
        names = {name for name, _ in own}
        missing = [name for name, _ in own if name not in state]
        unexpected = [name for name in state if name not in names]
        if missing or unexpected:
            problems = []
            if missing:
                problems.append(f"missing {_some(missing)}")
            if unexpected:
                problems.append(f"unexpected {_some(unexpected)}")
            raise ValueError(f"parameters do not match {self!r}: {'; '.join(problems)}")
        values = []
        for name, _ in own:
            value = state[name]
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(f"parameter {name} is {value!r}, not a number")
            number = as_float(value, f"parameter {name}")
            if not math.isfinite(number):
                raise ValueError(f"parameter {name} is {value!r}, not a finite number")
            values.append(number)
        for (_, p), value in zip(own, values, strict=True):
            p.data = value

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the module's shape and parameters to ``path`` as plain JSON, atomically."""
        state = self.state_dict()
        for name, value in state.items():
            if not math.isfinite(value):
                raise ValueError(f"cannot save {self!r}: parameter {name} is {value!r}")
        document = {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "module": type(self).__name__,
            "config": self.config(),
            "parameters": state,
        }
        return write_json_atomic(path, document)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Self:
        """The module saved in ``path``; ``ValueError`` naming the file for any problem."""
        where = f"model file {str(path)!r}"
        document = read_json(path)
        if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
            raise ValueError(f'{where} is not a chainrule model (no "format": "{FILE_FORMAT}")')
        if document.get("version") != FILE_VERSION:
            version = document.get("version")
            raise ValueError(
                f"{where} has version {version!r}; this chainrule reads {FILE_VERSION}"
            )
        kind = document.get("module")
        module_class = _MODULE_CLASSES.get(kind) if isinstance(kind, str) else None
        if module_class is None:
            known = ", ".join(_MODULE_CLASSES)
            raise ValueError(f"{where} holds an unknown module {kind!r} (known: {known})")
        config, parameters = document.get("config"), document.get("parameters")
        if not isinstance(config, dict):
            raise ValueError(f'{where} has no "config" object')
        if not isinstance(parameters, dict):
            raise ValueError(f'{where} has no "parameters" object')
        try:
            model = module_class(**config)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{where} has an invalid {kind} config {config!r}: {error}") from None
        if not isinstance(model, cls):
            raise ValueError(f"{where} holds a {kind}, not a {cls.__name__}")
        try:
            model.load_state_dict(parameters)
        except ValueError as error:
            raise ValueError(f"{where} does not fit: {error}") from None
        return model


class Neuron(Module):
    """act(Σ w_i x_i + b), weights drawn uniformly from [-1, 1] and b = 0 (as micrograd)."""

    def __init__(self, nin: int, activation: str = "relu", seed: int | None = None) -> None:
        self.nin = checks.count(nin, "nin")
        self.activation = _activation(activation, "activation")
        rng = random.Random(checks.seed(seed))
        self.w = [Value(rng.uniform(-1.0, 1.0), f"w.{k}") for k in range(nin)]
        self.b = Value(0.0, "b")
        self._nonlinearity = _NONLINEARITY[activation]

    def __call__(self, x: Iterable[Value | float]) -> Value:
        return self.forward(x)

    def forward(self, x: Iterable[Value | float]) -> Value:
        """act(Σ w_i x_i + b) for an input of length ``nin``."""
        return self._forward(_inputs(x, self.nin, "Neuron"))

    def _forward(self, x: Sequence[Input]) -> Value:
        # map and sum run their loops in C; sum from the first product adds left to right with
        # binary + nodes, so z is micrograd's chain ((w0 x0 + w1 x1) + ...) + b.
        products = map(operator.mul, self.w, x)
        z: Value = sum(products, next(products)) + self.b
        nonlinearity = self._nonlinearity
        out = z if nonlinearity is None else nonlinearity(z)
        # z and the output carry the neuron's scope (its parameters got it when they were made).
        # Drawings put the products, sums and constants between them in the same cluster, so no
        # scope needs to be open while the graph is built, which would slow every operation.
        z.scope = out.scope = self.b.scope
        return out

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [*((f"w.{k}", w) for k, w in enumerate(self.w)), ("b", self.b)]

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "activation": self.activation}

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module):
    """``nout`` neurons reading the same input; the output is a list (a Value when nout is 1)."""

    def __init__(
        self, nin: int, nout: int, activation: str = "relu", seed: int | None = None
    ) -> None:
        self.nin = checks.count(nin, "nin")
        self.nout = checks.count(nout, "nout")
        self.activation = _activation(activation, "activation")
        self.neurons: list[Neuron] = []
        for j, neuron_seed in enumerate(_child_seeds(seed, nout)):
            name = f"neurons.{j}"
            with scope(name):
                self.neurons.append(Neuron(nin, activation, neuron_seed))

    def forward(self, x: Iterable[Value | float]) -> Value | list[Value]:
        """Each neuron's output for input ``x``."""
        out = self._forward(_inputs(x, self.nin, "Layer"))
        return out[0] if len(out) == 1 else out

    def _forward(self, x: Sequence[Input]) -> list[Value]:
        return [neuron._forward(x) for neuron in self.neurons]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [
            (f"neurons.{j}.{name}", p)
            for j, neuron in enumerate(self.neurons)
            for name, p in neuron.named_parameters()
        ]

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "nout": self.nout, "activation": self.activation}

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"


class MLP(Module):
    """Layers of sizes ``nouts`` in sequence: hidden ones use ``activation``, the last one
    ``output_activation``."""

    def __init__(
        self,
        nin: int,
        nouts: Iterable[int],
        activation: str = "relu",
        output_activation: str = "linear",
        seed: int | None = None,
    ) -> None:
        self.nin = checks.count(nin, "nin")
        self.nouts = _sizes(nouts)
        self.activation = _activation(activation, "activation")
        self.output_activation = _activation(output_activation, "output_activation")
        sizes = [self.nin, *self.nouts]
        last = len(self.nouts) - 1
        self.layers: list[Layer] = []
        for i, layer_seed in enumerate(_child_seeds(seed, len(self.nouts))):
            name = f"layers.{i}"
            layer_activation = output_activation if i == last else activation
            with scope(name):
                self.layers.append(Layer(sizes[i], sizes[i + 1], layer_activation, layer_seed))

    def forward(self, x: Iterable[Value | float]) -> Value | list[Value]:
        """The last layer's output for input ``x``: a Value when it has one neuron, else a list."""
        first, *rest = self.layers
        out = first._forward(_inputs(x, self.nin, "MLP"))
        for layer in rest:
            out = layer._forward(out)
        return out[0] if len(out) == 1 else out

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [
            (f"layers.{i}.{name}", p)
            for i, layer in enumerate(self.layers)
            for name, p in layer.named_parameters()
        ]

    def config(self) -> dict[str, Any]:
        return {
            "nin": self.nin,
            "nouts": list(self.nouts),
            "activation": self.activation,
            "output_activation": self.output_activation,
        }

    def __repr__(self) -> str:
        return (
            f"MLP({self.nin}, {self.nouts}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r})"
        )


_MODULE_CLASSES: dict[str, type[Module]] = {"Neuron": Neuron, "Layer": Layer, "MLP": MLP}


# --- argument checks ---------------------------------------------------------------------------


def _inputs(x: object, nin: int, who: str) -> list[Input]:
    """``x`` as a list of ``nin`` Values, numbers made leaves; TypeError or ValueError saying
    what is wrong."""
    if isinstance(x, str | bytes | Value | numbers.Number):
        raise TypeError(
            f"{who} takes a sequence of {nin} numbers or Values, got {type(x).__name__}"
        )
    try:
        items: list[Any] = list(x)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(
            f"{who} takes a sequence of {nin} numbers or Values, got {type(x).__name__}"
        ) from None
    if len(items) != nin:
        raise ValueError(f"{who} expects {nin} inputs, got {len(items)}")
    for k, item in enumerate(items):
        if isinstance(item, Value):
            continue
        if not isinstance(item, numbers.Real):
            raise TypeError(
                f"{who} input {k} must be a number or a Value, got {type(item).__name__}"
            )
        # One leaf per input, shared by every neuron that reads it (rather than a constant
        # node per neuron); its grad then shows how the output depends on that input.
        items[k] = Value(as_float(item, f"{who} input {k}"))
    return items


def _sizes(nouts: object) -> list[int]:
    """``nouts`` as a non-empty list of layer sizes."""
    if isinstance(nouts, str | bytes) or not isinstance(nouts, Iterable):
        raise TypeError(f"nouts must be a sequence of layer sizes, got {type(nouts).__name__}")
    sizes = [checks.count(n, f"nouts[{i}]") for i, n in enumerate(nouts)]
    if not sizes:
        raise ValueError("nouts must name at least one layer size, got none")
    return sizes


def _activation(name: object, what: str) -> str:
    """``name`` when it is one of ACTIVATIONS."""
    if name not in ACTIVATIONS or not isinstance(name, str):
        raise ValueError(f"{what} must be one of {', '.join(ACTIVATIONS)}; got {name!r}")
    return name


def _child_seeds(seed: object, n: int) -> list[int | None]:
    """One seed per child module, all drawn from ``seed`` (all None when it is None)."""
    parent = checks.seed(seed)
    if parent is None:
        return [None] * n
    rng = random.Random(parent)
    return [rng.getrandbits(63) for _ in range(n)]


def _some(names: list[str], limit: int = 3) -> str:
    """The first ``limit`` names, and how many there are in all."""
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"
