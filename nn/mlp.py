"""Modules built from Values: ``Neuron``, ``Layer`` and ``MLP``, with dotted parameter names.

A neuron computes ``z = b + Σ w_i x_i`` as micrograd's ``Neuron`` does, ``sum(w_i x_i, start=b)``:
the chain ``((b + w_0 x_0) + w_1 x_1) + ...`` of binary ``+`` and ``*`` nodes, node for node and
operand for operand, and then one activation node, so that ``out.parents[0]`` is ``z``. With the
same weights and inputs every ``.data`` equals micrograd's bit for bit, and every ``.grad`` to
rounding (micrograd's backward visits a node's consumers in the order of a set).
A neuron's parameters, z and output carry its scope (``layers.0.neurons.3``), and drawings
cluster everything between them under it.

As in ``torch.nn.Module``, a module registers each Value, Module, or list of them that it assigns
to an attribute; ``named_parameters``, ``config`` and ``repr`` are written once, here, from that
and from the constructor's signature.
"""

from __future__ import annotations

import inspect
import itertools
import math
import numbers
import operator
import os
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeAlias

from autograd import Value, scope
from autograd.value import as_float
from nn import checks, serialization

if TYPE_CHECKING:
    import torch

ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid")

# The activation node a neuron puts on top of z; "linear" adds none, so its output is z itself.
_NONLINEARITY: dict[str, Callable[[Value], Value] | None] = {
    "linear": None,
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
}

Input = Value | float
Part: TypeAlias = "Value | Module | list[Value] | list[Module]"


class Module:
    """Base class of everything with parameters: call it on an input, list its parameters.

    Assigning a Value, a Module, or a list of Values or of Modules (an empty one to be filled
    too) to an attribute registers it as a part, in order; ``named_parameters`` walks the parts,
    naming each parameter by its dotted path (``layers.0.neurons.3.w.1``). ``config`` reads back the
    constructor's arguments (all but ``seed``) from the attributes of the same names.
    """

    _parts: dict[str, Part]

    def __setattr__(self, name: str, value: object) -> None:
        parts = self.__dict__.setdefault("_parts", {})
        if _is_part(value):
            parts[name] = value
        else:
            parts.pop(name, None)
        object.__setattr__(self, name, value)

    def __call__(self, x: Iterable[Value | float]) -> Value | list[Value]:
        return self.forward(x)

    def forward(self, x: Iterable[Value | float]) -> Value | list[Value]:
        """The output for input ``x`` (what calling the module returns)."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward")

    def named_parameters(self, prefix: str = "") -> list[tuple[str, Value]]:
        """Every parameter with its dotted name, such as ``layers.0.neurons.3.w.1``; a parameter
        reachable by two paths is listed once, under the first (as in PyTorch)."""
        named: list[tuple[str, Value]] = []
        seen: set[int] = set()
        for path, value in self._walk(prefix):
            if id(value) not in seen:
                seen.add(id(value))
                named.append((path, value))
        return named

    def _walk(self, prefix: str) -> Iterator[tuple[str, Value]]:
        """Every parameter by its path, shared ones as often as they are reached. A list is
        read as it is now, so one filled after it was assigned counts whole."""
        for name, part in self.__dict__.get("_parts", {}).items():
            if isinstance(part, list) and not any(isinstance(x, Value | Module) for x in part):
                continue  # an empty list filled with something else: numbers, say
            items = enumerate(part) if isinstance(part, list) else ((None, part),)
            for k, item in items:
                path = f"{prefix}{name}" if k is None else f"{prefix}{name}.{k}"
                if isinstance(item, Value):
                    yield path, item
                elif isinstance(item, Module):
                    yield from item._walk(path + ".")
                else:
                    raise TypeError(
                        f"{path} is a {type(item).__name__}, not a Value or a Module; to change "
                        "a parameter's number, assign to its .data"
                    )

    def parameters(self) -> list[Value]:
        """Every parameter, in the order of ``named_parameters``."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0."""
        for p in self.parameters():
            p.grad = 0.0

    def config(self) -> dict[str, Any]:
        """The constructor arguments (without the seed) that rebuild this module's shape."""
        values = {}
        for name in _signature(type(self)).parameters:
            if not hasattr(self, name):
                cls = type(self).__name__
                raise AttributeError(
                    f"{cls}.config: the constructor argument {name!r} is not kept as self.{name}; "
                    f"keep it there (or override config) to save or print a {cls}"
                )
            values[name] = getattr(self, name)
        return {name: list(v) if isinstance(v, list) else v for name, v in values.items()}

    def __repr__(self) -> str:
        """The constructor call: arguments without a default by position, the rest by name."""
        try:
            self.config()
        except AttributeError:  # a constructor argument that is not kept: no call to show
            return f"<{type(self).__name__}: {len(self.parameters())} parameters>"
        parameters = _signature(type(self)).parameters
        arguments = [
            repr(value)
            if parameters[name].default is inspect.Parameter.empty
            else f"{name}={value!r}"
            for name, value in self.config().items()
        ]
        return f"{type(self).__name__}({', '.join(arguments)})"

    @classmethod
    def parameter_count(cls, config: Mapping[str, Any]) -> int:
        """How many parameters ``cls(**config)`` has, worked out without building it."""
        raise NotImplementedError(f"{cls.__name__} does not define parameter_count")

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
        return serialization.save(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Self:
        """The module saved in ``path``; ``ValueError`` naming the file for any problem."""
        return serialization.load(path, cls)


class Neuron(Module):
    """act(b + Σ w_i x_i), weights drawn uniformly from [-1, 1] and b = 0 (as micrograd)."""

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
        """act(b + Σ w_i x_i) for an input of length ``nin``."""
        return self._forward(_inputs(x, self.nin, "Neuron"))

    def _forward(self, x: Sequence[Input]) -> Value:
        # micrograd's sum(w_i x_i, start=b); map and sum run their loops in C.
        z: Value = sum(map(operator.mul, self.w, x), self.b)
        nonlinearity = self._nonlinearity
        out = z if nonlinearity is None else nonlinearity(z)
        # z and the output carry the neuron's scope (its parameters got it when they were made).
        # Drawings put the products, sums and constants between them in the same cluster, so no
        # scope needs to be open while the graph is built, which would slow every operation.
        z.scope = out.scope = self.b.scope
        return out

    @classmethod
    def parameter_count(cls, config: Mapping[str, Any]) -> int:
        return checks.count(config["nin"], "nin") + 1


class Layer(Module):
    """``nout`` neurons reading the same input; the output is a list (a Value when nout is 1)."""

    def __init__(
        self, nin: int, nout: int, activation: str = "relu", seed: int | None = None
    ) -> None:
        self.nin = checks.count(nin, "nin")
        self.nout = checks.count(nout, "nout")
        self.activation = _activation(activation, "activation")
        neurons = []
        for j, neuron_seed in enumerate(_child_seeds(seed, nout)):
            with scope(f"neurons.{j}"):
                neurons.append(Neuron(nin, activation, neuron_seed))
        self.neurons = neurons

    def forward(self, x: Iterable[Value | float]) -> Value | list[Value]:
        """Each neuron's output for input ``x``."""
        out = self._forward(_inputs(x, self.nin, "Layer"))
        return out[0] if len(out) == 1 else out

    def _forward(self, x: Sequence[Input]) -> list[Value]:
        return [neuron._forward(x) for neuron in self.neurons]

    @classmethod
    def parameter_count(cls, config: Mapping[str, Any]) -> int:
        return checks.count(config["nout"], "nout") * Neuron.parameter_count(config)


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
        layers = []
        for i, layer_seed in enumerate(_child_seeds(seed, len(self.nouts))):
            layer_activation = output_activation if i == last else activation
            with scope(f"layers.{i}"):
                layers.append(Layer(sizes[i], sizes[i + 1], layer_activation, layer_seed))
        self.layers = layers

    def forward(self, x: Iterable[Value | float]) -> Value | list[Value]:
        """The last layer's output for input ``x``: a Value when it has one neuron, else a list."""
        first, *rest = self.layers
        out = first._forward(_inputs(x, self.nin, "MLP"))
        for layer in rest:
            out = layer._forward(out)
        return out[0] if len(out) == 1 else out

    @classmethod
    def parameter_count(cls, config: Mapping[str, Any]) -> int:
        sizes = [checks.count(config["nin"], "nin"), *_sizes(config["nouts"])]
        return sum((fan_in + 1) * fan_out for fan_in, fan_out in itertools.pairwise(sizes))

    # --- PyTorch -------------------------------------------------------------------------------

    def to_torch(self) -> torch.nn.Sequential:
        """The same network as a float64 ``torch.nn.Sequential`` of ``Linear`` layers with
        activation modules between them; ``neurons[j].w[i]`` becomes ``weight[j, i]`` and
        ``neurons[j].b`` becomes ``bias[j]``. ImportError saying how to install torch without it.
        """
        from nn import pytorch

        return pytorch.to_torch(self)

    @classmethod
    def from_torch(cls, sequential: torch.nn.Module) -> MLP:
        """The MLP that computes what ``sequential`` computes: ``Linear`` layers, each followed
        by at most one of ``ReLU``, ``Tanh``, ``Sigmoid`` or ``Identity``, the hidden ones alike.
        ValueError naming any layer it cannot represent; ImportError without torch."""
        from nn import pytorch

        return pytorch.from_torch(sequential)


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


def _is_part(value: object) -> bool:
    """Whether ``value`` is what a module registers: a Value, a Module, or a list of Values or
    of Modules (or an empty one, to be filled)."""
    if isinstance(value, list):  # an empty one too: it may be filled afterwards
        if not value:
            return True
        kind = Value if isinstance(value[0], Value) else Module
        return all(isinstance(item, kind) for item in value)
    return isinstance(value, Value | Module)


def _signature(cls: type[Module]) -> inspect.Signature:
    """The constructor's parameters that make up a module's config: all but ``seed``."""
    signature = _SIGNATURES.get(cls)
    if signature is None:
        parameters = inspect.signature(cls).parameters.values()
        signature = _SIGNATURES[cls] = inspect.Signature(
            [
                p
                for p in parameters
                if p.name != "seed" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            ]
        )
    return signature


_SIGNATURES: dict[type[Module], inspect.Signature] = {}


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
